"""Best execution: ask every venue for a firm price, execute at the best one, keep a record.

A venue is anything with the small `VenueClient` interface: it offers and executes, and it describes
itself (the spender the payer approves, the reverts that mean "the price is gone", how to find its
earlier fills under a payment reference), so that a payment (corridor.pay) never asks which venue it
is. A new venue is one client class (its own module) and one deploy function (docs/architecture.md).
Two are provided, `corridor.exchange.amm_client.AmmClient` and `corridor.exchange.rfq_client.RfqClient`: the
exchange family's AMM router (on-chain view quotes, IFXRouter) and the RFQ venue (a market maker's
signed quote, priced by the venue's own preview views, so the fee is included). Both are web3.py
clients: they run standalone against any RPC and inside brownie with its `web3`.

    record = best_execution([AmmClient(w3, router, hub), RfqClient(w3, venue, mm)], EXACT_OUT,
                            khr, jpy, invoice_jpy, recipient=merchant, reference=rfq.reference("INV-1"),
                            sender=customer, mid=mm.mid(khr, jpy))
    print(record.summary())

A venue that makes no offer says why: `offer` returns a `Decline` (a `DeclineReason` such as a stale
feed, the pool's depth or the maker's limit, and the detail), and the record keeps one per venue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from web3 import Web3

from corridor import tx

EXACT_IN = "exact_in"
EXACT_OUT = "exact_out"
SIDES = (EXACT_IN, EXACT_OUT)


class DeclineReason(Enum):
    """Why a venue made no offer (the text is what tables and error lines show)."""

    STALE_FEED = "stale feed"  # the feed's last answer is older than its heartbeat / the pool's max age
    MARKET_CLOSED = "market closed"  # the feed's market-hours role declared a closure
    FIXING_PENDING = "fixing pending"  # a fixing window is open: the rate is about to change (FXFeed)
    FEED_UNUSABLE = "feed unusable"  # no feed for the token, or a non-positive answer
    RATE_JUMPED = "rate jumped"  # the pool's circuit breaker: the feed moved beyond its max jump
    POOL_DEPTH = "pool depth"  # the pool cannot pay that much out
    POOL_PAUSED = "pool paused"
    NO_POOL = "no pool"  # no pool for a leg of the path
    MAKER_LIMIT = "maker limit"  # the market maker's size or inventory limit
    NO_OFFER = "no offer"  # anything else (a third-party client, an unknown revert)


@dataclass(frozen=True)
class Decline:
    """A venue's refusal to quote: the reason and a one-line detail."""

    venue: str
    reason: DeclineReason
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.reason.value} ({self.detail})" if self.detail else self.reason.value


class Declined(Exception):
    """Raised by a quote provider that declines for a known reason (a `MarketMaker`'s QuoteRefused
    subclasses it), so that `RfqClient` can record why."""

    reason: DeclineReason = DeclineReason.NO_OFFER

    def __init__(self, message: str, reason: DeclineReason | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


def first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:120]


@dataclass(frozen=True)
class Offer:
    """A firm price from one venue: the taker pays `amount_in` (everything), the recipient gets
    `amount_out` (net of every fee). `payload` is what the venue needs to execute it."""

    venue: str
    side: str
    token_in: str
    token_out: str
    amount_in: int
    amount_out: int
    payload: Any = field(repr=False, default=None)
    expiry: int | None = None  # unix time after which the offer cannot fill (None: set at execution)

    @property
    def price(self) -> Decimal:
        """token_out base units received per token_in base unit paid."""
        return Decimal(self.amount_out) / Decimal(self.amount_in)


@dataclass(frozen=True)
class Fill:
    """A fill of a venue that paid `recipient` under a payment reference (from its fill event)."""

    venue: str
    tx: str
    block: int
    token_out: str
    amount_out: int  # what the recipient received, in token_out base units


class VenueClient(Protocol):
    name: str  # short, lower case: "amm", "rfq" (tables, records, the pay script's venue=)
    label: str  # what the payer approves, in words: "AMM router", "RFQ venue"
    expired_errors: frozenset[str]  # custom errors of `execute` that mean the offer's price is gone

    @property
    def spender(self) -> str:
        """The address the payer approves for token_in before `execute`."""

    def offer(
        self, side: str, token_in: str, token_out: str, amount: int, taker: str
    ) -> Offer | Decline | None:
        """A firm offer for `amount` (token_in for EXACT_IN, token_out for EXACT_OUT), or why not
        (None: declined without a reason, recorded as NO_OFFER)."""

    def execute(self, offer: Offer, recipient: str, reference: bytes, sender: Any) -> str:
        """Executes `offer` exactly (limits = the offered amounts); returns the tx hash."""

    def fills(self, recipient: str, reference: bytes, from_block: int) -> list[Fill]:
        """This venue's fills to `recipient` under `reference` since `from_block`, in block order."""


def fills_of(
    w3: Web3, event: Any, venue: str, recipient: str, reference: bytes, from_block: int
) -> list[Fill]:
    """The logs of a venue's fill `event` (a web3 contract event) to `recipient` under `reference`.
    The rule for a venue's fill event: topic 2 is the recipient and topic 3 the payment reference
    (both indexed), and its data carries `tokenOut` and `amountOut` (docs/architecture.md)."""
    address = event.address
    topic = "0x" + "00" * 12 + tx.address(recipient)[2:].lower()
    logs = w3.eth.get_logs(
        {
            "address": address,
            "fromBlock": from_block,
            "toBlock": "latest",
            "topics": [event.topic, None, topic, "0x" + bytes(reference).hex()],
        }
    )
    found = []
    for log in logs:
        args = event.process_log(log)["args"]
        found.append(
            Fill(
                venue,
                "0x" + bytes(log["transactionHash"]).hex(),
                int(log["blockNumber"]),
                tx.address(args["tokenOut"]),
                int(args["amountOut"]),
            )
        )
    return sorted(found, key=lambda f: f.block)


# ------------------------------------------------------------------ the decision


@dataclass(frozen=True)
class OfferRecord:
    venue: str
    amount_in: int
    amount_out: int
    price: Decimal  # token_out base units per token_in base unit
    spread_bps: Decimal | None  # (mid - price) / mid * 1e4: positive = worse than mid


@dataclass(frozen=True)
class ExecutionRecord:
    side: str
    token_in: str
    token_out: str
    amount: int
    mid: Decimal | None
    offers: tuple[OfferRecord, ...]
    choice: str | None
    tx: str | None
    declines: tuple[Decline, ...] = ()
    offer: Offer | None = field(default=None, repr=False)  # the chosen offer, executable as it stands

    def declined(self, venue: str) -> Decline | None:
        """Why `venue` made no offer (None if it offered)."""
        return next((d for d in self.declines if d.venue == venue), None)

    @property
    def chosen(self) -> OfferRecord | None:
        return next((o for o in self.offers if o.venue == self.choice), None)

    def summary(self) -> str:
        mid = "" if self.mid is None else f", mid {self.mid:.8g}"
        lines = [
            f"best execution ({self.side}, amount {self.amount}{mid}; prices in token_out units per token_in unit):"
        ]
        for o in self.offers:
            spread = "" if o.spread_bps is None else f", {o.spread_bps:.1f} bps vs mid"
            mark = "  <- chosen" if o.venue == self.choice else ""
            lines.append(
                f"  {o.venue:>4}: pay {o.amount_in}, receive {o.amount_out} (price {o.price:.8g}{spread}){mark}"
            )
        lines += [f"  {d.venue:>4}: declined: {d}" for d in self.declines]
        lines.append(f"  tx: {self.tx}" if self.tx else "  not executed")
        return "\n".join(lines)


def better(a: Offer, b: Offer) -> Offer:
    """The better of two offers for the same request: more out (exact in) or less in (exact out);
    ties go to `a` (the earlier venue in the caller's list)."""
    if a.side == EXACT_IN:
        return b if b.amount_out > a.amount_out else a
    return b if b.amount_in < a.amount_in else a


def spread_bps(price: Decimal, mid: Decimal | None) -> Decimal | None:
    if mid is None or mid == 0:
        return None
    return (mid - price) / mid * 10_000


def best_execution(
    venues: Sequence[VenueClient],
    side: str,
    token_in: str,
    token_out: str,
    amount: int,
    recipient: str,
    reference: bytes,
    sender: Any,
    mid: Decimal | None = None,
    execute: bool = True,
) -> ExecutionRecord:
    """Collects one offer per venue, executes the best (unless `execute` is False) and returns the
    record: every offer with its price and spread against `mid` (token_out base units per token_in
    base unit), the choice and the tx hash. The sender must have approved every venue for token_in."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}")
    if amount <= 0:
        raise ValueError("amount must be positive")
    taker = tx.address_of(sender)
    offers: list[Offer] = []
    declines: list[Decline] = []
    for v in venues:
        answer = v.offer(side, token_in, token_out, amount, taker)
        if isinstance(answer, Offer):
            offers.append(answer)
        else:
            declines.append(answer or Decline(v.name, DeclineReason.NO_OFFER))
    records = tuple(
        OfferRecord(o.venue, o.amount_in, o.amount_out, o.price, spread_bps(o.price, mid)) for o in offers
    )
    if not offers:
        return ExecutionRecord(side, token_in, token_out, amount, mid, records, None, None, tuple(declines))
    best = offers[0]
    for o in offers[1:]:
        best = better(best, o)
    sent = None
    if execute:
        client = next(v for v in venues if v.name == best.venue)
        sent = client.execute(best, recipient, reference, sender)
    return ExecutionRecord(
        side, token_in, token_out, amount, mid, records, best.venue, sent, tuple(declines), best
    )


def offer_rows(
    record: ExecutionRecord, venues: Sequence[str], format_offer: Callable[[OfferRecord], Sequence[str]]
) -> list[list[str]]:
    """Table rows for `record`, one per venue in `venues` order: [venue, *format_offer(offer), mark]
    for an offer (mark "chosen" or ""), [venue, "declined: <reason>", "", …, detail] for a venue that
    declined. Shared by scripts/pay.py and the demo, so both say why a venue made no offer."""
    priced = {o.venue: list(format_offer(o)) for o in record.offers}
    width = max((len(cells) for cells in priced.values()), default=4)
    rows = []
    for name in venues:
        if name in priced:
            rows.append([name, *priced[name], "chosen" if name == record.choice else ""])
        else:
            decline = record.declined(name) or Decline(name, DeclineReason.NO_OFFER)
            rows.append([name, f"declined: {decline.reason.value}", *[""] * (width - 1), decline.detail])
    return rows


def declines_text(record: ExecutionRecord) -> str:
    """ "amm: stale feed, rfq: maker limit": why each venue declined, for a one-line error."""
    return ", ".join(f"{d.venue}: {d.reason.value}" for d in record.declines)
