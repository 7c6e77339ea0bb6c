"""FXPool swaps: exact-in, exact-out, prepaid (router) entries, and every revert path."""

import brownie
import pytest
from brownie import chain

from corridor.exchange.deploy import NO_DEADLINE as FAR
from corridor.exchange.stableswap import Pool


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


def test_swap_exact_in_pays_the_quote(jpy_pool, jpy, busd, alice, bob):
    quote = jpy_pool.getAmountOut(0, 1_000_000)
    before = busd.balanceOf(bob)
    tx = jpy_pool.swapExactIn(0, 1_000_000, quote, bob, FAR, {"from": alice})
    assert tx.return_value == quote
    assert busd.balanceOf(bob) - before == quote
    ev = tx.events["Swapped"]
    assert (ev["sender"], ev["recipient"], ev["i"], ev["amountIn"], ev["amountOut"]) == (
        alice,
        bob,
        0,
        1_000_000,
        quote,
    )


def test_swap_exact_in_matches_the_reference_model(jpy_pool, alice, bob):
    model = Pool.from_contract(jpy_pool)
    expected, protocol_fee = model.price_exact_in(1, 500_000)
    tx = jpy_pool.swapExactIn(1, 500_000, 0, bob, FAR, {"from": alice})
    assert tx.return_value == expected
    assert tx.events["Swapped"]["protocolFee"] == protocol_fee


def test_swap_exact_in_near_the_peg_costs_about_the_fee(jpy_pool):
    out = jpy_pool.getAmountOut(0, 1_000_000)  # ¥1m ≈ $6,700, 0.67% of the pool
    mid = jpy_pool.getMidAmountOut(0, 1_000_000)
    assert mid == 670_000
    assert mid * (10_000 - 6) // 10_000 <= out < mid  # 4 bps fee + well under 2 bps of impact


def test_swap_updates_the_pool_accounting(jpy_pool, jpy, busd, alice, bob):
    b0, b1 = jpy_pool.balances()
    tx = jpy_pool.swapExactIn(0, 1_000_000, 0, bob, FAR, {"from": alice})
    fee = tx.events["Swapped"]["protocolFee"]
    assert jpy_pool.balances() == (b0 + 1_000_000, b1 - tx.return_value - fee)
    assert jpy_pool.protocolFees() == (0, fee)
    assert busd.balanceOf(jpy_pool) == b1 - tx.return_value


def test_swap_exact_out_pays_exactly_the_amount(jpy_pool, jpy, busd, alice, bob):
    quote = jpy_pool.getAmountIn(0, 100_000)
    jpy_before, busd_before = jpy.balanceOf(alice), busd.balanceOf(bob)
    tx = jpy_pool.swapExactOut(0, 100_000, quote, bob, FAR, {"from": alice})
    assert tx.return_value == quote
    assert busd.balanceOf(bob) - busd_before == 100_000
    assert jpy_before - jpy.balanceOf(alice) == quote


def test_swap_exact_out_matches_the_reference_model(jpy_pool, alice, bob):
    expected, _ = Pool.from_contract(jpy_pool).price_exact_out(1, 3_000_000)
    assert jpy_pool.swapExactOut(1, 3_000_000, 2**255, bob, FAR, {"from": alice}).return_value == expected


def test_exact_out_input_buys_at_least_the_output(jpy_pool):
    amount_in = jpy_pool.getAmountIn(1, 12_345)
    assert jpy_pool.getAmountOut(1, amount_in) >= 12_345


def test_swap_exact_in_below_min_out_reverts(jpy_pool, alice, bob):
    quote = jpy_pool.getAmountOut(0, 1_000_000)
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        jpy_pool.swapExactIn(0, 1_000_000, quote + 1, bob, FAR, {"from": alice})


def test_swap_exact_out_above_max_in_reverts(jpy_pool, alice, bob):
    quote = jpy_pool.getAmountIn(0, 100_000)
    with brownie.reverts(revert_pattern=r"ExcessiveInput.*"):
        jpy_pool.swapExactOut(0, 100_000, quote - 1, bob, FAR, {"from": alice})


def test_swap_after_deadline_reverts(jpy_pool, alice, bob):
    deadline = chain[-1].timestamp - 1
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        jpy_pool.swapExactIn(0, 1_000, 0, bob, deadline, {"from": alice})


def test_swap_exact_out_after_deadline_reverts(jpy_pool, alice, bob):
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        jpy_pool.swapExactOut(0, 1_000, 2**255, bob, chain[-1].timestamp - 1, {"from": alice})


def test_swap_invalid_coin_reverts(jpy_pool, alice, bob):
    with brownie.reverts(revert_pattern=r"InvalidCoin.*"):
        jpy_pool.swapExactIn(2, 1_000, 0, bob, FAR, {"from": alice})


def test_swap_zero_amount_reverts(jpy_pool, alice, bob):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        jpy_pool.swapExactIn(0, 0, 0, bob, FAR, {"from": alice})


def test_swap_exact_out_zero_amount_reverts(jpy_pool, alice, bob):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        jpy_pool.swapExactOut(0, 0, 2**255, bob, FAR, {"from": alice})


def test_swap_to_zero_address_reverts(jpy_pool, alice):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        jpy_pool.swapExactIn(0, 1_000, 0, brownie.ZERO_ADDRESS, FAR, {"from": alice})


def test_swap_exact_out_of_the_whole_balance_reverts(jpy_pool, alice, bob):
    _, b1 = jpy_pool.balances()
    with brownie.reverts(revert_pattern=r"InsufficientLiquidity.*"):
        jpy_pool.swapExactOut(0, b1, 2**255, bob, FAR, {"from": alice})


def test_huge_swap_leaves_the_pool_solvent(jpy_pool, busd, alice, bob):
    """Selling 100× the pool's depth cannot empty the USD side (the curve bends to x·y = k)."""
    _, b1 = jpy_pool.balances()
    out = jpy_pool.swapExactIn(0, 15_000_000_000, 0, bob, FAR, {"from": alice}).return_value
    assert 0 < out < b1
    assert jpy_pool.balances()[1] > 0


def test_swap_while_paused_reverts(jpy_pool, operator, alice, bob):
    jpy_pool.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        jpy_pool.swapExactIn(0, 1_000, 0, bob, FAR, {"from": alice})


def test_prepaid_exact_in_sells_the_surplus(jpy_pool, jpy, busd, alice, bob):
    jpy.transfer(jpy_pool, 1_000_000, {"from": alice})
    quote = jpy_pool.getAmountOut(0, 1_000_000)
    tx = jpy_pool.swapPrepaidExactIn(0, quote, bob, {"from": alice})
    assert tx.return_value == (quote, 670_000)


def test_prepaid_exact_in_without_payment_reverts(jpy_pool, alice, bob):
    with brownie.reverts(revert_pattern=r"InsufficientPrepayment.*"):
        jpy_pool.swapPrepaidExactIn(0, 0, bob, {"from": alice})


def test_prepaid_exact_in_below_min_out_reverts(jpy_pool, jpy, alice, bob):
    jpy.transfer(jpy_pool, 1_000_000, {"from": alice})
    quote = jpy_pool.getAmountOut(0, 1_000_000)
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        jpy_pool.swapPrepaidExactIn(0, quote + 1, bob, {"from": alice})


def test_prepaid_exact_out_keeps_the_excess_for_lps(jpy_pool, jpy, busd, alice, bob):
    need = jpy_pool.getAmountIn(0, 100_000)
    jpy.transfer(jpy_pool, need + 50, {"from": alice})
    b0, _ = jpy_pool.balances()
    before = busd.balanceOf(bob)
    tx = jpy_pool.swapPrepaidExactOut(0, 100_000, bob, {"from": alice})
    assert tx.return_value[0] == need + 50
    assert busd.balanceOf(bob) - before == 100_000
    assert jpy_pool.balances()[0] == b0 + need + 50


def test_prepaid_exact_out_underpaid_reverts(jpy_pool, jpy, alice, bob):
    need = jpy_pool.getAmountIn(0, 100_000)
    jpy.transfer(jpy_pool, need - 1, {"from": alice})
    with brownie.reverts(revert_pattern=r"InsufficientPrepayment.*"):
        jpy_pool.swapPrepaidExactOut(0, 100_000, bob, {"from": alice})


def test_prepaid_invalid_coin_reverts(jpy_pool, alice, bob):
    with brownie.reverts(revert_pattern=r"InvalidCoin.*"):
        jpy_pool.swapPrepaidExactOut(5, 100, bob, {"from": alice})


def test_quote_views_reject_invalid_coin(jpy_pool):
    with brownie.reverts(revert_pattern=r"InvalidCoin.*"):
        jpy_pool.getMidAmountOut(2, 1)
    with brownie.reverts(revert_pattern=r"InvalidCoin.*"):
        jpy_pool.coins(2)


def test_swap_through_both_directions_in_the_khr_pool(khr_pool, khr, busd, alice, bob):
    usd = khr_pool.swapExactIn(0, 40_000_000, 0, bob, FAR, {"from": alice}).return_value  # ៛40m ≈ $9,800
    assert 979_000 <= usd < 980_000
    khr_out = khr_pool.swapExactIn(1, usd, 0, alice, FAR, {"from": bob}).return_value
    assert khr_out < 40_000_000
