"""The Bakong ledger simulator: accounts, transfers, KHQR payments, idempotency, no overdraft."""

import pytest

from corridor.bridge.khqr import KHQR, Currency, InvalidAccountId, md5
from corridor.bridge.ledger import (
    AlreadyPaid,
    ConflictingReference,
    DuplicateAccount,
    ExpiredKHQR,
    InsufficientFunds,
    Ledger,
    LedgerError,
    UnknownAccount,
)

from .bridge_model import CUSTOMER, OMNIBUS


def _khqr(amount=40_000, currency=Currency.KHR, **kw):
    return KHQR(OMNIBUS, "Bridge", currency, amount, created_ms=kw.pop("created_ms", 1), **kw).encode()


def test_new_account_has_zero_balances(ledger):
    ledger.open_account("dara@aclb")
    assert ledger.balance("dara@aclb", "USD") == ledger.balance("dara@aclb", "KHR") == 0


def test_duplicate_account_is_refused(ledger):
    with pytest.raises(DuplicateAccount):
        ledger.open_account(CUSTOMER)


def test_malformed_account_is_refused(ledger):
    with pytest.raises(InvalidAccountId):
        ledger.open_account("no-bank")


def test_balance_of_unknown_account_raises(ledger):
    with pytest.raises(UnknownAccount):
        ledger.balance("ghost@nowhere", "KHR")


def test_transfer_moves_minor_units(ledger):
    t = ledger.transfer(CUSTOMER, OMNIBUS, "USD", 12_34)
    assert ledger.balance(OMNIBUS, "USD") == 12_34
    assert ledger.balance(CUSTOMER, "USD") == 1_000_00 - 12_34
    assert ledger.by_hash(t.hash) == t


def test_overdraft_is_refused_and_nothing_moves(ledger):
    with pytest.raises(InsufficientFunds):
        ledger.transfer(OMNIBUS, CUSTOMER, "KHR", 1)
    assert ledger.balance(OMNIBUS, "KHR") == 0
    assert ledger.balance(CUSTOMER, "KHR") == 10_000_000
    assert len(ledger.transfers()) == 2  # the two cash-ins only


def test_transfer_to_unknown_account_is_refused(ledger):
    with pytest.raises(UnknownAccount):
        ledger.transfer(CUSTOMER, "ghost@nowhere", "KHR", 1)
    assert ledger.balance(CUSTOMER, "KHR") == 10_000_000


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_non_positive_or_non_integer_amount_is_refused(ledger, amount):
    with pytest.raises(LedgerError, match="positive integer"):
        ledger.transfer(CUSTOMER, OMNIBUS, "KHR", amount)


def test_transfer_to_self_is_refused(ledger):
    with pytest.raises(LedgerError, match="same account"):
        ledger.transfer(CUSTOMER, CUSTOMER, "KHR", 1)


def test_transfer_with_same_reference_is_idempotent(ledger):
    first = ledger.transfer(CUSTOMER, OMNIBUS, "KHR", 500, client_ref="ref-1")
    again = ledger.transfer(CUSTOMER, OMNIBUS, "KHR", 500, client_ref="ref-1")
    assert again == first
    assert ledger.balance(OMNIBUS, "KHR") == 500


def test_reference_reused_for_another_transfer_conflicts(ledger):
    ledger.transfer(CUSTOMER, OMNIBUS, "KHR", 500, client_ref="ref-1")
    with pytest.raises(ConflictingReference):
        ledger.transfer(CUSTOMER, OMNIBUS, "KHR", 501, client_ref="ref-1")


def test_paying_khqr_records_its_md5(ledger):
    s = _khqr()
    t = ledger.pay_khqr(CUSTOMER, s)
    assert ledger.by_md5(md5(s)) == t
    assert (t.to_account, t.amount, t.currency) == (OMNIBUS, 40_000, Currency.KHR)


def test_khqr_pays_once(ledger):
    s = _khqr()
    ledger.pay_khqr(CUSTOMER, s)
    with pytest.raises(AlreadyPaid):
        ledger.pay_khqr(CUSTOMER, s)
    assert ledger.balance(OMNIBUS, "KHR") == 40_000


def test_expired_khqr_is_refused(ledger, clock):
    s = _khqr(created_ms=clock.ms(), expires_ms=clock.ms() + 1000)
    clock.sleep(2)
    with pytest.raises(ExpiredKHQR):
        ledger.pay_khqr(CUSTOMER, s)


def test_static_khqr_is_refused(ledger):
    with pytest.raises(LedgerError, match="static"):
        ledger.pay_khqr(CUSTOMER, KHQR(OMNIBUS, "Bridge", Currency.KHR).encode())


def test_corrupt_khqr_is_refused(ledger):
    s = _khqr()
    with pytest.raises(LedgerError, match="not a valid KHQR"):
        ledger.pay_khqr(CUSTOMER, s[:-1] + ("0" if s[-1] != "0" else "1"))


def test_khqr_overdraft_is_refused(ledger):
    with pytest.raises(InsufficientFunds):
        ledger.pay_khqr(CUSTOMER, _khqr(amount=10_000_001))


def test_hashes_are_deterministic_across_ledgers(clock):
    def run():
        book = Ledger(":memory:", clock=clock.ms)
        book.open_account("a@b")
        book.open_account("c@d")
        book.cash_in("a@b", "KHR", 10)
        return book.transfer("a@b", "c@d", "KHR", 7).hash

    first = run()
    assert run() == first and len(first) == 64


def test_ledger_file_survives_reopen(tmp_path, clock):
    path = str(tmp_path / "bakong.sqlite")
    book = Ledger(path, clock=clock.ms)
    book.open_account("a@b")
    book.cash_in("a@b", "USD", 99)
    book.close()
    assert Ledger(path, clock=clock.ms).balance("a@b", "USD") == 99


def test_transfers_listing_after_sequence(ledger):
    t = ledger.transfer(CUSTOMER, OMNIBUS, "KHR", 1)
    assert ledger.transfers(OMNIBUS, after_seq=0) == [t]
    assert ledger.transfers(OMNIBUS, after_seq=t.seq) == []
