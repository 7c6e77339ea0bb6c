"""The bridge relayer: Bakong deposits in, redemptions out, with progress that survives crashes.

Deposits. `request_deposit` issues a dynamic KHQR that pays the bridge's omnibus account and carries
the EVM recipient (tag 62/50) and an invoice reference (bill number). Bakong's Open API has no feed of
incoming payments: it verifies a KHQR by the MD5 of its string, so the relayer polls the MD5 of every
open KHQR (as a KHQR merchant does). Once paid: refresh the attested reserve if needed, collect M
validator signatures (each validator checks the payment itself), submit `mint`, execute queued mints
once their delay has passed.

Batches (`RelayerConfig.batch_size` > 1). Paid plain deposits of one currency are gathered into a batch
of at most `batch_size`, sent once it is full or its oldest deposit has waited `batch_latency_ms` (a lone
deposit past the latency is minted singly: a batch of one costs more). The validators sign one
`BatchMintAttestation` for the batch, each checking every deposit against Bakong (read with the Open
API's list endpoints), and `mintBatch` mints them in one transaction. The batch and its deposits'
`signed` status are stored in one SQLite transaction before anything is sent. When a validator refuses
(its reason names the deposit), that deposit is minted alone and the others batched again; when the
batch transaction would revert (the gas estimate is the simulation) or fails, the deposits already
minted on-chain are recorded as done (never minted twice: the dedupe slot is the contract's) and the
rest minted one by one. Hooked (invoice) mints are never batched.

Invoices (hooked mints). `expect_invoice` tracks the dynamic KHQR of a yen invoice (corridor/invoices.py)
with the invoice and venue data the settlement contract needs (corridor/settlement.py). Once Bakong shows
the payment, the relayer fills in the payer's Bakong account and origin scheme, the validators sign a
`HookedMintAttestation` to the settlement contract (each checks the invoice against the KHQR and the
payment), and `mintWithHook` mints and settles in one transaction: merchant paid, or the deposit refunded
through the redemption escrow, which the next pass pays out on Bakong like any redemption.

Redemptions. `RedemptionRequested` events are scanned from a persisted block cursor. A redemption to
an account Bakong does not know is rejected (refund on-chain). When the redemption is the suite's
KhqrPayer's (a yen holder's KHQR payment or remittance, `RelayerConfig.khqr_payer`), the relayer then
calls `KhqrPayer.refund`: the bridge token that came back is sold for JPYS straight to the payer, at no
less than the contract's floor. The redemption is recorded rejected only once the chain shows it refunded,
so a crash or a failed refund (a paused pool) is retried from the chain's state on the next pass. When it is the
InvoiceSettlement's (a refund, `RelayerConfig.settlement`), the relayer calls `returnRejectedRefund` and sweeps the
payer's bank's returns to `returns@<bank>` (docs/security.md §7); every pass also sweeps a bank's sub-fee refunds
once they add up to more than the rejection fee. Otherwise the omnibus account pays it
out under a reference derived from the redemption id (idempotent: a retried payout returns the first
transfer), then validators check the payout and sign the finalization, which burns the escrow. With
batching on, the payouts are finalized at the end of the pass, per currency, `batch_size` at a time by one
`finalizeRedemptionBatch` (one quorum over a `BatchRedemptionFinalization`, each validator checking every
payout); a lone one singly. A refusal names the payout: it is finalized alone, the others batched again; a
batch that would revert falls back to singles. Each redemption is read from the chain first: one already
finalized is recorded, never finalized twice. Rejections stay single.

The payout invariant (docs/security.md): a payout is sent only after the redemption is journaled
`paying`, and only while the chain shows it Pending with at least `payout_margin` seconds before the
holder may reclaim it (read right before paying); closer than that it is left to the holder
(`lapsed`). Every pass first settles the redemptions whose payout may exist (`paying`: looked up by
its reference; `paid_out`: finalized, or with batching left for the pass's finalization batches), before
scanning or minting anything.

Nothing one item does stops the others: an event that does not decode is parked in the store's
dead-letter list at once (with its tx hash and log index) and the scan goes on; a deposit or a
redemption whose step fails is retried, and parked after `max_attempts` failures in a row (except a
redemption whose payout may exist: that one is retried every pass). `--dead-letters` lists them.

Every step records its outcome in `RelayerStore` before the next one and begins by looking at what
Bakong and the chain already hold, so re-running after a crash at any `CRASH_POINTS` entry neither
mints twice nor loses a redemption. Tests trigger those crashes with `crash_at`.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from eth_utils import is_address, to_checksum_address

from corridor import codes
from corridor.bridge import reconcile
from corridor.bridge.attest import (
    BatchDeposit,
    BatchPayout,
    HookedMintAttestation,
    MintAttestation,
    RedemptionFinalization,
    RedemptionRejection,
    ReserveAttestation,
    ValidatorSignature,
    bakong_tx_hash_bytes,
    batch_finalization,
    batch_mint_attestation,
)
from corridor.bridge.client import BakongApiError, BakongClient, BakongTransaction
from corridor.bridge.gateway import (
    BridgeGateway,
    InvoiceSettlementGateway,
    KhqrPayerGateway,
    MintStatus,
    RedemptionRequest,
    RedemptionStatus,
    UndecodableLog,
)
from corridor.bridge.khqr import KHQR, Currency, KHQRError, decode, md5
from corridor.bridge.ledger import Ledger, LedgerError
from corridor.bridge.store import (
    BATCH_SIGNED,
    EXPIRED,
    FINALIZED,
    IN_FLIGHT_PAYOUTS,
    ISSUED,
    LAPSED,
    MINTED,
    PAID,
    PAID_OUT,
    PAYING,
    QUEUED,
    RECLAIMED,
    REJECTED,
    REQUESTED,
    SIGNED,
    VETOED,
    BatchRow,
    DepositRow,
    RedemptionRow,
    RelayerStore,
)
from corridor.bridge.validator import (
    REASON_ACCOUNT_NOT_FOUND,
    NotEnoughSignatures,
    Validator,
    collect,
    origin_of,
    payout_reference,
)
from corridor.settlement import bank_of, bytes32_text, decode_hook_data, hook_data, returns_account

CRASH_POINTS = (
    "deposit.paid_recorded",  # Bakong payment seen and stored, nothing on-chain yet
    "deposit.reserve_sent",  # reserve attestation mined, mint not signed
    "deposit.signed",  # M signatures stored, mint not sent
    "deposit.mint_sent",  # mint mined, outcome not stored
    "redemption.scanned",  # events stored, block cursor not advanced
    "redemption.dead_lettered",  # an undecodable event parked, block cursor not advanced
    "redemption.paying",  # payout journaled, not sent
    "redemption.paid_out",  # Bakong payout settled, its hash not stored
    "redemption.payout_recorded",  # payout stored, finalization not signed
    "redemption.finalize_sent",  # finalization mined, outcome not stored
    "redemption.reject_sent",  # rejection mined, outcome not stored
    "redemption.refund_sent",  # KhqrPayer's refund mined, outcome not stored
    "redemption.return_sent",  # a rejected settlement refund returned to the payer's bank, not swept
    "returns.swept",  # a bank's returns swept into the escrow for returns@bank, not reported
    "batch.signed",  # a batch's M signatures stored with its deposits `signed`, mintBatch not sent
    "batch.mint_sent",  # mintBatch mined, no deposit's outcome stored
    "batch.recording",  # the minted deposits' outcomes stored, the queued ones' not, the batch still open
    "finalize_batch.signed",  # a finalization batch's M signatures collected, finalizeRedemptionBatch not sent
    "finalize_batch.sent",  # finalizeRedemptionBatch mined, no redemption's outcome stored
)
#: Reached only with batching on (`RelayerConfig.batch_size` > 1; tests/bridge/offchain/test_relayer_batch.py).
BATCH_CRASH_POINTS = ("batch.signed", "batch.mint_sent", "batch.recording")
#: Reached only with batching on, when two or more payouts of one currency await finalization in a pass.
FINALIZE_BATCH_CRASH_POINTS = ("finalize_batch.signed", "finalize_batch.sent")
MAX_BATCH_SIZE = 256  # deposits in one mintBatch (the validators' signing requests accept no more)
#: Reached only with a KhqrPayer configured (`RelayerConfig.khqr_payer`; tests/outbound/test_relayer_refund.py).
KHQR_PAYER_CRASH_POINTS = ("redemption.refund_sent",)
#: Reached only with an InvoiceSettlement configured (`RelayerConfig.settlement`; tests/settlement/test_relayer_returns.py).
SETTLEMENT_CRASH_POINTS = ("redemption.return_sent", "returns.swept")
#: The points a relayer reaches without batching, a KhqrPayer or an InvoiceSettlement (the plain crash matrices).
PLAIN_CRASH_POINTS = tuple(
    p
    for p in CRASH_POINTS
    if p
    not in BATCH_CRASH_POINTS
    + FINALIZE_BATCH_CRASH_POINTS
    + KHQR_PAYER_CRASH_POINTS
    + SETTLEMENT_CRASH_POINTS
)


class RelayerCrashed(Exception):
    """Raised at an injected crash point (tests); the relayer object must be discarded."""


class WaitForBlock(RuntimeError):
    """A step needs a later block than the chain's latest (a reserve attested in it already): transient, so it is
    reported but not counted as a failure of the item (a relayer polling faster than the chain mines would
    otherwise park a good deposit within seconds)."""


class ReserveWouldStopMinting(RuntimeError):
    """The omnibus balance is below the supply: attesting it would stop minting (refused unless forced)."""


class Payer(Protocol):
    """Pays from the bridge's omnibus account (the bank's payment API in production)."""

    def pay(self, to_account: str, currency: Currency, amount: int, reference: str) -> str: ...

    def find(self, reference: str) -> str | None:
        """The hash of the payout made under `reference`, or None when there is none."""
        ...


class LedgerPayer:
    """Pays from the omnibus account of the ledger simulator; the reference makes retries idempotent."""

    def __init__(self, ledger: Ledger, omnibus_account: str) -> None:
        self.ledger = ledger
        self.omnibus = omnibus_account

    def pay(self, to_account: str, currency: Currency, amount: int, reference: str) -> str:
        return self.ledger.transfer(
            self.omnibus, to_account, currency, amount, client_ref=reference, description=reference
        ).hash

    def find(self, reference: str) -> str | None:
        prior = self.ledger.by_client_ref(reference)
        return prior.hash if prior is not None else None


@dataclass(frozen=True)
class RelayerConfig:
    omnibus_account: str
    merchant_name: str = "Corridor Bridge"
    merchant_city: str = "Phnom Penh"
    attestation_ttl: int = 3600  # seconds a signed mint stays valid
    deposit_ttl_ms: int = 15 * 60 * 1000  # how long an issued KHQR can be paid
    payout_margin: int = 3600  # never start a payout this close to the holder's reclaim deadline
    max_attempts: int = 5  # failures in a row before a deposit or an unpaid redemption is parked
    expiry_grace_ms: int = 10 * 60 * 1000  # keep polling an expired KHQR this long (late settlement)
    start_block: int = 0
    # refuse to attest a reserve below the supply (the bridge would stop minting): an operator decides
    refuse_stopping_reserve: bool = False
    # settlement account of a linked scheme on Bakong -> its origin (`promptpay@hub` -> `TH:PROMPTPAY`)
    linked_origins: Mapping[str, str] = field(default_factory=dict)
    # the suite's KhqrPayer: its rejected redemptions are refunded to the payer in JPYS (None: none deployed)
    khqr_payer: str | None = None
    hub_currency: int = field(
        default_factory=lambda: codes.currency(codes.HUB).number
    )  # a refund's path: token -> hub -> JPYS
    refund_ttl: int = 600  # seconds a refund's swap may wait to be mined
    # the suite's InvoiceSettlement: its refunds Bakong rejects (or not above the rejection fee) are swept to the
    # payer's bank's returns@<bank> account (None: none deployed)
    settlement: str | None = None
    # plain deposits per mintBatch and paid payouts per finalizeRedemptionBatch (1: no batches)
    batch_size: int = 1
    batch_latency_ms: int = 2000  # a partial batch is sent once its oldest deposit waited this long

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch size must be 1..{MAX_BATCH_SIZE}, got {self.batch_size}")
        if self.batch_latency_ms < 0:
            raise ValueError(f"batch latency must be >= 0 ms, got {self.batch_latency_ms}")


@dataclass(frozen=True)
class DepositIntent:
    """A KHQR issued for a deposit: show `khqr` to the payer; `md5` tracks it."""

    khqr: str
    md5: str
    reference: str
    currency: Currency
    amount: int
    recipient: str


@dataclass
class RunReport:
    """What one `run_once` did (ids and hashes), for logs and the demo."""

    minted: list[str] = field(default_factory=list)  # KHQR md5s minted
    batches: list[tuple[int, int]] = field(default_factory=list)  # (batch id, deposits) mined by mintBatch
    fallbacks: list[str] = field(default_factory=list)  # batches given up, why, and what became of them
    queued: list[str] = field(default_factory=list)  # KHQR md5s queued behind the timelock
    expired: list[str] = field(default_factory=list)
    vetoed: list[str] = field(default_factory=list)
    reserves: list[tuple[int, int]] = field(default_factory=list)  # (currency, attested balance)
    seen_redemptions: list[int] = field(default_factory=list)
    paid_out: list[tuple[int, str]] = field(default_factory=list)  # (redemption id, Bakong payout hash)
    finalized: list[int] = field(default_factory=list)
    # (redemptions, tx hash) finalized by one finalizeRedemptionBatch
    finalize_batches: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    refunded: list[int] = field(default_factory=list)  # rejected KhqrPayer redemptions refunded in JPYS
    returned: list[int] = field(default_factory=list)  # rejected settlement refunds owed to the bank
    swept: list[tuple[str, int]] = field(default_factory=list)  # (returns@bank, redemption id) swept
    reclaimed: list[int] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)  # left to the holder: too close to the deadline
    dead_lettered: list[str] = field(default_factory=list)  # items parked in the dead-letter list
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        return (
            not any(getattr(self, f) for f in self.__dataclass_fields__ if f != "errors") and not self.errors
        )

    def summary(self) -> str:
        parts = [
            f"{name}={len(getattr(self, name))}" for name in self.__dataclass_fields__ if getattr(self, name)
        ]
        return "relayer: " + (", ".join(parts) if parts else "nothing to do")


class Relayer:
    # Failures that abort a pass instead of counting against an item (a service waits them out and
    # retries: an RPC or Bakong outage must not park every deposit). None by default.
    OUTAGES: tuple[type[BaseException], ...] = ()

    def __init__(
        self,
        gateway: BridgeGateway,
        client: BakongClient,
        payer: Payer,
        validators: Sequence[Validator],
        store: RelayerStore,
        config: RelayerConfig,
        clock_ms: Callable[[], int] | None = None,
        crash_at: str | None = None,
    ) -> None:
        if crash_at is not None and crash_at not in CRASH_POINTS:
            raise ValueError(f"unknown crash point {crash_at!r}")
        self.gateway = gateway
        self.client = client
        self.payer = payer
        self.validators = sorted(validators, key=lambda v: int(v.address, 16))
        self.store = store
        self.config = config
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._crash_at = crash_at
        self._deferred: set[str] = set()  # md5s to batch on the next pass, not to mint singly in this one
        self.refunds = (
            KhqrPayerGateway(gateway.w3, config.khqr_payer, gateway, gateway.sender)
            if config.khqr_payer
            else None
        )

    def _checkpoint(self, point: str) -> None:
        if point == self._crash_at:
            raise RelayerCrashed(point)

    # -------------------------------------------------------------- deposits

    def request_deposit(self, currency: Currency | str | int, amount: int, recipient: str) -> DepositIntent:
        """Issues a dynamic KHQR paying `amount` (minor units) of `currency` into the omnibus account for
        `recipient` on-chain, and starts tracking it."""
        cur = Currency.parse(currency)
        if not is_address(recipient) or int(recipient, 16) == 0:
            raise ValueError(f"recipient must be a non-zero EVM address, got {recipient!r}")
        if not self.gateway.is_bridged(cur.value):
            raise ValueError(f"{cur.name} is not bridged")
        cap = self.gateway.max_per_message(cur.value)
        if amount > cap:  # the mint would revert forever and the customer's money would be stuck
            raise ValueError(f"{amount} {cur.name} minor units is above the bridge's per-message cap {cap}")
        now = self._clock_ms()
        reference = f"BR-{self.store.next_sequence('deposit_seq'):06d}"
        q = KHQR(
            account_id=self.config.omnibus_account,
            merchant_name=self.config.merchant_name,
            merchant_city=self.config.merchant_city,
            currency=cur,
            amount=amount,
            bill_number=reference,
            evm_recipient=recipient,
            created_ms=now,
            expires_ms=now + self.config.deposit_ttl_ms,
        )
        khqr = q.encode()
        intent = DepositIntent(khqr, md5(khqr), reference, cur, amount, to_checksum_address(recipient))
        self.store.add_deposit(
            DepositRow(
                intent.md5,
                khqr,
                cur.value,
                amount,
                intent.recipient,
                reference,
                now + self.config.deposit_ttl_ms,
                ISSUED,
            )
        )
        return intent

    def expect_invoice(self, khqr: str, hook: str, hook_data: bytes) -> DepositIntent:
        """Tracks the dynamic KHQR of an invoice (corridor.invoices.Invoice.khqr, paying the omnibus account):
        its payment is minted to the settlement contract `hook` with `hook_data` (corridor.settlement.hook_data
        of the invoice and its venue data; the payer's account and origin are filled in from the payment)."""
        q = decode(khqr)
        if q.amount is None or q.expires_ms is None or not q.bill_number:
            raise ValueError("an invoice KHQR is dynamic: amount, bill number and tag 99 expiry")
        if q.account_id != self.config.omnibus_account:
            raise ValueError(f"the invoice KHQR pays {q.account_id}, not the omnibus account")
        if not is_address(hook) or not self.gateway.is_bridged(q.currency.value):
            raise ValueError(f"hook {hook!r} or currency {q.currency.name} not served")
        decode_hook_data(hook_data)  # refuse what the validators could not read
        key = md5(khqr)
        intent = DepositIntent(khqr, key, q.bill_number, q.currency, q.amount, to_checksum_address(hook))
        row = DepositRow(
            key, khqr, q.currency.value, q.amount, intent.recipient, q.bill_number, q.expires_ms, ISSUED
        )
        self.store.put(f"hook:{key}", bytes(hook_data).hex())
        self.store.add_deposit(row)
        return intent

    def _attestation(
        self, d: DepositRow, bakong_hash: bytes, expiry: int, epoch: int
    ) -> MintAttestation | HookedMintAttestation:
        """What the validators sign for a paid deposit: a plain mint to its recipient, or for an invoice
        (`expect_invoice`) the hooked mint with the payer's Bakong account and origin filled in. Deterministic,
        so stored signatures still match it after a restart."""
        md5_bytes = bytes.fromhex(d.md5)
        raw = self.store.get(f"hook:{d.md5}")
        if raw is None:
            return MintAttestation(d.currency, d.amount, d.recipient, bakong_hash, md5_bytes, expiry, epoch)
        assert d.payer is not None
        inv, venue_data = decode_hook_data(bytes.fromhex(raw))
        origin = bytes32_text(origin_of(d.payer, self.config.linked_origins))
        data = hook_data(replace(inv, payer_account=d.payer, origin=origin), venue_data)
        return HookedMintAttestation(
            d.currency, d.amount, d.recipient, bakong_hash, md5_bytes, expiry, epoch, data
        )

    def _collect(self, sign: Callable[[Validator], ValidatorSignature]) -> bytes:
        return collect(self.gateway, self.validators, sign)

    def _ensure_reserve(self, currency: int, extra: int, report: RunReport) -> None:
        """Attests the omnibus balance when the current attestation is stale or too low for `extra` more."""
        balance, as_of = self.gateway.reserve_of(currency)
        now = self.gateway.timestamp()
        supply = self.gateway.total_supply(currency)
        fresh = now - as_of < self.gateway.max_reserve_age() // 2
        if balance >= supply + extra and fresh:
            return
        if as_of >= now:
            raise WaitForBlock(
                f"reserve of {currency} already attested at {as_of}; a newer one must wait a block"
            )
        seen = self.client.balance(self.config.omnibus_account, Currency.parse(currency))
        if seen < supply and self.config.refuse_stopping_reserve:
            raise ReserveWouldStopMinting(
                f"omnibus holds {seen} {Currency.parse(currency).name} minor units, below the supply {supply}:"
                " attesting it would stop minting; not sent (find the break, or force it)"
            )
        att = ReserveAttestation(currency, seen, now, self.gateway.epoch())
        sigs = self._collect(lambda v: v.sign_reserve(att))
        self.gateway.attest_reserve(att, sigs)
        report.reserves.append((currency, seen))
        self._checkpoint("deposit.reserve_sent")

    def _detect_payments(self, deposits: list[DepositRow], report: RunReport) -> None:
        """Asks Bakong about every open KHQR with the list endpoint (50 MD5s a request), then records each."""
        if not deposits:
            return
        found: dict[str, BakongTransaction | None] = {}
        self._guard(
            report,
            "payment lookup",
            lambda: found.update(self.client.transactions_by_md5_list([d.md5 for d in deposits])),
        )
        for d in deposits:
            if d.md5 in found:
                self._guard_deposit(d, report, lambda d=d: self._detect_payment(d, found[d.md5], report))

    def _detect_payment(self, d: DepositRow, tx: BakongTransaction | None, report: RunReport) -> None:
        if tx is None:
            if self._clock_ms() > d.expires_ms + self.config.expiry_grace_ms:
                self.store.update_deposit(d.md5, status=EXPIRED)
                report.expired.append(d.md5)
            return
        self.store.update_deposit(
            d.md5, status=PAID, bakong_hash=tx.hash, payer=tx.from_account_id, paid_ms=self._clock_ms()
        )
        self._checkpoint("deposit.paid_recorded")

    # --------------------------------------------------------------- batches

    def _batchable(self, d: DepositRow) -> bool:
        """A paid plain deposit not flagged to go alone (an invoice's hooked mint is never batched)."""
        return d.status == PAID and not d.single and self.store.get(f"hook:{d.md5}") is None

    def _form_batches(self, report: RunReport) -> None:
        """Cuts the batchable deposits of each currency into batches of `batch_size`; a full batch is signed
        and sent now, a partial one once its oldest deposit waited `batch_latency_ms` (a lone deposit then
        goes singly); the others wait for a later pass."""
        groups: dict[int, list[DepositRow]] = {}
        for d in self._open_deposits(PAID):
            if self._batchable(d):
                groups.setdefault(d.currency, []).append(d)
        now, size = self._clock_ms(), self.config.batch_size
        for currency, waiting in groups.items():
            for start in range(0, len(waiting), size):
                chunk = waiting[start : start + size]
                due = now - min(d.paid_ms or 0 for d in chunk) >= self.config.batch_latency_ms
                if len(chunk) == 1 and due:
                    continue  # alone past the latency: the single mint (cheaper than a batch of one)
                if len(chunk) < size and not due:
                    self._deferred.update(d.md5 for d in chunk)
                    continue
                self._guard(
                    report,
                    f"batch of {len(chunk)} {Currency.parse(currency).name} deposits",
                    lambda c=currency, ds=chunk: self._sign_batch(c, ds, report),
                )

    @staticmethod
    def _batch_deposits(ds: Sequence[DepositRow]) -> list[BatchDeposit]:
        out = []
        for d in ds:
            assert d.bakong_hash is not None
            out.append(
                BatchDeposit(d.amount, d.recipient, bakong_tx_hash_bytes(d.bakong_hash), bytes.fromhex(d.md5))
            )
        return out

    def _sign_batch(self, currency: int, ds: list[DepositRow], report: RunReport) -> None:
        """One quorum of signatures over the batch, stored with the deposits' `signed` status, then sent.
        A refusal names the deposit it is about: that one goes alone, the others wait for the next batch."""
        expiry, epoch = self.gateway.timestamp() + self.config.attestation_ttl, self.gateway.epoch()
        deposits = self._batch_deposits(ds)
        att = batch_mint_attestation(currency, deposits, expiry, epoch)
        khqrs = [d.khqr for d in ds]
        try:
            sigs = self._collect(lambda v: v.sign_batch_mint(khqrs, deposits, att))
        except NotEnoughSignatures as exc:
            named = [d for d in ds if d.md5 in str(exc)]
            for d in named or ds:
                self.store.update_deposit(d.md5, single=1)
            self._deferred.update(d.md5 for d in ds if d not in named and named)
            report.fallbacks.append(
                f"batch of {len(ds)} refused ({exc}); {len(named or ds)} deposit(s) to be minted alone"
            )
            return
        batch = self.store.add_batch(currency, [d.md5 for d in ds], expiry, epoch, sigs.hex())
        self._checkpoint("batch.signed")
        self._send_batch(batch, [replace(d, status=SIGNED, batch_id=batch.id) for d in ds], report)

    def _resume_batch(self, b: BatchRow, report: RunReport) -> None:
        """A batch left open (a crash, a reserve that had to wait): minted or not, the chain says; an
        unsent batch whose signatures expire soon or whose epoch rotated is given up and batched again."""
        ds = [self.store.deposit(m) for m in b.md5s]
        rows = [d for d in ds if d is not None]
        if any(self._status_of(d) != MintStatus.NONE for d in rows):
            self._record_batch(b, rows, None, report)
            return
        if b.expiry <= self.gateway.timestamp() + 60 or b.epoch != self.gateway.epoch():
            self.store.close_batch(b.id, None, b.md5s, single=False)
            return
        self._send_batch(b, rows, report)

    def _status_of(self, d: DepositRow) -> MintStatus:
        assert d.bakong_hash is not None
        return self.gateway.mint_status(bakong_tx_hash_bytes(d.bakong_hash))

    def _send_batch(self, b: BatchRow, ds: list[DepositRow], report: RunReport) -> None:
        deposits = self._batch_deposits(ds)
        att = batch_mint_attestation(b.currency, deposits, b.expiry, b.epoch)
        self._ensure_reserve(b.currency, att.total, report)
        try:
            receipt = self.gateway.mint_batch(att, deposits, bytes.fromhex(b.signatures))
        except (RelayerCrashed, *self.OUTAGES):
            raise
        except Exception as exc:  # noqa: BLE001 (a revert, decoded or not: the deposits go another way)
            self._batch_failed(b, ds, exc, report)
            return
        self._checkpoint("batch.mint_sent")
        self._record_batch(b, ds, receipt["transactionHash"].hex(), report, self.gateway.queued_in(receipt))
        report.batches.append((b.id, len(ds)))

    def _record_batch(
        self,
        b: BatchRow,
        ds: list[DepositRow],
        chain_tx: str | None,
        report: RunReport,
        queued: set[bytes] | None = None,
    ) -> None:
        """Stores each deposit's outcome, then closes the batch. After a mined mintBatch (`queued`: the hashes
        its `MintQueued` events name) every other deposit was minted: no read per deposit. Otherwise (a
        restart, a failed send) the chain is asked about each; one it does not know goes back to `paid`."""
        requeue: list[str] = []
        minted: list[DepositRow] = []
        waiting: list[tuple[DepositRow, MintStatus]] = []
        for d in ds:
            if d.status in (MINTED, VETOED):
                continue  # recorded before a crash
            assert d.bakong_hash is not None
            if queued is not None:
                status = (
                    MintStatus.QUEUED if bakong_tx_hash_bytes(d.bakong_hash) in queued else MintStatus.MINTED
                )
            else:
                status = self._status_of(d)
            if status == MintStatus.NONE:
                requeue.append(d.md5)
            elif status == MintStatus.MINTED:
                minted.append(d)
            else:
                waiting.append((d, status))
        self.store.record_minted([d.md5 for d in minted], chain_tx)
        report.minted.extend(d.md5 for d in minted)
        if minted:
            self._checkpoint("batch.recording")
        for d, status in waiting:  # queued (large, or a recipient the token refused) or vetoed meanwhile
            self._record_chain_status(d, status, report)
        self.store.close_batch(b.id, chain_tx, requeue, single=False)
        self._deferred.update(requeue)

    def _batch_failed(self, b: BatchRow, ds: list[DepositRow], exc: Exception, report: RunReport) -> None:
        """The batch would revert (or failed): deposits the chain already holds are done (another relayer, or a
        mined batch whose receipt was lost); the rest are minted alone, where one bad deposit fails alone."""
        done = [d for d in ds if self._status_of(d) != MintStatus.NONE]
        if done:  # "already processed": record them; the others are batched again without them
            self._record_batch(b, ds, None, report)
        else:
            self.store.close_batch(b.id, None, b.md5s, single=True)
        report.fallbacks.append(
            f"batch {b.id} of {len(ds)} not minted ({type(exc).__name__}: {exc}); "
            + (f"{len(done)} already on-chain, the rest batched again" if done else "minting them one by one")
        )

    def _process_deposit(self, d: DepositRow, report: RunReport) -> None:
        assert d.bakong_hash is not None
        bakong_hash = bakong_tx_hash_bytes(d.bakong_hash)
        status = self.gateway.mint_status(bakong_hash)
        if status != MintStatus.NONE:
            self._record_chain_status(d, status, report)
            return
        if (
            d.status == SIGNED
            and d.attestation
            and (
                d.attestation["expiry"] <= self.gateway.timestamp() + 60
                or d.attestation["epoch"] != self.gateway.epoch()
            )
        ):
            d.status = PAID  # signatures about to expire, or the validator set rotated: sign again
        if d.status == PAID:
            expiry, epoch = self.gateway.timestamp() + self.config.attestation_ttl, self.gateway.epoch()
            att = self._attestation(d, bakong_hash, expiry, epoch)
            if isinstance(att, HookedMintAttestation):
                sigs = self._collect(lambda v: v.sign_hooked_mint(d.khqr, att))
            else:
                sigs = self._collect(lambda v: v.sign_mint(d.khqr, att))
            d.attestation = {"expiry": expiry, "epoch": epoch}
            d.signatures = sigs.hex()
            self.store.update_deposit(
                d.md5, status=SIGNED, attestation=d.attestation, signatures=d.signatures
            )
            d.status = SIGNED
            self._checkpoint("deposit.signed")
        assert d.attestation is not None and d.signatures is not None
        att = self._attestation(d, bakong_hash, d.attestation["expiry"], d.attestation["epoch"])
        self._ensure_reserve(d.currency, d.amount, report)
        if isinstance(att, HookedMintAttestation):
            receipt = self.gateway.mint_with_hook(att, bytes.fromhex(d.signatures))
        else:
            receipt = self.gateway.mint(att, bytes.fromhex(d.signatures))
        self._checkpoint("deposit.mint_sent")
        self.store.update_deposit(d.md5, chain_tx=receipt["transactionHash"].hex())
        self._record_chain_status(d, self.gateway.mint_status(bakong_hash), report)

    def _record_chain_status(self, d: DepositRow, status: MintStatus, report: RunReport) -> None:
        assert d.bakong_hash is not None
        bakong_hash = bakong_tx_hash_bytes(d.bakong_hash)
        if status == MintStatus.QUEUED:
            queued = self.gateway.queued_mint(bakong_hash)
            if queued.executable_at <= self.gateway.timestamp():
                self._ensure_reserve(d.currency, d.amount, report)
                self.gateway.execute_queued_mint(bakong_hash)
                status = self.gateway.mint_status(bakong_hash)
            elif d.status != QUEUED:
                self.store.update_deposit(d.md5, status=QUEUED)
                report.queued.append(d.md5)
                return
        if status == MintStatus.MINTED:
            self.store.update_deposit(d.md5, status=MINTED)
            report.minted.append(d.md5)
        elif status == MintStatus.VETOED:
            self.store.update_deposit(d.md5, status=VETOED)
            report.vetoed.append(d.md5)

    # ----------------------------------------------------------- redemptions

    def _scan_redemptions(self, report: RunReport) -> None:
        start = int(self.store.get("next_block", str(self.config.start_block)) or 0)
        head = self.gateway.block_number()
        if start > head:
            return
        events = self.gateway.redemption_requests(start, head)
        for e in events:
            if isinstance(e, UndecodableLog):
                self._dead_letter_log(e, report)
            elif self.store.add_redemption(self._row(e)):
                report.seen_redemptions.append(e.redemption_id)
        if events:
            self._checkpoint("redemption.scanned")
        self.store.put("next_block", str(head + 1))

    def _dead_letter_log(self, log: UndecodableLog, report: RunReport) -> None:
        """Parks an event nothing can process (a re-scan finds it already listed)."""
        item = f"log:{log.source}"
        if self.store.dead_letter(item) is not None:
            return
        about = f"RedemptionRequested #{log.redemption_id}" if log.redemption_id is not None else "event"
        reason = f"{about} in block {log.block_number} does not decode: {log.reason}"
        self.store.record_failure(item, reason, log.source, self._clock_ms(), park_after=1)
        report.dead_lettered.append(item)
        self._checkpoint("redemption.dead_lettered")

    @staticmethod
    def _row(e: RedemptionRequest) -> RedemptionRow:
        return RedemptionRow(
            e.redemption_id,
            e.currency,
            e.amount,
            e.holder,
            e.bakong_account,
            e.deadline,
            REQUESTED,
            source=e.source if e.tx_hash else None,
        )

    def _reference(self, redemption_id: int) -> str:
        domain = self.gateway.domain()
        return payout_reference(domain.chain_id, domain.verifying_contract, redemption_id)

    def _set(self, r: RedemptionRow, status: str, **fields: str) -> None:
        self.store.update_redemption(r.id, status=status, **fields)
        r.status = status

    def _process_redemption(self, r: RedemptionRow, report: RunReport) -> None:
        on_chain = self.gateway.redemption(r.id)
        if on_chain.status != RedemptionStatus.PENDING:
            self._close(r, on_chain.status, report)
            return
        if r.status == PAYING:
            self._resume_payout(r, report)
        if r.status == REQUESTED:
            if not self.client.account_exists(r.account):
                self._reject(r, report)
                return
            self._pay_out(r, report)
        if r.status != PAID_OUT:  # lapsed (left to the holder), or closed on-chain meanwhile
            return
        if self.config.batch_size > 1:
            return  # finalized with the other payouts of its currency at the end of the pass (_finalize_batches)
        self._finalize(r, report)

    def _finalize(self, r: RedemptionRow, report: RunReport) -> None:
        """The single finalization of a paid-out redemption still Pending on-chain."""
        assert r.payout_hash is not None
        finalization = RedemptionFinalization(r.id, bytes.fromhex(r.payout_hash), self.gateway.epoch())
        sigs = self._collect(lambda v: v.sign_finalization(finalization))
        receipt = self.gateway.finalize_redemption(finalization, sigs)
        self._checkpoint("redemption.finalize_sent")
        self._set(r, FINALIZED, chain_tx=receipt["transactionHash"].hex())
        report.finalized.append(r.id)

    # ------------------------------------------------------ finalization batches

    def _finalize_batches(self, report: RunReport) -> None:
        """With batching on: the paid-out redemptions of each currency are finalized `batch_size` at a time,
        one quorum of signatures and one `finalizeRedemptionBatch` each. No latency wait: the money already
        left the omnibus account, and every pass pays out what it found before this step."""
        if self.config.batch_size <= 1:
            return
        groups: dict[int, list[RedemptionRow]] = {}
        for r in self.store.redemptions(PAID_OUT):
            groups.setdefault(r.currency, []).append(r)
        size = self.config.batch_size
        for currency, paid in groups.items():
            for start in range(0, len(paid), size):
                chunk = paid[start : start + size]
                self._guard(
                    report,
                    f"finalization batch of {len(chunk)} {Currency.parse(currency).name} payouts",
                    lambda c=currency, rs=chunk: self._finalize_batch(c, rs, report),
                )

    def _finalize_one(self, r: RedemptionRow, report: RunReport) -> None:
        """A single finalization in the fallback, guarded like every redemption step (never parked: paid)."""

        def step() -> None:
            on_chain = self.gateway.redemption(r.id)
            if on_chain.status != RedemptionStatus.PENDING:
                self._close(r, on_chain.status, report)
            else:
                self._finalize(r, report)

        self._guard(
            report, f"redemption {r.id}", step, item=f"redemption:{r.id}", source=r.source, parkable=False
        )

    def _finalize_batch(self, currency: int, rs: list[RedemptionRow], report: RunReport) -> None:
        """Finalizes `rs` (paid out, one currency) in one transaction. A redemption the chain already closed
        (finalized before a crash, or by another relayer) is recorded as such and left out; a lone one goes
        singly. A validator's refusal names the payout: that one is finalized singly (and fails alone, as
        today), the others batched again. A batch that would revert (the gas estimate simulates it) or fails
        falls back to single finalizations, each of which asks the chain first."""
        pending: list[RedemptionRow] = []
        for r in rs:
            on_chain = self.gateway.redemption(r.id)
            if on_chain.status == RedemptionStatus.PENDING:
                pending.append(r)
            else:
                self._close(r, on_chain.status, report)  # already done: recorded, never finalized twice
        if len(pending) < 2:  # a batch of one costs more than the single finalization
            for r in pending:
                self._finalize_one(r, report)
            return
        payouts = [BatchPayout(r.id, bytes.fromhex(r.payout_hash or "")) for r in pending]
        expiry, epoch = self.gateway.timestamp() + self.config.attestation_ttl, self.gateway.epoch()
        att = batch_finalization(currency, payouts, [r.amount for r in pending], expiry, epoch)
        try:
            sigs = self._collect(lambda v: v.sign_batch_finalization(payouts, att))
        except NotEnoughSignatures as exc:
            named = {int(i) for i in re.findall(r"\(redemption (\d+)\)", str(exc))}
            refused = [r for r in pending if r.id in named]
            rest = [r for r in pending if r.id not in named]
            report.fallbacks.append(
                f"finalization batch of {len(pending)} refused ({exc}); "
                + (
                    f"redemption(s) {', '.join(str(r.id) for r in refused)} finalized alone, the rest batched again"
                    if refused
                    else "finalizing them one by one"
                )
            )
            for r in refused or pending:
                self._finalize_one(r, report)
            if refused:
                self._finalize_batch(currency, rest, report)  # each round leaves one out: it ends
            return
        self._checkpoint("finalize_batch.signed")
        try:
            receipt = self.gateway.finalize_redemption_batch(att, payouts, sigs)
        except (RelayerCrashed, *self.OUTAGES):
            raise
        except Exception as exc:  # noqa: BLE001 (a revert, decoded or not: each goes alone, the chain asked first)
            report.fallbacks.append(
                f"finalization batch of {len(pending)} not sent ({type(exc).__name__}: {exc}); "
                "finalizing them one by one"
            )
            for r in pending:
                self._finalize_one(r, report)
            return
        self._checkpoint("finalize_batch.sent")
        chain_tx = receipt["transactionHash"].hex()
        self.store.record_finalized([r.id for r in pending], chain_tx)
        for r in pending:
            r.status = FINALIZED
            self.store.clear_failures(f"redemption:{r.id}")
        report.finalized.extend(r.id for r in pending)
        report.finalize_batches.append((len(pending), chain_tx))

    def _close(self, r: RedemptionRow, status: RedemptionStatus, report: RunReport) -> None:
        """Records a redemption the chain already closed (finalized, rejected or reclaimed)."""
        final = {
            RedemptionStatus.FINALIZED: FINALIZED,
            RedemptionStatus.REJECTED: REJECTED,
            RedemptionStatus.RECLAIMED: RECLAIMED,
        }.get(status)
        if final is None:
            raise RuntimeError(f"the bridge has no redemption {r.id} (status {status.name})")
        paid = r.status == PAID_OUT or (
            r.status == PAYING and self.payer.find(self._reference(r.id)) is not None
        )
        if final == REJECTED:
            self._refund_payer(r, report)  # a crash or a failure after the rejection: refund now
        self._set(r, final)
        {FINALIZED: report.finalized, REJECTED: report.rejected, RECLAIMED: report.reclaimed}[final].append(
            r.id
        )
        if final == RECLAIMED and paid:  # only if the relayer was down past the margin (docs/security.md)
            report.errors.append(f"redemption {r.id} was paid out on Bakong and then reclaimed on-chain")

    def _reject(self, r: RedemptionRow, report: RunReport) -> None:
        rejection = RedemptionRejection(r.id, REASON_ACCOUNT_NOT_FOUND, self.gateway.epoch())
        sigs = self._collect(lambda v: v.sign_rejection(rejection))
        self.gateway.reject_redemption(rejection, sigs)
        self._checkpoint("redemption.reject_sent")
        self._refund_payer(r, report)
        self._set(r, REJECTED)
        report.rejected.append(r.id)

    def _refund_payer(self, r: RedemptionRow, report: RunReport) -> None:
        """For a rejected redemption of the suite's KhqrPayer not yet refunded on chain: `KhqrPayer.refund`
        sells what came back for JPYS to the payer, asking the contract's floor (the relayer is not the payer).
        For one of the InvoiceSettlement (a refund): returned to the payer's bank (`_return_to_bank`)."""
        if self._settlement is not None and r.holder.lower() == self._settlement.address.lower():
            self._return_to_bank(r, report)
            return
        if self.refunds is None or r.holder.lower() != self.refunds.address.lower():
            return
        if self.refunds.refunded(r.id):
            return  # refunded before a crash (or by the payer)
        path = self.refunds.refund_path(r.currency, self.config.hub_currency)
        floor = self.refunds.refund_floor(path, self.refunds.returned(self.gateway.redemption(r.id)))
        self.refunds.refund(r.id, path, floor, self.gateway.timestamp() + self.config.refund_ttl)
        self._checkpoint("redemption.refund_sent")
        report.refunded.append(r.id)

    @functools.cached_property
    def _settlement(self) -> InvoiceSettlementGateway | None:
        s = self.config.settlement
        return InvoiceSettlementGateway(self.gateway.w3, s, self.gateway, self.gateway.sender) if s else None

    def _return_to_bank(self, r: RedemptionRow, report: RunReport) -> None:
        """A settlement refund Bakong rejected: `returnRejectedRefund` (unless the chain shows it returned, e.g.
        before a crash) owes what came back to the payer's bank; that bank's returns are then swept when above the
        rejection fee. A failed sweep does not hold up the rejection: the returns pass retries it."""
        assert self._settlement is not None
        if not self._settlement.is_returned(r.id):
            self._settlement.return_rejected_refund(r.id)
            self._checkpoint("redemption.return_sent")
            report.returned.append(r.id)
        bank = bank_of(r.account)
        self._guard(
            report, f"returns to {returns_account(bank)}", lambda: self._sweep(r.currency, bank, report)
        )

    def _sweep(self, currency: int, bank: bytes, report: RunReport) -> None:
        """Sweeps what `bank` is owed in `currency` to `returns@<bank>` once it is above the bridge's rejection fee
        (the escrow refuses less) and Bakong knows that account (else the payout would be rejected and returned
        again, less another fee, every pass). The new redemption is paid out like any other."""
        assert self._settlement is not None
        owed = self._settlement.bank_returns(currency, bank)
        if owed == 0 or owed <= self._settlement.rejection_fee(currency):
            return
        account = returns_account(bank)
        if not self.client.account_exists(account):
            raise ValueError(
                f"{owed} owed in currency {currency}, but Bakong has no account {account}: left owed"
            )
        redemption_id = self._settlement.sweep_bank_returns(currency, bank)
        self._checkpoint("returns.swept")
        report.swept.append((account, redemption_id))

    def _sweep_returns(self, report: RunReport) -> None:
        """The returns pass: learns the (currency, bank) pairs the settlement owed to from its events (persisted
        cursor; the pairs are stored before the cursor moves) and sweeps each one above the rejection fee, so
        refunds at or below the fee that add up are paid without any rejection."""
        assert self._settlement is not None
        known = {
            (int(c), bytes.fromhex(b))
            for c, _, b in (x.partition(":") for x in (self.store.get("owed_banks") or "").split(",") if x)
        }
        start = int(self.store.get("returns_next_block", str(self.config.start_block)) or 0)
        head = self.gateway.block_number()
        if start <= head:
            found = {(o.currency, o.bank) for o in self._settlement.owed_banks(start, head)}
            if not found <= known:
                known |= found
                self.store.put("owed_banks", ",".join(f"{c}:{b.hex()}" for c, b in sorted(known)))
            self.store.put("returns_next_block", str(head + 1))
        for currency, bank in sorted(known):
            self._guard(
                report,
                f"returns to {returns_account(bank)}",
                lambda c=currency, b=bank: self._sweep(c, b, report),
            )

    def _resume_payout(self, r: RedemptionRow, report: RunReport) -> None:
        """A crash left the redemption `paying`: the payout was sent or not; Bakong knows which."""
        payout = self.payer.find(self._reference(r.id))
        if payout is None:
            self._set(r, REQUESTED)  # never sent: decide again, margin included
        else:
            self._record_payout(r, payout, report)

    def _pay_out(self, r: RedemptionRow, report: RunReport) -> None:
        """Journals the payout, then pays only if the chain still shows the redemption Pending with at
        least `payout_margin` seconds before the holder may reclaim it."""
        self._set(r, PAYING)
        self._checkpoint("redemption.paying")
        on_chain = self.gateway.redemption(r.id)
        if on_chain.status != RedemptionStatus.PENDING:
            self._close(r, on_chain.status, report)
            return
        left = on_chain.deadline - self.gateway.timestamp()
        if left < self.config.payout_margin:
            # the holder may reclaim the escrow before a finalization lands: paying now risks paying twice
            self._set(r, LAPSED)
            report.lapsed.append(r.id)
            report.errors.append(
                f"redemption {r.id}: {left}s before its reclaim deadline, not paid out (left to the holder)"
            )
            return
        payout = self.payer.pay(r.account, Currency.parse(r.currency), r.amount, self._reference(r.id))
        self._checkpoint("redemption.paid_out")
        self._record_payout(r, payout, report)
        self._checkpoint("redemption.payout_recorded")

    def _record_payout(self, r: RedemptionRow, payout: str, report: RunReport) -> None:
        self._set(r, PAID_OUT, payout_hash=payout)
        r.payout_hash = payout
        report.paid_out.append((r.id, payout))

    # ------------------------------------------------------------------ loop

    def run_once(self) -> RunReport:
        """One pass. First the redemptions whose payout may exist are settled (finalized), then new
        redemptions are scanned, then every open deposit and redemption advances as far as it goes.
        A failure of one item (a validator refusing, a revert, an event that does not decode) is
        reported, counted in the dead-letter list and retried next pass; it never stops the others."""
        report = RunReport()
        self._deferred = set()
        self._redemptions(IN_FLIGHT_PAYOUTS, report, parkable=False)  # batching: finalized at the end
        self._guard(report, "redemption scan", lambda: self._scan_redemptions(report))
        self._detect_payments(self._open_deposits(ISSUED), report)
        self._guard(report, "reserve", lambda: self._ensure_reserves(report))
        for b in self.store.batches(BATCH_SIGNED):  # sent or not before a crash: the chain knows which
            self._guard(report, f"batch {b.id}", lambda b=b: self._resume_batch(b, report))
        if self.config.batch_size > 1:
            self._form_batches(report)
        for d in self._open_deposits(PAID, SIGNED, QUEUED):
            if (d.status == SIGNED and d.batch_id is not None) or d.md5 in self._deferred:
                continue  # waits in a signed batch, or for a batch of the next pass
            self._guard_deposit(d, report, lambda d=d: self._process_deposit(d, report))
        self._redemptions((REQUESTED, LAPSED), report, parkable=True)
        self._finalize_batches(report)  # this pass's payouts and those recorded before a restart
        if self.config.settlement:
            self._guard(report, "bank returns", lambda: self._sweep_returns(report))
        return report

    def _ensure_reserves(self, report: RunReport) -> None:
        """One reserve attestation per currency covers every mint still pending in it."""
        pending: dict[int, int] = {}
        for d in self._open_deposits(PAID, SIGNED, QUEUED):
            if not d.bakong_hash:
                continue
            # a single mint sent before a crash may have left a minted one marked open: ask the chain. A paid
            # or batched deposit is counted unread (at worst the reserve asked for is larger: it is capped by
            # the balance the validators read, so no read per deposit at volume)
            if (
                d.status == PAID
                or d.batch_id is not None
                or self.gateway.mint_status(bakong_tx_hash_bytes(d.bakong_hash))
                in (MintStatus.NONE, MintStatus.QUEUED)
            ):
                pending[d.currency] = pending.get(d.currency, 0) + d.amount
        for currency, amount in pending.items():
            self._guard(
                report, f"reserve {currency}", lambda c=currency, a=amount: self._ensure_reserve(c, a, report)
            )

    def _open_deposits(self, *statuses: str) -> list[DepositRow]:
        return [d for d in self.store.deposits(*statuses) if not self.store.is_parked(f"deposit:{d.md5}")]

    def _guard_deposit(self, d: DepositRow, report: RunReport, step: Callable[[], None]) -> None:
        source = f"bakong:{d.bakong_hash}" if d.bakong_hash else f"khqr:{d.reference}"
        self._guard(report, f"deposit {d.reference}", step, item=f"deposit:{d.md5}", source=source)

    def _redemptions(self, statuses: Sequence[str], report: RunReport, parkable: bool) -> None:
        """Advances the stored redemptions in `statuses`; one whose payout may exist is never parked
        (skipping its finalization would let the holder reclaim a paid redemption)."""
        for r in self.store.redemptions(*statuses):
            item = f"redemption:{r.id}"
            if parkable and self.store.is_parked(item):
                continue
            self._guard(
                report,
                f"redemption {r.id}",
                lambda r=r: self._process_redemption(r, report),
                item=item,
                source=r.source,
                parkable=parkable,
            )

    def _guard(
        self,
        report: RunReport,
        what: str,
        step: Callable[[], None],
        item: str | None = None,
        source: str | None = None,
        parkable: bool = True,
    ) -> None:
        """Runs one item's step; a failure is reported and, for a named `item`, counted in the
        dead-letter list (parked after `max_attempts` in a row when `parkable`)."""
        try:
            step()
        except (RelayerCrashed, *self.OUTAGES):
            raise
        except WaitForBlock as exc:  # not a failure: the next block ends it
            report.errors.append(f"{what}: {exc}")
            return
        except (NotEnoughSignatures, BakongApiError, LedgerError, RuntimeError, ValueError) as exc:
            message = str(exc)
        except Exception as exc:  # noqa: BLE001 (a revert from the node, a bad row: keep serving the others)
            message = f"{type(exc).__name__}: {exc}"
        else:
            if item is not None:
                self.store.clear_failures(item)
            return
        report.errors.append(f"{what}: {message}")
        if item is None:
            return
        park_after = self.config.max_attempts if parkable else sys.maxsize
        if self.store.record_failure(item, message, source, self._clock_ms(), park_after).parked:
            report.dead_lettered.append(item)

    def reconciliation(self) -> list[reconcile.ReconciliationLine]:
        """Supply vs omnibus per bridged currency, with the relayer's in-flight money explained."""
        return reconcile.report(self.gateway, self.client, self.config.omnibus_account, self.store)

    def submit_reconciliation(self, currency: Currency | str | int) -> reconcile.ReconciliationLine:
        """Signs and records the reconciliation of one settled currency (the bridge's auto-pause input)."""
        cur = Currency.parse(currency)
        line = next(x for x in self.reconciliation() if x.currency == cur)
        reconcile.submit(self.gateway, self.validators, line)
        return line

    def run_forever(self, interval: float = 5.0, log: Callable[[str], None] = print) -> None:
        while True:
            report = self.run_once()
            if not report.idle:
                log(report.summary())
            for e in report.errors:
                log(f"  error: {e}")
            for f in report.fallbacks:
                log(f"  batch fallback: {f}")
            for item in report.dead_lettered:
                log(f"  dead letter: {self.store.dead_letter(item)}")
            time.sleep(interval)


# ------------------------------------------------------------------------ CLI


class CliError(Exception):
    """Bad input to the command line; printed as one line, exit status 2."""


def _load_deployment(where: str, bridge: str | None, w3: Any) -> tuple[str, str, str | None]:
    """(bridge address, omnibus account, the KhqrPayer if recorded) from the project's deployment book (a
    path or a network name, see corridor.deployment); `bridge` overrides the recorded address."""
    from corridor.deployment import Deployment, DeploymentError

    try:
        deployment = Deployment.from_book(where, w3)
        address = deployment.address("BakongBridge") if bridge is None else bridge
        omnibus = deployment.omnibus_account
        khqr_payer = deployment.address("KhqrPayer") if "KhqrPayer" in deployment.contracts else None
    except DeploymentError as exc:
        raise CliError(str(exc)) from exc
    if not is_address(address):
        raise CliError(f"--bridge {address} is not an address")
    return to_checksum_address(address), omnibus, khqr_payer


def _read_keys(path: str) -> list[str]:
    try:
        keys = [
            line.strip()
            for line in Path(path).read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
    except FileNotFoundError as exc:
        raise CliError(f"validator key file {path} does not exist") from exc
    if not keys:
        raise CliError(f"validator key file {path} holds no keys")
    return keys


def main(argv: Sequence[str] | None = None) -> int:
    from eth_account import Account
    from web3 import Web3

    from corridor.bridge.client import simulator_client
    from corridor.bridge.khqr import InvalidAccountId, validate_account_id

    p = argparse.ArgumentParser(
        prog="python -m corridor.bridge.relayer", description="Relay Bakong deposits and bridge redemptions."
    )
    p.add_argument("--rpc", required=True, help="JSON-RPC URL of the chain")
    p.add_argument(
        "--deployment",
        required=True,
        help="the deployment book (deployments/<network>.json, or a network name): bridge and omnibus account",
    )
    p.add_argument("--bridge", help="bridge address (overrides the deployment file)")
    p.add_argument("--ledger", help="SQLite file of the Bakong ledger simulator")
    p.add_argument("--bakong-api", help="Bakong Open API base URL (instead of --ledger; verification only)")
    p.add_argument("--state", default="relayer.sqlite", help="SQLite file for the relayer's progress")
    p.add_argument("--validator-keys", required=True, help="file with one validator private key per line")
    p.add_argument("--sender-key", required=True, help="file holding the private key that pays for gas")
    p.add_argument(
        "--deposit",
        nargs=3,
        metavar=("CURRENCY", "AMOUNT", "RECIPIENT"),
        help="issue a deposit KHQR (amount in riel / cents) instead of relaying; prints it",
    )
    p.add_argument(
        "--dead-letters",
        action="store_true",
        help="list what the relayer could not process (from --state) and exit",
    )
    p.add_argument(
        "--requeue",
        metavar="ITEM",
        help="retry a parked dead letter (e.g. deposit:<md5>, redemption:<id>) on the next pass and exit",
    )
    p.add_argument("--loop", action="store_true", help="keep running (default: one pass)")
    p.add_argument("--interval", type=float, default=5.0)
    args = p.parse_args(argv)
    if args.dead_letters or args.requeue:
        return _dead_letter_command(args.state, args.requeue)
    try:
        if args.interval <= 0:
            raise CliError("--interval must be positive")
        if bool(args.ledger) == bool(args.bakong_api):
            raise CliError("give exactly one of --ledger (simulator) or --bakong-api")
        if args.bakong_api:
            raise CliError("payouts need the bank's payment API; only --ledger (simulator) is supported")
        if not Path(args.ledger).is_file():
            raise CliError(f"ledger file {args.ledger} does not exist")
        keys = _read_keys(args.validator_keys)
        sender = Account.from_key(_read_keys(args.sender_key)[0])
        w3 = Web3(Web3.HTTPProvider(args.rpc, request_kwargs={"timeout": 10}))
        if not w3.is_connected():
            raise CliError(f"cannot reach RPC {args.rpc}")
        bridge, omnibus, khqr_payer = _load_deployment(args.deployment, args.bridge, w3)
        try:
            validate_account_id(omnibus)
        except InvalidAccountId as exc:
            raise CliError(str(exc)) from exc
        if not w3.eth.get_code(bridge):
            raise CliError(f"no contract at {bridge} on {args.rpc}")
        ledger = Ledger(args.ledger)
        client = simulator_client(ledger)
        gateway = BridgeGateway(w3, bridge, sender)
        view = BridgeGateway(w3, bridge)  # validators read the chain without a sender
        validators = [Validator(k, client, view, omnibus) for k in keys]
        relayer = Relayer(
            gateway,
            client,
            LedgerPayer(ledger, omnibus),
            validators,
            RelayerStore(args.state),
            RelayerConfig(omnibus_account=omnibus, khqr_payer=khqr_payer),
        )
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.deposit:
        currency, amount, recipient = args.deposit
        try:
            if not amount.isdigit():
                raise ValueError(
                    f"amount must be a whole number of minor units (riel / cents), got {amount!r}"
                )
            intent = relayer.request_deposit(currency, int(amount), recipient)
        except (ValueError, KHQRError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(intent.khqr)
        print(f"md5 {intent.md5}  reference {intent.reference}", file=sys.stderr)
        return 0
    try:
        if args.loop:
            relayer.run_forever(args.interval)
        report = relayer.run_once()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 (the node or the ledger failed under us: one line, non-zero)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    for e in report.errors:
        print(f"  error: {e}")
    for item in report.dead_lettered:
        print(f"  dead letter: {relayer.store.dead_letter(item)}")
    return 1 if report.errors or report.dead_lettered else 0


def _dead_letter_command(state: str, requeue: str | None) -> int:
    """`--dead-letters` (one line per entry) or `--requeue ITEM`, on the relayer's state file alone."""
    if not Path(state).is_file():
        print(f"error: state file {state} does not exist", file=sys.stderr)
        return 2
    store = RelayerStore(state)
    if requeue is not None:
        if not store.requeue(requeue):
            print(f"error: {requeue} is not a dead letter that can be retried", file=sys.stderr)
            return 2
        print(f"requeued {requeue}")
        return 0
    entries = store.dead_letters()
    for entry in entries:
        print(entry)
    if not entries:
        print("no dead letters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
