"""Best execution against the exchange family's real FXRouter (StableSwap pools through the USD hub)."""

from types import SimpleNamespace

import pytest
from brownie import web3

from corridor.exchange import rfq
from corridor.exchange.amm_client import AmmClient
from corridor.exchange.best_execution import (
    EXACT_IN,
    EXACT_OUT,
    Decline,
    DeclineReason,
    best_execution,
    declines_text,
    offer_rows,
)
from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_exchange
from corridor.exchange.market_maker import FixedMids, MakerLimits, MarketMaker, QuotePolicy
from corridor.exchange.rfq_client import RfqClient

MAX = 2**256 - 1
REF = rfq.reference("INV-FX-1")


@pytest.fixture(scope="module")
def fx(FXFeed, FXPool, FXRouter, admin, jpy, khr, usd, alice):
    """JPY (0 dec) and KHR (2 dec) pools against USD (6 dec), ~1m USD a side, at the feed mids."""
    jpy.mint(admin, 10**15, {"from": admin})
    khr.mint(admin, 10**15, {"from": admin})
    usd.mint(admin, 10**15, {"from": admin})
    exchange = deploy_exchange(
        SimpleNamespace(FXFeed=FXFeed, FXPool=FXPool, FXRouter=FXRouter),
        admin,
        DEFAULT_CONFIG,
        {"JPY": jpy, "KHR": khr},
        usd,
        seed={"JPY": 150_000_000, "KHR": 400_000_000_000},
    )
    jpy.approve(exchange.router, MAX, {"from": alice})
    return exchange


@pytest.fixture(scope="module")
def mids(jpy, khr, usd):
    return FixedMids({jpy.address: "0.0067", khr.address: "0.000245", usd.address: "1"})


def _venues(fx, venue, maker, mids, usd, spread_bps):
    mm = MarketMaker(
        web3,
        venue.address,
        maker.private_key,
        mids,
        QuotePolicy(spread_bps=spread_bps, skew_bps=0),
        MakerLimits(max_quote_usd=1_000_000),
    )
    return [
        AmmClient(web3, fx.router.address, usd.address),
        RfqClient(web3, venue.address, mm, hub=usd.address),
    ], mm


@pytest.mark.parametrize("side", [EXACT_IN, EXACT_OUT])
def test_amm_wins_against_a_wide_rfq_spread(fx, venue, maker, mids, usd, jpy, khr, alice, merchant, side):
    venues, mm = _venues(fx, venue, maker, mids, usd, spread_bps=100)
    amount = 10_000 if side == EXACT_IN else 2_000_000
    record = best_execution(
        venues, side, jpy, khr, amount, merchant.address, REF, alice.address, mid=mm.mid(jpy, khr)
    )
    assert record.choice == "amm"
    assert web3.eth.get_transaction_receipt(record.tx)["to"] == fx.router.address


@pytest.mark.parametrize("side", [EXACT_IN, EXACT_OUT])
def test_rfq_wins_with_a_tight_spread(fx, venue, maker, mids, usd, jpy, khr, alice, merchant, side):
    venues, mm = _venues(fx, venue, maker, mids, usd, spread_bps=1)
    amount = 10_000 if side == EXACT_IN else 2_000_000
    before = khr.balanceOf(merchant)
    record = best_execution(
        venues, side, jpy, khr, amount, merchant.address, REF, alice.address, mid=mm.mid(jpy, khr)
    )
    assert record.choice == "rfq"
    assert khr.balanceOf(merchant) - before == record.chosen.amount_out
    amm, quoted = record.offers
    assert quoted.spread_bps < amm.spread_bps


def test_demo_flow_invoice_in_jpy_paid_in_khr(fx, venue, maker, usd, jpy, khr, customer, merchant, admin):
    """The lead's demo, as documented in docs/rfq.md §4: the customer pays KHR, the merchant receives
    exactly the JPY invoice with its reference, through whichever venue is cheaper; mids from the
    exchange family's FXFeeds (AggregatorV3-compatible)."""
    from corridor.exchange.market_maker import FeedMids

    khr.mint(customer, 10**12, {"from": admin})
    khr.approve(venue, MAX, {"from": customer})
    khr.approve(fx.router, MAX, {"from": customer})
    mids = FeedMids(web3, {jpy: fx.feeds["JPY"], khr: fx.feeds["KHR"]}, usd_tokens=(usd,))
    mm = MarketMaker(web3, venue, maker.private_key, mids, QuotePolicy(spread_bps=1, skew_bps=0))
    venues = [AmmClient(web3, fx.router, usd), RfqClient(web3, venue, mm, hub=usd)]
    invoice = rfq.reference("INV-2026-0001")
    before = jpy.balanceOf(merchant)
    record = best_execution(
        venues, EXACT_OUT, khr, jpy, 150_000, merchant, invoice, customer, mid=mm.mid(khr, jpy)
    )
    assert jpy.balanceOf(merchant) - before == 150_000
    assert record.choice == "rfq" and len(record.offers) == 2
    receipt = web3.eth.get_transaction_receipt(record.tx)
    from corridor import artifacts

    (filled,) = artifacts.at(web3, "RfqVenue", venue.address).events.QuoteFilled().process_receipt(receipt)
    assert filled["args"]["paymentReference"] == invoice
    assert filled["args"]["recipient"] == merchant.address
    print(record.summary())


# ------------------------------------------------------------------ declines (finding 9)


def _feed_maker(fx, venue, maker, jpy, khr, usd, max_quote_usd=1_000_000):
    """A maker pricing from the exchange's FXFeeds with no age limit of its own (as scripts/pay.py and
    the demo configure it): only the feeds' own guards (isStale, marketOpen) can stop it."""
    from corridor.exchange.market_maker import FeedMids

    mids = FeedMids(web3, {jpy: fx.feeds["JPY"], khr: fx.feeds["KHR"]}, max_age=10**9, usd_tokens=(usd,))
    return MarketMaker(
        web3,
        venue,
        maker.private_key,
        mids,
        QuotePolicy(spread_bps=1, skew_bps=0),
        MakerLimits(max_quote_usd),
    )


def test_after_26_hours_without_a_reporter_neither_venue_fills_and_both_say_stale_feed(
    fx, venue, maker, usd, jpy, khr, customer, merchant, admin
):
    """Finding 9: both feeds report isStale(); the AMM's pools refuse (StaleRate) and the maker, which
    used to quote against the stale mid, refuses too; the record says why for each venue."""
    from brownie import chain

    mm = _feed_maker(fx, venue, maker, jpy, khr, usd)
    chain.sleep(26 * 3600)
    chain.mine()
    assert fx.feeds["JPY"].isStale() and fx.feeds["KHR"].isStale()
    venues = [AmmClient(web3, fx.router, usd), RfqClient(web3, venue, mm, hub=usd)]
    record = best_execution(venues, EXACT_OUT, khr, jpy, 50_000, merchant, REF, customer, execute=False)
    assert record.choice is None and record.offers == ()
    amm, quoted = record.declined("amm"), record.declined("rfq")
    assert (amm.reason, amm.detail) == (DeclineReason.STALE_FEED, "StaleRate")
    assert quoted.reason == DeclineReason.STALE_FEED and "is stale" in quoted.detail
    assert str(quoted).startswith("stale feed (feed for ")
    assert declines_text(record) == "amm: stale feed, rfq: stale feed"
    assert "amm: declined: stale feed (StaleRate)" in record.summary()


def test_pool_depth_and_maker_limit_declines(fx, venue, maker, usd, jpy, khr, customer, merchant):
    """More yen than the JPY pool holds: the AMM declines for pool depth, the maker for its limit."""
    mm = _feed_maker(fx, venue, maker, jpy, khr, usd, max_quote_usd=1_000)
    venues = [AmmClient(web3, fx.router, usd), RfqClient(web3, venue, mm, hub=usd)]
    record = best_execution(venues, EXACT_OUT, khr, jpy, 200_000_000, merchant, REF, customer, execute=False)
    assert record.choice is None
    assert record.declined("amm") == Decline("amm", DeclineReason.POOL_DEPTH, "InsufficientLiquidity")
    limit = record.declined("rfq")
    assert limit.reason == DeclineReason.MAKER_LIMIT and "exceeds the 1000 USD limit" in limit.detail
    rows = offer_rows(record, ("amm", "rfq"), lambda o: ["", "", "", ""])
    assert rows[0] == ["amm", "declined: pool depth", "", "", "", "InsufficientLiquidity"]
    assert rows[1][:2] == ["rfq", "declined: maker limit"]


def test_maker_declines_while_the_market_is_closed_and_the_amm_fills(
    fx, venue, maker, usd, jpy, khr, customer, merchant, admin
):
    """A declared closure (weekend): the maker does not quote on the last fixing; the pools still do."""
    from brownie import chain

    mm = _feed_maker(fx, venue, maker, jpy, khr, usd)
    fx.feeds["JPY"].closeMarket(chain.time() + 3_600, {"from": admin})
    venues = [AmmClient(web3, fx.router, usd), RfqClient(web3, venue, mm, hub=usd)]
    record = best_execution(venues, EXACT_OUT, khr, jpy, 50_000, merchant, REF, customer, execute=False)
    assert record.choice == "amm"
    closed = record.declined("rfq")
    assert closed.reason == DeclineReason.MARKET_CLOSED and "market closed until" in closed.detail
    assert record.declined("amm") is None
