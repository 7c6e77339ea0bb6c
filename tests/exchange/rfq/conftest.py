"""RFQ venue fixtures: three corridor currencies (0-, 6- and 2-decimal mocks), a venue with a 5 bps
fee, a registered EOA market maker holding inventory, and a funded taker (alice)."""

import pytest
from brownie import ZERO_ADDRESS, chain

from corridor.exchange import rfq
from corridor.exchange.rfq_deploy import deploy_rfq

FEE_BPS = 5
MAX = 2**256 - 1
REF = rfq.reference("INV-2026-0001")


@pytest.fixture(scope="session")
def fee_bps():
    return FEE_BPS


@pytest.fixture(scope="session")
def ref():
    """The payment reference every fill in these tests carries unless told otherwise."""
    return REF


@pytest.fixture(scope="module")
def jpy(erc20):
    return erc20("Yen", "JPY", 0)


@pytest.fixture(scope="module")
def usd(erc20):
    return erc20("US Dollar", "USD", 6)


@pytest.fixture(scope="module")
def khr(erc20):
    return erc20("Riel", "KHR", 2)


@pytest.fixture(scope="module")
def maker(accounts, admin):
    """The market maker's EOA (a fresh key: it signs EIP-712 quotes)."""
    account = accounts.add()
    admin.transfer(account, "10 ether")
    return account


@pytest.fixture(scope="module")
def deployment(RfqVenue, admin, operator, treasury, maker):
    return deploy_rfq(
        RfqVenue,
        admin,
        {
            "treasury": treasury,
            "fee_bps": FEE_BPS,
            "admin_delay": 0,
            "maker_manager": operator,
            "pauser": operator,
            "makers": [],
        },
    )


@pytest.fixture(scope="module")
def venue(deployment, operator, maker, jpy, usd, khr, alice, bob):
    v = deployment.venue
    v.registerMaker(maker, {"from": operator})
    for token, amount in ((jpy, 10**20), (usd, 10**20), (khr, 10**20)):
        for holder in (maker, alice, bob):
            token.mint(holder, amount, {"from": holder})
            token.approve(v, MAX, {"from": holder})
    return v


@pytest.fixture(scope="module")
def domain(venue):
    return rfq.venue_domain(chain.id, venue.address)


@pytest.fixture(scope="module")
def make_quote(maker, jpy, khr):
    """Builds a JPY -> KHR quote (1 JPY = 27.00 KHR) with overridable fields."""

    def build(**overrides):
        fields = dict(
            maker=maker.address,
            taker=ZERO_ADDRESS,
            token_in=jpy.address,
            token_out=khr.address,
            amount_in=100_000,
            amount_out=270_000_000,
            nonce=0,
            expiry=chain.time() + 600,
        )
        fields.update(overrides)
        return rfq.Quote(**fields)

    return build


@pytest.fixture(scope="module")
def sign(maker, domain):
    """Signs a quote with the maker's key for the venue's domain (both overridable)."""

    def do(quote, key=None, dom=None):
        return rfq.sign_quote(key or maker.private_key, dom or domain, quote)

    return do


@pytest.fixture(scope="module")
def fill_in(venue, alice):
    """fillExactIn (or the cross variant) from alice to bob unless told otherwise."""

    def do(signed, amount_in, min_out=0, recipient=None, ref=REF, sender=None):
        fn = getattr(venue, signed.exact_in_function)
        return fn(
            *signed.fill_exact_in_args(amount_in, min_out, str(recipient or alice), ref),
            {"from": sender or alice},
        )

    return do


@pytest.fixture(scope="module")
def fill_out(venue, alice):
    def do(signed, amount_out, max_in=MAX, recipient=None, ref=REF, sender=None):
        fn = getattr(venue, signed.exact_out_function)
        return fn(
            *signed.fill_exact_out_args(amount_out, max_in, str(recipient or alice), ref),
            {"from": sender or alice},
        )

    return do


# ---------------------------------------------------------------- market maker and AMM stand-in

JPY_USD = 670_000  # 0.0067 USD per yen, 8 decimals
KHR_USD = 24_500  # 0.000245 USD per riel, 8 decimals


@pytest.fixture(scope="module")
def jpy_feed(MockRfqFeed, admin):
    return MockRfqFeed.deploy(8, "JPY / USD", JPY_USD, {"from": admin})


@pytest.fixture(scope="module")
def khr_feed(MockRfqFeed, admin):
    return MockRfqFeed.deploy(8, "KHR / USD", KHR_USD, {"from": admin})


@pytest.fixture(scope="module")
def mids(jpy_feed, khr_feed, jpy, khr, usd):
    from brownie import web3

    from corridor.exchange.market_maker import FeedMids

    return FeedMids(
        web3,
        {jpy.address: jpy_feed.address, khr.address: khr_feed.address},
        max_age=3_600,
        usd_tokens=(usd.address,),
    )


@pytest.fixture
def market_maker(venue, maker, mids):
    """A fresh market maker per test (its nonce book and outstanding quotes start empty)."""
    from brownie import web3

    from corridor.exchange.market_maker import MakerLimits, MarketMaker, QuotePolicy

    return MarketMaker(
        web3,
        venue.address,
        maker.private_key,
        mids,
        QuotePolicy(spread_bps=20, skew_bps=10, ttl=60),
        MakerLimits(max_quote_usd=100_000),
    )


@pytest.fixture(scope="module")
def router(MockRfqRouter, admin, jpy, khr, usd, alice, bob):
    r = MockRfqRouter.deploy({"from": admin})
    for token in (jpy, khr, usd):
        token.mint(r, 10**20, {"from": admin})
        for holder in (alice, bob):
            token.approve(r, MAX, {"from": holder})
    return r
