"""Smoke: deploy the exchange with corridor.exchange.deploy and pay a KHR invoice in JPY."""

from types import SimpleNamespace

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_exchange


def test_jpy_to_khr_payment_through_the_usd_hub(accounts, MockERC20, FXFeed, FXPool, FXRouter):
    admin, payer, merchant = accounts[0], accounts[2], accounts[4]
    jpy = MockERC20.deploy("JPY Stablecoin", "JPYS", 0, {"from": admin})
    khr = MockERC20.deploy("Bakong KHR", "bKHR", 0, {"from": admin})
    busd = MockERC20.deploy("Bakong USD", "bUSD", 2, {"from": admin})
    for token in (jpy, khr, busd):
        token.mint(admin, 10**13, {"from": admin})
    jpy.mint(payer, 10_000_000, {"from": admin})
    exchange = deploy_exchange(
        SimpleNamespace(FXFeed=FXFeed, FXPool=FXPool, FXRouter=FXRouter),
        admin,
        DEFAULT_CONFIG,
        {"JPY": jpy, "KHR": khr},
        busd,
        seed={"JPY": 150_000_000, "KHR": 4_000_000_000},
    )
    router = exchange.router
    path = [jpy, busd, khr]
    quote = router.quoteExactOut(path, 1_000_000)  # a ៛1m invoice
    jpy.approve(router, quote, {"from": payer})
    tx = router.swapExactOut(
        path, 1_000_000, quote, merchant, 2**64, b"INV-1".ljust(32, b"\0"), {"from": payer}
    )
    assert khr.balanceOf(merchant) == 1_000_000
    assert jpy.balanceOf(payer) == 10_000_000 - quote
    assert 0 < tx.events["Swapped"][-1]["deviationBps"] < 20
