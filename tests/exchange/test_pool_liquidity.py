"""FXPool liquidity: first deposit and dead shares, balanced and single-sided deposits, balanced and
one-coin withdrawals, and their revert paths."""

import brownie
import pytest
from brownie import chain

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, deploy_pool
from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.exchange.stableswap import Pool


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


@pytest.fixture(scope="module")
def empty_pool(project_containers, admin, jpy, busd):
    feed = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    return deploy_pool(project_containers, admin, jpy, busd, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])


def _approve(pool, tokens, account):
    for token in tokens:
        token.approve(pool, 2**256 - 1, {"from": account})


def test_first_deposit_mints_d_minus_dead_shares(empty_pool, jpy, busd, alice):
    _approve(empty_pool, (jpy, busd), alice)
    tx = empty_pool.addLiquidity([1_500_000, 1_005_000], 0, alice, FAR, {"from": alice})
    d = empty_pool.invariant()
    assert tx.return_value == d - empty_pool.MINIMUM_SHARES()
    assert empty_pool.balanceOf(empty_pool.DEAD()) == empty_pool.MINIMUM_SHARES()
    assert empty_pool.totalSupply() == d
    assert empty_pool.virtualPrice() == 10**18


def test_first_deposit_single_sided_reverts(empty_pool, jpy, busd, alice):
    _approve(empty_pool, (jpy, busd), alice)
    with brownie.reverts(revert_pattern=r"FirstDepositNeedsBothCoins.*"):
        empty_pool.addLiquidity([1_500_000, 0], 0, alice, FAR, {"from": alice})


def test_empty_pool_views(empty_pool):
    assert empty_pool.virtualPrice() == 0
    assert empty_pool.balances() == (0, 0)
    assert empty_pool.invariant() == 0


def test_balanced_deposit_pays_no_imbalance_fee(jpy_pool, alice):
    b0, b1 = jpy_pool.balances()
    amounts = [b0 // 100, b1 // 100]
    shares, fees = Pool.from_contract(jpy_pool).price_deposit(amounts)
    tx = jpy_pool.addLiquidity(amounts, shares, alice, FAR, {"from": alice})
    assert tx.return_value == shares
    assert max(tx.events["LiquidityAdded"]["fees"]) <= 1
    assert jpy_pool.balanceOf(alice) == shares


def test_single_sided_deposit_pays_the_imbalance_fee(jpy_pool, alice):
    shares, fees = Pool.from_contract(jpy_pool).price_deposit([0, 10_000_000])
    tx = jpy_pool.addLiquidity([0, 10_000_000], 0, alice, FAR, {"from": alice})
    assert tx.return_value == shares
    assert list(tx.events["LiquidityAdded"]["fees"]) == fees
    assert fees[1] > 0


def test_calc_add_liquidity_matches_the_deposit(jpy_pool, alice):
    quote = jpy_pool.calcAddLiquidity([3_000_000, 7_000])
    assert jpy_pool.addLiquidity([3_000_000, 7_000], 0, alice, FAR, {"from": alice}).return_value == quote


def test_deposit_below_min_shares_reverts(jpy_pool, alice):
    quote = jpy_pool.calcAddLiquidity([1_000_000, 6_700])
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        jpy_pool.addLiquidity([1_000_000, 6_700], quote + 1, alice, FAR, {"from": alice})


def test_deposit_of_nothing_reverts(jpy_pool, alice):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        jpy_pool.addLiquidity([0, 0], 0, alice, FAR, {"from": alice})


def test_deposit_for_zero_address_reverts(jpy_pool, alice):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        jpy_pool.addLiquidity([1_000, 1_000], 0, brownie.ZERO_ADDRESS, FAR, {"from": alice})


def test_deposit_after_deadline_reverts(jpy_pool, alice):
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        jpy_pool.addLiquidity([1_000, 1_000], 0, alice, chain[-1].timestamp - 1, {"from": alice})


def test_deposit_while_paused_reverts(jpy_pool, operator, alice):
    jpy_pool.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        jpy_pool.addLiquidity([1_000, 1_000], 0, alice, FAR, {"from": alice})


def test_balanced_withdrawal_is_pro_rata(jpy_pool, jpy, busd, admin, bob):
    shares = jpy_pool.balanceOf(admin) // 10
    b0, b1 = jpy_pool.balances()
    supply = jpy_pool.totalSupply()
    tx = jpy_pool.removeLiquidity(shares, [0, 0], bob, FAR, {"from": admin})
    assert list(tx.return_value) == [b0 * shares // supply, b1 * shares // supply]
    assert jpy_pool.balances() == (b0 - tx.return_value[0], b1 - tx.return_value[1])
    assert jpy_pool.totalSupply() == supply - shares


def test_balanced_withdrawal_works_while_paused_and_stale(jpy_pool, operator, admin):
    jpy_pool.pause({"from": operator})
    chain.sleep(8 * 86_400)
    chain.mine()
    tx = jpy_pool.removeLiquidity(10**18, [1, 1], admin, FAR, {"from": admin})
    assert min(tx.return_value) > 0


def test_balanced_withdrawal_below_minimum_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        jpy_pool.removeLiquidity(10**18, [0, 10**18], admin, FAR, {"from": admin})


def test_balanced_withdrawal_of_zero_shares_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        jpy_pool.removeLiquidity(0, [0, 0], admin, FAR, {"from": admin})


def test_balanced_withdrawal_to_zero_address_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        jpy_pool.removeLiquidity(10**18, [0, 0], brownie.ZERO_ADDRESS, FAR, {"from": admin})


def test_balanced_withdrawal_after_deadline_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        jpy_pool.removeLiquidity(10**18, [0, 0], admin, chain[-1].timestamp - 1, {"from": admin})


def test_withdrawal_of_more_shares_than_held_reverts(jpy_pool, alice):
    with brownie.reverts(revert_pattern=r"ERC20InsufficientBalance.*"):
        jpy_pool.removeLiquidity(10**18, [0, 0], alice, FAR, {"from": alice})


@pytest.mark.parametrize("i", [0, 1])
def test_one_coin_withdrawal_matches_the_reference_model(jpy_pool, admin, bob, i):
    shares = jpy_pool.balanceOf(admin) // 20
    amount, fee, protocol_fee = Pool.from_contract(jpy_pool).price_withdraw_one(shares, i)
    assert jpy_pool.calcRemoveLiquidityOneCoin(shares, i) == amount
    tx = jpy_pool.removeLiquidityOneCoin(shares, i, amount, bob, FAR, {"from": admin})
    assert tx.return_value == amount
    ev = tx.events["LiquidityRemovedOneCoin"]
    assert (ev["amount"], ev["fee"], ev["shares"]) == (amount, fee, shares)
    assert jpy_pool.protocolFees()[i] == protocol_fee


def test_one_coin_withdrawal_below_minimum_reverts(jpy_pool, admin):
    quote = jpy_pool.calcRemoveLiquidityOneCoin(10**18, 1)
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        jpy_pool.removeLiquidityOneCoin(10**18, 1, quote + 1, admin, FAR, {"from": admin})


def test_one_coin_withdrawal_invalid_coin_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"InvalidCoin.*"):
        jpy_pool.removeLiquidityOneCoin(10**18, 2, 0, admin, FAR, {"from": admin})


def test_one_coin_withdrawal_of_zero_shares_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        jpy_pool.removeLiquidityOneCoin(0, 0, 0, admin, FAR, {"from": admin})


def test_one_coin_withdrawal_to_zero_address_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        jpy_pool.removeLiquidityOneCoin(10**18, 0, 0, brownie.ZERO_ADDRESS, FAR, {"from": admin})


def test_one_coin_withdrawal_while_paused_reverts(jpy_pool, operator, admin):
    jpy_pool.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        jpy_pool.removeLiquidityOneCoin(10**18, 0, 0, admin, FAR, {"from": admin})


def test_one_coin_withdrawal_after_deadline_reverts(jpy_pool, admin):
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        jpy_pool.removeLiquidityOneCoin(10**18, 0, 0, admin, chain[-1].timestamp - 1, {"from": admin})


def test_one_coin_withdrawal_of_all_shares_leaves_a_balance(jpy_pool, admin):
    shares = jpy_pool.balanceOf(admin)
    b0, _ = jpy_pool.balances()
    assert jpy_pool.calcRemoveLiquidityOneCoin(shares, 0) < b0


def test_one_coin_withdrawal_of_more_than_the_supply_reverts(jpy_pool, admin):
    supply = jpy_pool.totalSupply()
    with brownie.reverts(revert_pattern=r"InsufficientLiquidity.*"):
        jpy_pool.calcRemoveLiquidityOneCoin(supply, 0)


@pytest.fixture(scope="module")
def wei_pool(project_containers, admin, MockERC20):
    """A pool of two 18-decimal coins, where one raw unit is worth 1e-18 USD."""
    coin0 = MockERC20.deploy("Coin", "C18", 18, {"from": admin})
    hub18 = MockERC20.deploy("USD18", "U18", 18, {"from": admin})
    feed = deploy_feed(project_containers, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"])
    pool = deploy_pool(project_containers, admin, coin0, hub18, feed, DEFAULT_CONFIG["pairs"]["JPY"]["pool"])
    for token in (coin0, hub18):
        token.mint(admin, 10**30, {"from": admin})
        token.approve(pool, 2**256 - 1, {"from": admin})
    return pool


def test_first_deposit_not_above_the_dead_shares_reverts(wei_pool, admin):
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        wei_pool.addLiquidity([1_000, 1_000], 0, admin, FAR, {"from": admin})


def test_deposit_minting_no_share_reverts(wei_pool, admin):
    wei_pool.addLiquidity([10**24, 10**22], 0, admin, FAR, {"from": admin})
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        wei_pool.addLiquidity([1, 0], 0, admin, FAR, {"from": admin})
