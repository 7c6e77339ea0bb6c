"""corridor/invoices.py: the KHQR of an invoice (bill number, tag 99 expiry, payee, amount), its PNG, the status
machine, and one clear error for bad input (scripts/checkout.py exits 2)."""

from __future__ import annotations

import pytest

from corridor.bridge.khqr import Currency, decode, verify_crc
from corridor.invoices import InvoiceError, Status, create_invoice

OMNIBUS = "corridor@abab"


def test_khqr_carries_invoice_window_and_payee():
    inv = create_invoice(
        "INV-2026-0100", "0x" + "11" * 20, 10_000, "KHR", 275_000, 1_700_000_000, OMNIBUS, 600
    )
    q = decode(inv.khqr)
    assert verify_crc(inv.khqr)
    assert q.bill_number == "INV-2026-0100" and q.account_id == OMNIBUS and q.amount == 275_000
    assert q.currency == Currency.KHR and q.expires_ms == (1_700_000_000 + 600) * 1000
    assert inv.window_end == 1_700_000_600 and inv.status == Status.QUOTED


def test_usd_cents_and_png():
    inv = create_invoice("INV-7", "0x" + "11" * 20, 3_000, "USD", 2_040, 1_700_000_000, OMNIBUS)
    assert decode(inv.khqr).amount == 2_040
    png = inv.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 200


def test_status_path_with_hashes():
    inv = create_invoice("INV-8", "0x" + "11" * 20, 1, "KHR", 30, 1_700_000_000, OMNIBUS)
    paid = inv.advance(Status.PAID, "bakong-tx-1")
    done = paid.advance(Status.SETTLED, "0xabc")
    assert done.history == ((Status.PAID, "bakong-tx-1"), (Status.SETTLED, "0xabc"))
    with pytest.raises(InvoiceError, match="cannot go from settled to refunded"):
        done.advance(Status.REFUNDED, "0xdef")
    with pytest.raises(InvoiceError, match="cannot go from quoted to settled"):
        inv.advance(Status.SETTLED, "0x1")
    with pytest.raises(InvoiceError, match="needs a transaction hash"):
        inv.advance(Status.PAID, "")


@pytest.mark.parametrize(
    "args, message",
    [
        (("", 1, "KHR", 1, 600), "invoice number"),
        (("INV-1", 0, "KHR", 1, 600), "amounts must be positive"),
        (("INV-1", 1, "EUR", 1, 600), "unknown currency"),
        (("INV-1", 1, "KHR", 1, 0), "quote window"),
    ],
)
def test_bad_input_one_line(args, message):
    number, yen, cur, price, window = args
    with pytest.raises(InvoiceError, match=message):
        create_invoice(number, "0x" + "11" * 20, yen, cur, price, 1_700_000_000, OMNIBUS, window)


def test_checkout_script_exit_codes(tmp_path, capsys):
    from scripts.checkout import main

    out = tmp_path / "inv.png"
    assert main(["INV-9", "0x" + "11" * 20, "100", "KHR", "2750", "--png", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert main(["INV-9", "0x" + "11" * 20, "100", "XYZ", "2750"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("checkout: invoice INV-9: unknown currency")
