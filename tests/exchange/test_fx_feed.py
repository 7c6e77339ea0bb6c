"""FXFeed: Chainlink compatibility, reporters, heartbeat, circuit breaker, market hours, fixing windows."""

import brownie
import pytest
from brownie import chain
from brownie.test import given, strategy
from hypothesis import settings

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, publish_fixing

DAY = 86_400


def now() -> int:
    """Timestamp of the latest block (chain.time() drifts across snapshot reverts)."""
    return chain[-1].timestamp


@pytest.fixture(scope="module")
def feed(project_containers, admin, operator):
    f = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    f.grantRole(f.REPORTER_ROLE(), operator, {"from": admin})
    f.grantRole(f.MARKET_HOURS_ROLE(), operator, {"from": admin})
    return f


def test_metadata_matches_chainlink_interface(feed):
    assert feed.decimals() == 8
    assert feed.description() == "JPY / USD"
    assert feed.version() == 1


def test_initial_answer_is_round_one(feed):
    round_id, answer, started, updated, answered_in = feed.latestRoundData()
    assert (round_id, answer, answered_in) == (1, 670_000, 1)
    assert started == updated > 0


def test_submit_creates_a_new_round(feed, operator):
    tx = publish_fixing(feed, 671_000, operator)
    assert tx.return_value == 2
    assert tx.events["AnswerUpdated"]["current"] == 671_000
    assert tx.events["NewRound"]["roundId"] == 2
    assert feed.latestRoundData()[:2] == (2, 671_000)
    assert feed.getRoundData(1)[1] == 670_000


def test_get_round_data_of_unknown_round_reverts(feed):
    with brownie.reverts(revert_pattern=r"RoundNotFound.*"):
        feed.getRoundData(7)


def test_submit_by_non_reporter_reverts(feed, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        feed.submit(671_000, {"from": stranger})


@pytest.mark.parametrize("answer", [0, -1])
def test_submit_non_positive_reverts(feed, operator, answer):
    with brownie.reverts(revert_pattern=r"AnswerNotPositive.*"):
        feed.submit(answer, {"from": operator})


def test_move_at_the_limit_is_accepted(feed, operator):
    publish_fixing(feed, 670_000 * 10_300 // 10_000, operator)  # exactly +3%
    assert feed.latestRoundData()[1] == 690_100


def test_move_above_the_limit_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"MoveTooLarge.*"):
        publish_fixing(feed, 690_101, operator)


def test_repeated_steps_cannot_walk_the_rate_within_a_heartbeat(feed, operator):
    publish_fixing(feed, 683_400, operator)  # +2%
    with brownie.reverts(revert_pattern=r"MoveTooLarge.*"):
        publish_fixing(feed, 697_000, operator)  # +2% again: +4% from the window's anchor


def test_a_new_window_starts_after_a_heartbeat(feed, operator):
    publish_fixing(feed, 683_400, operator)
    chain.sleep(feed.heartbeat())
    chain.mine()
    publish_fixing(feed, 697_000, operator)  # +2% from the new anchor (683,400)
    assert feed.latestRoundData()[1] == 697_000


def test_steps_back_and_forth_within_the_band_are_accepted(feed, operator):
    for answer in (680_000, 662_000, 670_000):  # each within 3% of the previous and of the anchor
        publish_fixing(feed, answer, operator)
    assert feed.latestRoundData()[:2] == (4, 670_000)


def test_force_submit_restarts_the_window(feed, admin, operator):
    feed.forceSubmit(600_000, {"from": admin})
    publish_fixing(feed, 617_000, operator)  # +2.8% from the forced answer
    assert feed.latestRoundData()[1] == 617_000


def test_force_submit_overrides_the_circuit_breaker(feed, admin):
    feed.forceSubmit(500_000, {"from": admin})
    assert feed.latestRoundData()[1] == 500_000


def test_force_submit_by_reporter_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        feed.forceSubmit(500_000, {"from": operator})


def test_force_submit_out_of_range_reverts(feed, admin):
    with brownie.reverts(revert_pattern=r"AnswerOutOfRange.*"):
        feed.forceSubmit(2**111, {"from": admin})


def test_is_stale_after_the_heartbeat(feed, operator):
    assert not feed.isStale()
    chain.sleep(feed.heartbeat() + 1)
    chain.mine()
    assert feed.isStale()
    feed.submit(670_000, {"from": operator})
    assert not feed.isStale()


def test_closed_market_accepts_a_reconfirmation(feed, operator):
    feed.closeMarket(now() + 2 * DAY, {"from": operator})
    assert not feed.marketOpen()
    feed.submit(670_000, {"from": operator})
    assert feed.latestRoundData()[0] == 2


def test_closed_market_refuses_a_new_rate(feed, operator):
    feed.closeMarket(now() + 2 * DAY, {"from": operator})
    with brownie.reverts(revert_pattern=r"MarketIsClosed.*"):
        feed.submit(671_000, {"from": operator})


def test_market_reopens_by_itself(feed, operator):
    tx = feed.closeMarket(now() + DAY, {"from": operator})
    assert tx.events["MarketClosed"]["reopensAt"] == feed.reopensAt()
    chain.sleep(DAY + 1)
    chain.mine()
    assert feed.marketOpen()
    publish_fixing(feed, 671_000, operator)


def test_open_market_ends_a_closure_early(feed, operator):
    feed.closeMarket(now() + DAY, {"from": operator})
    tx = feed.openMarket({"from": operator})
    assert "MarketOpened" in tx.events
    assert feed.marketOpen()
    publish_fixing(feed, 671_000, operator)


def test_open_market_when_open_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"MarketNotClosed.*"):
        feed.openMarket({"from": operator})


def test_close_market_in_the_past_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"ReopeningNotInFuture.*"):
        feed.closeMarket(now(), {"from": operator})


def test_close_market_longer_than_max_closure_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"ClosureTooLong.*"):
        feed.closeMarket(now() + feed.maxClosure() + 60, {"from": operator})


def test_close_market_by_stranger_reverts(feed, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        feed.closeMarket(now() + DAY, {"from": stranger})


def test_set_heartbeat(feed, admin):
    tx = feed.setHeartbeat(3_600, {"from": admin})
    assert tx.events["HeartbeatSet"]["heartbeat"] == 3_600
    assert feed.heartbeat() == 3_600


def test_set_heartbeat_zero_reverts(feed, admin):
    with brownie.reverts(revert_pattern=r"InvalidHeartbeat.*"):
        feed.setHeartbeat(0, {"from": admin})


def test_set_max_move(feed, admin):
    tx = feed.setMaxMove(50, {"from": admin})
    assert tx.events["MaxMoveSet"]["maxMoveBps"] == 50
    assert feed.maxMoveBps() == 50


@pytest.mark.parametrize("bps", [0, 10_001])
def test_set_max_move_out_of_range_reverts(feed, admin, bps):
    with brownie.reverts(revert_pattern=r"InvalidMaxMove.*"):
        feed.setMaxMove(bps, {"from": admin})


def test_setters_by_reporter_revert(feed, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        feed.setHeartbeat(3_600, {"from": operator})


@pytest.mark.parametrize("decimals", [0, 19])
def test_constructor_rejects_bad_decimals(FXFeed, admin, decimals):
    with brownie.reverts(revert_pattern=r"InvalidDecimals.*"):
        FXFeed.deploy(decimals, "X / USD", 1, 3_600, 100, DAY, admin, 0, {"from": admin})


def test_constructor_rejects_zero_max_closure(FXFeed, admin):
    with brownie.reverts(revert_pattern=r"InvalidHeartbeat.*"):
        FXFeed.deploy(8, "X / USD", 1, 3_600, 100, 0, admin, 0, {"from": admin})


def test_constructor_rejects_non_positive_answer(FXFeed, admin):
    with brownie.reverts(revert_pattern=r"AnswerNotPositive.*"):
        FXFeed.deploy(8, "X / USD", 0, 3_600, 100, DAY, admin, 0, {"from": admin})


# ---- fixing windows (finding 2) ------------------------------------------------------------------


def test_a_new_rate_outside_a_fixing_window_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"FixingWindowNotOpen: 0"):
        feed.submit(671_000, {"from": operator})


def test_a_window_not_yet_open_refuses_a_new_rate_but_not_a_reconfirmation(feed, operator):
    at = now() + 3_600
    tx = feed.scheduleFixing(at, {"from": operator})
    assert tx.events["FixingScheduled"]["fixingAt"] == at == feed.fixingAt()
    assert feed.latestRoundData()[0] == feed.latestRoundData()[4] == 1  # nothing in progress yet
    with brownie.reverts(revert_pattern=rf"FixingWindowNotOpen: {at}"):
        feed.submit(671_000, {"from": operator})
    feed.submit(670_000, {"from": operator})  # the heartbeat goes on
    assert feed.fixingAt() == at  # and the announced window stays


def test_an_open_window_reports_a_round_in_progress(feed, operator):
    at = now() + 100
    feed.scheduleFixing(at, {"from": operator})
    chain.sleep(100)
    chain.mine()
    updated = feed.latestRoundData()[3]
    assert feed.latestRoundData() == (2, 670_000, at, updated, 1)  # Chainlink: answeredInRound < roundId
    with brownie.reverts(revert_pattern=r"RoundNotFound: 2"):
        feed.getRoundData(2)
    tx = feed.submit(676_700, {"from": operator})
    assert feed.latestRoundData() == (2, 676_700, tx.timestamp, tx.timestamp, 2)
    assert feed.fixingAt() == 0


def test_a_reconfirmation_answers_an_open_window(feed, operator):
    feed.scheduleFixing(now(), {"from": operator})
    feed.submit(670_000, {"from": operator})  # the fixing came out unchanged
    assert feed.latestRoundData()[0] == feed.latestRoundData()[4] == 2
    assert feed.fixingAt() == 0


def test_a_start_in_the_past_opens_the_window_now(feed, operator):
    tx = feed.scheduleFixing(1, {"from": operator})
    assert tx.events["FixingScheduled"]["fixingAt"] == tx.timestamp == feed.latestRoundData()[2]


def test_a_window_not_yet_open_may_be_rescheduled(feed, operator):
    feed.scheduleFixing(now() + 3_600, {"from": operator})
    feed.scheduleFixing(now() + 7_200, {"from": operator})
    assert feed.fixingAt() == now() + 7_200


def test_scheduling_while_a_window_is_open_reverts(feed, operator):
    tx = feed.scheduleFixing(now(), {"from": operator})
    with brownie.reverts(revert_pattern=rf"FixingWindowOpen: {tx.timestamp}"):
        feed.scheduleFixing(now() + 3_600, {"from": operator})


def test_scheduling_at_zero_reverts(feed, operator):
    with brownie.reverts(revert_pattern=r"InvalidFixingTime: 0"):
        feed.scheduleFixing(0, {"from": operator})


def test_scheduling_by_non_reporter_reverts(feed, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        feed.scheduleFixing(now(), {"from": stranger})


def test_force_submit_answers_an_open_window(feed, admin, operator):
    feed.scheduleFixing(now(), {"from": operator})
    feed.forceSubmit(600_000, {"from": admin})
    assert feed.fixingAt() == 0
    assert feed.latestRoundData()[:2] == (2, 600_000) and feed.latestRoundData()[4] == 2


def test_force_submit_keeps_an_announced_window(feed, admin, operator):
    at = now() + 3_600
    feed.scheduleFixing(at, {"from": operator})
    feed.forceSubmit(600_000, {"from": admin})
    assert feed.fixingAt() == at


# ---- the breaker over a heartbeat (finding 5) -----------------------------------------------------


def test_accepted_range_is_the_breaker_bound(feed, operator):
    assert feed.acceptedRange() == (670_000 - 20_100, 670_000 + 20_100)
    publish_fixing(feed, 683_400, operator)  # +2%: the range is now [670,000; 683,400]
    assert feed.acceptedRange() == (683_400 - 20_502, 670_000 + 20_100)


def test_a_fall_is_measured_from_the_window_high(feed, operator):
    publish_fixing(feed, 689_000, operator)  # +2.8%
    with brownie.reverts(revert_pattern=r"MoveTooLarge: 689000, 668000, 305, 300"):
        publish_fixing(feed, 668_000, operator)  # -3.05% from the high, though -0.3% from the start
    publish_fixing(feed, 668_330, operator)  # -3.00% from the high: accepted
    assert feed.acceptedRange() == (689_000 - 20_670, 668_330 + 20_049)


def test_two_steps_across_a_window_boundary_are_refused(project_containers, admin, operator):
    """Finding 5's walk: +2.9% just before the heartbeat window ends, +2.9% 11 s later in the next one.
    On 779b121 the second step re-anchored and passed (+5.88% in 11 s); now every answer is bounded by
    every answer of the last heartbeat, across the boundary."""
    f = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    f.grantRole(f.REPORTER_ROLE(), operator, {"from": admin})
    start = f.tx.timestamp
    chain.sleep(start + f.heartbeat() - 10 - now())
    chain.mine()
    publish_fixing(f, 689_430, operator)  # +2.9% from 670,000
    chain.sleep(start + f.heartbeat() + 1 - now())
    chain.mine()
    with brownie.reverts(revert_pattern=r"MoveTooLarge: 670000, 709423, 589, 300"):
        publish_fixing(f, 709_423, operator)  # +2.9% from 689,430, +5.88% from 670,000
    assert f.latestRoundData()[1] == 689_430
    assert f.acceptedRange()[1] == 670_000 + 20_100


def test_the_previous_window_is_forgotten_once_a_heartbeat_old(project_containers, admin, operator):
    f = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    f.grantRole(f.REPORTER_ROLE(), operator, {"from": admin})
    publish_fixing(f, 689_430, operator)
    chain.sleep(f.heartbeat())
    chain.mine()
    publish_fixing(f, 709_423, operator)  # +2.9% a heartbeat after the last answer: a new window
    assert f.acceptedRange() == (709_423 - 21_282, 689_430 + 20_682)


def test_a_reconfirmation_passes_even_outside_a_narrowed_breaker(feed, admin, operator):
    publish_fixing(feed, 689_000, operator)  # +2.8%
    feed.setMaxMove(100, {"from": admin})  # the window's range now exceeds the breaker
    assert feed.acceptedRange()[0] > feed.acceptedRange()[1]  # no new rate can pass
    feed.submit(689_000, {"from": operator})  # but the heartbeat goes on


@given(
    steps=strategy("int256[6]", min_value=-320, max_value=320),
    gaps=strategy("uint256[6]", min_value=1, max_value=30 * 3_600),
)
@settings(max_examples=15)
def test_any_two_answers_less_than_a_heartbeat_apart_are_within_the_breaker(feed, operator, steps, gaps):
    """Property (finding 5): whatever the sequence of attempted fixings, every accepted answer is within
    maxMoveBps of every answer accepted less than a heartbeat before it (measured from the earlier one),
    so max/min over any heartbeat stays within 1 / (1 - maxMoveBps); an answer is accepted exactly when
    `acceptedRange()` said so."""
    heartbeat, max_move = feed.heartbeat(), feed.maxMoveBps()
    accepted = [(feed.latestRoundData()[3], feed.latestRoundData()[1])]
    for step, gap in zip(steps, gaps, strict=False):
        chain.sleep(gap)
        chain.mine()
        answer = accepted[-1][1] * (10_000 + step) // 10_000
        low, high = feed.acceptedRange()
        try:
            tx = publish_fixing(feed, answer, operator)
        except brownie.exceptions.VirtualMachineError as exc:
            assert "MoveTooLarge" in str(exc) and not low <= answer <= high
            continue
        assert low <= answer <= high or answer == accepted[-1][1]
        accepted.append((tx.timestamp, answer))
    for k, (t1, a1) in enumerate(accepted):
        for t0, a0 in accepted[:k]:
            if t1 - t0 < heartbeat:
                assert abs(a1 - a0) * 10_000 <= max_move * a0, (t0, a0, t1, a1)
