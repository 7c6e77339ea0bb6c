"""Shared helpers of the settlement tests."""

from __future__ import annotations

from brownie import chain

from corridor.bridge.attest import KHR


def choke_outbound(desk, leave: int = 10) -> list[int]:
    """Leaves `leave` riel in the bridge's outbound bucket (capacity cut to 100M riel, refilling 1 riel a second,
    then drained by the liquidity provider's own redemption), so the escrow refuses a refund for a while; returns
    the limits to restore with `unchoke`."""
    limits = list(desk.bridge.limitsOf(KHR))
    cap = 100_000_000
    desk.bridge.setCurrencyLimits(KHR, [cap, *limits[1:5], cap, 1], {"from": desk.admin})
    lp = desk.who["liquidity"]
    desk.token(KHR).approve(desk.bridge, 2**256 - 1, {"from": lp})
    desk.bridge.redeem(KHR, desk.bridge.outboundAvailable(KHR) - leave, "lp@aclb", {"from": lp})
    return limits


def unchoke(desk, limits: list[int]) -> None:
    """Restores `limits` and lets the outbound bucket refill for 100 seconds."""
    desk.bridge.setCurrencyLimits(KHR, limits, {"from": desk.admin})
    chain.sleep(100)
    chain.mine()
