"""The journaled deployer account: a re-run sends nothing, and a run interrupted before or after
any transaction resumes to the same result without sending anything twice."""

import json

import pytest
from brownie import web3

from corridor.deploy import BookError, DeploymentBook, JournaledAccount, JournalMismatch

STEPS = 4  # transactions in `procedure`


class Interrupted(Exception):
    """Stands in for a kill in these in-process tests (tests/deploy/test_deploy_script.py kills for real)."""


class FlakyAccount:
    """A brownie account that is 'killed' at its n-th transaction, before or after sending it."""

    def __init__(self, account, at: int, after_send: bool):
        self._account, self._at, self._after, self._count = account, at, after_send, 0

    def __getattr__(self, name):
        return getattr(self._account, name)

    def _maybe_die(self, send):
        self._count += 1
        if self._count == self._at and not self._after:
            raise Interrupted
        result = send()
        if self._count == self._at and self._after:
            raise Interrupted
        return result

    def deploy(self, *args, **kwargs):
        return self._maybe_die(lambda: self._account.deploy(*args, **kwargs))

    def transfer(self, *args, **kwargs):
        return self._maybe_die(lambda: self._account.transfer(*args, **kwargs))


def procedure(acct, container, alice, bob, supply=5):
    """A deterministic deploy: two tokens, one mint each."""
    a = container.deploy("Yen", "JPY", 0, {"from": acct})
    a.mint(alice, supply, {"from": acct})
    b = container.deploy("Riel", "KHR", 0, {"from": acct})
    b.mint(bob, supply, {"from": acct})
    return a, b


def _book(path, admin):
    return DeploymentBook.open(path, "development", web3.eth.chain_id, admin.address)


def _journal(path, account, admin):
    return JournaledAccount(account, _book(path, admin), web3, log=lambda _: None, pending_wait_seconds=1)


def test_first_run_records_every_transaction(admin, alice, bob, MockERC20, tmp_path):
    path = tmp_path / "book.json"
    a, b = procedure(_journal(path, admin, admin), MockERC20, alice, bob)
    txs = json.loads(path.read_text())["transactions"]
    assert [t["what"]["kind"] for t in txs] == ["deploy", "call", "deploy", "call"]
    assert all(t["status"] == "done" for t in txs)
    assert txs[0]["address"] == a.address and txs[2]["address"] == b.address
    assert txs[0]["what"]["args"] == ["Yen", "JPY", 0]


def test_rerun_sends_nothing_and_returns_the_same_contracts(admin, alice, bob, MockERC20, tmp_path):
    path = tmp_path / "book.json"
    first = procedure(_journal(path, admin, admin), MockERC20, alice, bob)
    nonce = admin.nonce
    journal = _journal(path, admin, admin)
    again = procedure(journal, MockERC20, alice, bob)
    assert [c.address for c in again] == [c.address for c in first]
    assert admin.nonce == nonce
    assert journal.sent == 0
    assert again[0].balanceOf(alice) == 5


@pytest.mark.parametrize("after_send", [False, True], ids=["killed-before-send", "killed-after-send"])
@pytest.mark.parametrize("at", range(1, STEPS + 1))
def test_interrupted_run_resumes_without_duplicates(admin, alice, bob, MockERC20, tmp_path, at, after_send):
    path = tmp_path / "book.json"
    start = admin.nonce
    with pytest.raises(Interrupted):
        procedure(_journal(path, FlakyAccount(admin, at, after_send), admin), MockERC20, alice, bob)
    a, b = procedure(_journal(path, admin, admin), MockERC20, alice, bob)
    assert admin.nonce - start == STEPS  # exactly one transaction per step, none repeated
    assert a.balanceOf(alice) == 5 and b.balanceOf(bob) == 5
    assert all(t["status"] == "done" for t in json.loads(path.read_text())["transactions"])


def test_changed_procedure_is_refused(admin, alice, bob, MockERC20, tmp_path):
    path = tmp_path / "book.json"
    procedure(_journal(path, admin, admin), MockERC20, alice, bob)
    acct = _journal(path, admin, admin)
    MockERC20.deploy("Yen", "JPY", 0, {"from": acct})
    with pytest.raises(JournalMismatch, match="changed"):
        MockERC20.deploy("Other", "OTH", 0, {"from": acct})  # position 2 was a call


def test_changed_constructor_arguments_are_refused(admin, alice, bob, MockERC20, tmp_path):
    path = tmp_path / "book.json"
    procedure(_journal(path, admin, admin), MockERC20, alice, bob)
    with pytest.raises(JournalMismatch, match="changed"):
        MockERC20.deploy("Yen", "JPY", 2, {"from": _journal(path, admin, admin)})


def test_book_of_another_chain_is_refused(admin, tmp_path):
    path = tmp_path / "book.json"
    _book(path, admin).save()
    with pytest.raises(BookError, match="chain id"):
        DeploymentBook.open(path, "development", web3.eth.chain_id + 1, admin.address)


def test_unreadable_book_is_refused(admin, tmp_path):
    path = tmp_path / "book.json"
    path.write_text("{not json")
    with pytest.raises(BookError, match="not a readable deployment book"):
        _book(path, admin)


def test_book_of_a_reset_chain_is_refused(admin, alice, bob, MockERC20, tmp_path, chain):
    path = tmp_path / "book.json"
    chain.snapshot()
    procedure(_journal(path, admin, admin), MockERC20, alice, bob)
    chain.revert()  # the contracts are gone, the book remains
    with pytest.raises(BookError, match="chain was reset"):
        procedure(_journal(path, admin, admin), MockERC20, alice, bob)


def test_journaled_account_is_accepted_as_an_address_argument(admin, MockERC20, tmp_path):
    acct = _journal(tmp_path / "book.json", admin, admin)
    token = MockERC20.deploy("Yen", "JPY", 0, {"from": acct})
    token.mint(acct, 7, {"from": acct})
    assert token.balanceOf(acct) == 7
    assert token.balanceOf(admin) == 7
    assert acct == admin and acct.address == admin.address
