"""corridor.tx: the one way the off-chain code sends a transaction (sign or ask the node, wait for the
mined receipt through Anvil's lag, decode a revert into `ErrorName(arg=…)`)."""

from __future__ import annotations

import pytest
from brownie import MockERC20, accounts, web3
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak
from web3.exceptions import TransactionNotFound

from corridor import artifacts, tx


@pytest.fixture(scope="module")
def token(admin):
    return MockERC20.deploy("Yen", "JPY", 0, {"from": admin})


@pytest.fixture(scope="module")
def keyed(admin):
    account = Account.create()
    admin.transfer(account.address, 10**18)
    return account


def _web3_token(token):
    return artifacts.at(web3, "MockERC20", token.address)


def test_keyed_sender_signs_locally_and_gets_the_mined_receipt(token, keyed, bob):
    token.mint(keyed.address, 100, {"from": bob})
    receipt = tx.send(web3, _web3_token(token).functions.transfer(bob.address, 40), keyed)
    assert receipt["status"] == 1 and receipt["blockHash"] is not None
    assert token.balanceOf(bob) == 40 and token.balanceOf(keyed.address) == 60
    assert web3.eth.get_transaction(tx.hash_of(receipt))["from"] == keyed.address


@pytest.mark.parametrize("form", ["eth-account", "hex key", "brownie LocalAccount"])
def test_every_key_form_sends_from_the_same_address(token, bob, form):
    local = accounts.add()
    accounts[0].transfer(local, 10**18)
    sender = {"eth-account": Account.from_key(local.private_key), "hex key": local.private_key}.get(
        form, local
    )
    assert tx.address_of(sender) == local.address
    tx.send(web3, _web3_token(token).functions.mint(bob.address, 7), sender)
    assert token.balanceOf(bob) == 7


def test_unlocked_address_is_signed_by_the_node(token, alice, bob):
    token.mint(alice, 5, {"from": alice})
    receipt = tx.send(web3, _web3_token(token).functions.transfer(bob.address, 5), alice.address)
    assert receipt["status"] == 1 and token.balanceOf(bob) == 5


def test_revert_in_the_estimate_is_decoded_and_nothing_is_sent(token, keyed, bob):
    nonce = web3.eth.get_transaction_count(keyed.address)
    balance = token.balanceOf(keyed.address)
    with pytest.raises(tx.TransactionReverted) as failed:
        tx.send(web3, _web3_token(token).functions.transfer(bob.address, balance + 1), keyed, label="pay bob")
    err = failed.value
    assert err.error == "ERC20InsufficientBalance" and err.tx_hash is None
    assert dict(err.reason.args) == {"sender": keyed.address, "balance": balance, "needed": balance + 1}
    assert str(err) == (
        f"pay bob reverted: ERC20InsufficientBalance(sender={keyed.address}, balance={balance}, "
        f"needed={balance + 1})"
    )
    assert web3.eth.get_transaction_count(keyed.address) == nonce


def test_mined_revert_is_replayed_and_decoded(token, keyed, bob):
    """With the gas given, the node mines the failing transaction (status 0): the reason is learnt by
    replaying it, and the error names the mined transaction."""
    with pytest.raises(tx.TransactionReverted) as failed:
        tx.send(
            web3, _web3_token(token).functions.transfer(bob.address, 10**30), keyed, params={"gas": 100_000}
        )
    err = failed.value
    assert err.error == "ERC20InsufficientBalance" and err.tx_hash is not None
    assert web3.eth.get_transaction_receipt(err.tx_hash)["status"] == 0
    assert f"transfer reverted in {err.tx_hash}: ERC20InsufficientBalance(" in str(err)


class _LaggingEth:
    """An `eth` that, like Anvil for a moment after mining, first knows no receipt, then one without
    a block hash, then the mined one."""

    def __init__(self):
        self.answers = [None, {"blockHash": None, "status": 1}, {"blockHash": b"\x01", "status": 1}]

    def get_transaction_receipt(self, _):
        answer = self.answers.pop(0)
        if answer is None:
            raise TransactionNotFound("not yet")
        return answer


class _W3:
    def __init__(self):
        self.eth = _LaggingEth()


def test_wait_for_receipt_rides_out_the_lag():
    w3 = _W3()
    assert tx.wait_for_receipt(w3, "0x01", timeout=5)["blockHash"] == b"\x01"
    assert w3.eth.answers == []


def test_wait_for_receipt_gives_up_after_the_timeout():
    w3 = _W3()
    w3.eth.answers = [None] * 10_000
    assert tx.wait_for_receipt(w3, "0x01", timeout=0) is None


def _data(signature, types, values):
    return "0x" + keccak(text=signature)[:4].hex() + encode(types, values).hex()


def test_decode_revert_by_the_given_abi_error_string_panic_and_unknown():
    abi = [
        {
            "type": "error",
            "name": "Late",
            "inputs": [{"name": "", "type": "uint256"}, {"name": "who", "type": "bytes32"}],
        }
    ]
    late = tx.decode_revert(_data("Late(uint256,bytes32)", ["uint256", "bytes32"], [3, b"\x01" * 32]), abi)
    assert str(late) == f"Late(arg0=3, who=0x{'01' * 32})"
    assert str(tx.decode_revert(_data("Error(string)", ["string"], ["no"]))) == "Error(message=no)"
    assert str(tx.decode_revert(_data("Panic(uint256)", ["uint256"], [0x11]))) == "Panic(code=0x11)"
    assert str(tx.decode_revert("0xdeadbeef")) == "unknown error 0xdeadbeef"
    assert str(tx.decode_revert("0x")) == "no reason given"


def test_project_errors_decode_without_an_abi():
    """An error raised by a contract called in turn (the venue's QuoteExpired under a router) is found
    in the project's build."""
    data = _data("QuoteExpired(uint256,uint256)", ["uint256", "uint256"], [10, 11])
    assert tx.decode_revert(data).name == "QuoteExpired"
