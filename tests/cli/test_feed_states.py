"""The quote server's per-feed report (corridor.services.quotes.feed_state) from a feed reading
(corridor.exchange.market_maker.FeedReading): every refusal that holds is named, in the maker's order, and
the quote is refused with the first one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.exchange.best_execution import DeclineReason
from corridor.exchange.market_maker import FeedReading, FixingPending, StaleFeed
from corridor.services.quotes import chain_time, feed_state

T0 = 1_800_000_000  # 2027-01-15T08:00:00Z
HOUR = 3_600


def reading(**kw) -> FeedReading:
    fields = dict(
        token="0x" + "11" * 20, answer=670_000, decimals=8, round_id=5, answered_in_round=5,
        updated_at=T0, now=T0 + HOUR, max_age=26 * HOUR, heartbeat=25 * HOUR,
    )  # fmt: skip
    return FeedReading(**{**fields, **kw})


def test_a_fresh_feed_reports_its_price_and_when_it_goes_stale():
    r = reading()
    assert r.usd_price() == Decimal("0.0067") and r.problems() == []
    assert feed_state(r) == {
        "state": "fresh",
        "price": "0.0067",
        "updatedAt": chain_time(T0),
        "age": HOUR,
        "staleAt": chain_time(T0 + 25 * HOUR),  # the heartbeat comes before the maker's own limit
    }
    assert chain_time(T0) == "2027-01-15T08:00:00Z"


def test_a_pending_fixing_on_a_stale_feed_reports_both_and_refuses_with_the_first():
    r = reading(round_id=6, now=T0 + 27 * HOUR, feed_says_stale=True)
    assert [p.reason for p in r.problems()] == [DeclineReason.FIXING_PENDING, DeclineReason.STALE_FEED]
    state = feed_state(r)
    assert state["state"] == f"fixing pending, stale feed since {chain_time(T0 + 25 * HOUR)}"
    assert state["staleSince"] == chain_time(T0 + 25 * HOUR) and "staleAt" not in state
    with pytest.raises(FixingPending):
        r.usd_price()


def test_stale_by_the_heartbeat_only_and_a_closed_market_are_both_named():
    r = reading(now=T0 + 25 * HOUR + 1, feed_says_stale=True, reopens_at=T0 + 48 * HOUR)
    assert feed_state(r)["state"] == (
        f"stale feed since {chain_time(T0 + 25 * HOUR)}, market closed until {chain_time(T0 + 48 * HOUR)}"
    )
    with pytest.raises(StaleFeed, match=r"stale: its last answer is 25.0 h old \(heartbeat 25.0 h\)"):
        r.usd_price()


def test_older_than_the_makers_limit_without_guards():
    r = reading(heartbeat=None, max_age=HOUR, now=T0 + HOUR + 1)
    assert feed_state(r)["state"] == f"stale feed since {chain_time(T0 + HOUR)}"
    with pytest.raises(StaleFeed, match=r"is 3601s old \(max 3600s\)"):
        r.usd_price()
