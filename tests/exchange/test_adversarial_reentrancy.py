"""A receiver (or payer) that re-enters, through a token with transfer hooks (HookERC20) as a pool coin:
every entry point of the pool, and the router above it, refuses a call made while a pool call is in progress
(ReentrancyGuardReentrantCall, state unchanged). The router's prepaid pattern leaves one window, between the
payer's transfer into the first pool and that pool's swap, which a hooked input token can reach: there the
payer's minOut is the only protection (the corridor's own tokens have no hooks)."""

import brownie
import pytest
from brownie import web3

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, deploy_pool, seed_pool
from corridor.exchange.deploy import NO_DEADLINE as FAR

REENTRANT = web3.keccak(text="ReentrancyGuardReentrantCall()")[:4].hex().removeprefix("0x")
MAX = 2**256 - 1
REF = b"INV-REENTRY".ljust(32, b"\0")


@pytest.fixture(scope="module")
def hooked(project_containers, admin, HookERC20, ReentrantCaller, MockERC20, alice, bob):
    """A pool and a router whose coin 0 (hJPY) calls out on every transfer once armed, plus an attacker
    contract holding both coins with approvals to pool and router."""
    busd = MockERC20.deploy("Bakong USD", "bUSD", 2, {"from": admin})
    token = HookERC20.deploy("Hook Yen", "hJPY", 0, {"from": admin})
    feed = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    pool = deploy_pool(project_containers, admin, token, busd, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])
    router = project_containers.FXRouter.deploy(busd, admin, 0, {"from": admin})
    router.setPool(pool, {"from": admin})
    token.mint(admin, 10**12, {"from": admin})
    busd.mint(admin, 10**12, {"from": admin})
    seed_pool(pool, token, busd, admin, 150_000_000, 100_500_000)
    attacker = ReentrantCaller.deploy({"from": admin})
    for account in (alice, bob, attacker):
        token.mint(account, 10**10, {"from": admin})
        busd.mint(account, 10**10, {"from": admin})
    for account in (alice, bob):
        for t in (token, busd, pool):
            for spender in (pool, router):
                t.approve(spender, MAX, {"from": account})
    for t in (token, busd):
        for spender in (pool, router):
            attacker.exec(t, t.approve.encode_input(spender, MAX), {"from": admin})
    shares = pool.addLiquidity([1_000_000, 670_000], 0, alice, FAR, {"from": alice}).return_value
    assert shares > 0
    return pool, router, token, busd, attacker


def _snapshot(pool, token, busd, *holders):
    return (
        pool.balances(),
        pool.protocolFees(),
        pool.totalSupply(),
        [(token.balanceOf(h), busd.balanceOf(h)) for h in holders],
    )


def _arm_attack(token, attacker, calls, sender):
    targets = [c[0] for c in calls]
    data = [c[1] for c in calls]
    attacker.setCalls(targets, data, {"from": sender})
    token.arm(attacker, attacker.fire.encode_input(), {"from": sender})


def _refused_reentry(token):
    return (not token.lastSuccess()) and token.lastResult().hex().removeprefix("0x")[:8] == REENTRANT


# ---- the pool: every entry point, the hook firing on the pull and on the payout ---------------------


POOL_ENTRIES = {
    # the outer call fires the hook while hJPY moves (sold into the pool, or paid out of it)
    "swapExactIn selling hJPY (pull)": lambda p, a: p.swapExactIn(0, 100_000, 0, a, FAR, {"from": a}),
    "swapExactIn buying hJPY (payout)": lambda p, a: p.swapExactIn(1, 100_000, 0, a, FAR, {"from": a}),
    "swapExactOut selling hJPY (pull)": lambda p, a: p.swapExactOut(0, 1_000, MAX, a, FAR, {"from": a}),
    "addLiquidity (pull)": lambda p, a: p.addLiquidity([10_000, 6_700], 0, a, FAR, {"from": a}),
    "removeLiquidity (payout)": lambda p, a: p.removeLiquidity(10**20, [0, 0], a, FAR, {"from": a}),
    "removeLiquidityOneCoin (payout)": lambda p, a: p.removeLiquidityOneCoin(
        10**20, 0, 0, a, FAR, {"from": a}
    ),
}
REENTRIES = {
    "swapExactIn": lambda p, r, b: p.swapExactIn.encode_input(1, 1_000, 0, b, FAR),
    "swapPrepaidExactIn": lambda p, r, b: p.swapPrepaidExactIn.encode_input(1, 0, b),
    "addLiquidity": lambda p, r, b: p.addLiquidity.encode_input([1_000, 1_000], 0, b, FAR),
    "removeLiquidity": lambda p, r, b: p.removeLiquidity.encode_input(1, [0, 0], b, FAR),
    "getAmountIn (view)": lambda p, r, b: p.getAmountIn.encode_input(0, 1_000),
    "calcRemoveLiquidityOneCoin (view)": lambda p, r, b: p.calcRemoveLiquidityOneCoin.encode_input(10**6, 0),
    "router.quoteExactIn (view through the router)": lambda p, r, b: None,
}


@pytest.mark.parametrize("entry", POOL_ENTRIES, ids=list(POOL_ENTRIES))
@pytest.mark.parametrize("reentry", REENTRIES, ids=list(REENTRIES))
def test_pool_refuses_reentry_from_any_entry_point(hooked, alice, bob, entry, reentry):
    """The attacker contract (holding both coins and approvals) calls back mid-transfer: every state-changing
    and view entry of the pool, and the router's quote over it, revert ReentrancyGuardReentrantCall; the outer
    call completes as if nothing had happened."""
    pool, router, token, busd, attacker = hooked
    data = REENTRIES[reentry](pool, router, bob)
    target = pool
    if data is None:
        target, data = router, router.quoteExactIn.encode_input([token, busd], 1_000)
    _arm_attack(token, attacker, [(target, data)], alice)
    before_attacker = (token.balanceOf(attacker), busd.balanceOf(attacker))
    POOL_ENTRIES[entry](pool, alice)
    assert not token.armed()  # the hook fired
    assert _refused_reentry(token)
    assert (token.balanceOf(attacker), busd.balanceOf(attacker)) == before_attacker


def test_reentrant_swap_through_the_router_is_refused(hooked, alice, bob):
    """Paying hJPY out to alice fires the hook; the attacker swaps through the router into the same pool:
    the router's payment into the pool happens, then the locked pool refuses and the whole inner call
    unwinds (the attacker keeps its USD)."""
    pool, router, token, busd, attacker = hooked
    inner = router.swapExactIn.encode_input([busd, token], 10_000, 0, attacker, FAR, REF)
    _arm_attack(token, attacker, [(router, inner)], alice)
    usd_before = busd.balanceOf(attacker)
    out = router.swapExactIn([busd, token], 100_000, 0, alice, FAR, REF, {"from": alice}).return_value
    assert out > 0
    assert _refused_reentry(token)
    assert busd.balanceOf(attacker) == usd_before


# ---- the router's prepaid window -------------------------------------------------------------------


def test_hook_stealing_the_router_prepayment_reverts_the_route(hooked, alice):
    """The payer's hJPY reaches the pool before the router calls it; the hook (firing on that transfer)
    claims it with swapPrepaidExactIn. The router's own pool call then finds no prepayment and the whole
    transaction reverts: nothing moves."""
    pool, router, token, busd, attacker = hooked
    _arm_attack(token, attacker, [(pool, pool.swapPrepaidExactIn.encode_input(0, 0, attacker))], alice)
    before = _snapshot(pool, token, busd, alice, attacker)
    with brownie.reverts("InsufficientPrepayment: 0, 1"):
        router.swapExactIn([token, busd], 1_000_000, 0, alice, FAR, REF, {"from": alice})
    assert _snapshot(pool, token, busd, alice, attacker) == before


def test_hook_leaving_dust_in_the_prepaid_window_is_stopped_by_min_out(hooked, alice):
    """The hook claims the prepayment and puts back 1% so the router's call still finds an input: the payer's
    minOut (here the router's own quote less 0.5%) rejects the result and the whole transaction reverts."""
    pool, router, token, busd, attacker = hooked
    amount = 1_000_000
    quote = router.quoteExactIn([token, busd], amount)
    _arm_attack(
        token,
        attacker,
        [
            (pool, pool.swapPrepaidExactIn.encode_input(0, 0, attacker)),
            (token, token.transfer.encode_input(pool, amount // 100)),
        ],
        alice,
    )
    before = _snapshot(pool, token, busd, alice, attacker)
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        router.swapExactIn([token, busd], amount, quote * 995 // 1_000, alice, FAR, REF, {"from": alice})
    assert _snapshot(pool, token, busd, alice, attacker) == before


def test_hooked_input_token_with_zero_min_out_loses_the_payment(hooked, alice):
    """Documents the limit: with minOut = 0 the same hook takes 99% of the payment. Only hook-free tokens are
    listed in the corridor (CompliantToken has no hooks); a payer must always set minOut."""
    pool, router, token, busd, attacker = hooked
    amount = 1_000_000
    _arm_attack(
        token,
        attacker,
        [
            (pool, pool.swapPrepaidExactIn.encode_input(0, 0, attacker)),
            (token, token.transfer.encode_input(pool, amount // 100)),
        ],
        alice,
    )
    fair = router.quoteExactIn([token, busd], amount)
    usd_attacker = busd.balanceOf(attacker)
    out = router.swapExactIn([token, busd], amount, 0, alice, FAR, REF, {"from": alice}).return_value
    assert token.lastSuccess()
    assert out < fair // 50
    assert busd.balanceOf(attacker) - usd_attacker > fair * 9 // 10
