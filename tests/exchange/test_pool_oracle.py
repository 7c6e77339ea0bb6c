"""FXPool oracle guards: rate multipliers, staleness, jumps, the guardian's re-sync."""

import brownie
import pytest
from brownie import chain

from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.exchange.deploy import publish_fixing
from corridor.exchange.stableswap import rate_multiplier, usd_rate


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


def _age(seconds):
    chain.sleep(seconds)
    chain.mine()


def test_rates_are_curve_multipliers(jpy_pool, khr_pool):
    assert jpy_pool.rates() == (rate_multiplier(670_000, 0, 8), usd_rate(2))
    assert khr_pool.rates() == (rate_multiplier(24_500, 0, 8), usd_rate(2))


def test_new_rate_moves_the_mid(jpy_pool, jpy_feed, operator):
    publish_fixing(jpy_feed, 680_000, operator)
    assert jpy_pool.getMidAmountOut(0, 1_000_000) == 680_000


def test_swap_on_a_stale_rate_reverts(jpy_pool, alice, bob):
    max_age, _ = jpy_pool.oracleGuards()
    _age(max_age + 1)
    with brownie.reverts(revert_pattern=r"StaleRate.*"):
        jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice})


def test_views_on_a_stale_rate_revert(jpy_pool):
    _age(jpy_pool.oracleGuards()[0] + 1)
    with brownie.reverts(revert_pattern=r"StaleRate.*"):
        jpy_pool.getAmountOut(0, 1_000)
    with brownie.reverts(revert_pattern=r"StaleRate.*"):
        jpy_pool.rates()


def test_reconfirmed_rate_is_fresh_again(jpy_pool, jpy_feed, operator, alice, bob):
    _age(jpy_pool.oracleGuards()[0] + 1)
    jpy_feed.submit(670_000, {"from": operator})
    assert jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice}).return_value > 0


def test_weekend_reconfirmations_keep_the_pool_open(khr_pool, khr_feed, operator, alice, bob):
    """The market closes Friday evening; the reporter re-confirms daily; trading continues."""
    khr_feed.closeMarket(chain[-1].timestamp + 3 * 86_400, {"from": operator})
    for _ in range(3):
        _age(86_400)
        khr_feed.submit(24_500, {"from": operator})
        khr_pool.swapExactIn(0, 10_000, 0, bob, FAR, {"from": alice})


def test_jump_beyond_the_guard_reverts(jpy_pool, jpy_feed, admin, alice, bob):
    jpy_feed.forceSubmit(670_000 * 106 // 100, {"from": admin})  # +6% > 5% guard
    with brownie.reverts(revert_pattern=r"RateJumped.*"):
        jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice})


def test_steps_within_the_guard_move_the_reference(jpy_pool, jpy_feed, operator, alice, bob):
    """Each swap re-anchors the jump reference, so a trend of daily fixings keeps the pool open."""
    answer = 670_000
    for _ in range(3):
        _age(jpy_feed.heartbeat())
        answer = answer * 103 // 100
        publish_fixing(jpy_feed, answer, operator)
        jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice})
    assert jpy_pool.getMidAmountOut(0, 1_000_000) == answer


def test_guardian_sync_accepts_a_legitimate_jump(jpy_pool, jpy_feed, admin, operator, alice, bob):
    jpy_feed.forceSubmit(600_000, {"from": admin})
    tx = jpy_pool.syncRate({"from": operator})
    assert (tx.events["RateSynced"]["previousAnswer"], tx.events["RateSynced"]["answer"]) == (
        670_000,
        600_000,
    )
    assert jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice}).return_value > 0


def test_sync_rate_by_stranger_reverts(jpy_pool, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        jpy_pool.syncRate({"from": stranger})


def test_sync_rate_on_a_stale_feed_reverts(jpy_pool, operator):
    _age(jpy_pool.oracleGuards()[0] + 1)
    with brownie.reverts(revert_pattern=r"StaleRate.*"):
        jpy_pool.syncRate({"from": operator})


def test_set_oracle_guards(jpy_pool, admin):
    tx = jpy_pool.setOracleGuards(3_600, 100, {"from": admin})
    assert tx.events["OracleGuardsSet"]["maxAge"] == 3_600
    assert jpy_pool.oracleGuards() == (3_600, 100)


@pytest.mark.parametrize("guards", [(0, 100), (8 * 86_400, 100), (3_600, 0), (3_600, 2_001)])
def test_set_oracle_guards_out_of_range_reverts(jpy_pool, admin, guards):
    with brownie.reverts(revert_pattern=r"InvalidOracleGuards.*"):
        jpy_pool.setOracleGuards(*guards, {"from": admin})


def test_set_oracle_guards_by_guardian_reverts(jpy_pool, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        jpy_pool.setOracleGuards(3_600, 100, {"from": operator})
