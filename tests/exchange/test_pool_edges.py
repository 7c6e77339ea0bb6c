"""Edge paths of FXPool, StableSwapMath, FXFeed and FXRouter: one-sided transfers, dust, rounding corners
of the Newton solvers on extreme balances, a downward A ramp, and the remaining revert paths."""

import brownie
import pytest
from brownie import chain

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, deploy_pool
from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.exchange.stableswap import DustAmount, InsufficientLiquidity, Pool, get_d, get_y, xp

JPY_FEED = DEFAULT_CONFIG["pairs"]["JPY"]["feed"]
JPY_POOL = DEFAULT_CONFIG["pairs"]["JPY"]["pool"]
REF = b"INV-2026-0042".ljust(32, b"\0")
MAX = 2**256 - 1


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


@pytest.fixture(scope="module")
def fresh_pool(project_containers, admin, MockERC20, busd):
    """Factory: an empty pool with A = `a` whose coin 0 has 18 decimals and whose hub has `hub` (an
    18-decimal mock by default: one raw unit is one USD × 1e18 scaled unit); admin holds and approved both."""

    def make(a, hub=None):
        coin0 = MockERC20.deploy("Coin", "C18", 18, {"from": admin})
        coin1 = hub or MockERC20.deploy("USD18", "U18", 18, {"from": admin})
        feed = deploy_feed(project_containers, admin, JPY_FEED)
        pool = deploy_pool(project_containers, admin, coin0, coin1, feed, dict(JPY_POOL, A=a))
        for token in (coin0, coin1):
            token.mint(admin, 10**30, {"from": admin})
            token.approve(pool, MAX, {"from": admin})
        return pool, coin0, coin1

    return make


def _seed(pool, admin, amounts):
    return pool.addLiquidity(amounts, 0, admin, FAR, {"from": admin}).return_value


# ---- FXFeed -----------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [0, -5])
def test_force_submit_of_a_non_positive_answer_reverts(jpy_feed, admin, answer):
    with brownie.reverts(f"AnswerNotPositive: {answer}"):
        jpy_feed.forceSubmit(answer, {"from": admin})


# ---- FXPool: one-sided transfers and fee claims ---------------------------------------------


def test_deposit_of_coin_0_only_pulls_no_hub_token(jpy_pool, jpy, busd, alice):
    expected = Pool.from_contract(jpy_pool).price_deposit([1_000_000, 0])[0]
    jpy_before, busd_before = jpy.balanceOf(alice), busd.balanceOf(alice)
    tx = jpy_pool.addLiquidity([1_000_000, 0], 0, alice, FAR, {"from": alice})
    assert tx.return_value == expected > 0
    assert jpy_before - jpy.balanceOf(alice) == 1_000_000
    assert busd.balanceOf(alice) == busd_before


def test_balanced_withdrawal_of_one_share_pays_nothing(jpy_pool, jpy, busd, admin):
    balances, supply = jpy_pool.balances(), jpy_pool.totalSupply()
    held = (jpy.balanceOf(admin), busd.balanceOf(admin))
    tx = jpy_pool.removeLiquidity(1, [0, 0], admin, FAR, {"from": admin})
    assert tx.return_value == (0, 0)
    assert jpy_pool.balances() == balances
    assert jpy_pool.totalSupply() == supply - 1
    assert (jpy.balanceOf(admin), busd.balanceOf(admin)) == held


def test_claim_of_coin_0_fees_only(jpy_pool, jpy, busd, admin, alice, bob):
    tx = jpy_pool.swapExactIn(1, 1_000_000, 0, alice, FAR, {"from": alice})  # the fee is taken in JPY
    fee0 = tx.events["Swapped"]["protocolFee"]
    assert jpy_pool.protocolFees() == (fee0, 0) and fee0 > 0
    jpy_before, busd_before = jpy.balanceOf(bob), busd.balanceOf(bob)
    claim = jpy_pool.claimProtocolFees(bob, {"from": admin})
    assert claim.return_value == (fee0, 0)
    assert jpy.balanceOf(bob) - jpy_before == fee0
    assert busd.balanceOf(bob) == busd_before
    assert jpy_pool.protocolFees() == (0, 0)


# ---- FXPool: administration reverts and a downward ramp -------------------------------------


def test_ramp_above_max_a_reverts(jpy_pool, admin):
    with brownie.reverts("InvalidA: 1000001"):
        jpy_pool.rampA(1_000_001, chain[-1].timestamp + 2 * 86_400, {"from": admin})


@pytest.mark.parametrize("fee_bps, share_bps", [(0, 0), (4, 10_001)])
def test_set_fee_out_of_range_reverts(jpy_pool, admin, fee_bps, share_bps):
    with brownie.reverts(f"InvalidFee: {fee_bps}, {share_bps}"):
        jpy_pool.setFee(fee_bps, share_bps, {"from": admin})


def test_swap_during_a_downward_ramp_prices_at_the_interpolated_a(
    jpy_pool, jpy_feed, admin, operator, alice, bob
):
    ramp = jpy_pool.rampA(100, chain[-1].timestamp + 2 * 86_400, {"from": admin}).events["RampStarted"]
    chain.sleep(86_400)
    jpy_feed.submit(670_000, {"from": operator})  # keep the feed fresh for the swap
    model = Pool.from_contract(jpy_pool)
    tx = jpy_pool.swapExactIn(0, 1_000_000, 0, bob, FAR, {"from": alice})
    elapsed = tx.timestamp - ramp["initialTime"]
    span = ramp["futureTime"] - ramp["initialTime"]
    model.amp = 20_000 - (20_000 - 10_000) * elapsed // span
    assert 10_000 < model.amp < 20_000
    assert tx.return_value == model.price_exact_in(0, 1_000_000)[0]


# ---- FXPool: one-coin withdrawals ------------------------------------------------------------


def test_one_coin_withdrawal_of_the_whole_supply_reverts(jpy_pool, admin):
    supply = jpy_pool.totalSupply()
    with brownie.reverts(f"InsufficientLiquidity: {supply}, {supply}"):
        jpy_pool.removeLiquidityOneCoin(supply, 0, 0, admin, FAR, {"from": admin})


@pytest.mark.parametrize("i", [0, 1])
def test_one_coin_withdrawal_worth_less_than_a_unit_reverts(jpy_pool, admin, i):
    with pytest.raises(InsufficientLiquidity):
        Pool.from_contract(jpy_pool).price_withdraw_one(1, i)
    balance = jpy_pool.balances()[i]
    with brownie.reverts(f"InsufficientLiquidity: 1, {balance}"):
        jpy_pool.removeLiquidityOneCoin(1, i, 0, admin, FAR, {"from": admin})


def test_one_coin_withdrawal_where_the_ideal_balance_is_below_the_curve(fresh_pool, admin):
    pool, coin0, _ = fresh_pool(2)
    _seed(pool, admin, [9_665, 995_978_693_169_263_586_049])
    model = Pool.from_contract(pool)
    x = model.scaled()
    d0 = get_d(x[0], x[1], model.amp)
    d1 = d0 - 10**15 * d0 // model.supply
    assert x[0] * d1 // d0 <= get_y(x[1], d1, model.amp)  # no imbalance fee on coin 0's side
    expected = model.price_withdraw_one(10**15, 0)[0]
    before = coin0.balanceOf(admin)
    tx = pool.removeLiquidityOneCoin(10**15, 0, 0, admin, FAR, {"from": admin})
    assert tx.return_value == expected == coin0.balanceOf(admin) - before


# ---- FXPool: deposits ------------------------------------------------------------------------


def test_first_deposit_of_the_hub_token_only_reverts(fresh_pool, admin):
    pool, _, _ = fresh_pool(200)
    with brownie.reverts("FirstDepositNeedsBothCoins: "):
        pool.addLiquidity([0, 10**20], 0, admin, FAR, {"from": admin})


def test_deposit_adding_less_than_one_share_reverts(fresh_pool, admin):
    pool, _, _ = fresh_pool(200)
    _seed(pool, admin, [10**24, 67 * 10**20])
    pool.swapExactIn(1, 10**21, 0, admin, FAR, {"from": admin})
    pool.swapExactIn(0, 10**23, 0, admin, FAR, {"from": admin})
    model = Pool.from_contract(pool)
    assert model.virtual_price() > 10**18  # fees: one share is worth more than one unit of D
    shares, fees = model.price_deposit([0, 2])
    d0 = model.invariant()
    d2 = get_d(
        xp(model.balances[0], model.rates[0]), xp(model.balances[1] + 2 - fees[1], model.rates[1]), model.amp
    )
    assert d2 > d0 and shares == 0  # D grows, by less than one share
    with brownie.reverts("ZeroAmount: "):
        pool.addLiquidity([0, 2], 0, admin, FAR, {"from": admin})


# ---- FXPool and StableSwapMath: extreme balances -------------------------------------------


def test_newton_solvers_on_a_lopsided_pool_match_the_model(fresh_pool, admin):
    pool, _, _ = fresh_pool(200)
    amounts = [2_086_601_678_041_635_349, 362_080_536]  # ~$0.0140 of coin 0 against ~$3.6e-10 of hub
    expected_shares = Pool([0, 0], [670_000 * 10**10, 10**18], 20_000, 4, 5_000).price_deposit(amounts)[0]
    assert _seed(pool, admin, amounts) == expected_shares  # getD overshoots upwards before converging
    expected_out = Pool.from_contract(pool).price_exact_in(1, 1)[0]
    tx = pool.swapExactIn(1, 1, 0, admin, FAR, {"from": admin})  # getY climbs from below
    assert tx.return_value == expected_out == 2_830_267_014


def test_exact_in_swap_of_a_worthless_amount_reverts_as_dust(fresh_pool, admin):
    pool, _, _ = fresh_pool(2)
    _seed(pool, admin, [85_229_791_575_902_490_978_131_033, 3_216_933])
    with pytest.raises(DustAmount):
        Pool.from_contract(pool).price_exact_in(0, 1)
    with brownie.reverts("DustAmount: 1"):
        pool.swapExactIn(0, 1, 0, admin, FAR, {"from": admin})


def test_exact_out_swap_costing_one_scaled_unit(fresh_pool, admin):
    pool, _, _ = fresh_pool(2)
    _seed(pool, admin, [9_942_865, 53_316_156_909_642_602])
    expected = Pool.from_contract(pool).price_exact_out(0, 1)[0]
    tx = pool.swapExactOut(0, 1, MAX, admin, FAR, {"from": admin})
    # the curve barely moves: the pool charges its minimum, one scaled unit (1e-18 USD) of coin 0, rounded up
    assert tx.return_value == expected == -(-(10**18) // (670_000 * 10**10)) == 150


# ---- FXRouter: a route whose mid rounds to zero ----------------------------------------------


def test_router_swap_with_a_zero_mid_reports_no_deviation(fresh_pool, router, busd, admin, alice, bob):
    pool, coin0, _ = fresh_pool(2, hub=busd)
    _seed(pool, admin, [150 * 10**18, 100_000_000])  # ~$1 of coin 0 against $1m: coin 0 is dear
    router.setPool(pool, {"from": admin})
    coin0.mint(alice, 10**18, {"from": admin})
    coin0.approve(router, MAX, {"from": alice})
    expected = Pool.from_contract(pool).price_exact_in(0, 10**18)[0]
    tx = router.swapExactIn([coin0, busd], 10**18, 0, bob, FAR, REF, {"from": alice})
    ev = next(e for e in tx.events["Swapped"] if e.address == router.address)
    assert tx.return_value == ev["amountOut"] == expected == 328_395
    assert pool.getMidAmountOut(0, 10**18) == 0  # 1e18 units at 0.0067 USD per 1e18: below one cent
    assert (ev["midOut"], ev["deviationBps"]) == (0, 0)
