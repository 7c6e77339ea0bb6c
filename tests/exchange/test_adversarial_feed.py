"""A feed that goes stale or jumps, seen through the router (one and two hops, exact in and out, quotes and
swaps) and through a misbehaving aggregator (zero, negative, oversized answers, a timestamp from the future):
nothing trades on a bad rate, a two-hop route never half-executes, and balanced withdrawals keep working."""

import brownie
import pytest
from brownie import chain

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_pool, publish_fixing, seed_pool
from corridor.exchange.deploy import NO_DEADLINE as FAR

REF = b"INV-FEED".ljust(32, b"\0")


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


def _state(pools, tokens, holders):
    return (
        [p.balances() for p in pools],
        [[t.balanceOf(h) for h in holders] for t in tokens],
    )


ROUTES = {
    "jpy->usd exact in": lambda r, j, u, k, a: r.swapExactIn([j, u], 1_000_000, 0, a, FAR, REF, {"from": a}),
    "jpy->usd->khr exact in": lambda r, j, u, k, a: r.swapExactIn(
        [j, u, k], 1_000_000, 0, a, FAR, REF, {"from": a}
    ),
    "khr->usd->jpy exact out": lambda r, j, u, k, a: r.swapExactOut(
        [k, u, j], 50_000, 2**255, a, FAR, REF, {"from": a}
    ),
}


@pytest.mark.parametrize("route", ROUTES, ids=list(ROUTES))
def test_stale_feed_stops_every_route_through_its_pool(
    router, jpy_pool, khr_pool, jpy_feed, khr_feed, jpy, busd, khr, alice, operator, route
):
    """The JPY reporter went silent past the pool's maxAge (the KHR one kept re-confirming): every route touching
    the JPY pool reverts StaleRate and nothing moves, including the KHR hop of a two-hop route."""
    max_age = jpy_pool.oracleGuards()[0]
    chain.sleep(max_age + 1)
    chain.mine()
    khr_feed.submit(khr_feed.latestRoundData()[1], {"from": operator})
    before = _state([jpy_pool, khr_pool], [jpy, busd, khr], [alice, jpy_pool, khr_pool])
    with brownie.reverts(revert_pattern=r"StaleRate.*"):
        ROUTES[route](router, jpy, busd, khr, alice)
    assert _state([jpy_pool, khr_pool], [jpy, busd, khr], [alice, jpy_pool, khr_pool]) == before


def test_stale_feed_stops_router_quotes(router, jpy_pool, jpy, busd, khr):
    chain.sleep(jpy_pool.oracleGuards()[0] + 1)
    chain.mine()
    for quote in (
        lambda: router.quoteExactIn([jpy, busd, khr], 1_000_000),
        lambda: router.quoteExactOut([khr, busd, jpy], 50_000),
        lambda: router.quoteMid([jpy, busd], 1_000_000),
    ):
        with brownie.reverts(revert_pattern=r"StaleRate.*"):
            quote()


@pytest.mark.parametrize("route", ROUTES, ids=list(ROUTES))
def test_jumped_second_feed_reverts_the_whole_route(
    router, jpy_pool, khr_pool, khr_feed, jpy, busd, khr, alice, admin, route
):
    """The KHR fixing is forced 10% away (past its feed's breaker by the feed admin): the pools' jump guard
    refuses it. On a two-hop JPY→USD→KHR route the JPY hop, already executed, unwinds with the KHR hop."""
    answer = khr_feed.latestRoundData()[1]
    khr_feed.forceSubmit(answer * 11 // 10, {"from": admin})
    before = _state([jpy_pool, khr_pool], [jpy, busd, khr], [alice, jpy_pool, khr_pool])
    if route == "jpy->usd exact in":
        ROUTES[route](router, jpy, busd, khr, alice)  # does not touch KHR: trades normally
        assert _state([jpy_pool, khr_pool], [jpy, busd, khr], [alice, jpy_pool, khr_pool]) != before
        return
    with brownie.reverts(revert_pattern=r"RateJumped.*"):
        ROUTES[route](router, jpy, busd, khr, alice)
    assert _state([jpy_pool, khr_pool], [jpy, busd, khr], [alice, jpy_pool, khr_pool]) == before


def test_walk_within_the_breaker_then_a_jump_is_still_refused(
    router, jpy_pool, jpy_feed, jpy, busd, alice, operator, admin
):
    """A reporter steps the rate by the feed's maximum, the pool follows (its reference moves with each use),
    then the admin forces a 10% move: the pool's guard measures from the last rate it used and refuses."""
    answer = jpy_feed.latestRoundData()[1]
    step = answer * (10_000 + jpy_feed.maxMoveBps()) // 10_000
    publish_fixing(jpy_feed, step, operator)
    router.swapExactIn([jpy, busd], 1_000, 0, alice, FAR, REF, {"from": alice})
    jpy_feed.forceSubmit(step * 11 // 10, {"from": admin})
    with brownie.reverts(f"RateJumped: {step}, {step * 11 // 10}, {jpy_pool.oracleGuards()[1]}"):
        router.swapExactIn([jpy, busd], 1_000, 0, alice, FAR, REF, {"from": alice})


def test_balanced_withdrawal_works_on_a_jumped_feed(jpy_pool, jpy_feed, admin, jpy, busd):
    """LPs can always leave pro rata: a balanced withdrawal never reads the oracle."""
    jpy_feed.forceSubmit(jpy_feed.latestRoundData()[1] * 2, {"from": admin})
    shares = jpy_pool.balanceOf(admin) // 10
    before = (jpy.balanceOf(admin), busd.balanceOf(admin))
    out = jpy_pool.removeLiquidity(shares, [0, 0], admin, FAR, {"from": admin}).return_value
    assert out[0] > 0 and out[1] > 0
    assert (jpy.balanceOf(admin), busd.balanceOf(admin)) == (before[0] + out[0], before[1] + out[1])


# ---- a misbehaving aggregator (what FXFeed never produces; a replacement Chainlink feed might) -------


@pytest.fixture(scope="module")
def mock_pool(project_containers, MockFXAggregator, admin, jpy, busd, alice, funded):
    feed = MockFXAggregator.deploy(8, 670_000, {"from": admin})
    pool = deploy_pool(project_containers, admin, jpy, busd, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])
    seed_pool(pool, jpy, busd, admin, 15_000_000, 10_050_000)
    for token in (jpy, busd):
        token.approve(pool, 2**256 - 1, {"from": alice})
    return pool, feed


@pytest.mark.parametrize("answer", [0, -670_000, 2**64], ids=["zero", "negative", "above-uint64"])
def test_swap_on_an_invalid_answer_reverts(mock_pool, alice, answer):
    pool, feed = mock_pool
    feed.set(answer, chain.time(), {"from": alice})
    with brownie.reverts(f"InvalidRate: {answer}"):
        pool.swapExactIn(0, 10_000, 0, alice, FAR, {"from": alice})


def test_answer_dated_in_the_future_is_treated_as_fresh(mock_pool, alice):
    """Documents a limit: the pool bounds the age from below only (updatedAt + maxAge >= now), so a feed that
    post-dates its answer stays "fresh" until that date plus maxAge. FXFeed always stamps block.timestamp; a
    replacement feed must be a well-behaved Chainlink aggregator."""
    pool, feed = mock_pool
    feed.set(670_000, chain.time() + 10 * 86_400, {"from": alice})
    chain.sleep(pool.oracleGuards()[0] + 3_600)
    chain.mine()
    assert pool.swapExactIn(0, 10_000, 0, alice, FAR, {"from": alice}).return_value > 0


def test_balanced_withdrawal_works_on_an_invalid_answer(mock_pool, admin, alice):
    pool, feed = mock_pool
    feed.set(0, chain.time(), {"from": alice})
    out = pool.removeLiquidity(pool.balanceOf(admin) // 2, [0, 0], admin, FAR, {"from": admin}).return_value
    assert out[0] > 0 and out[1] > 0


def test_feed_admin_can_walk_the_pool_rate_one_jump_per_trade(jpy_pool, jpy_feed, jpy, busd, admin, alice):
    """Documents the trust in the feed's admin: forceSubmit bypasses the feed's breaker, and the pool's jump
    guard measures from the last rate it traded at, so alternating forced fixings (each just inside
    maxJumpBps) with small trades walks the pool's rate without bound. Only the pool guardian's pause stops
    it; the feed admin must be held like the pool admin."""
    answer = jpy_feed.latestRoundData()[1]
    jump = jpy_pool.oracleGuards()[1] - 10  # bps, just inside the guard
    for _ in range(4):
        answer = answer * (10_000 + jump) // 10_000
        jpy_feed.forceSubmit(answer, {"from": admin})
        jpy_pool.swapExactIn(1, 100, 0, alice, FAR, {"from": alice})
    rate0 = jpy_pool.rates()[0]
    assert answer > jpy_feed.getRoundData(1)[1] * 6 // 5  # > +20% in four steps
    assert (
        rate0 == answer * 10**28
    )  # the pool now prices yen at the walked rate (0-decimal yen, 8-decimal feed)
