"""MakerSignature against the rules of OpenZeppelin's SignatureChecker.isValidSignatureNow (which the
berlin profile cannot compile): 65-byte low-s ECDSA for accounts without code, ERC-1271 for contracts."""

import pytest
from brownie import accounts
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HASH = _hash_eip191_message(encode_defunct(text="quote"))


@pytest.fixture(scope="module")
def checker(MakerSignatureHarness, admin):
    return MakerSignatureHarness.deploy({"from": admin})


@pytest.fixture(scope="module")
def signer():
    return Account.create()


def _sign(account, digest=HASH):
    sig = Account.unsafe_sign_hash(digest, account.key)
    return sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v])


def test_eoa_signature_is_valid(checker, signer):
    assert checker.isValidNow(signer.address, HASH, _sign(signer))


def test_other_signer_is_invalid(checker, signer):
    assert not checker.isValidNow(signer.address, HASH, _sign(Account.create()))


def test_other_hash_is_invalid(checker, signer):
    assert not checker.isValidNow(signer.address, b"\x01" * 32, _sign(signer))


@pytest.mark.parametrize("length", [0, 64, 66])
def test_signature_of_wrong_length_is_invalid(checker, signer, length):
    sig = (_sign(signer) + b"\x00")[:length] if length else b""
    assert not checker.isValidNow(signer.address, HASH, sig)


def test_high_s_is_invalid(checker, signer):
    sig = _sign(signer)
    s = int.from_bytes(sig[32:64], "big")
    assert not checker.isValidNow(
        signer.address, HASH, sig[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - sig[64]])
    )


@pytest.mark.parametrize("v", [0, 1, 29])
def test_v_other_than_27_or_28_is_invalid(checker, signer, v):
    sig = _sign(signer)
    assert not checker.isValidNow(signer.address, HASH, sig[:64] + bytes([v]))


def test_zero_signer_is_never_valid(checker):
    assert not checker.isValidNow("0x" + "00" * 20, HASH, b"\x00" * 65)


def test_erc1271_wallet_accepting_is_valid(checker, MockERC1271Wallet, admin):
    owner = accounts.add()
    wallet = MockERC1271Wallet.deploy(owner, {"from": admin})
    owner_account = Account.from_key(owner.private_key)
    assert checker.isValidNow(wallet, HASH, _sign(owner_account))


def test_erc1271_wallet_rejecting_is_invalid(checker, MockERC1271Wallet, admin, signer):
    wallet = MockERC1271Wallet.deploy(accounts.add(), {"from": admin})
    assert not checker.isValidNow(wallet, HASH, _sign(signer))


@pytest.mark.parametrize("mode", [0, 1, 2, 3], ids=["wrong-magic", "reverts", "no-data", "short-data"])
def test_erc1271_bad_answers_are_invalid(checker, MockBadERC1271Wallet, admin, signer, mode):
    wallet = MockBadERC1271Wallet.deploy({"from": admin})
    wallet.setMode(mode, {"from": admin})
    assert not checker.isValidNow(wallet, HASH, _sign(signer))


def test_contract_without_erc1271_is_invalid(checker, signer):
    assert not checker.isValidNow(checker, HASH, _sign(signer))
