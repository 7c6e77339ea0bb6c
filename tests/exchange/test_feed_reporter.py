"""FeedReporter (standalone web3 service) against a live FXFeed."""

from decimal import Decimal

import pytest
from brownie import accounts, chain, web3

from corridor.exchange.reporter import Action, FeedReporter


@pytest.fixture(scope="module")
def reporter(jpy_feed, admin):
    signer = accounts.add()
    admin.transfer(signer, 10**18)
    jpy_feed.grantRole(jpy_feed.REPORTER_ROLE(), signer, {"from": admin})
    return FeedReporter(web3, jpy_feed.address, signer.private_key, gas_price=0)


def test_to_answer_uses_the_feed_decimals(reporter):
    assert reporter.to_answer(Decimal("0.0067")) == 670_000
    assert reporter.to_answer("0.006712345") == 671_234


def test_publish_submits_a_fixing(reporter, jpy_feed):
    pub = reporter.publish(Decimal("0.00675"))
    assert (pub.action, pub.answer, pub.round_id, pub.move_bps) == (Action.SUBMITTED, 675_000, 2, 75)
    assert jpy_feed.latestRoundData()[:2] == (2, 675_000)


def test_publish_holds_a_move_beyond_the_breaker(reporter, jpy_feed):
    """Held for the admin's forceSubmit; the window stays open, so the pools stop meanwhile."""
    pub = reporter.publish(Decimal("0.0075"))
    assert (pub.action, pub.round_id) == (Action.HELD, None)
    assert jpy_feed.latestRoundData()[1] == 670_000
    assert reporter.window_open()


def test_publish_opens_a_window_only_when_none_is_open(reporter, jpy_feed):
    at = chain[-1].timestamp + 60
    reporter.schedule(at)  # the fixing's announced publication time
    chain.sleep(60)
    chain.mine()
    assert reporter.window_open()
    pub = reporter.publish(Decimal("0.00675"))
    assert (pub.action, pub.round_id) == (Action.SUBMITTED, 2)
    assert jpy_feed.getRoundData(2)[1] == 675_000 and not reporter.window_open()


def test_publish_of_the_same_rate_reconfirms_without_a_window(reporter, jpy_feed):
    pub = reporter.publish(Decimal("0.0067"))
    assert (pub.action, pub.answer, pub.round_id, pub.move_bps) == (Action.SUBMITTED, 670_000, 2, 0)
    assert jpy_feed.fixingAt() == 0


def test_publish_during_a_closure_reconfirms(reporter, jpy_feed, operator):
    jpy_feed.closeMarket(chain[-1].timestamp + 86_400, {"from": operator})
    pub = reporter.publish(Decimal("0.0068"))
    assert (pub.action, pub.answer, pub.round_id) == (Action.RECONFIRMED, 670_000, 2)


def test_heartbeat_due_near_expiry(reporter, jpy_feed):
    assert not reporter.heartbeat_due()
    chain.sleep(jpy_feed.heartbeat() - 1_800)
    chain.mine()
    assert reporter.heartbeat_due(margin=3_600)
