"""Off-chain outbound parsing (corridor/khqr_pay.py, scripts/pay_khqr.py): KHQR scan and remittance inputs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from corridor.artifacts import ROOT
from corridor.bridge import khqr
from corridor.khqr_pay import PaymentError, payment_from_khqr, remittance

NOW = 1_800_000_000_000


def _qr(**kw) -> str:
    base = dict(account_id="coffee@abab", merchant_name="Cafe Phnom", currency=khqr.Currency.KHR)
    base.update(kw)
    return khqr.KHQR(**base).encode()


def test_dynamic_khqr_fixes_amount_and_bill_number():
    p = payment_from_khqr(_qr(amount=40_000, bill_number="INV-7"), NOW, 2_000)
    assert (p.currency.value, p.amount, p.account_id) == (116, 40_000, "coffee@abab")
    assert p.bill_number == b"INV-7".ljust(32, b"\0")


def test_static_khqr_takes_the_entered_amount_in_cents():
    p = payment_from_khqr(_qr(currency=khqr.Currency.USD), NOW, 2_000, amount=1_234)
    assert (p.currency.value, p.amount) == (840, 1_234)
    assert p.bill_number[:16] == bytes.fromhex(khqr.md5(_qr(currency=khqr.Currency.USD)))
    with pytest.raises(PaymentError, match="static KHQR"):
        payment_from_khqr(_qr(), NOW, 2_000)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s[:-1] + ("0" if s[-1] != "0" else "1"), "malformed KHQR"),  # bad CRC
        (lambda s: s[:-6], "malformed KHQR"),  # wrong length
        (lambda s: s.replace("5303116", "5303392"), "malformed KHQR"),  # unknown currency
    ],
)
def test_malformed_khqr(mutate, message):
    with pytest.raises(PaymentError, match=message):
        payment_from_khqr(mutate(_qr(amount=40_000)), NOW, 2_000)


def test_expired_and_mismatched_khqr():
    qr = _qr(amount=40_000, created_ms=NOW - 20_000, expires_ms=NOW - 1)
    with pytest.raises(PaymentError, match="expired"):
        payment_from_khqr(qr, NOW, 2_000)
    with pytest.raises(PaymentError, match="fixes the amount"):
        payment_from_khqr(_qr(amount=40_000), NOW, 2_000, amount=39_999)


@pytest.mark.parametrize("account", ["ab", "Upper@bank", "no-at-sign", "a@b@c"])
def test_malformed_remittance_account(account):
    with pytest.raises(PaymentError):
        remittance(account, "KHR", 1, 1, "R")


def test_script_one_line_and_exit_2():
    script = str(ROOT / "scripts" / "pay_khqr.py")
    bad = subprocess.run(
        [sys.executable, script, "remit", "Bad@bank", "KHR", "100", "10", "R"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1
    ok = subprocess.run(
        [sys.executable, script, "--dry-run", "khqr", _qr(amount=40_000, bill_number="INV-7"), "2000"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "pay 40000 KHR" in ok.stdout and "coffee@abab" in ok.stdout
