"""Invoices paid by one KHQR scan (issue #16, inbound): create an invoice, fix its price for a quote window, issue
the dynamic KHQR (string and PNG) and follow its status with each transaction hash:

    quoted --(Bakong deposit seen)--> paid --(hooked mint)--> settled | refunded

The KHQR's bill number is the invoice number, its tag 99 expiry the end of the quote window, its payee the
bridge's omnibus account, its amount the quoted price in KHR (riel) or USD (cents). What the validators sign
for the payment is `OnChainInvoice` (corridor/settlement.py); the quote itself comes from best execution
(corridor/invoice_desk.py in development). Bad input raises `InvoiceError` with one clear line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from enum import Enum

from corridor.bridge.khqr import KHQR, Currency, KHQRError, md5, validate_account_id

DEFAULT_WINDOW_SECONDS = 600  # BIS Nexus: a quote is honoured for a fixed window, 10 minutes by default


class InvoiceError(ValueError):
    """A bad invoice request or an impossible status change (one line, nothing recorded)."""


class Status(Enum):
    QUOTED = "quoted"
    PAID = "paid on Bakong"
    SETTLED = "settled"
    REFUNDED = "refunded"


_NEXT = {Status.QUOTED: {Status.PAID}, Status.PAID: {Status.SETTLED, Status.REFUNDED}}


@dataclass(frozen=True)
class Invoice:
    """A merchant's yen invoice with its quote and KHQR; `history` lists (status, tx hash) in order."""

    number: str
    merchant: str  # the merchant's EVM address (a verified JPYS holder)
    yen: int
    currency: Currency
    price: int  # KHQR amount, minor units of `currency`
    window_end: int  # unix seconds
    khqr: str
    status: Status = Status.QUOTED
    history: tuple[tuple[Status, str], ...] = field(default_factory=tuple)

    @property
    def md5(self) -> str:
        """Bakong's key for the payment of this KHQR (`check_transaction_by_md5`)."""
        return md5(self.khqr)

    def png(self, box_size: int = 6) -> bytes:
        """The KHQR as a PNG image (the QR the customer scans)."""
        import qrcode

        img = qrcode.make(self.khqr, box_size=box_size)
        buf = io.BytesIO()
        img.save(buf)
        return buf.getvalue()

    def advance(self, status: Status, tx_hash: str) -> Invoice:
        """The invoice in `status` after transaction `tx_hash` (Bakong tx for PAID, EVM tx after)."""
        if status not in _NEXT.get(self.status, set()):
            raise InvoiceError(f"invoice {self.number}: cannot go from {self.status.value} to {status.value}")
        if not tx_hash:
            raise InvoiceError(f"invoice {self.number}: {status.value} needs a transaction hash")
        return replace(self, status=status, history=(*self.history, (status, tx_hash)))


def create_invoice(
    number: str,
    merchant: str,
    yen: int,
    currency: Currency | str,
    price: int,
    now: int,
    omnibus_account: str,
    window_seconds: int = DEFAULT_WINDOW_SECONDS,
    merchant_name: str = "Corridor Bridge",
) -> Invoice:
    """An invoice quoted at `price` (minor units of `currency`) until `now + window_seconds`, with its KHQR."""
    try:
        cur = Currency.parse(currency)
    except ValueError as exc:
        raise InvoiceError(f"invoice {number}: unknown currency {currency!r}") from exc
    if not number or len(number.encode()) > 25:
        raise InvoiceError(f"invoice number must be 1 to 25 bytes (KHQR bill number), got {number!r}")
    if yen <= 0 or price <= 0:
        raise InvoiceError(f"invoice {number}: amounts must be positive (yen {yen}, price {price})")
    if window_seconds <= 0:
        raise InvoiceError(f"invoice {number}: the quote window must be positive, got {window_seconds}")
    try:
        validate_account_id(omnibus_account)
        khqr = KHQR(
            account_id=omnibus_account,
            merchant_name=merchant_name,
            currency=cur,
            amount=price,
            bill_number=number,
            created_ms=now * 1000,
            expires_ms=(now + window_seconds) * 1000,
        ).encode()
    except KHQRError as exc:
        raise InvoiceError(f"invoice {number}: {exc}") from exc
    return Invoice(number, merchant, yen, cur, price, now + window_seconds, khqr)
