"""Bakong and the bridge: KHQR deposits minted by the relayer, redemptions paid out or refunded, reclaims,
vetoes, reconciliations, validator rotations and replayed attestations; the backing and escrow invariants."""

from __future__ import annotations

import os

import pytest
from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy

from corridor.bridge import attest
from corridor.bridge.attest import KHR
from corridor.bridge.gateway import MintStatus, RedemptionStatus
from corridor.bridge.store import MINTED, VETOED
from corridor.bridge.validator import payout_reference
from corridor.stablecoin.ops import reason_code
from corridor.suite import dev_validator_keys

from .base import EDGE, CorridorRules
from .helpers import (
    CURRENCIES,
    GHOST_ACCOUNT,
    MALFORMED_ACCOUNT,
    OUTCOMES,
    POLL_SECONDS,
    VALIDATOR_KEYS,
    Expectation,
    attempt,
    batch_call,
    expect_receive,
    expect_send,
    revert_name,
    tier_of,
)


class BridgeRules(CorridorRules):
    """Deposits, redemptions and the bridge's admin and validators."""

    st_currency = strategy("uint8", max_value=1)
    st_account = strategy("uint8", max_value=5)
    st_mask = strategy("uint8", min_value=1, max_value=255)
    st_index = strategy("uint16")

    def setup(self) -> None:
        super().setup()
        w = self.w
        # bridge model
        self.deposits: dict[
            str, dict
        ] = {}  # md5 -> currency, amount, recipient, hash, status (cached terminal)
        self.redemptions: dict[int, dict] = {}  # id -> holder, currency, amount, status (cached terminal)
        self.supply0 = {c: w.bridge_token(c).totalSupply() for c in CURRENCIES}
        self.redeemed = {c: 0 for c in CURRENCIES}

    def _relay(self, wait: bool = True):
        """One relayer pass a poll interval later (what a running relayer does every few seconds); `wait=False`:
        now (the caller has let the time pass and predicted from this block)."""
        if wait:
            chain.sleep(POLL_SECONDS)
            chain.mine()
        report = self.side.relayer.run_once()
        # the relayer may be stopped by the chain (pauses, frozen or unverified parties, limits); the honest
        # validators it asks must never refuse it
        assert not any("signatures;" in e for e in report.errors), report.errors
        return report

    def rule_bakong_deposit(self, st_user, st_currency, st_cents, st_scale):
        """A party pays a KHQR into the bridge's omnibus account and the relayer has it minted.

        Must stay true: a deposit to a verified, unfrozen recipient below the large-mint threshold on a
        running bridge is minted at once, exactly once, for exactly the amount paid; otherwise the money
        stays in flight (counted by the backing invariant) until it can be minted."""
        party = self._user(st_user)
        cur = CURRENCIES[st_currency]
        sym = "KHR" if cur == KHR else "USD"
        token = self.w.bridge_token(cur)
        amount = min(self._units(sym, st_cents, st_scale), self.w.bridge.limitsOf(cur)[0])
        ledger = self.side.ledger
        have = ledger.balance(party.bakong, sym)
        if have < amount:
            ledger.cash_in(party.bakong, sym, amount - have)  # money enters Bakong from outside
        intent = self.side.relayer.request_deposit(cur, amount, party.address)
        paid = ledger.pay_khqr(party.bakong, intent.khqr)
        bakong_hash = attest.bakong_tx_hash_bytes(paid.hash)
        self.deposits[intent.md5] = {
            "currency": cur,
            "amount": amount,
            "recipient": party.address,
            "hash": bakong_hash,
            "status": None,
        }
        bridge = self.w.bridge
        tier, frozen = tier_of(token, party.address)
        inbound = bridge.inboundAvailable(cur)
        # what the bridge would do with it now
        mintable = (
            not bridge.paused()
            and not bridge.mintingStopped(cur)
            and tier != 0
            and not frozen
            and amount <= bridge.limitsOf(cur)[1]
            and amount <= inbound
        )
        before = token.balanceOf(party.address)
        self._relay()
        status = MintStatus(bridge.mintStatus(bakong_hash))
        OUTCOMES[("deposit", status.name)] += 1
        if mintable:
            assert status == MintStatus.MINTED, f"deposit of {amount} {sym} to {party.name} not minted"
            assert token.balanceOf(party.address) - before >= amount
        if tier == 0 or frozen:
            # never minted; a large one may wait in the queue (the queue does not look at the recipient)
            assert status == MintStatus.NONE or (
                status == MintStatus.QUEUED and amount > bridge.limitsOf(cur)[1]
            )

    def rule_relay(self, st_sleep):
        """Time passes and the relayer runs: queued mints execute after their delay, stuck deposits and
        redemptions are retried. Must stay true: every invariant (the relayer never mints or pays twice)."""
        chain.sleep(st_sleep // 4)
        self._relay()

    def rule_redeem(self, st_user, st_currency, st_cents, st_scale, st_account):
        """A holder redeems bUSD / bKHR to a Bakong account (its own, an unknown one, or a malformed id);
        the relayer pays out and finalizes, or has the validators reject it (refund).

        Must stay true: the on-chain outcome is exactly the predicted one; a payout on Bakong equals the
        escrow; an unknown account gets its tokens back, never a payout."""
        party = self._user(st_user)
        cur = CURRENCIES[st_currency]
        sym = "KHR" if cur == KHR else "USD"
        token, bridge = self.w.bridge_token(cur), self.w.bridge
        amount = self._units(sym, st_cents, st_scale)
        balance = token.balanceOf(party.address)
        if st_scale < 5 and 0 < balance < amount:
            amount = balance
        account = (
            party.bakong if st_account < 4 else (GHOST_ACCOUNT if st_account == 4 else MALFORMED_ACCOUNT)
        )
        exp = Expectation()
        if bridge.paused():
            exp.add("EnforcedPause")
        if amount > bridge.limitsOf(cur)[0]:
            exp.add("AmountAboveMessageCap")
        if account == MALFORMED_ACCOUNT:
            exp.add("InvalidBakongAccountId")
        available = bridge.outboundAvailable(cur)
        if amount > available:
            refill = bridge.limitsOf(cur)[6]
            exp.add("RateLimitExceeded", sure=amount > available + refill * EDGE)
        expect_send(exp, token, party.address, amount, self._day_edge())
        ledger_before = self.side.ledger.balance(party.bakong, sym)
        err, tx = attempt(bridge.redeem, cur, amount, account, {"from": party.account})
        exp.check(err, f"redeem {amount} {sym} by {party.name} to {account}")
        if err is not None:
            return
        rid = tx.events["RedemptionRequested"]["redemptionId"]
        self.redemptions[rid] = {"holder": party.address, "currency": cur, "amount": amount, "status": None}
        self.redeemed[cur] += amount
        tier, frozen = tier_of(token, party.address)
        self._relay()
        status = RedemptionStatus(bridge.redemption(rid)[2])
        OUTCOMES[("redemption", status.name)] += 1
        if account == party.bakong:
            assert status == RedemptionStatus.FINALIZED
            assert self.side.ledger.balance(party.bakong, sym) == ledger_before + amount
        else:
            # the refund needs a verified, unfrozen holder; until then the escrow waits (never paid out)
            assert status == (RedemptionStatus.REJECTED if tier and not frozen else RedemptionStatus.PENDING)
            assert self.side.ledger.balance(party.bakong, sym) == ledger_before

    def rule_reclaim(self, st_index, st_sleep):
        """The holder of a pending redemption tries to take its escrow back.

        Must stay true: never before the deadline (RedemptionNotExpired); after it, the refund never meets a
        Bakong payout of the same redemption (checked by the backing invariant)."""
        self._sync_bridge()
        users = {p.address for p in self.w.users}  # a settlement's refund escrow is reclaimed by nobody here
        pending = sorted(
            r for r, v in self.redemptions.items() if v["status"] is None and v["holder"] in users
        )
        if not pending:
            return
        rid = pending[st_index % len(pending)]
        r = self.redemptions[rid]
        token = self.w.bridge_token(r["currency"])
        chain.sleep(st_sleep * 8)  # up to three days: sometimes past the deadline
        chain.mine()
        deadline = self.w.bridge.redemption(rid)[3]
        exp = Expectation()
        now = self._now() + 1
        if now <= deadline - EDGE:
            exp.add("RedemptionNotExpired")
        elif now <= deadline + EDGE:
            exp.add("RedemptionNotExpired", sure=False)
        expect_receive(exp, token, r["holder"])
        holder = next(p.account for p in self.w.users if p.address == r["holder"])
        err, _ = attempt(self.w.bridge.reclaim, rid, {"from": holder})
        exp.check(err, f"reclaim {rid}")
        if err is None:
            self.redemptions[rid]["status"] = RedemptionStatus.RECLAIMED

    def rule_veto(self, st_index):
        """The guardian vetoes a large mint waiting in the queue (the Bakong money stays in the omnibus
        account for an off-chain refund).

        Must stay true: a vetoed deposit is never minted; the backing invariant counts it as held."""
        self._sync_bridge()
        bridge = self.w.bridge
        queued = [
            d for d in self.deposits.values() if d["status"] is None and bridge.mintStatus(d["hash"]) == 2
        ]
        if not queued:
            return
        d = queued[st_index % len(queued)]
        bridge.vetoQueuedMint(d["hash"], reason_code("MACHINE-VETO"), {"from": self.w.admin})
        assert bridge.mintStatus(d["hash"]) == MintStatus.VETOED
        OUTCOMES[("veto", "ok")] += 1

    def rule_reconcile(self, st_currency):
        """Validators sign the omnibus balance and the bridge compares it with its supply.

        Must stay true: with nothing in flight the books balance, so a reconciliation never stops minting."""
        cur = CURRENCIES[st_currency]
        line = next(x for x in self.side.relayer.reconciliation() if x.currency.value == cur)
        if not line.settled:
            return
        chain.sleep(1)
        chain.mine()
        bridge = self.w.bridge
        stopped = bridge.mintingStopped(cur)
        # only a vetoed deposit (money kept in the omnibus account) can make the balance differ from supply
        drift = abs(line.omnibus - line.supply)
        assert drift == self._vetoed(cur)
        self.side.relayer.submit_reconciliation(cur)
        assert bridge.mintingStopped(cur) == (stopped or drift > bridge.limitsOf(cur)[2])
        OUTCOMES[("reconcile", "stopped" if bridge.mintingStopped(cur) else "running")] += 1

    def rule_resume_minting(self, st_currency):
        """The admin resumes minting that a reserve attestation stopped, once the reserve covers the supply."""
        cur = CURRENCIES[st_currency]
        bridge = self.w.bridge
        if bridge.mintingStopped(cur) and self.w.bridge_token(cur).totalSupply() <= bridge.reserveOf(cur)[0]:
            bridge.resumeMinting(cur, {"from": self.w.admin})

    def rule_rotate_validators(self, st_mask):
        """The admin rotates the validator set (any non-empty subset of eight keys, strict majority).

        Must stay true: an attestation signed for the previous epoch is refused (EpochMismatch), and a
        current-epoch attestation signed by rotated-out keys is refused (SignerNotValidator); the relayer
        re-signs what was in flight with the new set."""
        bridge, w = self.w.bridge, self.w
        keys = dev_validator_keys(VALIDATOR_KEYS)
        old_keys = [k for k in keys if bridge.isValidator(attest.signer_address(k))]
        domain = attest.bridge_domain(chain.id, bridge.address)
        chain.sleep(1)
        chain.mine()
        old = attest.ReserveAttestation(KHR, w.bridge_token(KHR).totalSupply(), self._now(), bridge.epoch())
        old_sigs = attest.collect_signatures(domain, old, old_keys, threshold=bridge.threshold())
        chosen = [k for i, k in enumerate(keys) if st_mask >> i & 1]
        addrs = sorted((attest.signer_address(k) for k in chosen), key=lambda a: int(a, 16))
        threshold = len(addrs) // 2 + 1
        bridge.setValidators(addrs, threshold, {"from": w.admin})
        assert bridge.epoch() == old.epoch + 1
        OUTCOMES[("rotation", f"{threshold}-of-{len(addrs)}")] += 1
        with pytest.raises(VirtualMachineError) as stale:
            bridge.attestReserve(old.as_tuple(), old_sigs, {"from": w.admin})
        assert revert_name(stale.value) == "EpochMismatch"
        outsiders = [k for k in keys if k not in chosen]
        if len(outsiders) >= threshold:
            forged = attest.ReserveAttestation(KHR, old.balance, self._now(), bridge.epoch())
            sigs = attest.collect_signatures(domain, forged, outsiders, threshold=threshold)
            with pytest.raises(VirtualMachineError) as outsider:
                bridge.attestReserve(forged.as_tuple(), sigs, {"from": w.admin})
            assert revert_name(outsider.value) == "SignerNotValidator"

    def rule_replay_mint(self, st_index):
        """A relayed mint attestation (the relayer's stored signatures) is submitted again.

        Must stay true: it never mints again — EnforcedPause, AttestationExpired, EpochMismatch or
        BakongTxAlreadyProcessed, exactly as predicted."""
        rows = [d for d in self.side.relayer.store.deposits(MINTED) if d.attestation and d.signatures]
        if not rows:
            return
        d = rows[st_index % len(rows)]
        att = attest.MintAttestation(
            d.currency,
            d.amount,
            d.recipient,
            attest.bakong_tx_hash_bytes(d.bakong_hash),
            bytes.fromhex(d.md5),
            d.attestation["expiry"],
            d.attestation["epoch"],
        )
        bridge = self.w.bridge
        exp = Expectation()
        now = self._now() + 1
        if bridge.paused():
            exp.add("EnforcedPause")
        elif now > att.expiry + EDGE:
            exp.add("AttestationExpired")
        elif att.epoch != bridge.epoch():
            exp.add("EpochMismatch")
            if now > att.expiry - EDGE:
                exp.add("AttestationExpired", sure=False)
        else:
            exp.add("BakongTxAlreadyProcessed")
            if now > att.expiry - EDGE:
                exp.add("AttestationExpired", sure=False)
        err, _ = attempt(bridge.mint, att.as_tuple(), bytes.fromhex(d.signatures), {"from": self.w.admin})
        exp.check(err, "replay-mint")

    def rule_replay_finalization(self, st_index, st_bool):
        """A finalization of an already finalized redemption, signed by the current validators, is sent
        again (same payout hash) or with another payout hash.

        Must stay true: PayoutTxAlreadyUsed / RedemptionNotPending — a redemption burns once."""
        self._sync_bridge()
        done = sorted(r for r, v in self.redemptions.items() if v["status"] == RedemptionStatus.FINALIZED)
        if not done:
            return
        rid = done[st_index % len(done)]
        bridge = self.w.bridge
        payout = self.side.ledger.by_client_ref(payout_reference(chain.id, bridge.address, rid))
        assert payout is not None
        payout_hash = (
            attest.bakong_tx_hash_bytes(payout.hash) if st_bool else attest.to_bytes32(os.urandom(32))
        )
        f = attest.RedemptionFinalization(rid, payout_hash, bridge.epoch())
        current = [
            k for k in dev_validator_keys(VALIDATOR_KEYS) if bridge.isValidator(attest.signer_address(k))
        ]
        domain = attest.bridge_domain(chain.id, bridge.address)
        sigs = attest.collect_signatures(domain, f, current, threshold=bridge.threshold())
        err, _ = attempt(bridge.finalizeRedemption, f.as_tuple(), sigs, {"from": self.w.admin})
        assert err == ("PayoutTxAlreadyUsed" if st_bool else "RedemptionNotPending"), err
        OUTCOMES[("replay-fin", err)] += 1

    # ================================================================== invariants

    def _vetoed(self, cur: int) -> int:
        return sum(
            d["amount"]
            for d in self.deposits.values()
            if d["currency"] == cur and d["status"] == MintStatus.VETOED
        )

    def _sync_bridge(self) -> None:
        """Caches terminal on-chain states of the machine's deposits and redemptions."""
        bridge = self.w.bridge
        open_d = [d for d in self.deposits.values() if d["status"] is None]
        open_r = [rid for rid, r in self.redemptions.items() if r["status"] is None]
        got = batch_call(
            [(bridge.mintStatus, (d["hash"],)) for d in open_d]
            + [(bridge.redemption, (rid,)) for rid in open_r]
        )
        for d, status in zip(open_d, got[: len(open_d)], strict=True):
            if MintStatus(status) in (MintStatus.MINTED, MintStatus.VETOED):
                d["status"] = MintStatus(status)
        for rid, r in zip(open_r, got[len(open_d) :], strict=True):
            if RedemptionStatus(r[2]) != RedemptionStatus.PENDING:
                self.redemptions[rid]["status"] = RedemptionStatus(r[2])

    def invariant_bakong_backs_the_bridge(self):
        """Per currency: omnibus == supply + paid-not-minted − paid-out-not-finalized, and no redemption
        is both paid out on Bakong and refunded on chain; the relayer's reconciliation agrees."""
        self._sync_bridge()
        bridge, ledger = self.w.bridge, self.side.ledger
        supplies = batch_call([(self.w.bridge_token(c).totalSupply, ()) for c in CURRENCIES])
        for cur, supply in zip(CURRENCIES, supplies, strict=True):
            sym = "KHR" if cur == KHR else "USD"
            mine = [d for d in self.deposits.values() if d["currency"] == cur]
            unminted = sum(d["amount"] for d in mine if d["status"] is None)
            vetoed = sum(d["amount"] for d in mine if d["status"] == MintStatus.VETOED)
            unfinalized = 0
            for rid, r in self.redemptions.items():
                if r["currency"] != cur:
                    continue
                paid = ledger.by_client_ref(payout_reference(chain.id, bridge.address, rid))
                if paid is not None:
                    assert paid.amount == r["amount"]
                    assert r["status"] in (None, RedemptionStatus.FINALIZED), f"redemption {rid} paid twice"
                    if r["status"] is None:
                        unfinalized += r["amount"]
                else:
                    assert (
                        r["status"] != RedemptionStatus.FINALIZED
                    ), f"redemption {rid} burned without payout"
            omnibus = ledger.balance(self.w.omnibus, sym)
            assert omnibus == supply + unminted + vetoed - unfinalized, (
                sym,
                omnibus,
                supply,
                unminted,
                unfinalized,
            )
        store = self.side.relayer.store
        for line in self.side.relayer.reconciliation():
            # the relayer's report has no term for vetoed deposits: once its store has seen a veto (on its next
            # pass), the vetoed money shows as (surplus) drift
            seen = sum(
                d["amount"]
                for md5, d in self.deposits.items()
                if d["currency"] == line.currency.value and store.deposit(md5).status == VETOED
            )
            assert line.drift == seen, str(line)

    def invariant_bridge_supply_and_escrow(self):
        """supply == start + Σ minted deposits − Σ finalized redemptions; supply <= attested reserve unless
        minting is stopped; the bridge holds exactly the pending escrow; escrowed + burned + refunded ==
        redeemed."""
        bridge = self.w.bridge
        calls = []
        for cur in CURRENCIES:
            token = self.w.bridge_token(cur)
            calls += [(token.totalSupply, ()), (token.balanceOf, (bridge.address,))]
            calls += [(bridge.reserveOf, (cur,)), (bridge.mintingStopped, (cur,))]
        got = batch_call(calls)
        for k, cur in enumerate(CURRENCIES):
            supply, held, reserve, stopped = got[4 * k : 4 * k + 4]
            minted = sum(
                d["amount"]
                for d in self.deposits.values()
                if d["currency"] == cur and d["status"] == MintStatus.MINTED
            )
            mine = [r for r in self.redemptions.values() if r["currency"] == cur]
            burned = sum(r["amount"] for r in mine if r["status"] == RedemptionStatus.FINALIZED)
            refunded = sum(
                r["amount"]
                for r in mine
                if r["status"] in (RedemptionStatus.REJECTED, RedemptionStatus.RECLAIMED)
            )
            escrowed = sum(r["amount"] for r in mine if r["status"] is None)
            assert supply == self.supply0[cur] + minted - burned
            assert escrowed + burned + refunded == self.redeemed[cur]
            assert held == escrowed
            assert supply <= reserve[0] or stopped
