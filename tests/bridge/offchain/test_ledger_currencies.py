"""The simulator keeps one balance per (account, currency): a currency of corridor.codes needs no schema
change, and a ledger file written with a column per currency (usd, khr) keeps its balances."""

import sqlite3

import pytest

from corridor.bridge.khqr import KHQR, Currency
from corridor.bridge.ledger import InsufficientFunds, Ledger, UnknownAccount

from .bridge_model import CUSTOMER, OMNIBUS


def test_every_bridged_currency_is_a_balance_without_a_schema_change(ledger):
    ledger.cash_in(CUSTOMER, "THB", 1_250_00)
    ledger.transfer(CUSTOMER, OMNIBUS, Currency.THB, 250_00)
    assert ledger.balance(CUSTOMER, "THB") == 1_000_00
    assert ledger.balance(OMNIBUS, "THB") == 250_00
    assert ledger.balances(OMNIBUS)[Currency.THB] == 250_00
    columns = {r[1] for r in ledger._db.execute("PRAGMA table_info(accounts)")}
    assert columns == {"account_id", "name"}


def test_a_khqr_in_a_new_currency_pays_through_the_same_path(ledger):
    ledger.cash_in(CUSTOMER, "THB", 500_00)
    paid = ledger.pay_khqr(CUSTOMER, KHQR(OMNIBUS, "Bridge", Currency.THB, 123_45, created_ms=1).encode())
    assert (paid.currency, paid.amount) == (Currency.THB, 123_45)
    assert ledger.balance(CUSTOMER, "THB") == 376_55


def test_balances_lists_only_currencies_held_and_never_held_is_zero(ledger):
    ledger.open_account("dara@aclb")
    assert ledger.balances("dara@aclb") == {}
    assert ledger.balance("dara@aclb", "THB") == 0
    ledger.cash_in("dara@aclb", "USD", 7)
    assert ledger.balances("dara@aclb") == {Currency.USD: 7}
    with pytest.raises(UnknownAccount):
        ledger.balances("ghost@nowhere")


def test_overdraft_in_one_currency_is_refused_whatever_the_others_hold(ledger):
    ledger.open_account("dara@aclb")
    ledger.cash_in("dara@aclb", "USD", 10_000)
    with pytest.raises(InsufficientFunds, match="has 0 THB"):
        ledger.transfer("dara@aclb", CUSTOMER, "THB", 1)
    assert ledger.balances("dara@aclb") == {Currency.USD: 10_000}


def test_a_ledger_file_with_a_column_per_currency_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE accounts (account_id TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " usd INTEGER NOT NULL DEFAULT 0 CHECK (usd >= 0), khr INTEGER NOT NULL DEFAULT 0 CHECK (khr >= 0));"
        "INSERT INTO accounts VALUES ('dara@aclb', 'Dara', 1234, 0), ('sokha@wing', 'Sokha', 0, 40000);"
    )
    db.commit()
    db.close()
    ledger = Ledger(str(path))
    assert ledger.balances("dara@aclb") == {Currency.USD: 12_34}
    assert ledger.balances("sokha@wing") == {Currency.KHR: 40_000}
    ledger.transfer("sokha@wing", "dara@aclb", "KHR", 1_000)
    ledger.close()
    reopened = Ledger(str(path))  # a second open finds nothing left to migrate
    assert reopened.balances("dara@aclb") == {Currency.USD: 12_34, Currency.KHR: 1_000}
    assert reopened.balance("sokha@wing", "KHR") == 39_000
