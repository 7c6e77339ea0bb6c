"""FXFeed, FXPool and FXRouter views (metadata, settings, quotes), traced under --coverage."""

import brownie
import pytest
from brownie import ZERO_ADDRESS, chain

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, deploy_pool, publish_fixing
from corridor.exchange.stableswap import Pool

DAY = 86_400
JPY_FEED = DEFAULT_CONFIG["pairs"]["JPY"]["feed"]

pytestmark = pytest.mark.call_coverage


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


# ---- FXFeed -----------------------------------------------------------------------------------


def test_feed_metadata_and_settings(jpy_feed):
    assert jpy_feed.decimals() == 8
    assert jpy_feed.description() == "JPY / USD"
    assert jpy_feed.heartbeat() == JPY_FEED["heartbeat"] == DAY + 3_600
    assert jpy_feed.maxMoveBps() == 300
    assert jpy_feed.maxClosure() == 4 * DAY


def test_feed_round_data_of_a_known_and_an_unknown_round(jpy_feed, operator):
    publish_fixing(jpy_feed, 671_000, operator)
    round_id, answer, started, updated, answered_in = jpy_feed.getRoundData(1)
    assert (round_id, answer, answered_in) == (1, 670_000, 1)
    assert started == updated > 0
    assert jpy_feed.getRoundData(2)[:2] == (2, 671_000)
    with brownie.reverts("RoundNotFound: 3"):
        jpy_feed.getRoundData(3)


def test_feed_market_hours_views(jpy_feed, operator):
    assert jpy_feed.marketOpen() is True
    assert jpy_feed.reopensAt() == 0
    reopens = chain[-1].timestamp + DAY
    jpy_feed.closeMarket(reopens, {"from": operator})
    assert jpy_feed.marketOpen() is False
    assert jpy_feed.reopensAt() == reopens


def test_feed_is_stale_only_after_the_heartbeat(jpy_feed):
    assert jpy_feed.isStale() is False
    chain.sleep(DAY + 3_601)
    chain.mine()
    assert jpy_feed.isStale() is True


def test_feed_fixing_window_views(jpy_feed, operator):
    """latestRoundData before, during and after a fixing window; fixingAt; acceptedRange."""
    assert jpy_feed.fixingAt() == 0
    assert jpy_feed.acceptedRange() == (670_000 - 20_100, 670_000 + 20_100)
    at = chain[-1].timestamp + 60
    jpy_feed.scheduleFixing(at, {"from": operator})
    assert jpy_feed.fixingAt() == at
    assert jpy_feed.latestRoundData()[0] == jpy_feed.latestRoundData()[4] == 1  # announced, not open
    chain.sleep(60)
    chain.mine()
    updated = jpy_feed.getRoundData(1)[3]
    assert jpy_feed.latestRoundData() == (2, 670_000, at, updated, 1)  # a round in progress
    publish_fixing(jpy_feed, 683_400, operator)
    assert jpy_feed.acceptedRange() == (683_400 - 20_502, 670_000 + 20_100)


# ---- FXPool -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_pool(project_containers, admin, jpy, busd):
    feed = deploy_feed(project_containers, admin, JPY_FEED)
    return deploy_pool(project_containers, admin, jpy, busd, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])


def test_pool_configuration_views(jpy_pool, jpy_feed, jpy, busd):
    assert jpy_pool.coins(0) == jpy
    assert jpy_pool.coins(1) == busd
    assert jpy_pool.feed() == jpy_feed
    assert jpy_pool.A() == 200 * 100
    assert jpy_pool.fee() == (4, 5_000)
    assert jpy_pool.oracleGuards() == (DAY + 3_600, 500)
    assert jpy_pool.paused() is False
    # JPY has 0 decimals and the feed 8: rate0 = 670,000 × 10^28; bUSD has 2: rate1 = 10^34
    assert jpy_pool.rates() == (670_000 * 10**28, 10**34)


def test_pool_coin_index_above_one_reverts(jpy_pool):
    with brownie.reverts("InvalidCoin: 2"):
        jpy_pool.coins(2)
    with brownie.reverts("InvalidCoin: 2"):
        jpy_pool.getMidAmountOut(2, 1)


def test_pool_invariant_and_virtual_price_match_the_model(jpy_pool, alice, bob):
    jpy_pool.swapExactIn(0, 5_000_000, 0, bob, 2**64, {"from": alice})  # fees lift the virtual price
    model = Pool.from_contract(jpy_pool)
    assert jpy_pool.invariant() == model.invariant()
    assert jpy_pool.virtualPrice() == model.virtual_price() > 10**18
    assert jpy_pool.balances() == tuple(model.balances)
    assert jpy_pool.protocolFees()[1] > 0


def test_empty_pool_invariant_and_virtual_price_are_zero(empty_pool):
    assert empty_pool.totalSupply() == 0
    assert empty_pool.invariant() == 0
    assert empty_pool.virtualPrice() == 0


def test_pool_quotes_match_the_model(jpy_pool):
    model = Pool.from_contract(jpy_pool)
    assert jpy_pool.getAmountOut(0, 1_000_000) == model.price_exact_in(0, 1_000_000)[0]
    assert jpy_pool.getAmountIn(1, 100_000) == model.price_exact_out(1, 100_000)[0]
    assert jpy_pool.getMidAmountOut(0, 1_000_000) == 670_000
    assert jpy_pool.getMidAmountOut(1, 670_000) == 1_000_000


def test_pool_liquidity_previews_match_the_model(jpy_pool):
    model = Pool.from_contract(jpy_pool)
    assert jpy_pool.calcAddLiquidity([1_000_000, 0]) == model.price_deposit([1_000_000, 0])[0]
    shares = jpy_pool.totalSupply() // 1_000
    assert jpy_pool.calcRemoveLiquidityOneCoin(shares, 1) == model.price_withdraw_one(shares, 1)[0]


# ---- FXRouter ---------------------------------------------------------------------------------


def test_router_registry_views(router, jpy, khr, busd, jpy_pool, khr_pool):
    assert router.hub() == busd
    assert router.poolOf(jpy) == jpy_pool
    assert router.poolOf(khr) == khr_pool
    assert router.poolOf(busd) == ZERO_ADDRESS


def test_router_quotes_chain_the_pool_quotes(router, jpy_pool, khr_pool, jpy, busd, khr):
    usd = jpy_pool.getAmountOut(0, 1_000_000)
    assert router.quoteExactIn([jpy, busd, khr], 1_000_000) == khr_pool.getAmountOut(1, usd)
    usd_needed = khr_pool.getAmountIn(1, 10_000_000)
    assert router.quoteExactOut([jpy, busd, khr], 10_000_000) == jpy_pool.getAmountIn(0, usd_needed)
    # ¥1m × 0.0067 = $6,700 → ÷ 0.000245 = ៛27,346,938
    assert router.quoteMid([jpy, busd, khr], 1_000_000) == 27_346_938
