"""The Python market maker: mid from the feeds, spread and skew, its limits, its nonces."""

from decimal import Decimal

import pytest
from brownie import chain, web3

from corridor.exchange import rfq
from corridor.exchange.best_execution import DeclineReason
from corridor.exchange.market_maker import (
    FeedMids,
    FeedUnusable,
    FixedMids,
    FixingPending,
    MakerLimits,
    MarketClosed,
    MarketMaker,
    QuotePolicy,
    QuoteRefused,
    StaleFeed,
)

MID_JPY_KHR = Decimal("0.0067") / Decimal("0.000245") * 100  # riel cents per yen


def test_mid_comes_from_the_feeds_in_base_units(market_maker, jpy, khr):
    assert market_maker.mid(jpy, khr) == MID_JPY_KHR


def test_quote_exact_in_is_mid_less_the_spread(market_maker, jpy, khr):
    signed = market_maker.quote_exact_in(jpy, khr, 10_000)
    assert signed.quote.amount_out == int(10_000 * MID_JPY_KHR * Decimal("0.998"))
    assert signed.quote.amount_in == 10_000


def test_quote_expires_after_the_ttl(market_maker, jpy, khr):
    signed = market_maker.quote_exact_in(jpy, khr, 10_000)
    assert signed.quote.expiry == web3.eth.get_block("latest")["timestamp"] + 60


def test_quote_fills_on_the_venue(market_maker, jpy, khr, fill_in, alice, maker):
    signed = market_maker.quote_exact_in(jpy, khr, 10_000, taker=alice.address)
    assert fill_in(signed, 10_000).return_value == rfq.exact_in(10_000, signed.quote.amount_out, 10_000, 5)[0]


def test_quote_exact_out_delivers_the_invoice_with_all_of_the_quote(
    market_maker, jpy, khr, fill_out, merchant
):
    signed = market_maker.quote_exact_out(khr, jpy, 5_000, taker=rfq.ZERO_ADDRESS)
    tx = fill_out(signed, 5_000, max_in=signed.quote.amount_in, recipient=merchant)
    assert tx.return_value == signed.quote.amount_in
    assert tx.events["QuoteFilled"]["amountOut"] == 5_000


def test_skew_quotes_worse_when_long_the_input(venue, maker, mids, jpy, khr):
    balance = jpy.balanceOf(maker)
    limits = MakerLimits(min_inventory={jpy.address: 0}, max_inventory={jpy.address: balance})
    mm = MarketMaker(
        web3, venue.address, maker.private_key, mids, QuotePolicy(spread_bps=20, skew_bps=10), limits
    )
    assert mm.markdown_bps(jpy, khr) == 25  # 20 + 10 * (1 - 0) / 2


def test_skew_quotes_better_when_long_the_output(venue, maker, mids, jpy, khr):
    balance = khr.balanceOf(maker)
    limits = MakerLimits(min_inventory={khr.address: 0}, max_inventory={khr.address: balance})
    mm = MarketMaker(
        web3, venue.address, maker.private_key, mids, QuotePolicy(spread_bps=20, skew_bps=10), limits
    )
    assert mm.markdown_bps(jpy, khr) == 15


def test_quote_above_the_size_limit_is_refused(venue, maker, mids, jpy, khr):
    mm = MarketMaker(web3, venue.address, maker.private_key, mids, limits=MakerLimits(max_quote_usd=100))
    with pytest.raises(QuoteRefused, match="exceeds"):
        mm.quote_exact_in(jpy, khr, 20_000)  # 134 USD


def test_quote_below_the_inventory_floor_is_refused(venue, maker, mids, jpy, khr):
    floor = khr.balanceOf(maker) - 1_000
    mm = MarketMaker(
        web3, venue.address, maker.private_key, mids, limits=MakerLimits(min_inventory={khr.address: floor})
    )
    with pytest.raises(QuoteRefused, match="below"):
        mm.quote_exact_in(jpy, khr, 10_000)


def test_outstanding_quotes_count_against_inventory(venue, maker, mids, jpy, khr):
    floor = khr.balanceOf(maker) - 3_000_000
    mm = MarketMaker(
        web3, venue.address, maker.private_key, mids, limits=MakerLimits(min_inventory={khr.address: floor})
    )
    mm.quote_exact_in(jpy, khr, 1_000)  # ~2.73M riel cents
    with pytest.raises(QuoteRefused, match="below"):
        mm.quote_exact_in(jpy, khr, 1_000)


def test_quote_above_the_inventory_cap_is_refused(venue, maker, mids, jpy, khr):
    cap = jpy.balanceOf(maker) + 10
    mm = MarketMaker(
        web3, venue.address, maker.private_key, mids, limits=MakerLimits(max_inventory={jpy.address: cap})
    )
    with pytest.raises(QuoteRefused, match="above"):
        mm.quote_exact_in(jpy, khr, 11)


def test_stale_feed_is_refused(market_maker, jpy, khr):
    chain.sleep(3_601)
    chain.mine()
    with pytest.raises(StaleFeed):
        market_maker.quote_exact_in(jpy, khr, 10_000)


def test_fixed_mids_quote_without_feeds(venue, maker, jpy, khr):
    mm = MarketMaker(
        web3, venue.address, maker.private_key, FixedMids({jpy.address: "0.0067", khr.address: "0.000245"})
    )
    assert mm.mid(jpy, khr) == MID_JPY_KHR


def test_nonces_are_distinct_and_skip_used_ones(market_maker, venue, maker, jpy, khr):
    venue.cancelNonce(0, {"from": maker})
    nonces = [market_maker.quote_exact_in(jpy, khr, 100).quote.nonce for _ in range(3)]
    assert nonces == [1, 2, 3]


def test_cancel_outstanding_cancels_every_issued_nonce(market_maker, venue, maker, jpy, khr, fill_in):
    signed = [market_maker.quote_exact_in(jpy, khr, 100) for _ in range(3)]
    assert len(market_maker.cancel_outstanding()) == 1  # one word
    assert venue.nonceBitmap(maker, 0) == 0b111
    import brownie

    with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
        fill_in(signed[0], 100)


def test_cross_quote_carries_the_hub_leg_at_mid(market_maker, jpy, khr, usd, fill_in):
    signed = market_maker.quote_exact_in(jpy, khr, 100_000, hub=usd.address)
    assert signed.is_cross
    assert signed.quote.hub_amount == 670_000_000  # 670 USD, 6 decimals
    tx = fill_in(signed, 100_000)
    assert tx.events["HubLegFilled"]["hubAmount"] == 670_000_000


def test_policy_rejects_skew_above_spread():
    with pytest.raises(ValueError):
        QuotePolicy(spread_bps=5, skew_bps=10)


def test_market_maker_quotes_for_a_contract_wallet(
    MockERC1271Wallet, venue, operator, admin, mids, jpy, khr, fill_in
):
    """The owner's key signs, the wallet is the maker: its inventory and its ERC-1271 answer count."""
    from brownie import accounts

    owner = accounts.add()
    admin.transfer(owner, "1 ether")
    wallet = MockERC1271Wallet.deploy(owner, {"from": admin})
    khr.mint(wallet, 10**12, {"from": admin})
    wallet.execute(khr, khr.approve.encode_input(venue, 2**256 - 1), {"from": owner})
    venue.registerMaker(wallet, {"from": operator})
    mm = MarketMaker(web3, venue.address, owner.private_key, mids, maker=wallet.address)
    signed = mm.quote_exact_in(jpy, khr, 10_000)
    assert signed.quote.maker == wallet.address
    before = khr.balanceOf(wallet)
    out = fill_in(signed, 10_000).return_value
    assert before - khr.balanceOf(wallet) == out


# ------------------------------------------------------------------ typed refusals (finding 9)


def test_refusals_carry_their_decline_reason(venue, maker, mids, jpy, khr, usd):
    mm = MarketMaker(web3, venue.address, maker.private_key, mids, limits=MakerLimits(max_quote_usd=100))
    with pytest.raises(QuoteRefused) as limit:
        mm.quote_exact_in(jpy, khr, 20_000)
    assert limit.value.reason == DeclineReason.MAKER_LIMIT
    no_mid = MarketMaker(web3, venue.address, maker.private_key, FixedMids({jpy.address: "0.0067"}))
    with pytest.raises(FeedUnusable) as unusable:
        no_mid.quote_exact_in(jpy, khr, 100)
    assert unusable.value.reason == DeclineReason.FEED_UNUSABLE


def test_stale_feed_refusal_is_typed(market_maker, jpy, khr):
    chain.sleep(3_601)
    chain.mine()
    with pytest.raises(StaleFeed) as stale:
        market_maker.quote_exact_in(jpy, khr, 10_000)
    assert stale.value.reason == DeclineReason.STALE_FEED and str(stale.value).startswith("feed for ")


def _fx_feed(FXFeed, admin, answer, heartbeat=3_600):
    feed = FXFeed.deploy(8, "JPY / USD", answer, heartbeat, 500, 3 * 86_400, admin, 0, {"from": admin})
    feed.grantRole(feed.MARKET_HOURS_ROLE(), admin, {"from": admin})
    return feed


def test_fx_feed_that_says_stale_is_refused_whatever_the_max_age(FXFeed, admin, venue, maker, jpy, khr, usd):
    """Finding 9: the maker used to quote on a feed past its heartbeat when its own max_age was large
    (scripts/pay.py and the demo pass 10**9); the FXFeed's isStale() now decides."""
    feed = _fx_feed(FXFeed, admin, 670_000)
    khr_feed = _fx_feed(FXFeed, admin, 24_500, heartbeat=10**6)
    mids = FeedMids(
        web3, {jpy.address: feed, khr.address: khr_feed}, max_age=10**9, usd_tokens=(usd.address,)
    )
    mm = MarketMaker(web3, venue.address, maker.private_key, mids)
    mm.quote_exact_in(jpy, khr, 100)  # fresh: quotes
    chain.sleep(3_601)
    chain.mine()
    assert feed.isStale()
    with pytest.raises(StaleFeed, match=r"is stale: its last answer is 1\.0 h old \(heartbeat 1\.0 h\)"):
        mm.quote_exact_in(jpy, khr, 100)


def test_fx_feed_with_a_fixing_window_open_is_refused(FXFeed, admin, venue, maker, jpy, khr, usd):
    """The pools stop trading while a fixing is pending (docs/exchange.md "Fixing windows"); the maker
    must not quote the old mid either, or it would sell the same free option."""
    feed = _fx_feed(FXFeed, admin, 670_000)
    feed.grantRole(feed.REPORTER_ROLE(), admin, {"from": admin})
    khr_feed = _fx_feed(FXFeed, admin, 24_500)
    mids = FeedMids(
        web3, {jpy.address: feed, khr.address: khr_feed}, max_age=10**9, usd_tokens=(usd.address,)
    )
    mm = MarketMaker(web3, venue.address, maker.private_key, mids)
    mm.quote_exact_in(jpy, khr, 100)
    feed.scheduleFixing(chain.time(), {"from": admin})
    with pytest.raises(FixingPending, match=r"fixing window open \(round 2 not answered yet\)"):
        mm.quote_exact_in(jpy, khr, 100)
    assert FixingPending("x").reason is DeclineReason.FIXING_PENDING
    feed.submit(676_700, {"from": admin})  # the fixing lands: quotes again
    mm.quote_exact_in(jpy, khr, 100)


def test_fx_feed_with_its_market_closed_is_refused(FXFeed, admin, venue, maker, jpy, khr, usd):
    feed = _fx_feed(FXFeed, admin, 670_000)
    mids = FeedMids(web3, {jpy.address: feed}, max_age=10**9, usd_tokens=(usd.address,))
    mm = MarketMaker(web3, venue.address, maker.private_key, mids)
    reopens = chain.time() + 7_200
    feed.closeMarket(reopens, {"from": admin})
    with pytest.raises(MarketClosed, match=f"market closed until {reopens}") as closed:
        mm.quote_exact_in(jpy, usd, 100)
    assert closed.value.reason == DeclineReason.MARKET_CLOSED
    feed.openMarket({"from": admin})
    assert mm.quote_exact_in(jpy, usd, 100).quote.amount_in == 100
