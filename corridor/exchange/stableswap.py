"""Reference implementation of FXPool's math, in integers, with the contract's rounding.

Every function mirrors a Solidity function of contracts/exchange/FXPool.sol or StableSwapMath.sol
step by step (same operation order, same floor/ceil), so the property tests can demand exact
equality. Amounts are raw token units; `xp` values are USD × 1e18.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

A_PRECISION = 100
BPS = 10_000
PRECISION = 10**18
MINIMUM_SHARES = 10**6
MAX_ITERATIONS = 255


class NotConverged(ArithmeticError):
    """Newton's method did not converge (the contract reverts with NotConverged)."""


class DustAmount(ArithmeticError):
    """The trade pays less than one minor unit (the contract reverts with DustAmount)."""


class InsufficientLiquidity(ArithmeticError):
    """The trade would empty a side of the pool (the contract reverts with InsufficientLiquidity)."""


def ceil_div(a: int, b: int) -> int:
    return 0 if a == 0 else (a - 1) // b + 1


def rate_multiplier(answer: int, token_decimals: int, feed_decimals: int) -> int:
    """Curve-style multiplier: `balance * rate // 1e18` is the value in USD × 1e18."""
    return answer * 10 ** (36 - token_decimals - feed_decimals)


def usd_rate(token_decimals: int) -> int:
    return 10 ** (36 - token_decimals)


def get_d(x0: int, x1: int, amp: int, iterations: list[int] | None = None) -> int:
    """StableSwapMath.getD for two coins; `amp` is A × A_PRECISION. Appends the Newton iteration
    count to `iterations` if given."""
    s = x0 + x1
    if s == 0:
        return 0
    d = s
    ann = amp * 2
    for k in range(MAX_ITERATIONS):
        d_p = d * d // (x0 * 2) * d // (x1 * 2)
        prev = d
        d = (ann * s // A_PRECISION + d_p * 2) * d // ((ann - A_PRECISION) * d // A_PRECISION + 3 * d_p)
        if abs(d - prev) <= 1:
            if iterations is not None:
                iterations.append(k + 1)
            return d
    raise NotConverged


def get_y(x: int, d: int, amp: int, iterations: list[int] | None = None) -> int:
    """StableSwapMath.getY: the other coin's scaled balance keeping the invariant at `d`."""
    ann = amp * 2
    c = d * d // (x * 2) * d * A_PRECISION // (ann * 2)
    b = x + d * A_PRECISION // ann
    y = d
    for k in range(MAX_ITERATIONS):
        prev = y
        y = (y * y + c) // (2 * y + b - d)
        if abs(y - prev) <= 1:
            if iterations is not None:
                iterations.append(k + 1)
            return y
    raise NotConverged


def xp(balance: int, rate: int) -> int:
    return balance * rate // PRECISION


@dataclass
class Pool:
    """State of one FXPool: raw balances (LP-owned), coin rates, A × A_PRECISION, fees, LP supply."""

    balances: list[int]
    rates: list[int]
    amp: int
    fee_bps: int
    protocol_share_bps: int = 0
    supply: int = 0
    protocol_fees: list[int] = field(default_factory=lambda: [0, 0])

    @classmethod
    def from_contract(cls, pool: Any) -> Pool:
        """The model of a deployed FXPool (brownie or any object with its view methods), now."""
        rate0, rate1 = pool.rates()
        b0, b1 = pool.balances()
        fee_bps, share = pool.fee()
        return cls([b0, b1], [rate0, rate1], pool.A(), fee_bps, share, pool.totalSupply())

    def scaled(self) -> list[int]:
        return [xp(self.balances[0], self.rates[0]), xp(self.balances[1], self.rates[1])]

    def newton_iterations(self, i: int, dx: int) -> tuple[int, int]:
        """(getD, getY) Newton iterations of selling `dx` of coin `i` (for the gas table)."""
        x = self.scaled()
        its: list[int] = []
        d = get_d(x[i], x[1 - i], self.amp, its)
        get_y(x[i] + dx * self.rates[i] // PRECISION, d, self.amp, its)
        return its[0], its[1]

    def invariant(self) -> int:
        x0, x1 = self.scaled()
        return get_d(x0, x1, self.amp)

    def virtual_price(self) -> int:
        return 0 if self.supply == 0 else self.invariant() * PRECISION // self.supply

    # ---- pricing (FXPool._priceExactIn / _priceExactOut) ---------------------------------------

    def price_exact_in(self, i: int, dx: int) -> tuple[int, int]:
        """(amount out, protocol fee) for selling `dx` of coin `i`."""
        j = 1 - i
        x = self.scaled()
        d = get_d(x[i], x[j], self.amp)
        y = get_y(x[i] + dx * self.rates[i] // PRECISION, d, self.amp)
        dy_gross = x[j] - y - 1 if y + 1 < x[j] else 0
        fee_xp = ceil_div(dy_gross * self.fee_bps, BPS)
        dy = (dy_gross - fee_xp) * PRECISION // self.rates[j]
        if dy == 0:
            raise DustAmount
        protocol_fee = fee_xp * self.protocol_share_bps // BPS * PRECISION // self.rates[j]
        return dy, protocol_fee

    def price_exact_out(self, i: int, dy: int) -> tuple[int, int]:
        """(amount in, protocol fee) for buying `dy` of coin `1 - i` with coin `i`."""
        j = 1 - i
        x = self.scaled()
        dy_net = ceil_div(dy * self.rates[j], PRECISION)
        dy_gross = ceil_div(dy_net * BPS, BPS - self.fee_bps)
        if dy_gross + 1 >= x[j]:
            raise InsufficientLiquidity
        d = get_d(x[i], x[j], self.amp)
        x_new = get_y(x[j] - dy_gross - 1, d, self.amp)
        dx_xp = x_new - x[i] + 1 if x_new > x[i] else 1
        dx = ceil_div(dx_xp * PRECISION, self.rates[i])
        protocol_fee = (dy_gross - dy_net) * self.protocol_share_bps // BPS * PRECISION // self.rates[j]
        return dx, protocol_fee

    def mid(self, i: int, amount: int) -> int:
        """`amount` of coin `i` at the oracle mid in the other coin (FXPool._mid)."""
        return amount * self.rates[i] // self.rates[1 - i]

    # ---- state transitions ---------------------------------------------------------------------

    def swap_exact_in(self, i: int, dx: int) -> int:
        dy, pf = self.price_exact_in(i, dx)
        self._book(i, dx, dy, pf)
        return dy

    def swap_exact_out(self, i: int, dy: int) -> int:
        dx, pf = self.price_exact_out(i, dy)
        self._book(i, dx, dy, pf)
        return dx

    def _book(self, i: int, dx: int, dy: int, protocol_fee: int) -> None:
        j = 1 - i
        self.balances[i] += dx
        self.balances[j] -= dy + protocol_fee
        self.protocol_fees[j] += protocol_fee

    def price_deposit(self, amounts: list[int]) -> tuple[int, list[int]]:
        """(shares, per-coin imbalance fees) for depositing `amounts` (FXPool._priceDeposit)."""
        new = [self.balances[0] + amounts[0], self.balances[1] + amounts[1]]
        d1 = get_d(xp(new[0], self.rates[0]), xp(new[1], self.rates[1]), self.amp)
        if self.supply == 0:
            return d1 - MINIMUM_SHARES, [0, 0]
        d0 = self.invariant()
        fees = []
        for k in range(2):  # half the swap fee, rounded up as one division (the pool's favour)
            ideal = d1 * self.balances[k] // d0
            fees.append(ceil_div(abs(ideal - new[k]) * self.fee_bps, 2 * BPS))
        d2 = get_d(xp(new[0] - fees[0], self.rates[0]), xp(new[1] - fees[1], self.rates[1]), self.amp)
        return self.supply * (d2 - d0) // d0, fees

    def add_liquidity(self, amounts: list[int]) -> int:
        shares, fees = self.price_deposit(amounts)
        first = self.supply == 0
        for k in range(2):
            pf = fees[k] * self.protocol_share_bps // BPS
            self.balances[k] += amounts[k] - pf
            self.protocol_fees[k] += pf
        self.supply += shares + (MINIMUM_SHARES if first else 0)
        return shares

    def price_withdraw_one(self, shares: int, i: int) -> tuple[int, int, int]:
        """(amount, fee, protocol fee) for burning `shares` for coin `i` (FXPool._priceWithdrawOne)."""
        if shares >= self.supply:
            raise InsufficientLiquidity
        x = self.scaled()
        d0 = get_d(x[0], x[1], self.amp)
        d1 = d0 - shares * d0 // self.supply
        fee_bps = self.fee_bps  # half of it applies: divided by 2 * BPS below, rounded up
        xj = x[1 - i]
        new_y = get_y(xj, d1, self.amp)
        dy_no_fee_xp = x[i] - new_y
        ideal_i = x[i] * d1 // d0
        reduced_i = x[i] - ceil_div(max(ideal_i - new_y, 0) * fee_bps, 2 * BPS)
        y_after_fee = get_y(xj - ceil_div((xj - xj * d1 // d0) * fee_bps, 2 * BPS), d1, self.amp)
        if y_after_fee + 1 >= reduced_i:
            raise InsufficientLiquidity
        dy = (reduced_i - y_after_fee - 1) * PRECISION // self.rates[i]
        dy_no_fee = dy_no_fee_xp * PRECISION // self.rates[i]
        fee = max(dy_no_fee - dy, 0)
        return dy, fee, fee * self.protocol_share_bps // BPS

    def remove_liquidity(self, shares: int) -> list[int]:
        amounts = [b * shares // self.supply for b in self.balances]
        self.balances = [b - a for b, a in zip(self.balances, amounts, strict=True)]
        self.supply -= shares
        return amounts


# ---- constant product at equal TVL (for the chart) ---------------------------------------------


def constant_product_out(reserve_in: int, reserve_out: int, amount_in: int, fee_bps: int) -> int:
    """Uniswap V2's getAmountOut with a fee in bps."""
    amount_in_with_fee = amount_in * (BPS - fee_bps)
    return amount_in_with_fee * reserve_out // (reserve_in * BPS + amount_in_with_fee)
