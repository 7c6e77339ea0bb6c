"""Finding 2 (High): sandwiching an honest FX fixing.

The attacker knows the fixing before it lands (official fixings are public off chain first), buys JPY
from the pool just before the honest update and sells it just after."""

from brownie import chain

from corridor.exchange.deploy import NO_DEADLINE as FAR

USD = 100  # bUSD has 2 decimals


def _sandwich(pool, feed, reporter, attacker, usd_in, move_bps):
    """Buy JPY with `usd_in` (bUSD units), honest fixing `move_bps` up, sell the JPY: bUSD profit."""
    previous = feed.latestRoundData()[1]
    fixing = previous * (10_000 + move_bps) // 10_000
    jpy = pool.swapExactIn(1, usd_in, 0, attacker, FAR, {"from": attacker}).return_value
    feed.submit(fixing, {"from": reporter})
    usd_out = pool.swapExactIn(0, jpy, 0, attacker, FAR, {"from": attacker}).return_value
    return usd_out - usd_in


def test_sandwich_of_an_honest_fixing_does_not_pay(funded, jpy_pool, jpy_feed, operator, alice):
    vp = jpy_pool.virtualPrice()
    profit = _sandwich(jpy_pool, jpy_feed, operator, alice, 100_000 * USD, 100)
    chain.mine()
    assert profit <= 0, f"the attacker earned ${profit / USD:,.2f}; virtual price {vp} -> {jpy_pool.virtualPrice()}"
