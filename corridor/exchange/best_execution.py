"""Best execution: ask every venue for a firm price, execute at the best one, keep a record.

A venue is anything with the small `VenueClient` interface (offer + execute). Two are provided: the
exchange family's AMM router (on-chain view quotes, IFXRouter) and the RFQ venue (a market maker's
signed quote, priced by the venue's own preview views, so the fee is included). Both are web3.py
clients: they run standalone against any RPC and inside brownie with its `web3`.

    record = best_execution([AmmClient(w3, router, hub), RfqClient(w3, venue, mm)], EXACT_OUT,
                            khr, jpy, invoice_jpy, recipient=merchant, reference=rfq.reference("INV-1"),
                            sender=customer, mid=mm.mid(khr, jpy))
    print(record.summary())
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from web3 import Web3

from corridor import artifacts
from corridor.exchange import rfq

EXACT_IN = "exact_in"
EXACT_OUT = "exact_out"
SIDES = (EXACT_IN, EXACT_OUT)

# The router's view and swap functions used here (IFXRouter of the exchange family; MockRfqRouter in tests).
ROUTER_ABI = [
    {
        "name": n,
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "path", "type": "address[]"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
    for n in ("quoteExactIn", "quoteExactOut")
] + [
    {
        "name": n,
        "type": "function",
        "stateMutability": "nonpayable",
        "inputs": [
            {"name": "path", "type": "address[]"},
            {"name": "amount", "type": "uint256"},
            {"name": "limit", "type": "uint256"},
            {"name": "recipient", "type": "address"},
            {"name": "deadline", "type": "uint256"},
            {"name": "paymentReference", "type": "bytes32"},
        ],
        "outputs": [{"name": "", "type": "uint256"}],
    }
    for n in ("swapExactIn", "swapExactOut")
]


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

    @property
    def price(self) -> Decimal:
        """token_out base units received per token_in base unit paid."""
        return Decimal(self.amount_out) / Decimal(self.amount_in)


class VenueClient(Protocol):
    name: str

    def offer(self, side: str, token_in: str, token_out: str, amount: int, taker: str) -> Offer | None:
        """A firm offer for `amount` (token_in for EXACT_IN, token_out for EXACT_OUT), or None."""

    def execute(self, offer: Offer, recipient: str, reference: bytes, sender: Any) -> str:
        """Executes `offer` exactly (limits = the offered amounts); returns the tx hash."""


# ------------------------------------------------------------------ venues


class AmmClient:
    """The exchange family's router: paths through the USD hub, view quotes, swaps with a reference."""

    name = "amm"

    def __init__(self, w3: Web3, router: str, hub: str, deadline_seconds: int = 300) -> None:
        self.w3 = w3
        self.router = w3.eth.contract(address=rfq.address(router), abi=ROUTER_ABI)
        self.hub = rfq.address(hub)
        self.deadline_seconds = deadline_seconds

    def path(self, token_in: str, token_out: str) -> list[str]:
        a, b = rfq.address(token_in), rfq.address(token_out)
        return [a, b] if self.hub in (a, b) else [a, self.hub, b]

    def offer(self, side: str, token_in: str, token_out: str, amount: int, taker: str) -> Offer | None:
        path = self.path(token_in, token_out)
        try:
            if side == EXACT_IN:
                out = self.router.functions.quoteExactIn(path, amount).call()
                return Offer(self.name, side, path[0], path[-1], amount, out, path) if out > 0 else None
            amount_in = self.router.functions.quoteExactOut(path, amount).call()
            return Offer(self.name, side, path[0], path[-1], amount_in, amount, path)
        except Exception:  # noqa: BLE001 - a venue that cannot quote (no pool, paused, stale feed) is skipped
            return None

    def execute(self, offer: Offer, recipient: str, reference: bytes, sender: Any) -> str:
        deadline = self.w3.eth.get_block("latest")["timestamp"] + self.deadline_seconds
        if offer.side == EXACT_IN:
            fn = self.router.functions.swapExactIn(
                offer.payload, offer.amount_in, offer.amount_out, rfq.address(recipient), deadline, reference
            )
        else:
            fn = self.router.functions.swapExactOut(
                offer.payload, offer.amount_out, offer.amount_in, rfq.address(recipient), deadline, reference
            )
        return rfq.send(self.w3, fn, sender)


class QuoteProvider(Protocol):
    """Where RFQ quotes come from: a MarketMaker in-process, or a client of a remote maker's API."""

    def quote_exact_in(
        self, token_in: str, token_out: str, amount_in: int, taker: str = ..., hub: str | None = ...
    ) -> rfq.SignedQuote: ...

    def quote_exact_out(
        self, token_in: str, token_out: str, amount_out: int, taker: str = ..., hub: str | None = ...
    ) -> rfq.SignedQuote: ...


class RfqClient:
    """The RFQ venue with one quote provider; `hub` set: ask for cross quotes between non-hub tokens."""

    name = "rfq"

    def __init__(self, w3: Web3, venue: str, provider: QuoteProvider, hub: str | None = None) -> None:
        self.w3 = w3
        self.venue = artifacts.at(w3, "RfqVenue", rfq.address(venue))
        self.provider = provider
        self.hub = rfq.address(hub) if hub else None

    def _hub_for(self, token_in: str, token_out: str) -> str | None:
        if self.hub is None or self.hub in (rfq.address(token_in), rfq.address(token_out)):
            return None
        return self.hub

    def offer(self, side: str, token_in: str, token_out: str, amount: int, taker: str) -> Offer | None:
        hub = self._hub_for(token_in, token_out)
        try:
            if side == EXACT_IN:
                signed = self.provider.quote_exact_in(token_in, token_out, amount, taker=taker, hub=hub)
                out, _ = self.venue.functions.previewExactIn(signed.quote.head.as_tuple(), amount).call()
                return Offer(self.name, side, token_in, token_out, amount, out, signed) if out > 0 else None
            signed = self.provider.quote_exact_out(token_in, token_out, amount, taker=taker, hub=hub)
            amount_in, _ = self.venue.functions.previewExactOut(signed.quote.head.as_tuple(), amount).call()
            if amount_in > signed.quote.amount_in:
                return None
            return Offer(self.name, side, token_in, token_out, amount_in, amount, signed)
        except Exception:  # noqa: BLE001 - a maker that refuses (limits, stale feed) makes no offer
            return None

    def execute(self, offer: Offer, recipient: str, reference: bytes, sender: Any) -> str:
        signed: rfq.SignedQuote = offer.payload
        if offer.side == EXACT_IN:
            fn = getattr(self.venue.functions, signed.exact_in_function)(
                *signed.fill_exact_in_args(offer.amount_in, offer.amount_out, recipient, reference)
            )
        else:
            fn = getattr(self.venue.functions, signed.exact_out_function)(
                *signed.fill_exact_out_args(offer.amount_out, offer.amount_in, recipient, reference)
            )
        return rfq.send(self.w3, fn, sender)


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
    taker = rfq.address_of(sender)
    offers = [o for o in (v.offer(side, token_in, token_out, amount, taker) for v in venues) if o is not None]
    records = tuple(
        OfferRecord(o.venue, o.amount_in, o.amount_out, o.price, spread_bps(o.price, mid)) for o in offers
    )
    if not offers:
        return ExecutionRecord(side, token_in, token_out, amount, mid, records, None, None)
    best = offers[0]
    for o in offers[1:]:
        best = better(best, o)
    tx = None
    if execute:
        client = next(v for v in venues if v.name == best.venue)
        tx = client.execute(best, recipient, reference, sender)
    return ExecutionRecord(side, token_in, token_out, amount, mid, records, best.venue, tx)
