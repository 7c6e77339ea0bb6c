"""Exchange fixtures: tokens, feeds, pools and router deployed through corridor.exchange.deploy.

The default corridor uses JPY with 0 decimals, bUSD with 2 and bKHR with 0; the `make_pool` fixture
deploys a pool for any coin-0 decimals (the decimals tests parametrize it over 0, 2, 6, 18 like
yearn-vaults).
"""

from types import SimpleNamespace

import pytest

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_exchange, deploy_feed, deploy_pool, seed_pool

JPY_SEED = 150_000_000  # ¥150m ≈ $1.005m
KHR_SEED = 4_000_000_000  # ៛4bn ≈ $0.98m


@pytest.fixture(scope="module")
def project_containers(FXFeed, FXPool, FXRouter):
    return SimpleNamespace(FXFeed=FXFeed, FXPool=FXPool, FXRouter=FXRouter)


@pytest.fixture(scope="module")
def busd(erc20):
    return erc20("Bakong USD", "bUSD", 2)


@pytest.fixture(scope="module")
def jpy(erc20):
    return erc20("JPY Stablecoin", "JPYS", 0)


@pytest.fixture(scope="module")
def khr(erc20):
    return erc20("Bakong KHR", "bKHR", 0)


@pytest.fixture(scope="module")
def exchange(project_containers, admin, operator, jpy, khr, busd):
    for token in (jpy, khr):
        token.mint(admin, 10**15, {"from": admin})
    busd.mint(admin, 10**15, {"from": admin})
    return deploy_exchange(
        project_containers,
        admin,
        DEFAULT_CONFIG,
        {"JPY": jpy, "KHR": khr},
        busd,
        reporter=operator,
        guardian=operator,
        market_hours=operator,
        seed={"JPY": JPY_SEED, "KHR": KHR_SEED},
    )


@pytest.fixture(scope="module")
def router(exchange):
    return exchange.router


@pytest.fixture(scope="module")
def jpy_pool(exchange):
    return exchange.pools["JPY"]


@pytest.fixture(scope="module")
def khr_pool(exchange):
    return exchange.pools["KHR"]


@pytest.fixture(scope="module")
def jpy_feed(exchange):
    return exchange.feeds["JPY"]


@pytest.fixture(scope="module")
def khr_feed(exchange):
    return exchange.feeds["KHR"]


@pytest.fixture(scope="module")
def funded(exchange, jpy, khr, busd, admin, alice, bob, router, jpy_pool, khr_pool):
    """alice and bob hold every token and have approved the router and both pools."""
    for account in (alice, bob):
        for token in (jpy, khr, busd):
            token.mint(account, 10**14, {"from": admin})
            for spender in (router, jpy_pool, khr_pool):
                token.approve(spender, 2**256 - 1, {"from": account})
    return exchange


@pytest.fixture(scope="module")
def make_pool(project_containers, admin, erc20, busd):
    """Factory: a JPY-like pool whose coin 0 has `decimals`, seeded with `seed_usd` on each side."""

    def make(decimals, seed_usd=1_000_000, answer=670_000, pool_cfg=None):
        token = erc20("Coin", f"C{decimals}", decimals)
        feed = deploy_feed(
            project_containers, admin, dict(DEFAULT_CONFIG["pairs"]["JPY"]["feed"], answer=answer)
        )
        cfg = dict(DEFAULT_CONFIG["pairs"]["JPY"]["pool"], **(pool_cfg or {}))
        pool = deploy_pool(project_containers, admin, token, busd, feed, cfg)
        amount0 = seed_usd * 10**8 * 10**decimals // answer
        amount1 = seed_usd * 100
        token.mint(admin, amount0 * 10, {"from": admin})
        busd.mint(admin, amount1 * 10, {"from": admin})
        seed_pool(pool, token, busd, admin, amount0, amount1)
        return SimpleNamespace(pool=pool, token=token, feed=feed)

    return make
