"""The FX pools, the router and the feeds: swaps (one and two hops, exact in and out), round trips and
one-pool loops, liquidity in and out, fixings, market hours, devaluations and pool re-syncs; the pools'
books and the LPs' share value."""

from __future__ import annotations

from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy

from corridor.exchange.deploy import NO_DEADLINE

from .base import BPS, EDGE, PATHS, REF, CorridorRules
from .helpers import (
    OUTCOMES,
    Breaker,
    Expectation,
    attempt,
    batch_call,
    expect_receive,
    expect_send,
    move_bps,
    revert_name,
)


class ExchangeRules(CorridorRules):
    """Traders, the liquidity provider, the feed reporter, the market-hours role and the pool guardian."""

    st_pool = strategy("uint8", max_value=1)
    st_move = strategy("int16", min_value=-450, max_value=450)  # bps, around the breakers (300 / 200)
    st_jump = strategy("int16", min_value=-1_500, max_value=1_500)  # bps, a devaluation / re-peg

    def setup(self) -> None:
        super().setup()
        w = self.w
        # oracle model: the feeds' circuit-breaker windows and the answer each pool last used
        self.breaker: dict[str, Breaker] = {}
        self.pool_ref = {}
        for sym, feed in w.feeds.items():
            rnd = feed.latestRoundData()
            self.breaker[sym] = Breaker.restart(
                rnd[1], feed.getRoundData(1)[3]
            )  # no submit before the snapshot
            self.pool_ref[sym] = rnd[1]
        self.share_value: dict[str, tuple[int, int]] = {}  # pool -> (feed answer, virtual price) last seen

    # ================================================================== helpers

    def _expect_pool(self, exp: Expectation, sym: str, check_pause: bool = True) -> None:
        """What stops a pool operation that reads the oracle: pause, a stale answer, a jump from the last
        answer the pool used."""
        pool, feed = self.w.pools[sym], self.w.feeds[sym]
        if check_pause and pool.paused():
            exp.add("EnforcedPause")
        max_age, max_jump = pool.oracleGuards()
        rnd = feed.latestRoundData()
        answer, updated = rnd[1], rnd[3]
        stale_at = updated + max_age  # stale once block.timestamp > stale_at
        now = self._now()
        if now + 1 > stale_at + EDGE:
            exp.add("StaleRate")
        elif now + 1 > stale_at - EDGE:
            exp.add("StaleRate", sure=False)
        ref = self.pool_ref[sym]
        if abs(answer - ref) * BPS > ref * max_jump:
            exp.add("RateJumped")

    def _vp(self, syms: list[str]) -> dict[str, int]:
        out = {}
        for s in syms:
            try:
                out[s] = self.w.pools[s].virtualPrice()
            except VirtualMachineError:
                pass
        return out

    def _vp_not_lower(self, before: dict[str, int]) -> None:
        """Trades at an unchanged oracle rate never lower the LPs' share value."""
        for s, vp in before.items():
            assert self.w.pools[s].virtualPrice() >= vp, f"{s} pool share value fell on a trade"

    def _router_swap(self, payer, recipient, index: int, amount: int, exact_out: bool):
        """Predicts and sends one router swap; returns (amount_in, amount_out) or None if it reverted."""
        path, a, b = self._path(index)
        pools = sorted({sym for sym, t in self.tokens.items() if sym != "USD" and t in path})
        exp = Expectation()
        router = self.w.router
        addrs = [t.address for t in path]
        quote_error = None
        try:
            quoted = router.quoteExactOut(addrs, amount) if exact_out else router.quoteExactIn(addrs, amount)
        except VirtualMachineError as exc:
            quote_error, quoted = revert_name(exc), None
        for sym in pools:
            self._expect_pool(exp, sym)
        if quote_error is not None:
            # the views revert exactly as the swap would (oracle checks near a time edge aside)
            exp.add(quote_error, sure=quote_error not in ("StaleRate", "RateJumped"))
        amount_in = quoted if exact_out else amount
        if amount_in is not None:
            expect_send(exp, path[0], payer, amount_in, self._day_edge())
        for token in path[1:]:
            if token.paused():
                exp.add("EnforcedPause")
        expect_receive(exp, path[-1], recipient)
        vp = self._vp(pools)
        tin, tout = path[0], path[-1]
        in0, out0 = tin.balanceOf(payer), tout.balanceOf(recipient)
        fn = router.swapExactOut if exact_out else router.swapExactIn
        limit = quoted if quoted is not None else (2**256 - 1 if exact_out else 0)
        err, _ = attempt(fn, addrs, amount, limit, recipient, NO_DEADLINE, REF, {"from": payer})
        exp.check(err, f"router {a}->{b} {'out' if exact_out else 'in'} {amount}")
        if err is not None:
            return None
        if tin == tout and payer == recipient:  # a loop A -> USD -> A back into the payer's own account
            delta = tin.balanceOf(payer) - in0
            paid, got = (amount, amount + delta) if not exact_out else (amount - delta, amount)
            # the router quotes both hops on the pool's books before the trade; the second hop executes on
            # the books the first one left, which only favours the payer in a loop (exact out: the quoted
            # input is charged and any excess the first hop pays stays with the LPs)
            assert paid == quoted if exact_out else got >= quoted
            for sym in pools:
                self.pool_ref[sym] = self._answer(sym)
            self._vp_not_lower(vp)
            return paid, got
        paid, got = in0 - tin.balanceOf(payer), tout.balanceOf(recipient) - out0
        if exact_out:
            assert (paid, got) == (quoted, amount)
        else:
            assert (paid, got) == (amount, quoted)
        for s in pools:
            self.pool_ref[s] = self._answer(s)
        self._vp_not_lower(vp)
        return paid, got

    # ================================================================== pools and router

    def rule_swap(self, st_user, st_other, st_path, st_cents, st_scale, st_bool):
        """A party swaps through the router (one hop via the USD hub, or two hops JPY <-> KHR), exact in
        or exact out, paying another party.

        Must stay true: the outcome is the predicted one (compliance, pauses, oracle guards, pool math);
        the executed amounts equal the router's quote; the LPs' share value does not fall."""
        payer, recipient = self._user(st_user), self._user(st_other)
        _, a, b = self._path(st_path)
        amount = self._units(b if st_bool else a, st_cents, st_scale)
        self._router_swap(payer.address, recipient.address, st_path, amount, exact_out=st_bool)

    def rule_round_trip(self, st_user, st_path, st_cents):
        """A party sells through the router and buys straight back with everything it got.

        Must stay true: at an unchanged oracle rate it never ends with more than it started with."""
        payer = self._user(st_user)
        _, a, _ = self._path(st_path)
        amount = self._units(a, st_cents, 0)
        first = self._router_swap(payer.address, payer.address, st_path, amount, exact_out=False)
        if first is None:
            return
        back_index = PATHS.index(tuple(reversed(PATHS[st_path % len(PATHS)])))
        second = self._router_swap(payer.address, payer.address, back_index, first[1], exact_out=False)
        if second is not None:
            assert second[1] <= amount, f"round trip {PATHS[st_path]} returned {second[1]} > {amount}"
            OUTCOMES[("roundtrip", "round_trip")] += 1

    def rule_router_loop(self, st_user, st_other, st_pool, st_cents, st_bool):
        """A party routes A -> USD -> A (or USD -> A -> USD) through the same pool in one transaction, exact
        in or exact out: the pool pays itself the middle leg and prices the second hop on its own books.

        Must stay true: the loop never returns more than it takes (exact in: out <= in; exact out: in >=
        out), and the pool's books still match its token balances."""
        payer = self._user(st_user)
        sym = ("JPY", "KHR")[st_pool]
        loop = (sym, "USD", sym) if st_other % 2 else ("USD", sym, "USD")
        amount = self._units(loop[0], st_cents, 0)
        done = self._router_swap(payer.address, payer.address, loop, amount, exact_out=st_bool)
        if done is not None:
            paid, got = done
            assert got <= paid, f"the loop {loop} through one pool paid {got} for {paid}"
            OUTCOMES[("roundtrip", "one-pool loop")] += 1

    def rule_add_liquidity(self, st_pool, st_cents, st_fraction):
        """The liquidity provider deposits any mix of the pool's coins (single-sided included).

        Must stay true: shares are exactly the pool's own quote; the share value does not fall."""
        sym = ("JPY", "KHR")[st_pool]
        pool, coin, busd = self.w.pools[sym], self.tokens[sym], self.w.busd
        cents = st_cents * 20
        amounts = [
            self._units(sym, cents, 0) * st_fraction // 1_000,
            cents * (1_000 - st_fraction) // 1_000,
        ]
        if amounts == [0, 0]:
            return
        lp = self.w.lp
        exp = Expectation()
        self._expect_pool(exp, sym)
        try:
            shares = pool.calcAddLiquidity(amounts)
        except VirtualMachineError as exc:
            shares = None
            exp.add(revert_name(exc), sure=revert_name(exc) not in ("StaleRate", "RateJumped"))
        for token, amt in ((coin, amounts[0]), (busd, amounts[1])):
            if amt:
                expect_send(exp, token, lp.address, amt)
        vp = self._vp([sym])
        before = pool.balanceOf(lp.address)
        err, _ = attempt(pool.addLiquidity, amounts, 0, lp.address, NO_DEADLINE, {"from": lp.account})
        exp.check(err, f"add liquidity {amounts} to {sym}")
        if err is None:
            assert pool.balanceOf(lp.address) - before == shares
            self.pool_ref[sym] = self._answer(sym)
            self._vp_not_lower(vp)

    def rule_remove_liquidity(self, st_pool, st_fraction, st_bool):
        """The liquidity provider withdraws part of its shares, pro rata or in one coin.

        Must stay true: a pro-rata exit never needs the oracle and pays exactly its share (rounded down);
        the share value does not fall."""
        sym = ("JPY", "KHR")[st_pool]
        pool, lp = self.w.pools[sym], self.w.lp
        shares = pool.balanceOf(lp.address) * st_fraction // 20_000
        if shares == 0:
            return
        exp = Expectation()
        coins = [self.tokens[sym], self.w.busd]
        vp = self._vp([sym])
        if st_bool:
            supply = pool.totalSupply()
            bal = pool.balances()
            expected = [bal[0] * shares // supply, bal[1] * shares // supply]
            for token, amt in zip(coins, expected, strict=True):
                if amt and token.paused():
                    exp.add("EnforcedPause")
            before = [t.balanceOf(lp.address) for t in coins]
            err, _ = attempt(
                pool.removeLiquidity, shares, [0, 0], lp.address, NO_DEADLINE, {"from": lp.account}
            )
            exp.check(err, "balanced withdrawal")
            if err is None:
                assert [t.balanceOf(lp.address) - b for t, b in zip(coins, before, strict=True)] == expected
        else:
            i = st_fraction % 2
            self._expect_pool(exp, sym)
            if coins[i].paused():
                exp.add("EnforcedPause")
            try:
                expected = pool.calcRemoveLiquidityOneCoin(shares, i)
            except VirtualMachineError as exc:
                expected = None
                exp.add(revert_name(exc), sure=revert_name(exc) not in ("StaleRate", "RateJumped"))
            before = coins[i].balanceOf(lp.address)
            err, _ = attempt(
                pool.removeLiquidityOneCoin, shares, i, 0, lp.address, NO_DEADLINE, {"from": lp.account}
            )
            exp.check(err, "one-coin withdrawal")
            if err is None:
                assert coins[i].balanceOf(lp.address) - before == expected
                self.pool_ref[sym] = self._answer(sym)
        if err is None:
            self._vp_not_lower(vp)

    def rule_liquidity_round_trip(self, st_pool, st_cents, st_bool):
        """The liquidity provider deposits one coin and at once withdraws all the new shares in that coin.

        Must stay true: it gets back at most what it put in (deposits and exits cost fees, never pay)."""
        sym = ("JPY", "KHR")[st_pool]
        pool, lp = self.w.pools[sym], self.w.lp
        i = int(st_bool)
        coin = self.tokens[sym] if i == 0 else self.w.busd
        amount = self._units(sym if i == 0 else "USD", st_cents * 10, 0)
        amounts = [amount, 0] if i == 0 else [0, amount]
        before = pool.balanceOf(lp.address)
        err, _ = attempt(pool.addLiquidity, amounts, 0, lp.address, NO_DEADLINE, {"from": lp.account})
        if err is not None:
            return
        self.pool_ref[sym] = self._answer(sym)
        shares = pool.balanceOf(lp.address) - before
        held = coin.balanceOf(lp.address)
        err, _ = attempt(
            pool.removeLiquidityOneCoin, shares, i, 0, lp.address, NO_DEADLINE, {"from": lp.account}
        )
        if err is None:
            assert coin.balanceOf(lp.address) - held <= amount, "a deposit + exit paid the provider"
            OUTCOMES[("roundtrip", "liquidity_round_trip")] += 1

    # ================================================================== oracle

    def _submit(self, sym: str, answer: int, force: bool):
        feed = self.w.feeds[sym]
        hb, max_move = feed.heartbeat(), feed.maxMoveBps()
        breaker, reopens = self.breaker[sym], feed.reopensAt()
        last_at = feed.latestRoundData()[3]
        if any(abs(self._now() + 1 - t) <= EDGE for t in (breaker.start + hb, last_at + hb, reopens)):
            chain.sleep(2 * EDGE + 1)  # stay clear of a window boundary so the prediction is exact
            chain.mine()
        prev = self._answer(sym)
        now = self._now() + 1
        expected = None
        if not force and answer != prev:
            lo, hi = breaker.bounds(now, hb, prev, last_at)
            if now < reopens:
                expected = "MarketIsClosed"  # no official fixing on a closed day: only a re-confirmation
            elif move_bps(lo, answer) > max_move or move_bps(hi, answer) > max_move:
                expected = "MoveTooLarge"
            if expected != "MarketIsClosed":
                feed.scheduleFixing(self._now(), {"from": self.w.admin})  # the window opens: pools stop
        fn = feed.forceSubmit if force else feed.submit
        err, tx = attempt(fn, answer, {"from": self.w.admin})
        assert err == expected, f"{sym} fixing {prev} -> {answer}: {err} (expected {expected})"
        OUTCOMES[("force" if force else "fixing", err or "ok")] += 1
        if err == "MoveTooLarge":
            # the reporter holds the refused fixing and re-confirms the last one, closing the window
            tx, answer = feed.submit(prev, {"from": self.w.admin}), prev
            err = None
        if err is None:
            if force:
                self.breaker[sym] = Breaker.restart(answer, tx.timestamp)
            else:
                breaker.record(tx.timestamp, hb, prev, last_at, answer)
        assert feed.latestRoundData()[0] == feed.latestRoundData()[4], "a fixing window was left open"

    def rule_fixing(self, st_pool, st_move):
        """The reporter publishes a new fixing, sometimes beyond the circuit breaker.

        Must stay true: a new rate lands only inside a fixing window (the pools stop from its start until
        the round lands); a move beyond maxMoveBps from any answer of the last heartbeat is refused
        (MoveTooLarge; the reporter then re-confirms the last fixing, which closes the window); anything
        else is published."""
        sym = ("JPY", "KHR")[st_pool]
        prev = self._answer(sym)
        if not self.w.feeds[sym].marketOpen() and st_move % 2 == 0:
            st_move = 0  # on a closed day the reporter re-confirms the last fixing (keeps the heartbeat)
        self._submit(sym, max(1, prev * (BPS + st_move) // BPS), force=False)

    def rule_market_hours(self, st_pool, st_sleep):
        """The market-hours role closes the market (weekend, holiday: up to three days) or reopens it.

        Must stay true: while closed, only re-confirmations of the last answer are published
        (MarketIsClosed otherwise, predicted in every fixing); the first fixing after reopening is again
        bounded by the circuit breaker."""
        sym = ("JPY", "KHR")[st_pool]
        feed = self.w.feeds[sym]
        if feed.marketOpen():
            feed.closeMarket(self._now() + 60 + st_sleep * 8, {"from": self.w.admin})
            OUTCOMES[("market", "closed")] += 1
        elif feed.reopensAt() - self._now() > EDGE:
            feed.openMarket({"from": self.w.admin})
            OUTCOMES[("market", "opened")] += 1

    def rule_devaluation(self, st_pool, st_jump):
        """The feed admin forces a large move (devaluation, re-peg) past the circuit breaker.

        Must stay true: the pools refuse the jumped rate (RateJumped, predicted in every pool rule) until
        the guardian re-syncs them."""
        sym = ("JPY", "KHR")[st_pool]
        prev = self._answer(sym)
        self._submit(sym, max(1, prev * (BPS + st_jump) // BPS), force=True)

    def rule_sync_pool(self, st_pool):
        """The pool guardian accepts the feed's current answer as the pool's reference.

        Must stay true: refused only for a stale answer (StaleRate)."""
        sym = ("JPY", "KHR")[st_pool]
        exp = Expectation()
        self._expect_pool(exp, sym, check_pause=False)
        exp.certain.discard("RateJumped")
        exp.possible.discard("RateJumped")
        err, _ = attempt(self.w.pools[sym].syncRate, {"from": self.w.admin})
        exp.check(err, f"sync {sym}")
        if err is None:
            self.pool_ref[sym] = self._answer(sym)

    # ================================================================== invariants

    def invariant_pools_hold_their_books(self):
        """Every pool holds exactly its reserves plus accrued protocol fees, in both coins."""
        calls = []
        for sym, pool in self.w.pools.items():
            calls += [(pool.balances, ()), (pool.protocolFees, ())]
            calls += [(self.tokens[sym].balanceOf, (pool.address,)), (self.w.busd.balanceOf, (pool.address,))]
        got = batch_call(calls)
        for k in range(len(self.w.pools)):
            (b0, b1), (f0, f1), held0, held1 = got[4 * k : 4 * k + 4]
            assert (held0, held1) == (b0 + f0, b1 + f1)

    def invariant_lp_share_value(self):
        """At an unchanged oracle answer, no sequence of swaps, deposits and withdrawals lowers the value of
        an LP share (virtualPrice); the LPs never pay the traders."""
        calls = []
        for sym, pool in self.w.pools.items():
            calls += [(self.w.feeds[sym].latestRoundData, ()), (pool.virtualPrice, ())]
        got = batch_call(calls, allow_revert=True)
        for k, sym in enumerate(self.w.pools):
            answer, vp = got[2 * k][1], got[2 * k + 1]
            if vp is None:  # stale or jumped: the pool refuses to price until the guardian re-syncs
                continue
            last = self.share_value.get(sym)
            if last is not None and last[0] == answer:
                assert vp >= last[1], f"{sym} LP share value fell from {last[1]} to {vp} at answer {answer}"
            self.share_value[sym] = (answer, vp)
