"""The on-chain side of an invoice paid by KHQR: what the validators sign as the hook data of a hooked mint
into the InvoiceSettlement contract (interfaces/IInvoiceSettlement.sol), and how to read its outcome.

``hook_data(invoice, venue_data)`` is ``abi.encode(Invoice, bytes venueData)``; ``rfq_venue_data`` and
``amm_venue_data`` build ``venueData`` for the two venues. ``outcome(tx)`` reads the one settlement event of a
hooked mint (settled or refunded). The off-chain lifecycle (create, quote, KHQR, status) is corridor/invoices.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import decode, encode
from eth_utils import to_checksum_address

from corridor.exchange.rfq import SignedQuote

INVOICE_ABI = "(bytes32,uint64,uint64,uint8,address,uint256,uint256,uint256,bytes32,bytes32,string)"
QUOTE_ABI = "(address,address,address,address,uint256,uint256,uint256,uint256)"


class Venue(IntEnum):
    """IInvoiceSettlement.Venue."""

    NONE = 0
    RFQ = 1
    AMM = 2


class RefundReason(IntEnum):
    """IInvoiceSettlement.RefundReason."""

    NONE = 0
    UNDERPAID = 1
    QUOTE_WINDOW_CLOSED = 2
    ALREADY_PAID = 3
    INVALID_INVOICE = 4
    FX_FAILED = 5


def bytes32_text(text: str) -> bytes:
    """A short ASCII text (an invoice number, an origin such as ``TH:PROMPTPAY``) as a right-padded bytes32."""
    raw = text.encode("ascii")
    if not 0 < len(raw) <= 32:
        raise ValueError(f"{text!r}: 1 to 32 ASCII bytes expected")
    return raw.ljust(32, b"\x00")


def text_of(value: bytes) -> str:
    """The inverse of `bytes32_text`."""
    return bytes(value).rstrip(b"\x00").decode("ascii")


@dataclass(frozen=True)
class OnChainInvoice:
    """IInvoiceSettlement.Invoice: the invoice as the validators attest its payment."""

    invoice_id: bytes  # bytes32: the invoice number
    serial: int
    window_end: int
    venue: Venue
    merchant: str
    amount_out: int  # JPYS
    price: int  # the KHQR amount (deposit units)
    mid_price: int
    quote_id: bytes
    origin: bytes
    payer_account: str

    def as_tuple(self) -> tuple:
        return (
            bytes(self.invoice_id),
            int(self.serial),
            int(self.window_end),
            int(self.venue),
            to_checksum_address(str(self.merchant)),
            int(self.amount_out),
            int(self.price),
            int(self.mid_price),
            bytes(self.quote_id),
            bytes(self.origin),
            self.payer_account,
        )


def rfq_venue_data(signed: SignedQuote) -> bytes:
    """``abi.encode(Quote, bytes signature)`` of the quote reserved for the invoice (taker: the settlement)."""
    return encode([QUOTE_ABI, "bytes"], [signed.quote.head.as_tuple(), bytes(signed.signature)])


def amm_venue_data(path: list[str]) -> bytes:
    """``abi.encode(address[] path)``: the router path from the deposit's token to JPYS."""
    return encode(["address[]"], [[to_checksum_address(str(a)) for a in path]])


def hook_data(invoice: OnChainInvoice, venue_data: bytes) -> bytes:
    """``abi.encode(Invoice, bytes venueData)``: the hook data the validators sign."""
    return encode([INVOICE_ABI, "bytes"], [invoice.as_tuple(), bytes(venue_data)])


def decode_hook_data(data: bytes) -> tuple[OnChainInvoice, bytes]:
    """The inverse of `hook_data`: (invoice, venueData). Raises ValueError on bytes that do not decode."""
    try:
        fields, venue_data = decode([INVOICE_ABI, "bytes"], bytes(data))
        inv = OnChainInvoice(
            fields[0], fields[1], fields[2], Venue(fields[3]), to_checksum_address(fields[4]), *fields[5:]
        )
    except Exception as exc:  # noqa: BLE001 (eth_abi raises several types; one error for the caller)
        raise ValueError(f"hook data does not decode as (Invoice, bytes): {exc}") from exc
    return inv, bytes(venue_data)


@dataclass(frozen=True)
class Outcome:
    """What a hooked mint did with a deposit: settled (merchant paid) or refunded (whole deposit)."""

    settled: bool
    deposit: int
    spent: int  # deposit units that paid for the yen (0 when refunded)
    amount_out: int  # JPYS to the merchant (0 when refunded)
    refunded: int  # deposit units sent to the payer's redemption escrow (or parked)
    refund_id: int  # bridge redemption id of that refund (0: none or parked)
    reason: RefundReason
    spread_bps: int | None


def outcome(events: Any) -> Outcome:
    """The outcome from a hooked mint's events (a brownie ``tx.events`` or a list of decoded dicts)."""
    if "InvoiceSettled" in events:
        e = events["InvoiceSettled"]
        return Outcome(
            True,
            e["deposit"],
            e["spent"],
            e["amountOut"],
            e["surplus"],
            e["refundId"],
            RefundReason.NONE,
            e["spreadBps"],
        )
    e = events["InvoiceRefunded"]
    return Outcome(False, e["deposit"], 0, 0, e["deposit"], e["refundId"], RefundReason(e["reason"]), None)


def deploy_settlement(
    project: Any, admin: Any, bridge: Any, venue: Any, router: Any, jpys: Any, currencies: Any
) -> Any:
    """Deploys InvoiceSettlement for `currencies` (ISO 4217 numbers the bridge carries, e.g. the keys of
    BridgeDeployment.tokens) and registers it as the bridge's mint hook (the caller makes it an allowed
    holder of the bridge tokens)."""
    settlement = project.InvoiceSettlement.deploy(
        bridge, venue, router, jpys, sorted(currencies), {"from": admin}
    )
    bridge.setMintHook(settlement, True, {"from": admin})
    return settlement


RETURNS_ACCOUNT = "returns"  # the name part of a bank's returns account on Bakong: `returns@<bank>`


def bank_of(account: str) -> bytes:
    """The bank code of a Bakong account id `name@bank` as the settlement contract derives it (`_bankOf`): the part
    after the last at sign (the whole id when there is none), its first 32 bytes left-aligned and zero-padded."""
    raw = account.encode("utf-8").rstrip(b"\x00")
    at = raw.rfind(b"@")
    return raw[at + 1 :][:32].ljust(32, b"\x00")


def returns_account(bank: bytes) -> str:
    """The returns account a bank's owed refunds are swept to (`sweepBankReturns`): `returns@<bank>`."""
    code = bytes(bank).rstrip(b"\x00").decode("utf-8")
    return f"{RETURNS_ACCOUNT}@{code}"
