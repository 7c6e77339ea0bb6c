"""One state machine over the whole corridor, deployed by `corridor.suite.deploy_suite` (no second wiring).

Stablecoin (issuers, reserve attestations, KYC, freezes, seizures, EIP-3009), bridge (the real BakongBridge,
the Python validators and relayer, the Bakong ledger simulator), exchange (feeds, pools, router) and RFQ
(the Python market maker's signed quotes) are driven by random parties with random amounts, prices, pauses,
freezes and validator rotations. Every rule predicts, from chain state, which custom errors must (or may)
stop its transaction and asserts the outcome; after EVERY step the invariants below are checked.

Invariants (see docs/corridor-machine.md for the reasoning):
- value is conserved between Bakong and the chain: per currency, omnibus balance on the ledger ==
  bridge token supply + deposits paid on Bakong but not minted − payouts made on Bakong but not yet
  finalized on chain; no redemption is ever both paid out on Bakong and refunded on chain; the relayer's
  own reconciliation shows zero drift;
- bridge supply == supply at start + Σ minted deposits − Σ finalized redemptions (no Bakong tx minted
  twice, nothing minted without a deposit); supply <= attested reserve unless minting is stopped; the
  bridge holds exactly the pending escrow; escrowed + burned + refunded == redeemed;
- for every token, Σ balances of all holders == totalSupply; JPY totalSupply == Σ issuer outstanding;
  no issuer above its allowance or its attested reserve;
- every pool holds exactly its reserves + protocol fees;
- frozen balances never move except by seizure; no tier-limited holder above its daily limit;
- a used EIP-3009 authorization, RFQ nonce, mint attestation, reserve attestation or redemption
  finalization is never accepted again (asserted by replaying them in the rules);
- no party gains by a round trip at unchanged prices (pool, router one and two hops, RFQ, LP
  add/remove, and a whole-corridor trip Bakong KHR → bKHR → JPY → bKHR → Bakong KHR), and RFQ fills are
  never better than the oracle mid.

Size: CORRIDOR_MACHINE_EXAMPLES (default 16) examples of at most CORRIDOR_MACHINE_STEPS (default 25) steps
(hypothesis keeps its first ~10 examples short by design; the run prints how many steps it checked).
"""

from __future__ import annotations

import os
from fractions import Fraction

import hypothesis
import pytest
from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy

from corridor.bridge import attest
from corridor.bridge.attest import KHR
from corridor.bridge.gateway import MintStatus, RedemptionStatus
from corridor.bridge.store import MINTED, VETOED
from corridor.bridge.validator import payout_reference
from corridor.exchange import rfq
from corridor.exchange.deploy import NO_DEADLINE
from corridor.exchange.market_maker import QuoteRefused
from corridor.stablecoin import signing
from corridor.stablecoin.ops import reason_code, reference
from corridor.suite import dev_validator_keys

from .corridor_machine_helpers import (
    CURRENCIES,
    GHOST_ACCOUNT,
    MALFORMED_ACCOUNT,
    OUTCOMES,
    POLL_SECONDS,
    UNLIMITED,
    VALIDATOR_KEYS,
    Breaker,
    Expectation,
    World,
    attempt,
    batch_call,
    expect_receive,
    expect_send,
    expect_transfer,
    move_bps,
    revert_name,
    tier_of,
    units_for_cents,
)

EXAMPLES = int(os.environ.get("CORRIDOR_MACHINE_EXAMPLES", "16"))
STEPS = int(os.environ.get("CORRIDOR_MACHINE_STEPS", "25"))
# shrinking a long corridor sequence can take many minutes: CORRIDOR_MACHINE_SHRINK=0 reports the failing
# sequence as found
SHRINK = (
    {} if os.environ.get("CORRIDOR_MACHINE_SHRINK", "1") != "0" else {"phases": [hypothesis.Phase.generate]}
)
VERBOSE = {"verbosity": hypothesis.Verbosity.debug} if os.environ.get("CORRIDOR_MACHINE_VERBOSE") else {}

BPS = 10_000
PATHS = [("JPY", "USD"), ("USD", "JPY"), ("KHR", "USD"), ("USD", "KHR"), ("JPY", "KHR"), ("KHR", "JPY")]
REF = reference("CORRIDOR-MACHINE")
SEIZE_REASON = reason_code("COURT-ORDER-MACHINE")
EDGE = 5  # seconds around a time boundary where the next block may fall on either side


class CorridorMachine:
    """Random parties move value through Bakong, the bridge, the JPY issuers, the pools and the RFQ venue,
    while compliance, pausers, reporters and the bridge admin act; the corridor's books always balance."""

    st_user = strategy("uint8", max_value=7)  # 0..6: the three verified parties; 7: the unverified stranger
    st_other = strategy("uint8", max_value=7)
    st_currency = strategy("uint8", max_value=1)
    st_cents = strategy("uint256", min_value=1, max_value=250_000)  # $0.01 .. $2,500
    st_scale = strategy("uint8", max_value=9)  # 9 in 10: as is; 1 in 10: x40 (limits, queue, maker refusals)
    st_path = strategy("uint8", max_value=5)
    st_bool = strategy("bool")
    st_issuer = strategy("uint8", max_value=1)
    st_yen = strategy("uint256", min_value=1, max_value=2_000_000)
    st_account = strategy("uint8", max_value=5)
    st_pool = strategy("uint8", max_value=1)
    st_fraction = strategy("uint256", min_value=1, max_value=1_000)  # per mille
    st_move = strategy("int16", min_value=-450, max_value=450)  # bps, around the breakers (300 / 200)
    st_jump = strategy("int16", min_value=-1_500, max_value=1_500)  # bps, a devaluation / re-peg
    st_target = strategy("uint8", max_value=4)
    st_token = strategy("uint8", max_value=2)
    st_sleep = strategy("uint256", min_value=60, max_value=9 * 3_600)
    st_mask = strategy("uint8", min_value=1, max_value=255)
    st_index = strategy("uint16")

    def __init__(cls, world: World) -> None:
        cls.w = world

    # ================================================================== setup

    def setup(self) -> None:
        w = self.w
        self.side = w.bakong()
        self.mm = w.market_maker()
        self.tokens = {"JPY": w.jpy, "USD": w.busd, "KHR": w.bkhr}
        self.holders = w.holders()
        # bridge model
        self.deposits: dict[
            str, dict
        ] = {}  # md5 -> currency, amount, recipient, hash, status (cached terminal)
        self.redemptions: dict[int, dict] = {}  # id -> holder, currency, amount, status (cached terminal)
        self.supply0 = {c: w.bridge_token(c).totalSupply() for c in CURRENCIES}
        self.redeemed = {c: 0 for c in CURRENCIES}
        # compliance model
        self.frozen: dict[
            tuple[str, str], int
        ] = {}  # (token, account) -> balance that may move only by seizure
        # issuer model
        self.issuers = {}
        for spec in w.settings["stablecoin"]["issuers"]:
            issuer_id = w.issuer_ids[spec["name"]]
            s = w.registry.issuer(issuer_id)
            self.issuers[issuer_id] = {
                "operator": w.who[spec["operator"]],
                "outstanding": s["outstanding"],
                "allowance": s["mintAllowance"],
                "granted": s["mintAllowance"] + s["outstanding"],
                "minted": s["outstanding"],
            }
        # oracle model: the feeds' circuit-breaker windows and the answer each pool last used
        self.breaker: dict[str, Breaker] = {}
        self.pool_ref = {}
        for sym, feed in w.feeds.items():
            rnd = feed.latestRoundData()
            self.breaker[sym] = Breaker.restart(
                rnd[1], feed.getRoundData(1)[3]
            )  # no submit before the snapshot
            self.pool_ref[sym] = rnd[1]
        # replay material
        self.used_authorizations: set[tuple[str, bytes]] = set()
        self.used_quotes: set[tuple[str, int]] = set()
        self.auth_seq = 0
        self.share_value: dict[str, tuple[int, int]] = {}  # pool -> (feed answer, virtual price) last seen
        self.daily_limits = {
            (t.address, tier): t.tierLimits(tier)[1] for t in (w.jpy, w.busd, w.bkhr) for tier in (1, 2, 3)
        }

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

    def _relay(self):
        """One relayer pass a poll interval later (what a running relayer does every few seconds)."""
        chain.sleep(POLL_SECONDS)
        chain.mine()
        report = self.side.relayer.run_once()
        # the relayer may be stopped by the chain (pauses, frozen or unverified parties, limits); the honest
        # validators it asks must never refuse it
        assert not any("signatures;" in e for e in report.errors), report.errors
        return report

    def _expect_pool(self, exp: Expectation, sym: str, check_pause: bool = True) -> None:
        """What stops a pool operation that reads the oracle: pause, a stale answer, a jump from the last
        answer the pool used."""
        pool, feed = self.w.pools[sym], self.w.feeds[sym]
        if check_pause and pool.paused():
            exp.add("EnforcedPause")
        max_age, max_jump = pool.oracleGuards()
        rnd = feed.latestRoundData()
        answer, updated = rnd[1], rnd[3]
        stale_at = updated + max_age  # stale once block.timestamp > stale_at
        now = self._now()
        if now + 1 > stale_at + EDGE:
            exp.add("StaleRate")
        elif now + 1 > stale_at - EDGE:
            exp.add("StaleRate", sure=False)
        ref = self.pool_ref[sym]
        if abs(answer - ref) * BPS > ref * max_jump:
            exp.add("RateJumped")

    def _path(self, index: int | tuple[str, ...]) -> tuple[list, str, str]:
        """The router path of PATHS[index] (through the USD hub), or the given symbols as they are."""
        if isinstance(index, tuple):
            syms = list(index)
        else:
            a, b = PATHS[index % len(PATHS)]
            syms = [a, b] if "USD" in (a, b) else [a, "USD", b]
        return [self.tokens[s] for s in syms], syms[0], syms[-1]

    def _vp(self, syms: list[str]) -> dict[str, int]:
        out = {}
        for s in syms:
            try:
                out[s] = self.w.pools[s].virtualPrice()
            except VirtualMachineError:
                pass
        return out

    def _vp_not_lower(self, before: dict[str, int]) -> None:
        """Trades at an unchanged oracle rate never lower the LPs' share value."""
        for s, vp in before.items():
            assert self.w.pools[s].virtualPrice() >= vp, f"{s} pool share value fell on a trade"

    def _router_swap(self, payer, recipient, index: int, amount: int, exact_out: bool):
        """Predicts and sends one router swap; returns (amount_in, amount_out) or None if it reverted."""
        path, a, b = self._path(index)
        pools = sorted({sym for sym, t in self.tokens.items() if sym != "USD" and t in path})
        exp = Expectation()
        router = self.w.router
        addrs = [t.address for t in path]
        quote_error = None
        try:
            quoted = router.quoteExactOut(addrs, amount) if exact_out else router.quoteExactIn(addrs, amount)
        except VirtualMachineError as exc:
            quote_error, quoted = revert_name(exc), None
        for sym in pools:
            self._expect_pool(exp, sym)
        if quote_error is not None:
            # the views revert exactly as the swap would (oracle checks near a time edge aside)
            exp.add(quote_error, sure=quote_error not in ("StaleRate", "RateJumped"))
        amount_in = quoted if exact_out else amount
        if amount_in is not None:
            expect_send(exp, path[0], payer, amount_in, self._day_edge())
        for token in path[1:]:
            if token.paused():
                exp.add("EnforcedPause")
        expect_receive(exp, path[-1], recipient)
        vp = self._vp(pools)
        tin, tout = path[0], path[-1]
        in0, out0 = tin.balanceOf(payer), tout.balanceOf(recipient)
        fn = router.swapExactOut if exact_out else router.swapExactIn
        limit = quoted if quoted is not None else (2**256 - 1 if exact_out else 0)
        err, _ = attempt(fn, addrs, amount, limit, recipient, NO_DEADLINE, REF, {"from": payer})
        exp.check(err, f"router {a}->{b} {'out' if exact_out else 'in'} {amount}")
        if err is not None:
            return None
        if tin == tout and payer == recipient:  # a loop A -> USD -> A back into the payer's own account
            delta = tin.balanceOf(payer) - in0
            paid, got = (amount, amount + delta) if not exact_out else (amount - delta, amount)
            # the router quotes both hops on the pool's books before the trade; the second hop executes on
            # the books the first one left, which only favours the payer in a loop (exact out: the quoted
            # input is charged and any excess the first hop pays stays with the LPs)
            assert paid == quoted if exact_out else got >= quoted
            for sym in pools:
                self.pool_ref[sym] = self._answer(sym)
            self._vp_not_lower(vp)
            return paid, got
        paid, got = in0 - tin.balanceOf(payer), tout.balanceOf(recipient) - out0
        if exact_out:
            assert (paid, got) == (quoted, amount)
        else:
            assert (paid, got) == (amount, quoted)
        for s in pools:
            self.pool_ref[s] = self._answer(s)
        self._vp_not_lower(vp)
        return paid, got

    # ================================================================== Bakong and the bridge

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
        pending = sorted(r for r, v in self.redemptions.items() if v["status"] is None)
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

    # ================================================================== JPY issuers

    def rule_issuer_mint(self, st_issuer, st_user, st_yen, st_scale):
        """An issuer's operator mints JPY to a party against its allowance and attested reserve.

        Must stay true: the outcome is exactly the predicted custom error or success; supply and the
        issuer's outstanding grow by the amount."""
        w = self.w
        issuer_id = sorted(self.issuers)[st_issuer]
        m = self.issuers[issuer_id]
        party = self._user(st_user)
        amount = st_yen * (60 if st_scale == 9 else 1)
        s = w.registry.issuer(issuer_id)
        max_age = w.registry.maxAttestationAge()
        now = self._now() + 1
        exp = Expectation()
        if s["suspended"]:
            exp.add("IssuerIsSuspended")
        elif amount > s["mintAllowance"]:
            exp.add("MintAllowanceExceeded")
        elif now - s["reserveAsOf"] > max_age + EDGE:
            exp.add("AttestationStale")
        else:
            if now - s["reserveAsOf"] > max_age - EDGE:
                exp.add("AttestationStale", sure=False)
            if s["outstanding"] + s["claimsOwed"] + amount > s["reserve"]:
                exp.add("ReserveExceeded")
            elif w.jpy.paused():
                exp.add("EnforcedPause")
            else:
                expect_receive(exp, w.jpy, party.address)
        err, _ = attempt(w.registry.mint, issuer_id, party.address, amount, REF, {"from": m["operator"]})
        exp.check(err, f"jpy-mint {amount} by issuer {issuer_id} to {party.name}")
        if err is None:
            m["allowance"] -= amount
            m["outstanding"] += amount
            m["minted"] += amount

    def rule_issuer_redeem(self, st_issuer, st_user, st_yen):
        """A party redeems JPY through an issuer (bank transfer off-chain); beyond the issuer's own
        outstanding the rest is taken from the other issuer as a recorded claim.

        Must stay true: exact predicted outcome; Σ outstanding keeps equal to the supply."""
        w = self.w
        issuer_id = sorted(self.issuers)[st_issuer]
        m = self.issuers[issuer_id]
        party = self._user(st_user)
        balance = w.jpy.balanceOf(party.address)
        amount = st_yen if st_yen % 3 else max(1, min(st_yen, balance))
        exp = Expectation()
        tier, frozen = tier_of(w.jpy, party.address)
        if w.registry.issuer(issuer_id)["suspended"]:
            exp.add("IssuerIsSuspended")
        elif w.jpy.paused():
            exp.add("EnforcedPause")
        elif tier == 0:
            exp.add("AccountNotVerified")
        elif frozen:
            exp.add("AccountFrozen")
        elif balance < amount:
            exp.add("ERC20InsufficientBalance")
        err, _ = attempt(w.registry.redeem, issuer_id, party.address, amount, REF, {"from": m["operator"]})
        exp.check(err, f"jpy-redeem {amount} by {party.name} via issuer {issuer_id}")
        if err is None:
            own = min(m["outstanding"], amount)
            m["outstanding"] -= own
            other = next(v for k, v in self.issuers.items() if k != issuer_id)
            other["outstanding"] -= amount - own

    def rule_toggle_suspend(self, st_issuer):
        """The issuer admin suspends (or resumes) one issuer without pausing the token.

        Must stay true: a suspended issuer neither mints nor redeems (IssuerIsSuspended, predicted)."""
        issuer_id = sorted(self.issuers)[st_issuer]
        registry = self.w.registry
        if registry.issuer(issuer_id)["suspended"]:
            registry.resumeIssuer(issuer_id, {"from": self.w.admin})
        else:
            registry.suspendIssuer(issuer_id, {"from": self.w.admin})

    def rule_attest_jpy_reserve(self, st_issuer, st_yen, st_bool):
        """The attestor attests an issuer's trust-account balance (never below its outstanding), by
        transaction or by EIP-712 signature; a signed attestation is then replayed.

        Must stay true: the replay is refused (AttestationNotNewer); the reserve follows the attestation."""
        w = self.w
        issuer_id = sorted(self.issuers)[st_issuer]
        amount = self.issuers[issuer_id]["outstanding"] + st_yen * 20
        chain.sleep(1)
        chain.mine()
        as_of = self._now()
        if st_bool:
            w.registry.attestReserve(issuer_id, amount, as_of, {"from": w.admin})
        else:
            domain = signing.registry_domain(chain.id, w.registry.address)
            sig = signing.sign_reserve_attestation(w.attestor.private_key, domain, issuer_id, amount, as_of)
            args = (issuer_id, amount, as_of, w.attestor.address, sig.packed)
            w.registry.attestReserveWithSignature(*args, {"from": self._user(0).account})
            err, _ = attempt(w.registry.attestReserveWithSignature, *args, {"from": self._user(1).account})
            assert err == "AttestationNotNewer", err
        s = w.registry.issuer(issuer_id)
        assert (s["reserve"], s["reserveAsOf"]) == (amount, as_of)

    def rule_signed_transfer(self, st_other, st_yen, st_bool):
        """alice pays a party with an EIP-3009 authorization (optionally cancelled first), then it is replayed.

        Must stay true: a used or cancelled authorization never moves tokens again (AuthorizationAlreadyUsed)."""
        w = self.w
        alice = next(p for p in w.users if p.name == "alice")
        to = self._user(st_other)
        if to is alice:
            to = self._user(st_other + 1)
        self.auth_seq += 1
        nonce = (b"MACHINE" + self.auth_seq.to_bytes(8, "big")).ljust(32, b"\0")
        domain = signing.token_domain(w.jpy.name(), chain.id, w.jpy.address)
        valid_before = self._now() + 3_600
        sig = signing.sign_transfer_authorization(
            alice.account.private_key, domain, alice.address, to.address, st_yen, 0, valid_before, nonce
        )
        fn = w.jpy.transferWithAuthorization["address,address,uint256,uint256,uint256,bytes32,bytes"]
        args = (alice.address, to.address, st_yen, 0, valid_before, nonce, sig.packed)
        exp = Expectation()
        if st_bool:
            cancel = signing.sign_cancel_authorization(
                alice.account.private_key, domain, alice.address, nonce
            )
            w.jpy.cancelAuthorization["address,bytes32,bytes"](
                alice.address, nonce, cancel.packed, {"from": to.account}
            )
            self.used_authorizations.add((alice.address, nonce))
            exp.add("AuthorizationAlreadyUsed")
        else:
            expect_transfer(exp, w.jpy, alice.address, to.address, st_yen, self._day_edge())
        err, _ = attempt(fn, *args, {"from": to.account})
        exp.check(err, "EIP-3009 transfer")
        if err is None:
            self.used_authorizations.add((alice.address, nonce))
            err, _ = attempt(fn, *args, {"from": self._user(0).account})
            assert err == "AuthorizationAlreadyUsed", err

    # ================================================================== exchange

    def rule_swap(self, st_user, st_other, st_path, st_cents, st_scale, st_bool):
        """A party swaps through the router (one hop via the USD hub, or two hops JPY <-> KHR), exact in
        or exact out, paying another party.

        Must stay true: the outcome is the predicted one (compliance, pauses, oracle guards, pool math);
        the executed amounts equal the router's quote; the LPs' share value does not fall."""
        payer, recipient = self._user(st_user), self._user(st_other)
        _, a, b = self._path(st_path)
        amount = self._units(b if st_bool else a, st_cents, st_scale)
        self._router_swap(payer.address, recipient.address, st_path, amount, exact_out=st_bool)

    def rule_round_trip(self, st_user, st_path, st_cents):
        """A party sells through the router and buys straight back with everything it got.

        Must stay true: at an unchanged oracle rate it never ends with more than it started with."""
        payer = self._user(st_user)
        _, a, _ = self._path(st_path)
        amount = self._units(a, st_cents, 0)
        first = self._router_swap(payer.address, payer.address, st_path, amount, exact_out=False)
        if first is None:
            return
        back_index = PATHS.index(tuple(reversed(PATHS[st_path % len(PATHS)])))
        second = self._router_swap(payer.address, payer.address, back_index, first[1], exact_out=False)
        if second is not None:
            assert second[1] <= amount, f"round trip {PATHS[st_path]} returned {second[1]} > {amount}"
            OUTCOMES[("roundtrip", "round_trip")] += 1

    def rule_router_loop(self, st_user, st_other, st_pool, st_cents, st_bool):
        """A party routes A -> USD -> A (or USD -> A -> USD) through the same pool in one transaction, exact
        in or exact out: the pool pays itself the middle leg and prices the second hop on its own books.

        Must stay true: the loop never returns more than it takes (exact in: out <= in; exact out: in >=
        out), and the pool's books still match its token balances."""
        payer = self._user(st_user)
        sym = ("JPY", "KHR")[st_pool]
        loop = (sym, "USD", sym) if st_other % 2 else ("USD", sym, "USD")
        amount = self._units(loop[0], st_cents, 0)
        done = self._router_swap(payer.address, payer.address, loop, amount, exact_out=st_bool)
        if done is not None:
            paid, got = done
            assert got <= paid, f"the loop {loop} through one pool paid {got} for {paid}"
            OUTCOMES[("roundtrip", "one-pool loop")] += 1

    def rule_corridor_round_trip(self, st_user, st_cents):
        """Riel goes all the way round: a Bakong KHR deposit is minted, swapped bKHR -> JPY -> bKHR through
        the router and redeemed back to the same Bakong account.

        Must stay true: the party's Bakong riel never grows by the trip."""
        party = self._user(st_user)
        ledger, bkhr = self.side.ledger, self.w.bkhr
        amount = self._units("KHR", st_cents, 0)
        if ledger.balance(party.bakong, "KHR") < amount:
            return
        held = bkhr.balanceOf(party.address)
        self.rule_bakong_deposit(st_user, 0, st_cents, 0)
        got = bkhr.balanceOf(party.address) - held
        if got != amount:
            return  # stays in flight (paused bridge, frozen or unverified party): nothing to compare
        khr_to_jpy = PATHS.index(("KHR", "JPY"))
        leg1 = self._router_swap(party.address, party.address, khr_to_jpy, amount, exact_out=False)
        if leg1 is None:
            return
        leg2 = self._router_swap(party.address, party.address, PATHS.index(("JPY", "KHR")), leg1[1], False)
        if leg2 is None:
            return
        before = ledger.balance(party.bakong, "KHR")
        err, tx = attempt(self.w.bridge.redeem, KHR, leg2[1], party.bakong, {"from": party.account})
        if err is not None:
            return
        rid = tx.events["RedemptionRequested"]["redemptionId"]
        self.redemptions[rid] = {"holder": party.address, "currency": KHR, "amount": leg2[1], "status": None}
        self.redeemed[KHR] += leg2[1]
        self._relay()
        assert ledger.balance(party.bakong, "KHR") == before + leg2[1]  # paid out exactly the escrow
        assert leg2[1] <= amount, f"a corridor round trip turned {amount} riel into {leg2[1]}"
        OUTCOMES[("roundtrip", "corridor")] += 1

    def _mid(self, a: str, b: str) -> Fraction:
        """Units of `b` per unit of `a` at the feeds' answers, exactly."""

        def usd(sym: str) -> Fraction:
            return Fraction(1) if sym == "USD" else Fraction(self._answer(sym), 10**8)

        scale = Fraction(10) ** (self.tokens[b].decimals() - self.tokens[a].decimals())
        return usd(a) / usd(b) * scale

    def _rfq_fill(self, payer, recipient, index: int, amount: int, exact_out: bool):
        """The market maker quotes, the payer fills, the fill is replayed; returns (in, out) or None."""
        w, mm = self.w, self.mm
        _, a, b = self._path(index)
        tin, tout = self.tokens[a], self.tokens[b]
        cross = "USD" not in (a, b)
        hub = w.busd.address if cross else None
        mid = self._mid(a, b)
        try:
            if exact_out:
                signed = mm.quote_exact_out(tin.address, tout.address, amount, taker=payer, hub=hub)
            else:
                signed = mm.quote_exact_in(tin.address, tout.address, amount, taker=payer, hub=hub)
        except QuoteRefused:
            OUTCOMES[("rfq", "maker declined")] += 1
            return None
        q = signed.quote
        fee_bps = w.venue.feeBps()
        if exact_out:
            amount_in, fee = rfq.exact_out(q.amount_in, q.amount_out, amount, fee_bps)
            amount_out = amount
            fn = getattr(w.venue, signed.exact_out_function)
            args = signed.fill_exact_out_args(amount, q.amount_in, recipient, REF)
        else:
            amount_in = amount
            amount_out, fee = rfq.exact_in(q.amount_in, q.amount_out, amount, fee_bps)
            fn = getattr(w.venue, signed.exact_in_function)
            args = signed.fill_exact_in_args(amount, 0, recipient, REF)
        exp = Expectation()
        if w.venue.paused():
            exp.add("EnforcedPause")
        if amount_out == 0:
            exp.add("ZeroAmountOut")
        expect_transfer(exp, tin, payer, mm.maker, amount_in, self._day_edge())
        expect_transfer(exp, tout, mm.maker, recipient, amount_out)
        in0, out0 = tin.balanceOf(payer), tout.balanceOf(recipient)
        owed0 = w.venue.feesOwed(mm.maker, tout.address)
        err, _ = attempt(fn, *args, {"from": payer})
        exp.check(err, f"rfq {a}->{b} {'out' if exact_out else 'in'} {amount}")
        if err is not None:
            return None
        self.used_quotes.add((mm.maker, q.nonce))
        assert in0 - tin.balanceOf(payer) == amount_in
        assert tout.balanceOf(recipient) - out0 == amount_out
        assert w.venue.feesOwed(mm.maker, tout.address) == owed0 + fee
        # never better than the oracle mid: gross output <= input at mid (spread, skew >= 0, floors)
        assert amount_out + fee <= amount_in * mid, "RFQ fill beat the oracle mid"
        err, _ = attempt(fn, *args, {"from": payer})
        assert err == "NonceAlreadyUsed", err
        OUTCOMES[("replay-rfq", err)] += 1
        return amount_in, amount_out

    def rule_rfq_fill(self, st_user, st_other, st_path, st_cents, st_scale, st_bool):
        """A party fills a market-maker quote (direct, or a JPY <-> KHR cross quote carrying the USD leg),
        exact in or exact out, paying another party; then replays it.

        Must stay true: the fill moves exactly the venue's arithmetic (fee booked to the maker), never
        better than the oracle mid; the replay fails with NonceAlreadyUsed."""
        payer, recipient = self._user(st_user), self._user(st_other)
        _, a, b = self._path(st_path)
        amount = self._units(b if st_bool else a, st_cents, st_scale)
        self._rfq_fill(payer.address, recipient.address, st_path, amount, st_bool)

    def rule_rfq_dead_quote(self, st_user, st_path, st_cents, st_bool):
        """The market maker cancels its outstanding quotes (or lets one expire); the taker then tries it.

        Must stay true: a cancelled quote fails with NonceAlreadyUsed, an expired one with QuoteExpired."""
        w, mm = self.w, self.mm
        payer = self._user(st_user)
        _, a, b = self._path(st_path)
        tin, tout = self.tokens[a], self.tokens[b]
        hub = w.busd.address if "USD" not in (a, b) else None
        amount = self._units(a, st_cents, 0)
        try:
            signed = mm.quote_exact_in(tin.address, tout.address, amount, taker=payer.address, hub=hub)
        except QuoteRefused:
            return
        if st_bool:
            mm.cancel_outstanding()
            expected = "NonceAlreadyUsed"
        else:
            chain.sleep(signed.quote.expiry - self._now() + 1)
            chain.mine()
            expected = "QuoteExpired"
        if expected == "NonceAlreadyUsed" and w.venue.paused():
            expected = "EnforcedPause"
        fn = getattr(w.venue, signed.exact_in_function)
        err, _ = attempt(
            fn, *signed.fill_exact_in_args(amount, 0, payer.address, REF), {"from": payer.account}
        )
        assert err == expected, err
        OUTCOMES[("dead-quote", err)] += 1

    def rule_rfq_round_trip(self, st_user, st_path, st_cents):
        """A party sells to the market maker and buys straight back with what it got.

        Must stay true: it never ends with more than it started with."""
        payer = self._user(st_user)
        _, a, _ = self._path(st_path)
        amount = self._units(a, st_cents, 0)
        first = self._rfq_fill(payer.address, payer.address, st_path, amount, False)
        if first is None:
            return
        back = PATHS.index(tuple(reversed(PATHS[st_path % len(PATHS)])))
        second = self._rfq_fill(payer.address, payer.address, back, first[1], False)
        if second is not None:
            assert second[1] <= amount
            OUTCOMES[("roundtrip", "rfq_round_trip")] += 1

    def rule_add_liquidity(self, st_pool, st_cents, st_fraction):
        """The liquidity provider deposits any mix of the pool's coins (single-sided included).

        Must stay true: shares are exactly the pool's own quote; the share value does not fall."""
        sym = ("JPY", "KHR")[st_pool]
        pool, coin, busd = self.w.pools[sym], self.tokens[sym], self.w.busd
        cents = st_cents * 20
        amounts = [
            self._units(sym, cents, 0) * st_fraction // 1_000,
            cents * (1_000 - st_fraction) // 1_000,
        ]
        if amounts == [0, 0]:
            return
        lp = self.w.lp
        exp = Expectation()
        self._expect_pool(exp, sym)
        try:
            shares = pool.calcAddLiquidity(amounts)
        except VirtualMachineError as exc:
            shares = None
            exp.add(revert_name(exc), sure=revert_name(exc) not in ("StaleRate", "RateJumped"))
        for token, amt in ((coin, amounts[0]), (busd, amounts[1])):
            if amt:
                expect_send(exp, token, lp.address, amt)
        vp = self._vp([sym])
        before = pool.balanceOf(lp.address)
        err, _ = attempt(pool.addLiquidity, amounts, 0, lp.address, NO_DEADLINE, {"from": lp.account})
        exp.check(err, f"add liquidity {amounts} to {sym}")
        if err is None:
            assert pool.balanceOf(lp.address) - before == shares
            self.pool_ref[sym] = self._answer(sym)
            self._vp_not_lower(vp)

    def rule_remove_liquidity(self, st_pool, st_fraction, st_bool):
        """The liquidity provider withdraws part of its shares, pro rata or in one coin.

        Must stay true: a pro-rata exit never needs the oracle and pays exactly its share (rounded down);
        the share value does not fall."""
        sym = ("JPY", "KHR")[st_pool]
        pool, lp = self.w.pools[sym], self.w.lp
        shares = pool.balanceOf(lp.address) * st_fraction // 20_000
        if shares == 0:
            return
        exp = Expectation()
        coins = [self.tokens[sym], self.w.busd]
        vp = self._vp([sym])
        if st_bool:
            supply = pool.totalSupply()
            bal = pool.balances()
            expected = [bal[0] * shares // supply, bal[1] * shares // supply]
            for token, amt in zip(coins, expected, strict=True):
                if amt and token.paused():
                    exp.add("EnforcedPause")
            before = [t.balanceOf(lp.address) for t in coins]
            err, _ = attempt(
                pool.removeLiquidity, shares, [0, 0], lp.address, NO_DEADLINE, {"from": lp.account}
            )
            exp.check(err, "balanced withdrawal")
            if err is None:
                assert [t.balanceOf(lp.address) - b for t, b in zip(coins, before, strict=True)] == expected
        else:
            i = st_fraction % 2
            self._expect_pool(exp, sym)
            if coins[i].paused():
                exp.add("EnforcedPause")
            try:
                expected = pool.calcRemoveLiquidityOneCoin(shares, i)
            except VirtualMachineError as exc:
                expected = None
                exp.add(revert_name(exc), sure=revert_name(exc) not in ("StaleRate", "RateJumped"))
            before = coins[i].balanceOf(lp.address)
            err, _ = attempt(
                pool.removeLiquidityOneCoin, shares, i, 0, lp.address, NO_DEADLINE, {"from": lp.account}
            )
            exp.check(err, "one-coin withdrawal")
            if err is None:
                assert coins[i].balanceOf(lp.address) - before == expected
                self.pool_ref[sym] = self._answer(sym)
        if err is None:
            self._vp_not_lower(vp)

    def rule_liquidity_round_trip(self, st_pool, st_cents, st_bool):
        """The liquidity provider deposits one coin and at once withdraws all the new shares in that coin.

        Must stay true: it gets back at most what it put in (deposits and exits cost fees, never pay)."""
        sym = ("JPY", "KHR")[st_pool]
        pool, lp = self.w.pools[sym], self.w.lp
        i = int(st_bool)
        coin = self.tokens[sym] if i == 0 else self.w.busd
        amount = self._units(sym if i == 0 else "USD", st_cents * 10, 0)
        amounts = [amount, 0] if i == 0 else [0, amount]
        before = pool.balanceOf(lp.address)
        err, _ = attempt(pool.addLiquidity, amounts, 0, lp.address, NO_DEADLINE, {"from": lp.account})
        if err is not None:
            return
        self.pool_ref[sym] = self._answer(sym)
        shares = pool.balanceOf(lp.address) - before
        held = coin.balanceOf(lp.address)
        err, _ = attempt(
            pool.removeLiquidityOneCoin, shares, i, 0, lp.address, NO_DEADLINE, {"from": lp.account}
        )
        if err is None:
            assert coin.balanceOf(lp.address) - held <= amount, "a deposit + exit paid the provider"
            OUTCOMES[("roundtrip", "liquidity_round_trip")] += 1

    # ================================================================== oracle

    def _submit(self, sym: str, answer: int, force: bool):
        feed = self.w.feeds[sym]
        hb, max_move = feed.heartbeat(), feed.maxMoveBps()
        breaker, reopens = self.breaker[sym], feed.reopensAt()
        last_at = feed.latestRoundData()[3]
        if any(abs(self._now() + 1 - t) <= EDGE for t in (breaker.start + hb, last_at + hb, reopens)):
            chain.sleep(2 * EDGE + 1)  # stay clear of a window boundary so the prediction is exact
            chain.mine()
        prev = self._answer(sym)
        now = self._now() + 1
        expected = None
        if not force and answer != prev:
            lo, hi = breaker.bounds(now, hb, prev, last_at)
            if now < reopens:
                expected = "MarketIsClosed"  # no official fixing on a closed day: only a re-confirmation
            elif move_bps(lo, answer) > max_move or move_bps(hi, answer) > max_move:
                expected = "MoveTooLarge"
            if expected != "MarketIsClosed":
                feed.scheduleFixing(self._now(), {"from": self.w.admin})  # the window opens: pools stop
        fn = feed.forceSubmit if force else feed.submit
        err, tx = attempt(fn, answer, {"from": self.w.admin})
        assert err == expected, f"{sym} fixing {prev} -> {answer}: {err} (expected {expected})"
        OUTCOMES[("force" if force else "fixing", err or "ok")] += 1
        if err == "MoveTooLarge":
            # the reporter holds the refused fixing and re-confirms the last one, closing the window
            tx, answer = feed.submit(prev, {"from": self.w.admin}), prev
            err = None
        if err is None:
            if force:
                self.breaker[sym] = Breaker.restart(answer, tx.timestamp)
            else:
                breaker.record(tx.timestamp, hb, prev, last_at, answer)
        assert feed.latestRoundData()[0] == feed.latestRoundData()[4], "a fixing window was left open"

    def rule_fixing(self, st_pool, st_move):
        """The reporter publishes a new fixing, sometimes beyond the circuit breaker.

        Must stay true: a new rate lands only inside a fixing window (the pools stop from its start until
        the round lands); a move beyond maxMoveBps from any answer of the last heartbeat is refused
        (MoveTooLarge; the reporter then re-confirms the last fixing, which closes the window); anything
        else is published."""
        sym = ("JPY", "KHR")[st_pool]
        prev = self._answer(sym)
        if not self.w.feeds[sym].marketOpen() and st_move % 2 == 0:
            st_move = 0  # on a closed day the reporter re-confirms the last fixing (keeps the heartbeat)
        self._submit(sym, max(1, prev * (BPS + st_move) // BPS), force=False)

    def rule_market_hours(self, st_pool, st_sleep):
        """The market-hours role closes the market (weekend, holiday: up to three days) or reopens it.

        Must stay true: while closed, only re-confirmations of the last answer are published
        (MarketIsClosed otherwise, predicted in every fixing); the first fixing after reopening is again
        bounded by the circuit breaker."""
        sym = ("JPY", "KHR")[st_pool]
        feed = self.w.feeds[sym]
        if feed.marketOpen():
            feed.closeMarket(self._now() + 60 + st_sleep * 8, {"from": self.w.admin})
            OUTCOMES[("market", "closed")] += 1
        elif feed.reopensAt() - self._now() > EDGE:
            feed.openMarket({"from": self.w.admin})
            OUTCOMES[("market", "opened")] += 1

    def rule_devaluation(self, st_pool, st_jump):
        """The feed admin forces a large move (devaluation, re-peg) past the circuit breaker.

        Must stay true: the pools refuse the jumped rate (RateJumped, predicted in every pool rule) until
        the guardian re-syncs them."""
        sym = ("JPY", "KHR")[st_pool]
        prev = self._answer(sym)
        self._submit(sym, max(1, prev * (BPS + st_jump) // BPS), force=True)

    def rule_sync_pool(self, st_pool):
        """The pool guardian accepts the feed's current answer as the pool's reference.

        Must stay true: refused only for a stale answer (StaleRate)."""
        sym = ("JPY", "KHR")[st_pool]
        exp = Expectation()
        self._expect_pool(exp, sym, check_pause=False)
        exp.certain.discard("RateJumped")
        exp.possible.discard("RateJumped")
        err, _ = attempt(self.w.pools[sym].syncRate, {"from": self.w.admin})
        exp.check(err, f"sync {sym}")
        if err is None:
            self.pool_ref[sym] = self._answer(sym)

    # ================================================================== operations

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

    def invariant_count_steps(self):
        """(Counts the checks: one after setup and one after every step.)"""
        OUTCOMES[("checked", "invariants")] += 1

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

    def invariant_issuers(self):
        """JPY totalSupply == Σ issuer outstanding (on chain and in the model); no issuer above its
        granted allowance or its attested reserve."""
        w = self.w
        ids = sorted(self.issuers)
        got = batch_call(
            [(w.jpy.totalSupply, ()), (w.registry.totalOutstanding, ())]
            + [(w.registry.issuer, (i,)) for i in ids]
        )
        supply = got[0]
        assert got[1] == supply
        assert sum(m["outstanding"] for m in self.issuers.values()) == supply
        for issuer_id, s in zip(ids, got[2:], strict=True):
            m = self.issuers[issuer_id]
            assert (s["outstanding"], s["mintAllowance"]) == (m["outstanding"], m["allowance"])
            assert m["minted"] <= m["granted"]
            assert s["outstanding"] <= s["reserve"]

    def invariant_pools_hold_their_books(self):
        """Every pool holds exactly its reserves plus accrued protocol fees, in both coins."""
        calls = []
        for sym, pool in self.w.pools.items():
            calls += [(pool.balances, ()), (pool.protocolFees, ())]
            calls += [(self.tokens[sym].balanceOf, (pool.address,)), (self.w.busd.balanceOf, (pool.address,))]
        got = batch_call(calls)
        for k in range(len(self.w.pools)):
            (b0, b1), (f0, f1), held0, held1 = got[4 * k : 4 * k + 4]
            assert (held0, held1) == (b0 + f0, b1 + f1)

    def invariant_lp_share_value(self):
        """At an unchanged oracle answer, no sequence of swaps, deposits and withdrawals lowers the value of
        an LP share (virtualPrice); the LPs never pay the traders."""
        calls = []
        for sym, pool in self.w.pools.items():
            calls += [(self.w.feeds[sym].latestRoundData, ()), (pool.virtualPrice, ())]
        got = batch_call(calls, allow_revert=True)
        for k, sym in enumerate(self.w.pools):
            answer, vp = got[2 * k][1], got[2 * k + 1]
            if vp is None:  # stale or jumped: the pool refuses to price until the guardian re-syncs
                continue
            last = self.share_value.get(sym)
            if last is not None and last[0] == answer:
                assert vp >= last[1], f"{sym} LP share value fell from {last[1]} to {vp} at answer {answer}"
            self.share_value[sym] = (answer, vp)

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


@pytest.fixture(scope="module")
def world(accounts):
    from brownie import project

    return World.build(project.get_loaded_projects()[0], accounts)


def test_corridor_state_machine(state_machine, world):
    OUTCOMES.clear()
    state_machine(
        CorridorMachine,
        world,
        settings={
            "max_examples": EXAMPLES,
            "stateful_step_count": STEPS,
            # no example database: the examples of another size or an older rule set would replace fresh ones
            "database": None,
            **SHRINK,
            **VERBOSE,
        },
    )
    print(f"\ncorridor machine: {EXAMPLES} examples x {STEPS} steps; outcomes:")
    for (action, outcome), n in sorted(OUTCOMES.items()):
        print(f"  {action:<10} {outcome:<28} {n}")
