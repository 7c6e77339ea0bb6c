"""Finding 2 (High): sandwiching an honest FX fixing.

Official fixings are public off chain before they land on chain, so an attacker needs no mempool
access: buy JPY from the pool just before an honest +1% fixing (inside the feed's breaker and the pool's
jump guard) and sell it just after. On 779b121 $100k earned $913.90 and $300k earned $2,738.18, paid by
the LPs. Fix: fixing windows. The reporter announces each fixing (`scheduleFixing(at)`, `at` = its
publication time); from `at` until the fixing lands the feed reports a round in progress and the pool
refuses every priced operation (`FixingPending`), so the first leg of the sandwich cannot trade on the
old rate. An off-schedule update gets a window of its own (`publish_fixing`, `FeedReporter.publish`):
the feed refuses any change of rate outside a window."""

import brownie
import pytest
from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import given, strategy
from hypothesis import settings

from corridor.exchange.deploy import NO_DEADLINE as FAR

USD = 100  # bUSD has 2 decimals
ANNOUNCED = 3_600  # the reporter announces the fixing an hour before its publication time


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


def _now() -> int:
    return chain[-1].timestamp


def _swap(pool, i, amount, attacker):
    """The attacker's swap, or None if the pool refused it because a fixing is pending."""
    try:
        return pool.swapExactIn(i, amount, 0, attacker, FAR, {"from": attacker}).return_value
    except VirtualMachineError as exc:
        assert "FixingPending" in str(exc), str(exc)
        return None


def _open_window(feed, reporter, scheduled):
    """The fixing becomes known off chain: at its announced time, or (off schedule) as the reporter
    opens a window on the spot before sending it."""
    if scheduled:
        at = _now() + ANNOUNCED
        feed.scheduleFixing(at, {"from": reporter})
        chain.sleep(at - _now())
        chain.mine()
    else:
        feed.scheduleFixing(_now(), {"from": reporter})


def _sandwich(pool, feed, reporter, attacker, usd_in, move_bps, scheduled=True):
    """Buy before the fixing lands, sell after; the profit in the sold coin's units (0 if refused).

    Up-move: buy JPY with `usd_in` cents, sell it back. Down-move: sell JPY worth `usd_in`, buy it
    back."""
    previous = feed.latestRoundData()[1]
    fixing = previous * (10_000 + move_bps) // 10_000
    i = 1 if move_bps >= 0 else 0
    amount = usd_in if i == 1 else usd_in * 10**8 // (previous * USD)
    _open_window(feed, reporter, scheduled)
    bought = _swap(pool, i, amount, attacker)
    feed.submit(fixing, {"from": reporter})
    if bought is None:
        return 0
    return pool.swapExactIn(1 - i, bought, 0, attacker, FAR, {"from": attacker}).return_value - amount


@pytest.mark.parametrize("usd", [100_000, 300_000])
def test_sandwich_of_an_honest_fixing_does_not_pay(jpy_pool, jpy_feed, operator, alice, usd):
    """The finding's numbers: the buy at the old rate is refused once the fixing is known."""
    reserves = jpy_pool.balances()
    profit = _sandwich(jpy_pool, jpy_feed, operator, alice, usd * USD, 100)
    assert profit <= 0, f"the attacker earned ${profit / USD:,.2f}"
    assert jpy_pool.balances() == reserves  # no trade happened: the LPs lost nothing
    assert jpy_pool.rates()[0] == 676_700 * 10**28  # the pool now trades at the fixing


def test_the_pool_trades_until_the_window_opens_and_after_the_fixing_lands(
    jpy_pool, jpy_feed, operator, alice
):
    """Honest swappers lose only the window: from the announced time until the fixing lands."""
    at = _now() + ANNOUNCED
    jpy_feed.scheduleFixing(at, {"from": operator})
    assert _swap(jpy_pool, 1, 1_000 * USD, alice) > 0  # announced, not yet published: trading goes on
    chain.sleep(at - _now())
    chain.mine()
    started = jpy_feed.latestRoundData()
    assert (started[0], started[2], started[4]) == (2, at, 1)  # round 2 in progress since `at`
    for call in (
        lambda: jpy_pool.swapExactOut(0, 1_000, 2**255, alice, FAR, {"from": alice}),
        lambda: jpy_pool.addLiquidity([1_000, 1_000], 0, alice, FAR, {"from": alice}),
        lambda: jpy_pool.removeLiquidityOneCoin(1_000, 0, 0, alice, FAR, {"from": alice}),
        lambda: jpy_pool.getAmountOut(0, 1_000),
        lambda: jpy_pool.rates(),
    ):
        with brownie.reverts(revert_pattern=rf"FixingPending: 2, {at}"):
            call()
    jpy_feed.submit(676_700, {"from": operator})
    assert _swap(jpy_pool, 1, 1_000 * USD, alice) > 0


def test_balanced_withdrawal_works_during_a_fixing_window(jpy_pool, jpy_feed, admin, operator):
    jpy_feed.scheduleFixing(_now(), {"from": operator})
    out = jpy_pool.removeLiquidity(10**18, [0, 0], admin, FAR, {"from": admin}).return_value
    assert out[0] > 0 and out[1] > 0


def test_an_off_schedule_update_cannot_be_sandwiched(jpy_pool, jpy_feed, operator, alice):
    """The reporter pushes a correction without a scheduled window: the feed refuses a change of rate
    outside a window, so the reporter opens one (its own transaction) before the new rate is sent."""
    with brownie.reverts(revert_pattern=r"FixingWindowNotOpen: 0"):
        jpy_feed.submit(676_700, {"from": operator})
    assert _sandwich(jpy_pool, jpy_feed, operator, alice, 100_000 * USD, 100, scheduled=False) == 0


@given(
    move_bps=strategy("int256", min_value=-300, max_value=300),
    usd=strategy("uint256", min_value=100, max_value=500_000),
    scheduled=strategy("bool"),
)
@settings(max_examples=25)
def test_no_round_trip_around_a_fixing_pays(jpy_pool, jpy_feed, operator, alice, move_bps, usd, scheduled):
    """Property (finding 2): for every fixing within the breaker (±3%) and every trade size up to half
    the pool, scheduled or off schedule, buy-before / sell-after does not pay; and a round trip after
    the fixing has landed loses the fees."""
    assert _sandwich(jpy_pool, jpy_feed, operator, alice, usd * USD, move_bps, scheduled) <= 0
    jpy = _swap(jpy_pool, 1, usd * USD, alice)
    assert jpy_pool.swapExactIn(0, jpy, 0, alice, FAR, {"from": alice}).return_value < usd * USD
