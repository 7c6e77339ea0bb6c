"""Deploys and wires the exchange family: one FX feed and one FXPool per currency, one FXRouter.

    exchange = deploy_exchange(project, admin, config, tokens={"JPY": jpy, "KHR": khr}, hub=busd)
    exchange.router.swapExactIn([jpy, busd, khr], amount, min_out, recipient, deadline, ref, {"from": payer})

`project` is anything with the brownie containers `FXFeed`, `FXPool`, `FXRouter` as attributes
(brownie's `project.<Name>` in scripts, a namespace of the fixtures in tests). Amounts in the
config are raw token units; feed answers are USD per unit with `decimals` decimals (8 like
Chainlink). Compliant tokens need the pools to be allowed holders before seeding: pass
`allow_holder`, called with each pool address right after it is deployed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from corridor.codes import currency

DAY = 86_400
#: A deadline that never passes (for seeding and tests).
NO_DEADLINE = 2**64

# Illustrative rates (2026): 1 JPY ≈ 0.0067 USD, 1 KHR ≈ 0.000245 USD.
DEFAULT_CONFIG: dict[str, Any] = {
    "admin_delay": 0,
    "pairs": {
        "JPY": {
            "feed": {
                "description": currency("JPY").feed_description,
                "decimals": 8,
                "answer": 670_000,
                "heartbeat": DAY + 3_600,
                "max_move_bps": 300,
                "max_closure": 4 * DAY,
            },
            "pool": {
                "A": 200,
                "fee_bps": 4,
                "protocol_share_bps": 5_000,
                "max_age": DAY + 3_600,
                "max_jump_bps": 500,
            },
        },
        "KHR": {
            "feed": {
                "description": currency("KHR").feed_description,
                "decimals": 8,
                "answer": 24_500,
                "heartbeat": DAY + 3_600,
                "max_move_bps": 200,
                "max_closure": 6 * DAY,
            },
            "pool": {
                "A": 200,
                "fee_bps": 5,
                "protocol_share_bps": 5_000,
                "max_age": DAY + 3_600,
                "max_jump_bps": 300,
            },
        },
    },
}


@dataclass
class Exchange:
    """The deployed family: feeds and pools keyed by currency symbol, and the router."""

    router: Any
    feeds: dict[str, Any] = field(default_factory=dict)
    pools: dict[str, Any] = field(default_factory=dict)


def deploy_feed(project: Any, admin: Any, cfg: Mapping[str, Any], admin_delay: int = 0) -> Any:
    """One FXFeed from a `pairs.<SYM>.feed` config entry."""
    return project.FXFeed.deploy(
        cfg["decimals"],
        cfg["description"],
        cfg["answer"],
        cfg["heartbeat"],
        cfg["max_move_bps"],
        cfg["max_closure"],
        admin,
        admin_delay,
        {"from": admin},
    )


def deploy_pool(
    project: Any, admin: Any, token: Any, hub: Any, feed: Any, cfg: Mapping[str, Any], admin_delay: int = 0
) -> Any:
    """One FXPool (coin 0 = `token`, coin 1 = `hub`) from a `pairs.<SYM>.pool` config entry."""
    symbol = token.symbol()
    params = (
        cfg.get("name", f"Corridor {symbol}/USD StableSwap LP"),
        cfg.get("symbol", f"fx{symbol}USD"),
        token.address,
        hub.address,
        feed.address,
        cfg["A"],
        cfg["fee_bps"],
        cfg["protocol_share_bps"],
        cfg["max_age"],
        cfg["max_jump_bps"],
        admin.address,
        admin_delay,
    )
    return project.FXPool.deploy(params, {"from": admin})


def seed_pool(pool: Any, token: Any, hub: Any, provider: Any, amount: int, hub_amount: int) -> int:
    """Approves and deposits `amount` of coin 0 and `hub_amount` of USD from `provider`; returns shares."""
    token.approve(pool, amount, {"from": provider})
    hub.approve(pool, hub_amount, {"from": provider})
    tx = pool.addLiquidity([amount, hub_amount], 0, provider, NO_DEADLINE, {"from": provider})
    return tx.return_value


def publish_fixing(feed: Any, answer: int, reporter: Any) -> Any:
    """Publishes `answer` the way FXFeed requires (the brownie twin of FeedReporter.publish): a fixing
    window opens now unless one already is (the pools stop trading), then `submit` lands the fixing and
    closes it. Returns the `submit` transaction; reverts as `submit` does (breaker, market hours)."""
    round_id, _, _, _, answered_in_round = feed.latestRoundData()
    if answered_in_round == round_id:
        feed.scheduleFixing(feed.latestRoundData()[3], {"from": reporter})  # a past start: opens now
    return feed.submit(answer, {"from": reporter})


def balanced_hub_amount(
    amount: int, answer: int, feed_decimals: int, token_decimals: int, hub_decimals: int
) -> int:
    """USD (raw units) worth `amount` of coin 0 at `answer`: the balanced seed for the other side."""
    return amount * answer * 10**hub_decimals // (10**feed_decimals * 10**token_decimals)


def deploy_exchange(
    project: Any,
    admin: Any,
    config: Mapping[str, Any] | None,
    tokens: Mapping[str, Any],
    hub: Any,
    *,
    reporter: Any | None = None,
    guardian: Any | None = None,
    market_hours: Any | None = None,
    liquidity_provider: Any | None = None,
    seed: Mapping[str, int] | None = None,
    allow_holder: Callable[[str], None] | None = None,
) -> Exchange:
    """Deploys a feed and a pool for every symbol of `tokens` present in `config["pairs"]`, then the
    router, registers the pools and grants the roles (admin by default). With `seed` ({symbol: raw
    amount of coin 0}) the provider (admin by default, must hold the tokens) deposits that amount and
    the USD worth it at the feed's answer.
    """
    cfg = copy.deepcopy(dict(config or DEFAULT_CONFIG))
    delay = cfg.get("admin_delay", 0)
    reporter = reporter or admin
    guardian = guardian or admin
    market_hours = market_hours or admin
    provider = liquidity_provider or admin
    router = project.FXRouter.deploy(hub, admin, delay, {"from": admin})
    exchange = Exchange(router=router)
    for symbol, token in tokens.items():
        pair = cfg["pairs"][symbol]
        feed_cfg = pair["feed"]
        if "description" not in feed_cfg:  # its registry row's ("THB / USD"; corridor.codes)
            feed_cfg = {"description": currency(symbol).feed_description, **feed_cfg}
        feed = deploy_feed(project, admin, feed_cfg, delay)
        feed.grantRole(feed.REPORTER_ROLE(), reporter, {"from": admin})
        feed.grantRole(feed.MARKET_HOURS_ROLE(), market_hours, {"from": admin})
        pool = deploy_pool(project, admin, token, hub, feed, pair["pool"], delay)
        pool.grantRole(pool.GUARDIAN_ROLE(), guardian, {"from": admin})
        if allow_holder is not None:
            allow_holder(pool.address)
        router.setPool(pool, {"from": admin})
        exchange.feeds[symbol] = feed
        exchange.pools[symbol] = pool
        if seed and symbol in seed:
            amount = seed[symbol]
            hub_amount = balanced_hub_amount(
                amount, pair["feed"]["answer"], pair["feed"]["decimals"], token.decimals(), hub.decimals()
            )
            seed_pool(pool, token, hub, provider, amount, hub_amount)
    return exchange
