"""Stateful: deposits, payments, redemptions (poison events among them: account ids that are not UTF-8),
relayer passes that crash at random steps, time passing and holders reclaiming expired escrows, against
the bridge model. After every step the books hold, nothing is minted or paid out twice, and no
redemption is both paid out on Bakong and reclaimed on-chain (the payout invariant, docs/security.md,
under its assumption: after a crash the relayer is back within `payout_margin`). At the end a
crash-free relayer settles everything with zero drift."""

import tempfile
from pathlib import Path

from brownie.test import state_machine, strategy
from eth_account import Account

from corridor.bridge.client import simulator_client
from corridor.bridge.gateway import MintStatus, RedemptionStatus
from corridor.bridge.khqr import Currency
from corridor.bridge.ledger import ExpiredKHQR, Ledger
from corridor.bridge.relayer import CRASH_POINTS, LedgerPayer, Relayer, RelayerConfig, RelayerCrashed
from corridor.bridge.store import RelayerStore
from corridor.bridge.validator import Validator
from tests.fixtures.machines import machine_settings

from .bridge_model import CUSTOMER, OMNIBUS, Clock, ModelBridge

KEYS = ["0x" + f"{i:064x}" for i in (0xA11CE, 0xB0B, 0xCAFE, 0xD00D, 0xE1E)]
HOLDER = Account.from_key("0x" + "42" * 32).address
POISON = b"\xffsokha@wing"
MARGIN = RelayerConfig(OMNIBUS).payout_margin


class RelayerMachine:
    """Random deposits, payments, redemptions and crashing relayer passes; money is never created or
    paid twice, and the omnibus balance always equals supply plus in-flight money."""

    st_amount = strategy("uint256", min_value=1, max_value=50_000)
    st_currency = strategy("uint16", min_value=0, max_value=1)
    st_known = strategy("bool")
    st_crash = strategy("uint8", max_value=len(CRASH_POINTS))  # len = no crash
    st_pick = strategy("uint8")
    st_seconds = strategy("uint32", max_value=8 * 86_400)
    BATCH_SIZE = 1  # every deposit its own mint (BatchingRelayerMachine: batches of 3)

    def setup(self):
        self.dir = tempfile.TemporaryDirectory()
        self.clock = Clock()
        self.ledger = Ledger(":memory:", clock=self.clock.ms)
        self.ledger.open_account(OMNIBUS)
        self.ledger.open_account(CUSTOMER)
        for cur in Currency:
            self.ledger.cash_in(CUSTOMER, cur, 10**9)
        self.model = ModelBridge(self.clock, [Account.from_key(k).address for k in KEYS], 3)
        client = simulator_client(self.ledger)
        self.validators = [Validator(k, client, self.model, OMNIBUS) for k in KEYS]
        self.client = client
        self.intents = []  # unpaid KHQRs
        self.down_since = None  # clock time of the last crash, until a pass completes

    def teardown(self):
        relayer = self._relayer()
        for _ in range(4):
            relayer.run_once()
        self.clock.sleep(self.model.redemption_timeout + 1)  # what is still pending is never paid
        self.rule_reclaim()
        for _ in range(2):
            relayer.run_once()
        assert all(line.drift == 0 and line.settled for line in relayer.reconciliation())
        assert all(
            r.status in (RedemptionStatus.FINALIZED, RedemptionStatus.REJECTED, RedemptionStatus.RECLAIMED)
            for r in self.model.redemptions.values()
        )
        self.dir.cleanup()

    def _relayer(self, crash_at=None):
        return Relayer(
            self.model,
            self.client,
            LedgerPayer(self.ledger, OMNIBUS),
            self.validators,
            RelayerStore(str(Path(self.dir.name) / "relayer.sqlite")),
            RelayerConfig(OMNIBUS, batch_size=self.BATCH_SIZE),
            clock_ms=self.clock.ms,
            crash_at=crash_at,
        )

    def rule_request_deposit(self, st_amount, st_currency):
        """The relayer issues a KHQR; nothing moves yet."""
        cur = list(Currency)[st_currency]
        self.intents.append(self._relayer().request_deposit(cur, st_amount, HOLDER))

    def rule_pay(self, st_pick):
        """The customer pays one outstanding KHQR (an expired one cannot be paid any more)."""
        if self.intents:
            intent = self.intents.pop(st_pick % len(self.intents))
            try:
                self.ledger.pay_khqr(CUSTOMER, intent.khqr)
            except ExpiredKHQR:
                pass

    def rule_redeem(self, st_amount, st_currency, st_known):
        """The holder redeems to a known Bakong account or to one that does not exist."""
        cur = list(Currency)[st_currency].value
        have = self.model.balances.get((cur, HOLDER), 0)
        if have:
            self.model.redeem(HOLDER, cur, min(st_amount, have), CUSTOMER if st_known else "ghost@nowhere")

    def rule_redeem_poison(self, st_amount, st_currency):
        """The holder redeems to an account id that is not UTF-8 (accepted by the original contract)."""
        cur = list(Currency)[st_currency].value
        have = self.model.balances.get((cur, HOLDER), 0)
        if have:
            self.model.redeem_raw(HOLDER, cur, min(st_amount, have), POISON)

    def rule_run(self, st_crash):
        """One relayer pass, possibly killed at a step. The only error a pass may report is a redemption
        left to its holder because it came too close to its deadline."""
        point = CRASH_POINTS[st_crash] if st_crash < len(CRASH_POINTS) else None
        try:
            report = self._relayer(point).run_once()
        except RelayerCrashed:
            self.down_since = self.clock.now if self.down_since is None else self.down_since
            return
        self.down_since = None
        assert all("before its reclaim deadline" in e for e in report.errors), report.errors

    def rule_wait(self, st_seconds):
        """Time passes; after a crash the relayer is back within the payout margin (the invariant's
        assumption), so the wait is cut short while it is down."""
        if self.down_since is not None:
            st_seconds = max(0, min(st_seconds, self.down_since + MARGIN - 60 - self.clock.now))
        self.clock.sleep(st_seconds)

    def rule_reclaim(self):
        """The holder takes back every escrow past its deadline."""
        for rid, r in self.model.redemptions.items():
            if r.status == RedemptionStatus.PENDING and self.clock.now > r.deadline:
                self.model.reclaim(rid)

    def invariant_each_bakong_payment_minted_at_most_once(self):
        assert self.model.mint_calls + self.model.batch_deposits == len(self.model.minted)

    def invariant_each_redemption_paid_out_at_most_once_and_never_when_rejected(self):
        refs = [t.client_ref for t in self.ledger.transfers(OMNIBUS) if t.from_account == OMNIBUS]
        assert len(refs) == len(set(refs))
        paid = {int(ref.rsplit(":", 1)[1]) for ref in refs}
        for rid in paid:
            assert self.model.redemptions[rid].status not in (
                RedemptionStatus.REJECTED,
                RedemptionStatus.RECLAIMED,
            )

    def invariant_omnibus_equals_supply_plus_in_flight(self):
        for cur in (c for c in Currency if self.model.is_bridged(c.value)):  # the model's two
            deposits = [
                t for t in self.ledger.transfers(OMNIBUS) if t.to_account == OMNIBUS and t.currency == cur
            ]
            unminted = sum(
                t.amount
                for t in deposits
                if self.model.mint_status(bytes.fromhex(t.hash)) != MintStatus.MINTED
            )
            payouts = {
                int(t.client_ref.rsplit(":", 1)[1]): t.amount
                for t in self.ledger.transfers(OMNIBUS)
                if t.from_account == OMNIBUS and t.currency == cur
            }
            unfinalized = sum(
                a
                for rid, a in payouts.items()
                if self.model.redemptions[rid].status != RedemptionStatus.FINALIZED
            )
            omnibus = self.ledger.balance(OMNIBUS, cur)
            assert omnibus == self.model.supply[cur.value] + unminted - unfinalized


def test_relayer_state_machine():
    state_machine(RelayerMachine, settings=machine_settings(max_examples=20, stateful_step_count=14))


class BatchingRelayerMachine(RelayerMachine):
    """The same rules with the relayer batching 3 deposits or 2 s: crashes now also hit the batch steps
    (signed, sent, half recorded), and the same invariants hold."""

    BATCH_SIZE = 3


def test_batching_relayer_state_machine():
    state_machine(BatchingRelayerMachine, settings=machine_settings(max_examples=20, stateful_step_count=14))
