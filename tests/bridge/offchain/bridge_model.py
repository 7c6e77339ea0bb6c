"""`ModelBridge`: a Python model of IBakongBridge's attested paths (signature checks included), so the
relayer's crash matrix runs in milliseconds; the same scenarios run against the real contract on Anvil
in test_relayer_chain.py. Also the shared clock and account names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_account import Account

from corridor.bridge import attest
from corridor.bridge.gateway import (
    MintStatus,
    QueuedMint,
    Redemption,
    RedemptionRequest,
    RedemptionStatus,
    UndecodableLog,
)
from corridor.bridge.khqr import Currency, validate_account_id
from corridor.eip712 import Domain

OMNIBUS = "bridge@nbcq"
CUSTOMER = "sokha@wing"
T0 = 1_763_769_600  # chain and ledger start time (seconds)


class Reverted(Exception):
    """The model's equivalent of a revert; the message is the custom error's name."""


@dataclass
class Clock:
    """One clock for the ledger (ms) and the model chain (s)."""

    now: int = T0

    def ms(self) -> int:
        return self.now * 1000

    def sleep(self, seconds: int) -> None:
        self.now += seconds


@dataclass
class ModelBridge:
    """The attested paths of IBakongBridge, in Python: M-of-N ascending signatures over EIP-712 structs,
    one mint per Bakong hash, supply ≤ attested reserve, large mints queued, escrowed redemptions."""

    clock: Clock
    validator_set: list[str]
    quorum: int
    large_mint: int = 10**12
    mint_delay: int = 3600
    reserve_age_limit: int = 86_400
    message_cap: int = 10**15
    redemption_timeout: int = 7 * 86_400
    current_epoch: int = 1
    address: str = "0x" + "b7" * 20
    supply: dict[int, int] = field(default_factory=lambda: {Currency.KHR.value: 0, Currency.USD.value: 0})
    balances: dict[tuple[int, str], int] = field(default_factory=dict)
    reserves: dict[int, tuple[int, int]] = field(default_factory=dict)
    minted: dict[bytes, MintStatus] = field(default_factory=dict)
    queue: dict[bytes, QueuedMint] = field(default_factory=dict)
    redemptions: dict[int, Redemption] = field(default_factory=dict)
    events: list[RedemptionRequest | UndecodableLog] = field(default_factory=list)
    payouts: set[bytes] = field(default_factory=set)
    mint_calls: int = 0
    batch_calls: int = 0
    batch_deposits: int = 0  # deposits recorded by mintBatch (minted or queued)
    finalize_calls: int = 0  # finalizeRedemption
    finalize_batch_calls: int = 0  # finalizeRedemptionBatch
    unverified: set[str] = field(default_factory=set)  # recipients the token refuses (no KYC): queued
    block: int = 1
    reconciled: list[attest.Reconciliation] = field(default_factory=list)

    # views
    def domain(self) -> Domain:
        return Domain("BakongBridge", "1", 31337, self.address)

    def epoch(self) -> int:
        return self.current_epoch

    def threshold(self) -> int:
        return self.quorum

    def validators(self) -> list[str]:
        return sorted(self.validator_set, key=lambda a: int(a, 16))

    def is_bridged(self, currency: int) -> bool:
        return currency in self.supply

    def total_supply(self, currency: int) -> int:
        return self.supply[currency]

    def reserve_of(self, currency: int) -> tuple[int, int]:
        return self.reserves.get(currency, (0, 0))

    def max_per_message(self, currency: int) -> int:
        return self.message_cap

    def max_reserve_age(self) -> int:
        return self.reserve_age_limit

    def mint_status(self, h: bytes) -> MintStatus:
        return self.minted.get(h, MintStatus.NONE)

    def queued_mint(self, h: bytes) -> QueuedMint:
        return self.queue[h]

    def redemption(self, rid: int) -> Redemption:
        return self.redemptions[rid]

    def block_number(self) -> int:
        return self.block

    def timestamp(self) -> int:
        return self.clock.now

    def redemption_requests(self, start: int, end: int) -> list[RedemptionRequest | UndecodableLog]:
        return [e for e in self.events if start <= e.block_number <= end]

    # checks
    def _verify(self, att: attest.Attestation, sigs: bytes) -> None:
        if att.epoch != self.current_epoch:
            raise Reverted("EpochMismatch")
        if len(sigs) != 65 * self.quorum:
            raise Reverted("SignatureLengthMismatch")
        digest = attest.attestation_digest(self.domain(), att)
        previous = 0
        for i in range(self.quorum):
            signer = Account._recover_hash(digest, signature=sigs[65 * i : 65 * (i + 1)])
            if int(signer, 16) <= previous:
                raise Reverted("SignersNotAscending")
            if signer not in self.validator_set:
                raise Reverted("SignerNotValidator")
            previous = int(signer, 16)

    def _tx(self) -> dict:
        """A mined transaction: a new block, one second later."""
        self.block += 1
        self.clock.sleep(1)
        return {"transactionHash": self.block.to_bytes(32, "big"), "status": 1}

    def _mint_now(self, currency: int, recipient: str, amount: int) -> None:
        reserve, as_of = self.reserve_of(currency)
        if self.clock.now - as_of > self.reserve_age_limit:
            raise Reverted("ReserveStale")
        if self.supply[currency] + amount > reserve:
            raise Reverted("ReserveExceeded")
        self.supply[currency] += amount
        self.balances[(currency, recipient)] = self.balances.get((currency, recipient), 0) + amount

    # attested writes
    def mint(self, att: attest.MintAttestation, sigs: bytes) -> dict:
        self._verify(att, sigs)
        if att.expiry < self.clock.now:
            raise Reverted("AttestationExpired")
        if att.amount > self.message_cap:
            raise Reverted("AmountAboveMessageCap")
        if att.bakong_tx_hash in self.minted:
            raise Reverted("BakongTxAlreadyProcessed")
        self.mint_calls += 1
        if att.amount > self.large_mint:
            self.minted[att.bakong_tx_hash] = MintStatus.QUEUED
            self.queue[att.bakong_tx_hash] = QueuedMint(
                att.recipient, att.currency, self.clock.now + self.mint_delay, att.amount
            )
        else:
            self._mint_now(att.currency, att.recipient, att.amount)
            self.minted[att.bakong_tx_hash] = MintStatus.MINTED
        return self._tx()

    def mint_batch(
        self, att: attest.BatchMintAttestation, deposits: list[attest.BatchDeposit], sigs: bytes
    ) -> dict:
        """`mintBatch`: all or nothing. One signature check over count, total and hash; per deposit the single
        mint's rules (cap, one mint per Bakong hash, duplicates inside the batch included); a large deposit or
        one to a recipient the token refuses is queued; the reserve covers the batch's total."""
        self._verify(att, sigs)
        if att.expiry < self.clock.now:
            raise Reverted("AttestationExpired")
        if att != attest.batch_mint_attestation(att.currency, list(deposits), att.expiry, att.epoch):
            raise Reverted("BatchMismatch")
        seen: set[bytes] = set()
        for d in deposits:
            if d.amount > self.message_cap:
                raise Reverted("AmountAboveMessageCap")
            if d.bakong_tx_hash in self.minted or d.bakong_tx_hash in seen:
                raise Reverted("BakongTxAlreadyProcessed")
            seen.add(d.bakong_tx_hash)
        reserve, as_of = self.reserve_of(att.currency)
        if self.clock.now - as_of > self.reserve_age_limit:
            raise Reverted("ReserveStale")
        if self.supply[att.currency] + att.total > reserve:
            raise Reverted("ReserveExceeded")
        self.batch_calls += 1
        self.batch_deposits += len(deposits)
        queued: set[bytes] = set()
        for d in deposits:
            if d.amount > self.large_mint or d.recipient in self.unverified:
                queued.add(d.bakong_tx_hash)
                self.minted[d.bakong_tx_hash] = MintStatus.QUEUED
                self.queue[d.bakong_tx_hash] = QueuedMint(
                    d.recipient, att.currency, self.clock.now + self.mint_delay, d.amount
                )
            else:
                self._mint_now(att.currency, d.recipient, d.amount)
                self.minted[d.bakong_tx_hash] = MintStatus.MINTED
        return {**self._tx(), "queued": queued}

    @staticmethod
    def queued_in(receipt: dict) -> set[bytes]:
        """The hashes a transaction queued (the model's receipts carry them; the chain's have events)."""
        return set(receipt.get("queued", ()))

    def execute_queued_mint(self, h: bytes) -> dict:
        q = self.queue.get(h)
        if q is None or self.minted.get(h) != MintStatus.QUEUED:
            raise Reverted("MintNotQueued")
        if self.clock.now < q.executable_at:
            raise Reverted("MintNotReady")
        self._mint_now(q.currency, q.recipient, q.amount)
        self.minted[h] = MintStatus.MINTED
        return self._tx()

    def attest_reserve(self, att: attest.ReserveAttestation, sigs: bytes) -> dict:
        self._verify(att, sigs)
        if att.as_of <= self.reserve_of(att.currency)[1]:
            raise Reverted("ObservationNotNewer")
        self.reserves[att.currency] = (att.balance, att.as_of)
        return self._tx()

    def reconcile(self, report: attest.Reconciliation, sigs: bytes) -> dict:
        self._verify(report, sigs)
        self.reconciled.append(report)
        return self._tx()

    def finalize_redemption(self, fin: attest.RedemptionFinalization, sigs: bytes) -> dict:
        self._verify(fin, sigs)
        r = self.redemptions[fin.redemption_id]
        if r.status != RedemptionStatus.PENDING:
            raise Reverted("RedemptionNotPending")
        if fin.payout_tx_hash in self.payouts:
            raise Reverted("PayoutTxAlreadyUsed")
        self.payouts.add(fin.payout_tx_hash)
        self.finalize_calls += 1
        self.supply[r.currency] -= r.amount
        self.redemptions[r.redemption_id] = _with_status(r, RedemptionStatus.FINALIZED)
        return self._tx()

    def finalize_redemption_batch(
        self, att: attest.BatchRedemptionFinalization, payouts: list[attest.BatchPayout], sigs: bytes
    ) -> dict:
        """`finalizeRedemptionBatch`: all or nothing. One signature check over count, total and hash; per
        payout the single finalization's rules (Pending, payout hash unused, duplicates inside the batch
        included) and the attested currency; the total is the redemptions' escrow."""
        if not payouts:
            raise Reverted("EmptyBatch")
        if att.expiry < self.clock.now:
            raise Reverted("AttestationExpired")
        if att.epoch != self.current_epoch:
            raise Reverted("EpochMismatch")
        if att.count != len(payouts) or att.payouts_hash != attest.payouts_hash(payouts):
            raise Reverted("BatchMismatch")
        self._verify(att, sigs)
        seen_ids: set[int] = set()
        seen_hashes: set[bytes] = set()
        total = 0
        for p in payouts:
            r = self.redemptions[p.redemption_id]
            if r.status != RedemptionStatus.PENDING or p.redemption_id in seen_ids:
                raise Reverted("RedemptionNotPending")
            if p.payout_tx_hash in self.payouts or p.payout_tx_hash in seen_hashes:
                raise Reverted("PayoutTxAlreadyUsed")
            if r.currency != att.currency:
                raise Reverted("RedemptionCurrencyMismatch")
            seen_ids.add(p.redemption_id)
            seen_hashes.add(p.payout_tx_hash)
            total += r.amount
        if total != att.total:
            raise Reverted("BatchMismatch")
        self.finalize_batch_calls += 1
        for p in payouts:
            r = self.redemptions[p.redemption_id]
            self.payouts.add(p.payout_tx_hash)
            self.redemptions[r.redemption_id] = _with_status(r, RedemptionStatus.FINALIZED)
        self.supply[att.currency] -= total
        return self._tx()

    def reject_redemption(self, rej: attest.RedemptionRejection, sigs: bytes) -> dict:
        self._verify(rej, sigs)
        r = self.redemptions[rej.redemption_id]
        if r.status != RedemptionStatus.PENDING:
            raise Reverted("RedemptionNotPending")
        self.balances[(r.currency, r.holder)] += r.amount
        self.redemptions[r.redemption_id] = _with_status(r, RedemptionStatus.REJECTED)
        return self._tx()

    # holder
    def redeem(self, holder: str, currency: int, amount: int, account: str) -> int:
        validate_account_id(account)
        return self.redeem_raw(holder, currency, amount, account.encode())

    def redeem_raw(self, holder: str, currency: int, amount: int, account: bytes) -> int:
        """`redeem` with the account id as the bytes the original contract (779b121) accepted: any bytes
        with one '@'. Bytes that are not UTF-8 give a log the gateway cannot decode, as on a real node."""
        if self.balances.get((currency, holder), 0) < amount:
            raise Reverted("ERC20InsufficientBalance")
        self.balances[(currency, holder)] -= amount
        rid = len(self.redemptions) + 1
        self.block += 1
        deadline = self.clock.now + self.redemption_timeout
        tx_hash, log_index = "0x" + self.block.to_bytes(32, "big").hex(), 0
        try:
            text = account.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = account.decode("utf-8", "replace")
            event: RedemptionRequest | UndecodableLog = UndecodableLog(
                tx_hash, log_index, self.block, f"{type(exc).__name__}: {exc}", rid
            )
        else:
            event = RedemptionRequest(
                rid, currency, holder, amount, text, deadline, self.block, tx_hash, log_index
            )
        self.redemptions[rid] = Redemption(
            rid, holder, currency, RedemptionStatus.PENDING, deadline, amount, text
        )
        self.events.append(event)
        return rid

    def reclaim(self, rid: int) -> None:
        """The holder takes the escrow back: only a Pending redemption, only after its deadline."""
        r = self.redemptions[rid]
        if r.status != RedemptionStatus.PENDING:
            raise Reverted("RedemptionNotPending")
        if self.clock.now <= r.deadline:
            raise Reverted("RedemptionNotExpired")
        self.balances[(r.currency, r.holder)] += r.amount
        self.redemptions[rid] = _with_status(r, RedemptionStatus.RECLAIMED)


def _with_status(r: Redemption, status: RedemptionStatus) -> Redemption:
    return Redemption(r.redemption_id, r.holder, r.currency, status, r.deadline, r.amount, r.bakong_account)
