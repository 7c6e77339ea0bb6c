"""The checkout's on-chain side (`corridor checkout --relayer-url … --quote-url …`): an invoice priced from a
firm RFQ quote reserved for the InvoiceSettlement contract, handed to the relayer service, and its outcome read
from the chain.

    price   the quote server (corridor.services.quotes, POST /quote) signs an exact-out quote selling the deposit
            token (bKHR or bUSD) for the invoice's yen with `taker` = the settlement; the KHQR amount is what
            `fillExactOut` of the yen takes from it (corridor.exchange.rfq.exact_out, the venue fee included);
            the quote window ends at the quote's expiry (earlier when the merchant asks for a shorter one)
    hand    POST <relayer>/invoices {khqr, hookData}: the relayer tracks the KHQR; once Bakong shows the payment,
            the validators sign the hooked mint and the relayer submits `BakongBridge.mintWithHook`
    outcome the settlement's `InvoiceSettled` / `InvoiceRefunded` event for the invoice number (corridor.settlement)

A refusal of the quote server (stale feed, market closed, maker limit) is a 503 with its reason; nothing is
recorded then. The invoice's `serial` (its paid bit in the settlement) comes from the checkout's store.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from corridor import artifacts
from corridor.bridge.khqr import Currency
from corridor.exchange import rfq
from corridor.exchange.best_execution import Declined, DeclineReason
from corridor.services.bakong_config import SETTLEMENT
from corridor.services.chain import Book, dev_party
from corridor.services.http import HttpError, call
from corridor.services.quotes import RemoteMaker
from corridor.settlement import (
    OnChainInvoice,
    Outcome,
    RefundReason,
    Venue,
    bytes32_text,
    hook_data,
    outcome,
    rfq_venue_data,
)
from corridor.ui import UserError, banker

PENDING_ORIGIN = "KH:BAKONG"  # the relayer fills in the payer's origin and account from the Bakong payment


@dataclass(frozen=True)
class Priced:
    """An invoice's firm price: `price` minor units of the deposit currency until `window_end` (chain time)."""

    price: int
    window_end: int
    now: int  # the chain's time when priced
    quote_digest: str
    hook_data: bytes


@dataclass(frozen=True)
class Settled:
    """What the settlement did with an invoice's payment, and in which transaction."""

    result: Outcome
    tx_hash: str


def resolve_merchant(value: str | None, book: Book) -> str:
    """The merchant's address: `value` (0x…), else the book's `parties.merchant` (an address, or on a
    development chain a development account)."""
    party = value if value is not None else book.config.get("parties", {}).get("merchant")
    if isinstance(party, str) and Web3.is_address(party):
        address = party
    elif value is None and party is not None:
        address = dev_party(book, "merchant").address
    else:
        raise UserError(f"--merchant: {party!r} is not the merchant's address (and the book names none)")
    if int(address, 16) == 0:
        raise UserError("--merchant: the zero address is nobody")
    return Web3.to_checksum_address(address)


class ChainSettlement:
    """Prices, hands over and follows invoices against one deployment (`book`) over `w3`."""

    def __init__(self, w3: Web3, book: Book, quote_url: str, relayer_url: str, merchant: str) -> None:
        self.w3, self.book = w3, book
        self.maker = RemoteMaker(quote_url)
        self.relayer_url = relayer_url.rstrip("/")
        self.merchant = merchant
        self.address = book.address(SETTLEMENT)
        self.settlement = artifacts.at(w3, SETTLEMENT, self.address)
        self.venue = artifacts.at(w3, "RfqVenue", book.address("RfqVenue"))
        self.router = artifacts.at(w3, "FXRouter", book.address("FXRouter"))
        self.tokens = book.tokens()

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def block(self) -> int:
        return int(self.w3.eth.block_number)

    def price(self, number: str, serial: int, yen: int, currency: str, window: int | None) -> Priced:
        """A firm quote for `yen` paid in `currency`, as the invoice's price and hook data."""
        inv, signed, now = self.quote_invoice(number, serial, yen, currency, window)
        return Priced(
            inv.price, inv.window_end, now, "0x" + signed.digest.hex(), hook_data(inv, rfq_venue_data(signed))
        )

    def quote_invoice(
        self, number: str, serial: int, yen: int, currency: str, window: int | None
    ) -> tuple[OnChainInvoice, rfq.SignedQuote, int]:
        """The invoice priced from a firm quote of the quote server (taker: the settlement), the quote and
        the chain's time when priced. The quote window ends at the quote's expiry, or `window` s from now
        when that is earlier (one rule for the checkout and the demo). The payer's origin and account
        are left for the relayer to fill in from the Bakong payment."""
        try:
            invoice_id = bytes32_text(number)
        except ValueError as exc:
            raise HttpError(400, f"field 'number': {exc}") from None
        token, jpy = self.tokens[currency], self.tokens["JPY"]
        try:
            signed = self.maker.quote_exact_out(token, jpy, yen, taker=self.address)
        except Declined as exc:
            why = f"{exc.reason.value}: {exc}" if exc.reason is not DeclineReason.NO_OFFER else str(exc)
            raise HttpError(503, f"no price now: the quote server refused: {why}") from None
        q = signed.quote
        asked = [a.lower() for a in (self.address, token, jpy)]
        if [a.lower() for a in (q.taker, q.token_in, q.token_out)] != asked or q.amount_out < yen:
            raise HttpError(502, "the quote server answered a quote for another trade")
        now = self.now()
        window_end = q.expiry if window is None else min(q.expiry, now + window)
        if window_end <= now:
            raise HttpError(503, f"the quote expires at {q.expiry}, before the chain's time {now}")
        price, _ = rfq.exact_out(q.amount_in, q.amount_out, yen, int(self.venue.functions.feeBps().call()))
        path = [jpy, self.tokens["USD"]] + ([token] if currency != "USD" else [])
        mid = int(self.router.functions.quoteMid(path, yen).call())  # the yen's worth at the feeds' mid
        inv = OnChainInvoice(
            invoice_id=invoice_id,
            serial=serial,
            window_end=window_end,
            venue=Venue.RFQ,
            merchant=self.merchant,
            amount_out=yen,
            price=price,
            mid_price=max(1, mid),
            quote_id=signed.digest,
            origin=bytes32_text(PENDING_ORIGIN),
            payer_account="",
        )
        return inv, signed, now

    def hand_over(self, khqr: str, data: bytes) -> None:
        """Has the relayer track the invoice's KHQR (idempotent: the same request again is accepted)."""
        try:
            call(f"{self.relayer_url}/invoices", {"khqr": khqr, "hookData": "0x" + data.hex()})
        except HttpError as exc:
            status = exc.status if 400 <= exc.status < 500 else 502
            raise HttpError(status, f"the relayer refused the invoice: {exc.reason}") from exc

    def outcome(self, number: str, from_block: int) -> Settled | None:
        """The settlement's event for invoice `number` since `from_block`, or None while there is none."""
        invoice_id = bytes32_text(number)
        events = self.settlement.events
        for name in ("InvoiceSettled", "InvoiceRefunded"):
            logs = getattr(events, name).get_logs(
                from_block=from_block, argument_filters={"invoiceId": invoice_id}
            )
            if logs:
                log = logs[0]
                return Settled(outcome({name: log["args"]}), Web3.to_hex(log["transactionHash"]))
        return None


def refund_reason(result: Outcome, currency_name: str) -> str:
    """One line for the page: why the deposit went back and how much."""
    why = {
        RefundReason.QUOTE_WINDOW_CLOSED: "the payment was minted after the quote window closed",
        RefundReason.UNDERPAID: "the payment was below the quoted amount",
        RefundReason.ALREADY_PAID: "the invoice was paid already",
        RefundReason.INVALID_INVOICE: "the invoice is malformed",
        RefundReason.FX_FAILED: "the reserved quote could not be filled",
    }.get(result.reason, result.reason.name.lower())
    decimals = Currency.parse(currency_name).row.decimals
    back = f"{banker(result.refunded, decimals):,} {currency_name}"
    return f"{result.reason.name.lower()}: {why}; {back} returned to the payer's Bakong account"
