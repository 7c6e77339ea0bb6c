"""The RFQ venue as a best-execution venue (`VenueClient`): a market maker's signed quote, priced by the
venue's own preview views (fee included), `QuoteFilled` as its fill event. web3.py; standalone or in brownie."""

from __future__ import annotations

from typing import Any, Protocol

from web3 import Web3

from corridor import artifacts, tx
from corridor.exchange import rfq
from corridor.exchange.best_execution import (
    EXACT_IN,
    Decline,
    Declined,
    DeclineReason,
    Fill,
    Offer,
    fills_of,
    first_line,
)


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
    label = "RFQ venue"
    expired_errors = frozenset({"QuoteExpired"})  # RfqVenue: block.timestamp > the quote's expiry

    def __init__(self, w3: Web3, venue: str, provider: QuoteProvider, hub: str | None = None) -> None:
        self.w3 = w3
        self.venue = artifacts.at(w3, "RfqVenue", tx.address(venue))
        self.provider = provider
        self.hub = tx.address(hub) if hub else None

    @property
    def spender(self) -> str:
        return self.venue.address

    def fills(self, recipient: str, reference: bytes, from_block: int) -> list[Fill]:
        return fills_of(self.w3, self.venue.events.QuoteFilled(), self.name, recipient, reference, from_block)

    def _hub_for(self, token_in: str, token_out: str) -> str | None:
        if self.hub is None or self.hub in (tx.address(token_in), tx.address(token_out)):
            return None
        return self.hub

    def offer(self, side: str, token_in: str, token_out: str, amount: int, taker: str) -> Offer | Decline:
        hub = self._hub_for(token_in, token_out)
        try:
            if side == EXACT_IN:
                signed = self.provider.quote_exact_in(token_in, token_out, amount, taker=taker, hub=hub)
                out, _ = self.venue.functions.previewExactIn(signed.quote.head.as_tuple(), amount).call()
                if out == 0:
                    return Decline(self.name, DeclineReason.MAKER_LIMIT, "the quote rounds to nothing")
                return Offer(self.name, side, token_in, token_out, amount, out, signed, signed.quote.expiry)
            signed = self.provider.quote_exact_out(token_in, token_out, amount, taker=taker, hub=hub)
            amount_in, _ = self.venue.functions.previewExactOut(signed.quote.head.as_tuple(), amount).call()
            if amount_in > signed.quote.amount_in:
                return Decline(
                    self.name, DeclineReason.NO_OFFER, "the venue's preview needs more than the quote"
                )
            return Offer(self.name, side, token_in, token_out, amount_in, amount, signed, signed.quote.expiry)
        except Declined as exc:  # the maker refuses: stale feed, market closed, its limits
            return Decline(self.name, exc.reason, first_line(exc))
        except Exception as exc:  # noqa: BLE001 - a remote maker's API error, a preview revert
            return Decline(self.name, DeclineReason.NO_OFFER, first_line(exc))

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
        return tx.hash_of(tx.send(self.w3, fn, sender))
