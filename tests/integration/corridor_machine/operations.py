"""Operations and compliance across the tokens: time passing, pauses, freezes and seizures; token
conservation, frozen balances, daily limits and used authorizations / nonces."""

from __future__ import annotations

from brownie import chain
from brownie.test import strategy

from corridor.stablecoin.ops import reason_code

from .base import CorridorRules
from .helpers import OUTCOMES, UNLIMITED, attempt, batch_call, tier_of

SEIZE_REASON = reason_code("COURT-ORDER-MACHINE")


class OperationsRules(CorridorRules):
    """The pausers, compliance and the clock."""

    st_target = strategy("uint8", max_value=4)
    st_token = strategy("uint8", max_value=2)

    def setup(self) -> None:
        super().setup()
        w = self.w
        # compliance model
        self.frozen: dict[
            tuple[str, str], int
        ] = {}  # (token, account) -> balance that may move only by seizure
        self.daily_limits = {
            (t.address, tier): t.tierLimits(tier)[1] for t in (w.jpy, w.busd, w.bkhr) for tier in (1, 2, 3)
        }

    def rule_sleep(self, st_sleep):
        """Time passes (hours): feeds, reserve attestations and daily limits age."""
        chain.sleep(st_sleep)
        chain.mine()

    def rule_toggle_pause(self, st_target):
        """A pauser pauses (or the admin / pauser unpauses) the JPY token, the bridge, a pool or the venue.

        Must stay true: every other rule predicts EnforcedPause from it."""
        w = self.w
        target = [w.jpy, w.bridge, w.pools["JPY"], w.pools["KHR"], w.venue][st_target]
        fn = target.unpause if target.paused() else target.pause
        fn({"from": w.admin})
        OUTCOMES[("pause", f"{target._name} {fn._name}")] += 1

    def rule_toggle_freeze(self, st_user, st_token):
        """Compliance freezes or unfreezes a party on one token.

        Must stay true: from now on its balance of that token moves only by seizure."""
        party = self._user(st_user)
        token = [self.w.jpy, self.w.busd, self.w.bkhr][st_token]
        key = (token.address, party.address)
        tier, frozen = tier_of(token, party.address)
        OUTCOMES[("freeze", "unfreeze" if frozen else "freeze")] += 1
        if frozen:
            token.unfreeze(party.address, {"from": self.w.admin})
            self.frozen.pop(key, None)
        else:
            token.freeze(party.address, {"from": self.w.admin})
            self.frozen[key] = token.balanceOf(party.address)

    def rule_seize(self, st_user, st_token, st_fraction):
        """Compliance seizes part of a frozen party's balance to the treasury (a court order).

        Must stay true: only a frozen balance can be seized (AccountNotFrozen otherwise)."""
        party = self._user(st_user)
        token = [self.w.jpy, self.w.busd, self.w.bkhr][st_token]
        balance = token.balanceOf(party.address)
        amount = max(1, balance * st_fraction // 1_000)
        key = (token.address, party.address)
        if key not in self.frozen:
            expected = "AccountNotFrozen"
        elif balance < amount:
            expected = "ERC20InsufficientBalance"
        else:
            expected = None
        err, _ = attempt(
            token.seize, party.address, self.w.treasury, amount, SEIZE_REASON, {"from": self.w.admin}
        )
        assert err == expected, err
        OUTCOMES[("seize", err or "ok")] += 1
        if err is None:
            self.frozen[key] -= amount

    # ================================================================== invariants

    def invariant_tokens_conserved(self):
        """For JPY, bUSD and bKHR: Σ balances of every holder == totalSupply."""
        tokens = (self.w.jpy, self.w.busd, self.w.bkhr)
        n = len(self.holders)
        got = batch_call(
            [(t.totalSupply, ()) for t in tokens]
            + [(t.balanceOf, (h,)) for t in tokens for h in self.holders]
        )
        for k, token in enumerate(tokens):
            assert sum(got[3 + k * n : 3 + (k + 1) * n]) == got[k], token.symbol()

    def invariant_frozen_and_limits(self):
        """Frozen balances move only by seizure; no tier-limited party above its daily limit; used
        authorizations and RFQ nonces stay used."""
        w = self.w
        tokens = {t.address: t for t in (w.jpy, w.busd, w.bkhr)}
        frozen = list(self.frozen.items())
        pairs = [(t, p.address) for t in tokens.values() for p in w.users]
        calls = [(tokens[t].balanceOf, (a,)) for (t, a), _ in frozen]
        calls += [(t.kycOf, (a,)) for t, a in pairs] + [(t.spentToday, (a,)) for t, a in pairs]
        calls += [(w.jpy.authorizationState, (o, n)) for o, n in self.used_authorizations]
        calls += [(w.venue.isNonceUsed, (m, n)) for m, n in self.used_quotes]
        got = batch_call(calls)
        for ((_, account), amount), balance in zip(frozen, got[: len(frozen)], strict=True):
            assert balance == amount, f"frozen balance of {account} moved"
        got = got[len(frozen) :]
        kyc, spent, rest = got[: len(pairs)], got[len(pairs) : 2 * len(pairs)], got[2 * len(pairs) :]
        for (token, _), (tier, _, _), today in zip(pairs, kyc, spent, strict=True):
            if 0 < tier < 4:
                daily = self.daily_limits[(token.address, tier)]
                assert daily == UNLIMITED or today <= daily
        assert all(rest)
