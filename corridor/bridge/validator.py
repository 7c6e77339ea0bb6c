"""An independent bridge validator: it checks every request against its own view of Bakong (its own
client) and of the chain before signing, so a compromised relayer can at worst stall the bridge.

What each signature promises:
- batch mint: every deposit passes the mint checks below against its own KHQR, no Bakong transaction
  appears twice, and the attested count, total and hash are exactly those of the deposits.
- mint: the KHQR decodes, pays the omnibus account, its MD5 is the one attested, Bakong settled a
  transaction for exactly that MD5 with that hash, currency and amount, and the KHQR's EVM recipient
  is the attested recipient; the epoch is current and the expiry in the future.
- hooked mint (an invoice paid by KHQR, corridor/invoices.py): the same payment checks, the hook is one
  this validator was configured to sign for (the InvoiceSettlement contract), and the signed invoice is
  the KHQR's: invoice number = bill number, price = amount, window end = tag 99 expiry, payer account =
  the Bakong payer, origin = the payer's scheme (`KH:BAKONG`, or a linked scheme's settlement account).
- reserve: the omnibus balance the validator reads now, or a smaller figure at least the bridge's supply.
- reconciliation: the omnibus balance is exactly what the validator reads now.
- finalization: the redemption is pending on-chain and Bakong settled the payout hash from the
  omnibus account to the redemption's account, same currency and amount, under this redemption's
  payout reference.
- rejection: the redemption is pending and Bakong does not know its account.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol

from eth_account import Account

from corridor.bridge import attest
from corridor.bridge.attest import (
    BatchDeposit,
    BatchMintAttestation,
    HookedMintAttestation,
    MintAttestation,
    Reconciliation,
    RedemptionFinalization,
    RedemptionRejection,
    ReserveAttestation,
    ValidatorSignature,
)
from corridor.bridge.client import BakongApiError, BakongClient, BakongTransaction
from corridor.bridge.gateway import BridgeView, RedemptionStatus
from corridor.bridge.khqr import KHQR, Currency, KHQRError, decode, md5
from corridor.settlement import decode_hook_data, text_of

REASON_ACCOUNT_NOT_FOUND = attest.reason_bytes32("BAKONG_ACCOUNT_NOT_FOUND")
DOMESTIC_ORIGIN = "KH:BAKONG"  # a payer with a Bakong account of her own


def origin_of(payer_account: str, linked_origins: Mapping[str, str]) -> str:
    """The origin scheme and country of a Bakong payer: a linked scheme's settlement account maps to its
    origin (`promptpay@hub` -> `TH:PROMPTPAY`), any other account is domestic."""
    return linked_origins.get(payer_account, DOMESTIC_ORIGIN)


# Bakong's answers by KHQR MD5 and by transaction hash, fetched once for a whole batch.
_Lookups = tuple[Mapping[str, BakongTransaction | None], Mapping[str, BakongTransaction | None]]


class AttestationRefused(Exception):
    """The validator's own checks failed; it signed nothing."""


class NotEnoughSignatures(Exception):
    """Fewer current validators than the threshold agreed to sign."""


class ValidatorSet(Protocol):
    def validators(self) -> list[str]: ...
    def threshold(self) -> int: ...


def collect(
    chain: ValidatorSet, validators: Sequence[Validator], sign: Callable[[Validator], ValidatorSignature]
) -> bytes:
    """Asks current validators in ascending address order until `threshold` signed; returns the packed
    signatures (ascending signers, as the bridge requires). Refusals are collected into the error."""
    current = {a.lower() for a in chain.validators()}
    needed = chain.threshold()
    got: list[ValidatorSignature] = []
    refusals: list[str] = []
    for v in sorted(validators, key=lambda v: int(v.address, 16)):
        if len(got) == needed:
            break
        if v.address.lower() not in current:
            continue
        try:
            got.append(sign(v))
        except (AttestationRefused, BakongApiError) as exc:
            refusals.append(str(exc))
    if len(got) < needed:
        raise NotEnoughSignatures(f"{len(got)} of {needed} signatures; refusals: {refusals}")
    return attest.pack_signatures(got)


def payout_reference(domain_chain_id: int, bridge: str, redemption_id: int) -> str:
    """The client reference of the Bakong payout of one redemption (idempotency key and audit link)."""
    return f"redeem:{domain_chain_id}:{bridge.lower()}:{redemption_id}"


class Validator:
    def __init__(
        self,
        private_key: str | bytes,
        client: BakongClient,
        view: BridgeView,
        omnibus_account: str,
        hooks: Collection[str] = (),
        linked_origins: Mapping[str, str] | None = None,
    ) -> None:
        self._key = private_key
        self.address: str = Account.from_key(private_key).address
        self.client = client
        self.view = view
        self.omnibus = omnibus_account
        self.hooks = {h.lower() for h in hooks}  # mint hooks it signs hooked mints for (none by default)
        self.linked_origins = dict(linked_origins or {})  # settlement account -> origin of a linked scheme

    def __repr__(self) -> str:
        return f"Validator({self.address})"

    def _require(self, condition: bool, reason: str) -> None:
        if not condition:
            raise AttestationRefused(f"{self.address}: {reason}")

    def _sign(self, attestation: attest.Attestation) -> ValidatorSignature:
        self._require(attestation.epoch == self.view.epoch(), f"epoch {attestation.epoch} is not current")
        return attest.validator_signature(self._key, self.view.domain(), attestation)

    def sign_mint(self, khqr: str, attestation: MintAttestation) -> ValidatorSignature:
        self._check_mint(khqr, attestation)
        return self._sign(attestation)

    def sign_batch_mint(
        self, khqrs: Sequence[str], deposits: Sequence[BatchDeposit], attestation: BatchMintAttestation
    ) -> ValidatorSignature:
        """Signs a batch only if every deposit passes the single mint's checks against its own KHQR
        (`khqrs[i]` for `deposits[i]`), no Bakong transaction appears twice, and count, total and hash
        are those of exactly these deposits. The payments are read with the Open API's list endpoints
        (two requests per 50 deposits, not two per deposit). A refusal names the first deposit that
        fails (its index, KHQR MD5 and reason): the relayer mints the others without it."""
        self._require(len(deposits) > 0, "empty batch")
        self._require(len(khqrs) == len(deposits), "one KHQR per deposit")
        self._require(
            attestation
            == attest.batch_mint_attestation(
                attestation.currency, list(deposits), attestation.expiry, attestation.epoch
            ),
            "count, total or hash is not the deposits'",
        )
        hashes = [d.bakong_tx_hash for d in deposits]
        self._require(len(set(hashes)) == len(hashes), "a Bakong transaction appears twice in the batch")
        self._require(attestation.expiry > self.view.timestamp(), "attestation already expired")
        by_md5 = self.client.transactions_by_md5_list([md5(k) for k in khqrs])
        found = [t for t in by_md5.values() if t is not None]
        by_hash = self.client.transactions_by_hash_list([t.hash for t in found]) if found else {}
        for i, (khqr, d) in enumerate(zip(khqrs, deposits, strict=True)):
            single = MintAttestation(
                attestation.currency,
                d.amount,
                d.recipient,
                d.bakong_tx_hash,
                d.khqr_md5,
                attestation.expiry,
                attestation.epoch,
            )
            try:
                self._check_mint(khqr, single, (by_md5, by_hash))
            except AttestationRefused as exc:
                reason = str(exc).removeprefix(f"{self.address}: ")
                raise AttestationRefused(
                    f"{self.address}: batch deposit {i} (KHQR {d.khqr_md5.hex()}): {reason}"
                ) from exc
        return self._sign(attestation)

    def _check_mint(self, khqr: str, attestation: MintAttestation, seen: _Lookups | None = None) -> None:
        q, _ = self._paid_deposit(khqr, attestation, seen)
        self._require(
            q.evm_recipient is not None and q.evm_recipient.lower() == attestation.recipient.lower(),
            "attested recipient is not the KHQR's EVM recipient",
        )

    def sign_hooked_mint(self, khqr: str, attestation: HookedMintAttestation) -> ValidatorSignature:
        q, tx = self._paid_deposit(khqr, attestation)
        self._require(
            attestation.hook.lower() in self.hooks, f"{attestation.hook} is not a hook it signs for"
        )
        try:
            inv, _ = decode_hook_data(attestation.hook_data)
            origin = text_of(inv.origin)
            invoice_id = text_of(inv.invoice_id)
        except (ValueError, UnicodeDecodeError) as exc:
            raise AttestationRefused(f"{self.address}: {exc}") from exc
        self._require(invoice_id == q.bill_number, f"invoice {invoice_id} is not the KHQR's bill number")
        self._require(inv.price == q.amount, "invoice price is not the KHQR amount")
        self._require(
            q.expires_ms is not None and inv.window_end * 1000 == q.expires_ms,
            "quote window end is not the KHQR's expiry",
        )
        self._require(inv.payer_account == tx.from_account_id, "payer account is not the Bakong payer")
        expected = origin_of(tx.from_account_id, self.linked_origins)
        self._require(origin == expected, f"origin {origin} is not the payer's ({expected})")
        return self._sign(attestation)

    def _paid_deposit(
        self, khqr: str, attestation: MintAttestation | HookedMintAttestation, seen: _Lookups | None = None
    ) -> tuple[KHQR, BakongTransaction]:
        """The checks every mint shares: the KHQR pays the omnibus account and Bakong settled exactly it.
        `seen`: Bakong's answers by MD5 and by hash already fetched with the list endpoints (a batch)."""
        try:
            q = decode(khqr)
        except KHQRError as exc:
            raise AttestationRefused(f"{self.address}: KHQR does not decode: {exc}") from exc
        key = md5(khqr)
        self._require(q.account_id == self.omnibus, f"KHQR pays {q.account_id}, not the omnibus account")
        self._require(attestation.khqr_md5 == attest.khqr_md5(khqr), "attested MD5 is not the KHQR's MD5")
        if seen is None:  # a batch checked its shared expiry once (one chain read, not one per deposit)
            self._require(attestation.expiry > self.view.timestamp(), "attestation already expired")
        tx = self.client.transaction_by_md5(key) if seen is None else seen[0].get(key)
        self._require(tx is not None, f"Bakong has no settled payment for KHQR {key}")
        assert tx is not None
        again = self.client.transaction_by_hash(tx.hash) if seen is None else seen[1].get(tx.hash)
        self._require(again == tx, "Bakong answers differently by hash and by MD5")
        self._require(
            attest.bakong_tx_hash_bytes(tx.hash) == attestation.bakong_tx_hash,
            "attested hash is not the payment's hash",
        )
        self._require(tx.to_account_id == self.omnibus, f"payment went to {tx.to_account_id}")
        self._require(
            tx.currency == q.currency and tx.currency.value == attestation.currency, "currency differs"
        )
        self._require(
            tx.amount == q.amount == attestation.amount,
            "amount differs between payment, KHQR and attestation",
        )
        return q, tx

    def _balance_matches(self, currency: int, balance: int, as_of: int) -> None:
        seen = self.client.balance(self.omnibus, Currency.parse(currency))
        self._require(seen == balance, f"omnibus holds {seen}, not {balance}")
        self._require(as_of <= self.view.timestamp(), "observation dated in the future")

    def sign_reserve(self, attestation: ReserveAttestation) -> ValidatorSignature:
        """Signs the omnibus balance it reads now, or a smaller figure that still covers the bridge's supply.
        Payments keep arriving between the relayer's read and each validator's (at volume, every few
        milliseconds), and a reserve is only a ceiling on minting, so a figure the validator sees covered is
        safe; below the supply only the exact balance is signed (it stops minting: an operator's forced
        attestation of a broken book), never an understated one (docs/security.md). A reconciliation, the
        drift check, stays exact."""
        seen = self.client.balance(self.omnibus, Currency.parse(attestation.currency))
        self._require(attestation.balance <= seen, f"omnibus holds {seen}, not {attestation.balance}")
        if attestation.balance < seen:
            supply = self.view.total_supply(attestation.currency)
            self._require(
                attestation.balance >= supply,
                f"reserve {attestation.balance} is below the supply {supply} (the omnibus holds {seen})",
            )
        self._require(attestation.as_of <= self.view.timestamp(), "observation dated in the future")
        return self._sign(attestation)

    def sign_reconciliation(self, report: Reconciliation) -> ValidatorSignature:
        self._balance_matches(report.currency, report.omnibus_balance, report.as_of)
        return self._sign(report)

    def _payout(self, tx_hash: bytes) -> BakongTransaction:
        tx = self.client.transaction_by_hash(tx_hash.hex())
        self._require(tx is not None, f"Bakong has no transaction {tx_hash.hex()}")
        assert tx is not None
        return tx

    def sign_finalization(self, finalization: RedemptionFinalization) -> ValidatorSignature:
        r = self.view.redemption(finalization.redemption_id)
        self._require(
            r.status == RedemptionStatus.PENDING, f"redemption {r.redemption_id} is {r.status.name}"
        )
        tx = self._payout(finalization.payout_tx_hash)
        domain = self.view.domain()
        self._require(tx.from_account_id == self.omnibus, "payout did not come from the omnibus account")
        self._require(
            tx.to_account_id == r.bakong_account, f"payout went to {tx.to_account_id}, not {r.bakong_account}"
        )
        self._require(
            tx.currency.value == r.currency and tx.amount == r.amount, "payout currency or amount differs"
        )
        self._require(
            tx.external_ref == payout_reference(domain.chain_id, domain.verifying_contract, r.redemption_id),
            "payout is not referenced to this redemption",
        )
        return self._sign(finalization)

    def sign_rejection(self, rejection: RedemptionRejection) -> ValidatorSignature:
        r = self.view.redemption(rejection.redemption_id)
        self._require(
            r.status == RedemptionStatus.PENDING, f"redemption {r.redemption_id} is {r.status.name}"
        )
        self._require(
            rejection.reason == REASON_ACCOUNT_NOT_FOUND, "only unknown Bakong accounts are rejected"
        )
        self._require(
            not self.client.account_exists(r.bakong_account), f"{r.bakong_account} exists on Bakong"
        )
        return self._sign(rejection)

    # ------------------------------------------------------------------ batched finalizations

    def check_batch_payout(self, payout: attest.BatchPayout, epoch: int) -> int:
        """Verifies one payout of a finalization batch exactly as `sign_finalization` verifies a single one
        (pending redemption, Bakong payout from the omnibus account to its account, same currency and
        amount, this redemption's payout reference, current epoch) and returns the redemption's escrow.

        It runs `sign_finalization` itself, so the two paths cannot drift apart; the single signature it
        makes is discarded inside this process, never published. Raises AttestationRefused."""
        self.sign_finalization(RedemptionFinalization(payout.redemption_id, payout.payout_tx_hash, epoch))
        return self.view.redemption(payout.redemption_id).amount

    def sign_batch_finalization(
        self, payouts: Sequence[attest.BatchPayout], attestation: attest.BatchRedemptionFinalization
    ) -> ValidatorSignature:
        """Signs a finalization batch only if every payout passes `check_batch_payout`, every redemption is
        of the attested currency, no redemption or payout hash appears twice, the expiry is in the future,
        and count, total (the redemptions' escrow) and hash are those of exactly these payouts. A refusal of
        one payout names it ("batch payout <i> (redemption <id>): <reason>"): the relayer finalizes the
        others without it."""
        self._require(len(payouts) > 0, "empty batch")
        ids = [p.redemption_id for p in payouts]
        self._require(len(set(ids)) == len(ids), "a redemption appears twice in the batch")
        hashes = [attest.to_bytes32(p.payout_tx_hash) for p in payouts]
        self._require(len(set(hashes)) == len(hashes), "a payout hash appears twice in the batch")
        self._require(attestation.expiry > self.view.timestamp(), "attestation already expired")
        amounts: list[int] = []
        for i, p in enumerate(payouts):
            try:
                r = self.view.redemption(p.redemption_id)
                self._require(
                    r.currency == attestation.currency,
                    f"redemption {p.redemption_id} is of currency {r.currency}, not {attestation.currency}",
                )
                amounts.append(self.check_batch_payout(p, attestation.epoch))
            except AttestationRefused as exc:  # named, so the relayer finalizes the others without it
                reason = str(exc).removeprefix(f"{self.address}: ")
                raise AttestationRefused(
                    f"{self.address}: batch payout {i} (redemption {p.redemption_id}): {reason}"
                ) from exc
        self._require(
            attestation
            == attest.batch_finalization(
                attestation.currency, list(payouts), amounts, attestation.expiry, attestation.epoch
            ),
            "count, total or hash is not the payouts'",
        )
        return self._sign(attestation)
