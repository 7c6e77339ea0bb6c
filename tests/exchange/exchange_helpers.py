"""Helpers shared by the exchange tests (a uniquely named module: `conftest` is ambiguous when
several families' tests run in one session)."""

from types import SimpleNamespace

from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed, deploy_pool, seed_pool
from corridor.exchange.stableswap import Pool

FAR = 2**64  # a deadline that never passes


def model_of(pool) -> Pool:
    """The reference model of an on-chain pool in its current state."""
    rate0, rate1 = pool.rates()
    b0, b1 = pool.balances()
    fee_bps, share = pool.fee()
    return Pool([b0, b1], [rate0, rate1], pool.A(), fee_bps, share, pool.totalSupply())


def make_pool(project, admin, MockERC20, busd, decimals, seed_usd=1_000_000, answer=670_000, pool_cfg=None):
    """A JPY-like pool whose coin 0 has `decimals`, seeded with `seed_usd` on each side."""
    token = MockERC20.deploy("Coin", f"C{decimals}", decimals, {"from": admin})
    feed_cfg = dict(DEFAULT_CONFIG["pairs"]["JPY"]["feed"], answer=answer)
    feed = deploy_feed(project, admin, feed_cfg)
    cfg = dict(DEFAULT_CONFIG["pairs"]["JPY"]["pool"], **(pool_cfg or {}))
    pool = deploy_pool(project, admin, token, busd, feed, cfg)
    amount0 = seed_usd * 10**8 * 10**decimals // answer
    amount1 = seed_usd * 100
    token.mint(admin, amount0 * 10, {"from": admin})
    busd.mint(admin, amount1 * 10, {"from": admin})
    seed_pool(pool, token, busd, admin, amount0, amount1)
    return SimpleNamespace(pool=pool, token=token, feed=feed)

