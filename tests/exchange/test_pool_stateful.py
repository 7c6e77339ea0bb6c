"""Stateful: random swaps, deposits, withdrawals and fixings against one pool and its model."""

from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy

from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.exchange.deploy import publish_fixing
from corridor.exchange.stableswap import DustAmount, InsufficientLiquidity, Pool
from tests.fixtures.machines import machine_settings


class PoolMachine:
    """Swaps, round trips, deposits, withdrawals and small fixings on the JPY/USD pool.

    After every step: the tokens the pool holds equal its accounting (reserves + protocol fees).
    Within every swap: D does not decrease and the share value does not decrease.
    Within every round trip: the trader ends with no more than it started with.
    Within every deposit and withdrawal: the share value does not decrease.
    Within every fixing window: nothing trades on the old rate.
    """

    st_usd = strategy("uint256", min_value=1, max_value=50_000_000)  # cents: up to $500k
    st_coin = strategy("uint8", max_value=1)
    st_fraction = strategy("uint256", min_value=1, max_value=1_000)  # per mille of holdings
    st_move = strategy("int256", min_value=-250, max_value=250)  # bps

    def __init__(cls, pool, feed, jpy, busd, alice, bob, admin, operator):
        cls.pool, cls.feed, cls.jpy, cls.busd = pool, feed, jpy, busd
        cls.alice, cls.bob, cls.admin, cls.operator = alice, bob, admin, operator

    def setup(self):
        self.answer = self.feed.latestRoundData()[1]

    def _amount(self, i, cents):
        model = Pool.from_contract(self.pool)
        return cents if i == 1 else max(1, cents * model.rates[1] // model.rates[0])

    def rule_swap_exact_in(self, st_coin, st_usd):
        """D and the share value never decrease across a swap; the output equals the model's."""
        dx = self._amount(st_coin, st_usd)
        model = Pool.from_contract(self.pool)
        d0, vp0 = self.pool.invariant(), self.pool.virtualPrice()
        try:
            expected, _ = model.price_exact_in(st_coin, dx)
        except (DustAmount, InsufficientLiquidity):
            return
        out = self.pool.swapExactIn(st_coin, dx, expected, self.bob, FAR, {"from": self.alice}).return_value
        assert out == expected
        assert self.pool.invariant() >= d0
        assert self.pool.virtualPrice() >= vp0

    def rule_swap_exact_out(self, st_coin, st_usd):
        """Exact-out pays exactly; D and the share value never decrease."""
        dy = self._amount(1 - st_coin, st_usd)
        model = Pool.from_contract(self.pool)
        try:
            expected, _ = model.price_exact_out(st_coin, dy)
        except InsufficientLiquidity:
            return
        d0, vp0 = self.pool.invariant(), self.pool.virtualPrice()
        paid = self.pool.swapExactOut(st_coin, dy, expected, self.bob, FAR, {"from": self.alice}).return_value
        assert paid == expected
        assert self.pool.invariant() >= d0
        assert self.pool.virtualPrice() >= vp0

    def rule_round_trip(self, st_coin, st_usd):
        """Selling and buying back never returns more than was sold."""
        dx = self._amount(st_coin, st_usd)
        try:
            out = self.pool.swapExactIn(st_coin, dx, 0, self.alice, FAR, {"from": self.alice}).return_value
            back = self.pool.swapExactIn(
                1 - st_coin, out, 0, self.alice, FAR, {"from": self.alice}
            ).return_value
        except VirtualMachineError:  # dust on either leg: nothing to compare
            return
        assert back <= dx

    def rule_deposit(self, st_usd, st_fraction):
        """Any mix of coins (single-sided included) mints shares without lowering the share value."""
        cents = st_usd
        jpy_amount = self._amount(0, st_usd) * st_fraction // 1_000
        usd_amount = cents * (1_000 - st_fraction) // 1_000
        if jpy_amount == 0 and usd_amount == 0:
            return
        vp0 = self.pool.virtualPrice()
        shares = Pool.from_contract(self.pool).price_deposit([jpy_amount, usd_amount])[0]
        if shares == 0:
            return
        got = self.pool.addLiquidity(
            [jpy_amount, usd_amount], 0, self.bob, FAR, {"from": self.bob}
        ).return_value
        assert got == shares
        assert self.pool.virtualPrice() >= vp0

    def rule_withdraw_balanced(self, st_fraction):
        """Pro-rata exit; the share value does not decrease."""
        shares = self.pool.balanceOf(self.admin) * st_fraction // 10_000
        if shares == 0:
            return
        vp0 = self.pool.virtualPrice()
        self.pool.removeLiquidity(shares, [0, 0], self.admin, FAR, {"from": self.admin})
        assert self.pool.virtualPrice() >= vp0

    def rule_withdraw_one_coin(self, st_coin, st_fraction):
        """One-coin exit pays the model's amount; the share value does not decrease."""
        shares = self.pool.balanceOf(self.admin) * st_fraction // 10_000
        if shares == 0:
            return
        try:
            expected = Pool.from_contract(self.pool).price_withdraw_one(shares, st_coin)[0]
        except InsufficientLiquidity:
            return
        vp0 = self.pool.virtualPrice()
        got = self.pool.removeLiquidityOneCoin(shares, st_coin, 0, self.admin, FAR, {"from": self.admin})
        assert got.return_value == expected
        assert self.pool.virtualPrice() >= vp0

    def rule_fixing(self, st_move, st_coin, st_usd):
        """The next day's fixing, within the circuit breaker, announced an hour ahead; the pool follows it.

        Must stay true: from the fixing's publication time until it lands nobody trades on the old rate
        (a swap reverts FixingPending: the sandwich's first leg) while balanced exits keep working."""
        amount = self._amount(st_coin, st_usd)
        at = chain[-1].timestamp + 3_600
        self.feed.scheduleFixing(at, {"from": self.operator})
        chain.sleep(self.feed.heartbeat())
        chain.mine()
        reserves = self.pool.balances()
        try:
            self.pool.swapExactIn(st_coin, amount, 0, self.bob, FAR, {"from": self.alice})
            raise AssertionError("a swap traded inside an open fixing window")
        except VirtualMachineError as exc:
            assert f"FixingPending: {self.feed.latestRoundData()[0]}, {at}" in str(exc), str(exc)
        assert self.pool.balances() == reserves
        self.answer = max(1, self.answer * (10_000 + st_move) // 10_000)
        publish_fixing(self.feed, self.answer, self.operator)  # the window is open: only the submit
        self.pool.syncRate(
            {"from": self.operator}
        )  # a run of fixings without swaps may exceed the jump guard

    def invariant_tokens_match_accounting(self):
        b0, b1 = self.pool.balances()
        f0, f1 = self.pool.protocolFees()
        assert self.jpy.balanceOf(self.pool) == b0 + f0
        assert self.busd.balanceOf(self.pool) == b1 + f1


def test_pool_state_machine(
    state_machine, funded, jpy_pool, jpy_feed, jpy, busd, alice, bob, admin, operator
):
    jpy_pool.setOracleGuards(86_400, 2_000, {"from": admin})
    state_machine(
        PoolMachine,
        jpy_pool,
        jpy_feed,
        jpy,
        busd,
        alice,
        bob,
        admin,
        operator,
        settings=machine_settings(max_examples=15, stateful_step_count=20),
    )
