"""The contract against corridor/exchange/stableswap.py: exact equality for every coin-0 decimals
(0, 2, 6, 18, like yearn's token matrix), and the rounding direction (always the pool's favour)."""

import brownie
import pytest
from brownie.test import given, strategy
from hypothesis import settings

from corridor.exchange.stableswap import PRECISION, DustAmount, Pool


@pytest.fixture(scope="module", params=[0, 2, 6, 18], ids=lambda d: f"dec{d}")
def deployed(request, make_pool):
    return make_pool(request.param)


def _units(deployed, usd: float) -> int:
    """Raw units of coin 0 worth about `usd` dollars."""
    return max(1, int(usd / 0.0067 * 10 ** deployed.token.decimals()))


@given(usd=strategy("decimal", min_value="0.01", max_value="2000000", places=2))
@settings(max_examples=10)
def test_exact_in_coin0_equals_model_and_rounds_down(deployed, usd):
    pool = deployed.pool
    dx = _units(deployed, float(usd))
    model = Pool.from_contract(pool)
    try:
        dy, _ = model.price_exact_in(0, dx)
    except DustAmount:
        with brownie.reverts(revert_pattern=r"DustAmount.*"):
            pool.getAmountOut(0, dx)
        return
    assert pool.getAmountOut(0, dx) == dy
    # value out (at mid) never exceeds value in: fee + rounding stay in the pool
    assert dy * model.rates[1] <= dx * model.rates[0]


@given(cents=strategy("uint256", min_value=1, max_value=200_000_000))
@settings(max_examples=10)
def test_exact_in_coin1_equals_model_and_rounds_down(deployed, cents):
    pool = deployed.pool
    model = Pool.from_contract(pool)
    dy, _ = model.price_exact_in(1, cents)
    assert pool.getAmountOut(1, cents) == dy
    assert dy * model.rates[0] <= cents * model.rates[1]


@given(cents=strategy("uint256", min_value=1, max_value=50_000_000), i=strategy("uint8", max_value=1))
@settings(max_examples=10)
def test_exact_out_equals_model_and_covers_the_output(deployed, cents, i):
    pool = deployed.pool
    model = Pool.from_contract(pool)
    # the output is `cents` of USD when buying USD, or the JPY worth them when buying JPY
    dy = cents if i == 0 else max(1, cents * model.rates[1] // model.rates[0])
    dx, _ = model.price_exact_out(i, dy)
    assert pool.getAmountIn(i, dy) == dx
    # rounding direction: paying dx buys at least dy
    assert model.price_exact_in(i, dx)[0] >= dy


@given(fraction=strategy("uint256", min_value=1, max_value=10_000))
@settings(max_examples=10)
def test_deposit_and_withdrawal_quotes_equal_model(deployed, admin, fraction):
    pool = deployed.pool
    model = Pool.from_contract(pool)
    b0, b1 = model.balances
    amounts = [b0 * fraction // 20_000, b1 * (10_000 - fraction) // 40_000]
    if amounts == [0, 0]:
        return
    assert pool.calcAddLiquidity(amounts) == model.price_deposit(amounts)[0]
    shares = pool.balanceOf(admin) * fraction // 20_000
    for i in (0, 1):
        assert pool.calcRemoveLiquidityOneCoin(shares, i) == model.price_withdraw_one(shares, i)[0]


def test_one_unit_of_coin0_pays_nothing_so_it_reverts(deployed, alice):
    """One raw unit of any of these coins is worth under a cent: the pool refuses the dust."""
    with brownie.reverts(revert_pattern=r"DustAmount.*"):
        deployed.pool.getAmountOut(0, 1)


def test_smallest_paying_sale_is_rounded_down_to_the_cent(deployed):
    pool = deployed.pool
    model = Pool.from_contract(pool)
    dx = 2 * model.rates[1] // model.rates[0] + 1  # worth a bit more than two cents
    out = pool.getAmountOut(0, dx)
    assert 1 <= out <= 2
    assert out * model.rates[1] <= dx * model.rates[0]


def test_virtual_price_starts_at_one(deployed):
    assert deployed.pool.virtualPrice() == PRECISION
