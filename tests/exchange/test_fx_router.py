"""FXRouter: quotes, exact-in and exact-out through the USD hub, the Swapped event, errors."""

import brownie
import pytest
from brownie import chain
from brownie.test import given, strategy
from hypothesis import settings

from corridor.exchange.deploy import NO_DEADLINE as FAR

REF = b"INV-2026-0001".ljust(32, b"\0")


@pytest.fixture(autouse=True)
def _funded(funded):
    """alice and bob hold and approved every token."""


def test_pools_are_registered_against_the_hub(router, jpy, khr, busd, jpy_pool, khr_pool):
    assert router.hub() == busd
    assert router.poolOf(jpy) == jpy_pool
    assert router.poolOf(khr) == khr_pool
    assert router.poolOf(busd) == brownie.ZERO_ADDRESS


def test_single_hop_quote_equals_the_pool_quote(router, jpy_pool, jpy, busd):
    assert router.quoteExactIn([jpy, busd], 1_000_000) == jpy_pool.getAmountOut(0, 1_000_000)
    assert router.quoteExactIn([busd, jpy], 100_000) == jpy_pool.getAmountOut(1, 100_000)
    assert router.quoteExactOut([jpy, busd], 100_000) == jpy_pool.getAmountIn(0, 100_000)


def test_two_hop_quote_chains_the_pools(router, jpy_pool, khr_pool, jpy, busd, khr):
    usd = jpy_pool.getAmountOut(0, 1_000_000)
    assert router.quoteExactIn([jpy, busd, khr], 1_000_000) == khr_pool.getAmountOut(1, usd)


def test_quote_mid_uses_oracle_rates_only(router, jpy, busd, khr):
    # ¥1m × 0.0067 = $6,700 → ÷ 0.000245 = ៛27,346,938
    assert router.quoteMid([jpy, busd, khr], 1_000_000) == 27_346_938


def test_swap_exact_in_two_hops_pays_the_quote(router, jpy, busd, khr, alice, merchant):
    quote = router.quoteExactIn([jpy, busd, khr], 1_000_000)
    jpy_before = jpy.balanceOf(alice)
    tx = router.swapExactIn([jpy, busd, khr], 1_000_000, quote, merchant, FAR, REF, {"from": alice})
    assert tx.return_value == quote
    assert khr.balanceOf(merchant) == quote
    assert jpy_before - jpy.balanceOf(alice) == 1_000_000
    assert busd.balanceOf(router) == 0


def test_swapped_event_reports_the_deviation_from_mid(router, jpy, busd, khr, alice, merchant):
    mid = router.quoteMid([jpy, busd, khr], 1_000_000)
    tx = router.swapExactIn([jpy, busd, khr], 1_000_000, 0, merchant, FAR, REF, {"from": alice})
    ev = tx.events["Swapped"][-1]
    assert (ev["payer"], ev["recipient"], ev["paymentReference"]) == (alice, merchant, "0x" + REF.hex())
    assert (ev["tokenIn"], ev["tokenOut"], ev["amountIn"]) == (jpy, khr, 1_000_000)
    assert abs(ev["midOut"] - mid) <= 2
    assert ev["deviationBps"] == (ev["midOut"] - ev["amountOut"]) * 10_000 // ev["midOut"]
    assert 9 <= ev["deviationBps"] <= 11  # 4 + 5 bps of fees and a little impact


def test_rebalancing_trade_beats_the_mid(router, jpy_pool, jpy, busd, alice, bob):
    """After a large JPY sale the pool is long JPY: buying JPY back gets a better-than-mid rate."""
    jpy_pool.swapExactIn(0, 100_000_000, 0, bob, FAR, {"from": alice})
    tx = router.swapExactIn([busd, jpy], 10_000, 0, bob, FAR, REF, {"from": alice})
    assert tx.events["Swapped"][-1]["deviationBps"] < 0


def test_swap_exact_out_two_hops_pays_exactly(router, jpy, busd, khr, alice, merchant):
    quote = router.quoteExactOut([jpy, busd, khr], 5_000_000)
    jpy_before = jpy.balanceOf(alice)
    tx = router.swapExactOut([jpy, busd, khr], 5_000_000, quote, merchant, FAR, REF, {"from": alice})
    assert tx.return_value == quote
    assert khr.balanceOf(merchant) == 5_000_000
    assert jpy_before - jpy.balanceOf(alice) == quote
    assert tx.events["Swapped"][-1]["amountOut"] == 5_000_000


def test_swap_exact_out_single_hop(router, jpy, busd, alice, merchant):
    tx = router.swapExactOut([busd, jpy], 1_000_000, 2**255, merchant, FAR, REF, {"from": alice})
    assert jpy.balanceOf(merchant) == 1_000_000
    assert tx.events["Swapped"][-1]["deviationBps"] >= 4


def test_swap_exact_in_below_min_out_reverts(router, jpy, busd, khr, alice, merchant):
    quote = router.quoteExactIn([jpy, busd, khr], 1_000_000)
    with brownie.reverts(revert_pattern=r"InsufficientOutput.*"):
        router.swapExactIn([jpy, busd, khr], 1_000_000, quote + 1, merchant, FAR, REF, {"from": alice})


def test_swap_exact_out_above_max_in_reverts(router, jpy, busd, khr, alice, merchant):
    quote = router.quoteExactOut([jpy, busd, khr], 5_000_000)
    with brownie.reverts(revert_pattern=r"ExcessiveInput.*"):
        router.swapExactOut([jpy, busd, khr], 5_000_000, quote - 1, merchant, FAR, REF, {"from": alice})


def test_swap_after_deadline_reverts(router, jpy, busd, alice, merchant):
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        router.swapExactIn([jpy, busd], 1_000, 0, merchant, chain[-1].timestamp - 1, REF, {"from": alice})


def test_swap_exact_out_after_deadline_reverts(router, jpy, busd, alice, merchant):
    with brownie.reverts(revert_pattern=r"DeadlinePassed.*"):
        router.swapExactOut(
            [jpy, busd], 1_000, 2**255, merchant, chain[-1].timestamp - 1, REF, {"from": alice}
        )


def test_swap_of_zero_reverts(router, jpy, busd, alice, merchant):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        router.swapExactIn([jpy, busd], 0, 0, merchant, FAR, REF, {"from": alice})


def test_swap_to_zero_address_reverts(router, jpy, busd, alice):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        router.swapExactIn([jpy, busd], 1_000, 0, brownie.ZERO_ADDRESS, FAR, REF, {"from": alice})


def test_path_of_one_token_reverts(router, jpy, alice, merchant):
    with brownie.reverts(revert_pattern=r"InvalidPath.*"):
        router.swapExactIn([jpy], 1_000, 0, merchant, FAR, REF, {"from": alice})


def test_hop_without_the_hub_reverts(router, jpy, khr, alice, merchant):
    with brownie.reverts(revert_pattern=r"NoPool.*"):
        router.swapExactIn([jpy, khr], 1_000, 0, merchant, FAR, REF, {"from": alice})


def test_hop_to_an_unknown_token_reverts(router, busd, alice, merchant, stranger):
    with brownie.reverts(revert_pattern=r"NoPool.*"):
        router.quoteExactIn([busd, stranger], 1_000)


def test_set_pool_with_another_hub_reverts(router, khr_pool, FXRouter, admin, jpy):
    other = FXRouter.deploy(jpy, admin, 0, {"from": admin})
    with brownie.reverts(revert_pattern=r"PoolHubMismatch.*"):
        other.setPool(khr_pool, {"from": admin})


def test_set_pool_zero_address_reverts(router, admin):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        router.setPool(brownie.ZERO_ADDRESS, {"from": admin})


def test_set_pool_by_stranger_reverts(router, jpy_pool, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        router.setPool(jpy_pool, {"from": stranger})


def test_set_pool_emits(router, jpy_pool, jpy, admin):
    tx = router.setPool(jpy_pool, {"from": admin})
    assert (tx.events["PoolSet"]["token"], tx.events["PoolSet"]["pool"]) == (jpy, jpy_pool)


def test_router_constructor_rejects_zero_hub(FXRouter, admin):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        FXRouter.deploy(brownie.ZERO_ADDRESS, admin, 0, {"from": admin})


@given(khr_out=strategy("uint256", min_value=5_000, max_value=2_000_000_000))
@settings(max_examples=10)
def test_exact_out_route_always_delivers_exactly(router, jpy, busd, khr, alice, merchant, khr_out):
    """Rounding up at every backwards step: the intermediate hop always covers the next one."""
    quote = router.quoteExactOut([jpy, busd, khr], khr_out)
    before = khr.balanceOf(merchant)
    tx = router.swapExactOut([jpy, busd, khr], khr_out, quote, merchant, FAR, REF, {"from": alice})
    assert tx.return_value == quote
    assert khr.balanceOf(merchant) - before == khr_out


@given(jpy_in=strategy("uint256", min_value=1_000, max_value=100_000_000))
@settings(max_examples=10)
def test_exact_in_route_never_pays_more_than_mid(router, jpy, busd, khr, alice, merchant, jpy_in):
    mid = router.quoteMid([jpy, busd, khr], jpy_in)
    out = router.swapExactIn([jpy, busd, khr], jpy_in, 0, merchant, FAR, REF, {"from": alice}).return_value
    assert out < mid
