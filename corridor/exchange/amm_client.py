"""The exchange family's router as a best-execution venue (`VenueClient`): view quotes through the USD
hub, swaps with a payment reference, `Swapped` as its fill event. web3.py; standalone or in brownie."""

from __future__ import annotations

from typing import Any

from eth_utils import keccak
from web3 import Web3

from corridor import tx
from corridor.exchange.best_execution import (
    EXACT_IN,
    Decline,
    DeclineReason,
    Fill,
    Offer,
    fills_of,
    first_line,
)

# The router's view and swap functions used here (IFXRouter of the exchange family; MockRfqRouter in tests).
ROUTER_ABI = [
    {
        "name": n,
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "path", "type": "address[]"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
    for n in ("quoteExactIn", "quoteExactOut")
] + [
    {
        "name": n,
        "type": "function",
        "stateMutability": "nonpayable",
        "inputs": [
            {"name": "path", "type": "address[]"},
            {"name": "amount", "type": "uint256"},
            {"name": "limit", "type": "uint256"},
            {"name": "recipient", "type": "address"},
            {"name": "deadline", "type": "uint256"},
            {"name": "paymentReference", "type": "bytes32"},
        ],
        "outputs": [{"name": "", "type": "uint256"}],
    }
    for n in ("swapExactIn", "swapExactOut")
]


# The router's fill event (IFXRouter.Swapped: topics payer, recipient, reference; tokenOut and amountOut in data).
_SWAPPED_ABI = [
    {
        "name": "Swapped",
        "type": "event",
        "anonymous": False,
        "inputs": [
            {"name": "payer", "type": "address", "indexed": True},
            {"name": "recipient", "type": "address", "indexed": True},
            {"name": "paymentReference", "type": "bytes32", "indexed": True},
            {"name": "tokenIn", "type": "address", "indexed": False},
            {"name": "tokenOut", "type": "address", "indexed": False},
            {"name": "amountIn", "type": "uint256", "indexed": False},
            {"name": "amountOut", "type": "uint256", "indexed": False},
            {"name": "midOut", "type": "uint256", "indexed": False},
            {"name": "deviationBps", "type": "int256", "indexed": False},
        ],
    }
]

# Revert selectors of the AMM's quote views (IFXPool, IFXRouter) that name a reason to decline.
_AMM_REVERTS = {
    "0x" + keccak(text=sig)[:4].hex(): (reason, sig.split("(")[0])
    for sig, reason in (
        ("StaleRate(uint256,uint256)", DeclineReason.STALE_FEED),
        ("FixingPending(uint256,uint256)", DeclineReason.FIXING_PENDING),
        ("InvalidRate(int256)", DeclineReason.FEED_UNUSABLE),
        ("RateJumped(uint256,uint256,uint256)", DeclineReason.RATE_JUMPED),
        ("InsufficientLiquidity(uint256,uint256)", DeclineReason.POOL_DEPTH),
        ("EnforcedPause()", DeclineReason.POOL_PAUSED),
        ("NoPool(address,address)", DeclineReason.NO_POOL),
    )
}


def amm_decline(venue: str, exc: Exception) -> Decline:
    """The Decline for a revert of the AMM's quote (by its custom error's selector)."""
    data = getattr(exc, "data", None)
    text = data if isinstance(data, str) else str(exc)
    for selector, (reason, error) in _AMM_REVERTS.items():
        if selector in text:
            return Decline(venue, reason, error)
    return Decline(venue, DeclineReason.NO_OFFER, first_line(exc))


class AmmClient:
    """The exchange family's router: paths through the USD hub, view quotes, swaps with a reference."""

    name = "amm"
    label = "AMM router"
    expired_errors = frozenset({"DeadlinePassed"})  # FXRouter: the deadline passed before it was mined

    def __init__(self, w3: Web3, router: str, hub: str, deadline_seconds: int = 300) -> None:
        self.w3 = w3
        self.router = w3.eth.contract(address=tx.address(router), abi=ROUTER_ABI + _SWAPPED_ABI)
        self.hub = tx.address(hub)
        self.deadline_seconds = deadline_seconds

    def path(self, token_in: str, token_out: str) -> list[str]:
        a, b = tx.address(token_in), tx.address(token_out)
        return [a, b] if self.hub in (a, b) else [a, self.hub, b]

    @property
    def spender(self) -> str:
        return self.router.address

    def fills(self, recipient: str, reference: bytes, from_block: int) -> list[Fill]:
        return fills_of(self.w3, self.router.events.Swapped(), self.name, recipient, reference, from_block)

    def offer(self, side: str, token_in: str, token_out: str, amount: int, taker: str) -> Offer | Decline:
        path = self.path(token_in, token_out)
        try:
            if side == EXACT_IN:
                out = self.router.functions.quoteExactIn(path, amount).call()
                if out == 0:
                    return Decline(self.name, DeclineReason.POOL_DEPTH, "the quote rounds to nothing")
                return Offer(self.name, side, path[0], path[-1], amount, out, path)
            amount_in = self.router.functions.quoteExactOut(path, amount).call()
            return Offer(self.name, side, path[0], path[-1], amount_in, amount, path)
        except Exception as exc:  # noqa: BLE001 - a venue that cannot quote declines, saying why
            return amm_decline(self.name, exc)

    def execute(self, offer: Offer, recipient: str, reference: bytes, sender: Any) -> str:
        deadline = self.w3.eth.get_block("latest")["timestamp"] + self.deadline_seconds
        if offer.side == EXACT_IN:
            fn = self.router.functions.swapExactIn(
                offer.payload, offer.amount_in, offer.amount_out, tx.address(recipient), deadline, reference
            )
        else:
            fn = self.router.functions.swapExactOut(
                offer.payload, offer.amount_out, offer.amount_in, tx.address(recipient), deadline, reference
            )
        return tx.hash_of(tx.send(self.w3, fn, sender))
