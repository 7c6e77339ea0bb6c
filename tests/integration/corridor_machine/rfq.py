"""The RFQ venue with the Python market maker: fills (direct and cross, exact in and out) never better than
the oracle mid, then replayed; cancelled and expired quotes; round trips."""

from __future__ import annotations

from fractions import Fraction

from brownie import chain

from corridor.exchange import rfq
from corridor.exchange.market_maker import QuoteRefused

from .base import PATHS, REF, CorridorRules
from .helpers import OUTCOMES, Expectation, attempt, expect_transfer


class RfqRules(CorridorRules):
    """Takers and the market maker (re-created for every example)."""

    def setup(self) -> None:
        super().setup()
        self.mm = self.w.market_maker()

    def _mid(self, a: str, b: str) -> Fraction:
        """Units of `b` per unit of `a` at the feeds' answers, exactly."""

        def usd(sym: str) -> Fraction:
            return Fraction(1) if sym == "USD" else Fraction(self._answer(sym), 10**8)

        scale = Fraction(10) ** (self.tokens[b].decimals() - self.tokens[a].decimals())
        return usd(a) / usd(b) * scale

    def _rfq_fill(self, payer, recipient, index: int, amount: int, exact_out: bool):
        """The market maker quotes, the payer fills, the fill is replayed; returns (in, out) or None."""
        w, mm = self.w, self.mm
        _, a, b = self._path(index)
        tin, tout = self.tokens[a], self.tokens[b]
        cross = "USD" not in (a, b)
        hub = w.busd.address if cross else None
        mid = self._mid(a, b)
        try:
            if exact_out:
                signed = mm.quote_exact_out(tin.address, tout.address, amount, taker=payer, hub=hub)
            else:
                signed = mm.quote_exact_in(tin.address, tout.address, amount, taker=payer, hub=hub)
        except QuoteRefused:
            OUTCOMES[("rfq", "maker declined")] += 1
            return None
        q = signed.quote
        fee_bps = w.venue.feeBps()
        if exact_out:
            amount_in, fee = rfq.exact_out(q.amount_in, q.amount_out, amount, fee_bps)
            amount_out = amount
            fn = getattr(w.venue, signed.exact_out_function)
            args = signed.fill_exact_out_args(amount, q.amount_in, recipient, REF)
        else:
            amount_in = amount
            amount_out, fee = rfq.exact_in(q.amount_in, q.amount_out, amount, fee_bps)
            fn = getattr(w.venue, signed.exact_in_function)
            args = signed.fill_exact_in_args(amount, 0, recipient, REF)
        exp = Expectation()
        if w.venue.paused():
            exp.add("EnforcedPause")
        if amount_out == 0:
            exp.add("ZeroAmountOut")
        expect_transfer(exp, tin, payer, mm.maker, amount_in, self._day_edge())
        expect_transfer(exp, tout, mm.maker, recipient, amount_out)
        in0, out0 = tin.balanceOf(payer), tout.balanceOf(recipient)
        owed0 = w.venue.feesOwed(mm.maker, tout.address)
        err, _ = attempt(fn, *args, {"from": payer})
        exp.check(err, f"rfq {a}->{b} {'out' if exact_out else 'in'} {amount}")
        if err is not None:
            return None
        self.used_quotes.add((mm.maker, q.nonce))
        assert in0 - tin.balanceOf(payer) == amount_in
        assert tout.balanceOf(recipient) - out0 == amount_out
        assert w.venue.feesOwed(mm.maker, tout.address) == owed0 + fee
        # never better than the oracle mid: gross output <= input at mid (spread, skew >= 0, floors)
        assert amount_out + fee <= amount_in * mid, "RFQ fill beat the oracle mid"
        err, _ = attempt(fn, *args, {"from": payer})
        assert err == "NonceAlreadyUsed", err
        OUTCOMES[("replay-rfq", err)] += 1
        return amount_in, amount_out

    def rule_rfq_fill(self, st_user, st_other, st_path, st_cents, st_scale, st_bool):
        """A party fills a market-maker quote (direct, or a JPY <-> KHR cross quote carrying the USD leg),
        exact in or exact out, paying another party; then replays it.

        Must stay true: the fill moves exactly the venue's arithmetic (fee booked to the maker), never
        better than the oracle mid; the replay fails with NonceAlreadyUsed."""
        payer, recipient = self._user(st_user), self._user(st_other)
        _, a, b = self._path(st_path)
        amount = self._units(b if st_bool else a, st_cents, st_scale)
        self._rfq_fill(payer.address, recipient.address, st_path, amount, st_bool)

    def rule_rfq_dead_quote(self, st_user, st_path, st_cents, st_bool):
        """The market maker cancels its outstanding quotes (or lets one expire); the taker then tries it.

        Must stay true: a cancelled quote fails with NonceAlreadyUsed, an expired one with QuoteExpired."""
        w, mm = self.w, self.mm
        payer = self._user(st_user)
        _, a, b = self._path(st_path)
        tin, tout = self.tokens[a], self.tokens[b]
        hub = w.busd.address if "USD" not in (a, b) else None
        amount = self._units(a, st_cents, 0)
        try:
            signed = mm.quote_exact_in(tin.address, tout.address, amount, taker=payer.address, hub=hub)
        except QuoteRefused:
            return
        if st_bool:
            mm.cancel_outstanding()
            expected = "NonceAlreadyUsed"
        else:
            chain.sleep(signed.quote.expiry - self._now() + 1)
            chain.mine()
            expected = "QuoteExpired"
        if expected == "NonceAlreadyUsed" and w.venue.paused():
            expected = "EnforcedPause"
        fn = getattr(w.venue, signed.exact_in_function)
        err, _ = attempt(
            fn, *signed.fill_exact_in_args(amount, 0, payer.address, REF), {"from": payer.account}
        )
        assert err == expected, err
        OUTCOMES[("dead-quote", err)] += 1

    def rule_rfq_round_trip(self, st_user, st_path, st_cents):
        """A party sells to the market maker and buys straight back with what it got.

        Must stay true: it never ends with more than it started with."""
        payer = self._user(st_user)
        _, a, _ = self._path(st_path)
        amount = self._units(a, st_cents, 0)
        first = self._rfq_fill(payer.address, payer.address, st_path, amount, False)
        if first is None:
            return
        back = PATHS.index(tuple(reversed(PATHS[st_path % len(PATHS)])))
        second = self._rfq_fill(payer.address, payer.address, back, first[1], False)
        if second is not None:
            assert second[1] <= amount
            OUTCOMES[("roundtrip", "rfq_round_trip")] += 1
