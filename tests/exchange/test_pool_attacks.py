"""Attacks: first-depositor inflation, donation, stale feed, oracle jump, reentrancy through a
hook token (state-changing and view), sandwich bounded by min-out."""

import brownie
import pytest
from brownie import chain, web3

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, deploy_pool, publish_fixing, seed_pool
from corridor.exchange.deploy import NO_DEADLINE as FAR

REENTRANT_SELECTOR = web3.keccak(text="ReentrancyGuardReentrantCall()")[:4].hex()


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


@pytest.fixture(scope="module")
def empty_pool(project_containers, admin, jpy, busd):
    feed = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    return deploy_pool(project_containers, admin, jpy, busd, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])


# ---- first depositor / donation ---------------------------------------------------------------


def test_first_depositor_cannot_inflate_the_share_price(empty_pool, jpy, busd, alice, bob):
    """The attacker mints the smallest position, then donates $1m to the pool. Donations are not in
    the accounting, so the victim's $10k deposit still gets its fair share and the attacker cannot
    withdraw the donation."""
    for token in (jpy, busd):
        token.approve(empty_pool, 2**256 - 1, {"from": alice})
        token.approve(empty_pool, 2**256 - 1, {"from": bob})
    empty_pool.addLiquidity([1, 1], 0, alice, FAR, {"from": alice})  # ¥1 + 1 cent
    jpy.transfer(empty_pool, 75_000_000, {"from": alice})
    busd.transfer(empty_pool, 50_000_000, {"from": alice})
    vp = empty_pool.virtualPrice()
    assert vp == 10**18  # unchanged by the donation
    victim = empty_pool.addLiquidity([750_000, 500_000], 0, bob, FAR, {"from": bob}).return_value
    # the victim takes out all it put in but the imbalance fee (< 1 bp); the attacker gets back only
    # its ¥1 + 1 cent, and the donation stays stuck outside the accounting
    out = empty_pool.removeLiquidity(victim, [0, 0], bob, FAR, {"from": bob}).return_value
    assert out[0] >= 750_000 * 9_999 // 10_000 and out[1] >= 500_000 * 9_999 // 10_000
    attacker = empty_pool.removeLiquidity(empty_pool.balanceOf(alice), [0, 0], alice, FAR, {"from": alice})
    assert list(attacker.return_value) <= [1, 1]


def test_donation_changes_neither_quotes_nor_share_value(jpy_pool, jpy, busd, alice):
    quote, vp = jpy_pool.getAmountOut(0, 1_000_000), jpy_pool.virtualPrice()
    jpy.transfer(jpy_pool, 10_000_000, {"from": alice})
    busd.transfer(jpy_pool, 1_000_000, {"from": alice})
    assert jpy_pool.getAmountOut(0, 1_000_000) == quote
    assert jpy_pool.virtualPrice() == vp


# ---- oracle -----------------------------------------------------------------------------------


def test_trading_on_a_stale_fixing_is_refused(jpy_pool, alice, bob):
    """The reporter went silent: after maxAge nobody can trade against the old rate."""
    chain.sleep(jpy_pool.oracleGuards()[0] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"StaleRate.*"):
        jpy_pool.swapExactIn(1, 1_000_000, 0, bob, FAR, {"from": alice})


def test_arbitrage_of_an_oracle_jump_is_refused(jpy_pool, jpy_feed, admin, alice, bob):
    """A bad fixing 10% off (forced past the feed's breaker) cannot be traded against."""
    jpy_feed.forceSubmit(737_000, {"from": admin})
    with brownie.reverts(revert_pattern=r"RateJumped.*"):
        jpy_pool.swapExactIn(0, 100_000_000, 0, bob, FAR, {"from": alice})


def test_feed_breaker_stops_a_compromised_reporter(jpy_feed, operator):
    with brownie.reverts(revert_pattern=r"MoveTooLarge.*"):
        publish_fixing(jpy_feed, 737_000, operator)


def test_compromised_reporter_cannot_walk_the_rate_against_the_pool(jpy_pool, jpy_feed, operator, alice, bob):
    """Step +2.9%, trade (re-anchoring the pool's jump reference), step again: the feed's window
    anchor refuses the second step, so the drift a stolen reporter key can exploit per heartbeat is
    bounded by maxMoveBps."""
    publish_fixing(jpy_feed, 689_400, operator)
    jpy_pool.swapExactIn(0, 1_000_000, 0, bob, FAR, {"from": alice})
    with brownie.reverts(revert_pattern=r"MoveTooLarge.*"):
        publish_fixing(jpy_feed, 709_300, operator)


# ---- reentrancy through a hook token ----------------------------------------------------------


@pytest.fixture(scope="module")
def hook_pool(project_containers, admin, HookERC20, busd, alice, bob):
    token = HookERC20.deploy("Hook Yen", "hJPY", 0, {"from": admin})
    feed = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    pool = deploy_pool(project_containers, admin, token, busd, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])
    token.mint(admin, 10**12, {"from": admin})
    busd.mint(admin, 10**12, {"from": admin})
    seed_pool(pool, token, busd, admin, 150_000_000, 100_500_000)
    for account in (alice, bob):
        token.mint(account, 10**10, {"from": admin})
        token.approve(pool, 2**256 - 1, {"from": account})
        busd.approve(pool, 2**256 - 1, {"from": account})
    return pool, token


@pytest.mark.parametrize(
    "call",
    [
        ("swapExactIn", (1, 1_000, 0, "bob", FAR)),
        ("addLiquidity", ([1_000, 1_000], 0, "bob", FAR)),
        ("removeLiquidity", (1, [0, 0], "bob", FAR)),
        ("getAmountOut", (0, 1_000)),
        ("balances", ()),
        ("invariant", ()),
        ("calcAddLiquidity", ([1_000, 1_000],)),
    ],
    ids=lambda c: c[0],
)
def test_reentrant_call_during_a_transfer_is_refused(hook_pool, alice, bob, call):
    """The hook token calls back into the pool mid-swap: state changes and views alike revert with
    ReentrancyGuardReentrantCall (no stale-balance reads for a lending protocol either)."""
    pool, token = hook_pool
    name, args = call
    args = tuple(bob.address if a == "bob" else a for a in args)
    token.arm(pool, getattr(pool, name).encode_input(*args), {"from": alice})
    pool.swapExactIn(1, 100_000, 0, alice, FAR, {"from": alice})  # pays hJPY out: the hook fires
    assert not token.lastSuccess()
    assert token.lastResult().hex().removeprefix("0x")[:8] == REENTRANT_SELECTOR.removeprefix("0x")


def test_views_work_again_after_the_swap(hook_pool, alice):
    pool, token = hook_pool
    token.arm(pool, pool.balances.encode_input(), {"from": alice})
    token.transfer(alice, 0, {"from": alice})  # hook fires outside any pool call
    assert token.lastSuccess()


# ---- sandwich -----------------------------------------------------------------------------------


def test_sandwich_within_tolerance_pays_at_least_min_out(jpy_pool, alice, bob):
    """The victim allows 0.5% slippage. The attacker front-runs with a $300k purchase of JPY, the
    victim still receives at least minOut, and the attacker's round trip loses money."""
    victim_in = 1_000_000  # $10,000 (bUSD has 2 decimals)
    quote = jpy_pool.getAmountOut(1, victim_in)
    min_out = quote * 995 // 1_000
    attack_in = 30_000_000  # $300k of USD buys JPY first, pushing the JPY price up
    got_jpy = jpy_pool.swapExactIn(1, attack_in, 0, bob, FAR, {"from": bob}).return_value
    victim_out = jpy_pool.swapExactIn(1, victim_in, min_out, alice, FAR, {"from": alice}).return_value
    assert victim_out >= min_out
    back = jpy_pool.swapExactIn(0, got_jpy, 0, bob, FAR, {"from": bob}).return_value
    assert back < attack_in  # the sandwich does not pay: fees exceed the curve's tiny impact


def test_sandwich_beyond_tolerance_reverts_the_victim(jpy_pool, alice, bob):
    quote = jpy_pool.getAmountOut(1, 1_000_000)
    jpy_pool.swapExactIn(1, 90_000_000, 0, bob, FAR, {"from": bob})  # $900k: 90% of the USD side
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        jpy_pool.swapExactIn(1, 1_000_000, quote * 995 // 1_000, alice, FAR, {"from": alice})
