"""FXPool administration: construction checks, A ramps, fees, protocol fees, pause, roles."""

import brownie
import pytest
from brownie import chain

from corridor.exchange.deploy import DEFAULT_CONFIG
from corridor.exchange.deploy import NO_DEADLINE as FAR

DAY = 86_400
POOL_CFG = DEFAULT_CONFIG["pairs"]["JPY"]["pool"]


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


def _params(admin, coin0, coin1, feed, **over):
    p = dict(a=100, fee=4, share=5_000, max_age=DAY, max_jump=500)
    p.update(over)
    return (
        "LP",
        "LP",
        coin0,
        coin1,
        feed,
        p["a"],
        p["fee"],
        p["share"],
        p["max_age"],
        p["max_jump"],
        admin,
        0,
    )


def _now():
    return chain[-1].timestamp


def test_constructor_rejects_zero_addresses(FXPool, admin, busd, jpy_feed):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        FXPool.deploy(_params(admin, brownie.ZERO_ADDRESS, busd, jpy_feed), {"from": admin})


def test_constructor_rejects_more_than_18_decimals(FXPool, MockERC20, admin, busd, jpy_feed):
    weird = MockERC20.deploy("W", "W", 19, {"from": admin})
    with brownie.reverts(revert_pattern=r"InvalidDecimals.*"):
        FXPool.deploy(_params(admin, weird, busd, jpy_feed), {"from": admin})


@pytest.mark.parametrize("a", [0, 1_000_001])
def test_constructor_rejects_invalid_a(FXPool, admin, jpy, busd, jpy_feed, a):
    with brownie.reverts(revert_pattern=r"InvalidA.*"):
        FXPool.deploy(_params(admin, jpy, busd, jpy_feed, a=a), {"from": admin})


@pytest.mark.parametrize("answer", [0, -5, 2**64])
def test_constructor_rejects_an_invalid_feed_answer(FXPool, MockFXAggregator, admin, jpy, busd, answer):
    feed = MockFXAggregator.deploy(8, answer, {"from": admin})
    with brownie.reverts(revert_pattern=r"InvalidRate.*"):
        FXPool.deploy(_params(admin, jpy, busd, feed), {"from": admin})


def test_swap_on_a_negative_answer_reverts(FXPool, MockFXAggregator, admin, jpy, busd, alice, bob):
    feed = MockFXAggregator.deploy(8, 670_000, {"from": admin})
    pool = FXPool.deploy(_params(admin, jpy, busd, feed), {"from": admin})
    feed.set(-1, _now(), {"from": admin})
    with brownie.reverts(revert_pattern=r"InvalidRate.*"):
        pool.getAmountOut(0, 1_000)


def test_pool_reads_a_plain_chainlink_aggregator(FXPool, MockFXAggregator, admin, jpy, busd, alice, bob):
    """Any AggregatorV3Interface can anchor a pool: here a mock with 18 decimals."""
    feed = MockFXAggregator.deploy(18, 67 * 10**14, {"from": admin})
    pool = FXPool.deploy(_params(admin, jpy, busd, feed), {"from": admin})
    assert pool.rates()[0] == 67 * 10**14 * 10**18


@pytest.mark.parametrize("fees", [(0, 0), (101, 0), (4, 10_001)])
def test_constructor_rejects_invalid_fee(FXPool, admin, jpy, busd, jpy_feed, fees):
    with brownie.reverts(revert_pattern=r"InvalidFee.*"):
        FXPool.deploy(_params(admin, jpy, busd, jpy_feed, fee=fees[0], share=fees[1]), {"from": admin})


def test_constructor_rejects_invalid_oracle_guards(FXPool, admin, jpy, busd, jpy_feed):
    with brownie.reverts(revert_pattern=r"InvalidOracleGuards.*"):
        FXPool.deploy(_params(admin, jpy, busd, jpy_feed, max_age=0), {"from": admin})


def test_metadata(jpy_pool, jpy, busd, jpy_feed):
    assert jpy_pool.coins(0) == jpy and jpy_pool.coins(1) == busd
    assert jpy_pool.feed() == jpy_feed
    assert jpy_pool.A() == POOL_CFG["A"] * 100
    assert jpy_pool.fee() == (POOL_CFG["fee_bps"], POOL_CFG["protocol_share_bps"])
    assert jpy_pool.symbol() == "fxJPYSUSD"


def test_ramp_a_interpolates_linearly(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    start = _now()
    tx = jpy_pool.rampA(400, start + 2 * DAY + 1, {"from": admin})
    assert tx.events["RampStarted"]["futureA"] == 40_000
    chain.sleep(DAY)
    chain.mine()
    assert 29_000 < jpy_pool.A() < 31_000
    chain.sleep(2 * DAY)
    chain.mine()
    assert jpy_pool.A() == 40_000


def test_ramp_a_down(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    jpy_pool.rampA(50, _now() + DAY + 10, {"from": admin})
    chain.sleep(2 * DAY)
    chain.mine()
    assert jpy_pool.A() == 5_000


def test_ramp_a_too_soon_after_the_last_reverts(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    jpy_pool.rampA(400, _now() + 2 * DAY, {"from": admin})
    with brownie.reverts(revert_pattern=r"RampTooSoon.*"):
        jpy_pool.rampA(300, _now() + 3 * DAY, {"from": admin})


def test_ramp_a_too_short_reverts(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    with brownie.reverts(revert_pattern=r"RampTooShort.*"):
        jpy_pool.rampA(400, _now() + 3_600, {"from": admin})


def test_ramp_a_too_steep_reverts(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    with brownie.reverts(revert_pattern=r"RampTooSteep.*"):
        jpy_pool.rampA(POOL_CFG["A"] * 10 + 1, _now() + 2 * DAY, {"from": admin})


def test_ramp_a_to_zero_reverts(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    with brownie.reverts(revert_pattern=r"InvalidA.*"):
        jpy_pool.rampA(0, _now() + 2 * DAY, {"from": admin})


def test_stop_ramp_a_freezes_a(jpy_pool, admin):
    chain.sleep(DAY)
    chain.mine()
    jpy_pool.rampA(400, _now() + 2 * DAY, {"from": admin})
    chain.sleep(DAY)
    chain.mine()
    tx = jpy_pool.stopRampA({"from": admin})
    frozen = tx.events["RampStopped"]["currentA"]
    chain.sleep(DAY)
    chain.mine()
    assert jpy_pool.A() == frozen


def test_ramp_a_by_guardian_reverts(jpy_pool, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        jpy_pool.rampA(400, _now() + 2 * DAY, {"from": operator})


def test_set_fee(jpy_pool, admin):
    tx = jpy_pool.setFee(10, 2_000, {"from": admin})
    assert tx.events["FeeUpdated"]["feeBps"] == 10
    assert jpy_pool.fee() == (10, 2_000)


def test_set_fee_too_high_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"InvalidFee.*"):
        jpy_pool.setFee(101, 0, {"from": admin})


def test_set_fee_by_stranger_reverts(jpy_pool, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        jpy_pool.setFee(10, 0, {"from": stranger})


def test_claim_protocol_fees_pays_and_resets(jpy_pool, busd, admin, alice, bob, merchant):
    jpy_pool.swapExactIn(0, 10_000_000, 0, bob, FAR, {"from": alice})
    fees = jpy_pool.protocolFees()
    assert fees[1] > 0
    tx = jpy_pool.claimProtocolFees(merchant, {"from": admin})
    assert list(tx.events["ProtocolFeesClaimed"]["amounts"]) == list(fees)
    assert busd.balanceOf(merchant) == fees[1]
    assert jpy_pool.protocolFees() == (0, 0)


def test_claim_protocol_fees_to_zero_address_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        jpy_pool.claimProtocolFees(brownie.ZERO_ADDRESS, {"from": admin})


def test_claim_protocol_fees_by_stranger_reverts(jpy_pool, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        jpy_pool.claimProtocolFees(stranger, {"from": stranger})


def test_pause_and_unpause(jpy_pool, operator, alice, bob):
    jpy_pool.pause({"from": operator})
    assert jpy_pool.paused()
    jpy_pool.unpause({"from": operator})
    assert jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice}).return_value > 0


def test_pause_by_stranger_reverts(jpy_pool, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        jpy_pool.pause({"from": stranger})


def test_unpause_when_not_paused_reverts(jpy_pool, operator):
    with brownie.reverts(revert_pattern=r"ExpectedPause.*"):
        jpy_pool.unpause({"from": operator})


def test_pause_emits_openzeppelin_events(jpy_pool, operator):
    assert jpy_pool.pause({"from": operator}).events["Paused"]["account"] == operator
    assert jpy_pool.unpause({"from": operator}).events["Unpaused"]["account"] == operator


def test_pause_when_paused_reverts(jpy_pool, operator):
    jpy_pool.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        jpy_pool.pause({"from": operator})


def test_lock_is_released_after_a_call(jpy_pool, alice, bob):
    jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice})
    assert jpy_pool.balances()[0] > 0  # a guarded view works: the flag was cleared
