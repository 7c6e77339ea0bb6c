"""The machine's common ground: the strategies every family draws from, the shared model set up per example,
the helpers that turn a draw into a party or an amount, and the step counter.

Each family of rules is a mixin of `CorridorRules` in its own module (bridge, stablecoin, exchange, rfq,
operations). A mixin keeps its own model state in `setup` (calling `super().setup()` first, so every mixin's
state is built from the same snapshot), its own `rule_*` steps and its own `invariant_*` checks; the machine
in tests/integration/test_corridor_machine.py lists the mixins. See docs/corridor-machine.md.
"""

from __future__ import annotations

from brownie import chain
from brownie.test import strategy

from corridor.stablecoin.ops import reference

from .helpers import OUTCOMES, World, units_for_cents

BPS = 10_000
PATHS = [("JPY", "USD"), ("USD", "JPY"), ("KHR", "USD"), ("USD", "KHR"), ("JPY", "KHR"), ("KHR", "JPY")]
REF = reference("CORRIDOR-MACHINE")
EDGE = 5  # seconds around a time boundary where the next block may fall on either side


class CorridorRules:
    """Random parties move value through Bakong, the bridge, the JPY issuers, the pools and the RFQ venue,
    while compliance, pausers, reporters and the bridge admin act; the corridor's books always balance."""

    st_user = strategy("uint8", max_value=7)  # 0..6: the three verified parties; 7: the unverified stranger
    st_other = strategy("uint8", max_value=7)
    st_cents = strategy("uint256", min_value=1, max_value=250_000)  # $0.01 .. $2,500
    st_scale = strategy("uint8", max_value=9)  # 9 in 10: as is; 1 in 10: x40 (limits, queue, maker refusals)
    st_path = strategy("uint8", max_value=5)
    st_bool = strategy("bool")
    st_fraction = strategy("uint256", min_value=1, max_value=1_000)  # per mille
    st_sleep = strategy("uint256", min_value=60, max_value=9 * 3_600)

    def __init__(cls, world: World) -> None:
        cls.w = world

    # ================================================================== setup

    def setup(self) -> None:
        """The model every family shares; each mixin adds its own after `super().setup()`."""
        w = self.w
        self.side = w.bakong()
        self.tokens = {"JPY": w.jpy, "USD": w.busd, "KHR": w.bkhr}
        self.holders = w.holders()
        # replay material: one-time authorizations and RFQ nonces the families have seen used
        self.used_authorizations: set[tuple[str, bytes]] = set()
        self.used_quotes: set[tuple[str, int]] = set()

    # ================================================================== helpers

    def _now(self) -> int:
        return chain[-1].timestamp

    def _user(self, index: int):
        """Parties 0..2 are verified, party 3 (the stranger) never is: index 7 picks it, 0..6 the others."""
        return self.w.users[3 if index % 8 == 7 else index % 3]

    def _answer(self, sym: str) -> int:
        return self.w.feeds[sym].latestRoundData()[1]

    def _units(self, sym: str, cents: int, scale: int) -> int:
        token = self.tokens[sym]
        answer = None if sym == "USD" else self._answer(sym)
        amount = units_for_cents(cents, token.decimals(), answer)
        return amount * (40 if scale == 9 else 1)

    def _day_edge(self) -> bool:
        t = self._now() % 86_400
        return t < EDGE or t > 86_400 - EDGE

    def _path(self, index: int | tuple[str, ...]) -> tuple[list, str, str]:
        """The router path of PATHS[index] (through the USD hub), or the given symbols as they are."""
        if isinstance(index, tuple):
            syms = list(index)
        else:
            a, b = PATHS[index % len(PATHS)]
            syms = [a, b] if "USD" in (a, b) else [a, "USD", b]
        return [self.tokens[s] for s in syms], syms[0], syms[-1]

    # ================================================================== invariants

    def invariant_count_steps(self):
        """(Counts the checks: one after setup and one after every step.)"""
        OUTCOMES[("checked", "invariants")] += 1
