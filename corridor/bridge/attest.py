"""EIP-712 attestations verified by `BakongBridge`, and packing of validator signatures.

Every struct the bridge verifies has a frozen dataclass here with the same fields, in the same order, as
the Solidity struct (see interfaces/IBakongBridge.sol). The dataclasses give

* ``.message()``  - the EIP-712 message dict (what validators sign, via corridor.eip712),
* ``.as_tuple()`` - the calldata tuple the bridge function takes (brownie or web3 ``.functions``),

and the module functions sign them and pack signatures the way the bridge wants them:
exactly ``threshold`` signatures, 65 bytes each (``r ‖ s ‖ v``), concatenated in strictly ascending
order of signer address (CCTP style; duplicates are impossible in that order).

Typical relayer use::

    domain = bridge_domain(chain_id, bridge_address)
    att = MintAttestation(KHR, 40_000, recipient, bakong_tx_hash_bytes(h), khqr_md5(qr), expiry, epoch)
    sigs = collect_signatures(domain, att, validator_keys[:threshold])    # one process holding all keys
    # or, each validator signing in its own process:
    parts = [validator_signature(key, domain, att) for key in keys]        # ValidatorSignature(signer, sig)
    sigs = pack_signatures(parts)
    bridge.mint(att.as_tuple(), sigs)

Units: amounts are the token's smallest unit, which is Bakong's own unit (USD cents, whole riel).
Currencies are ISO 4217 numeric codes (``KHR = 116``, ``USD = 840``), as in KHQR tag 53: the rows of
corridor.codes.CURRENCIES.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

from corridor import codes
from corridor.bridge.khqr import account_id_fault
from corridor.eip712 import Domain, Signature, digest, sign, type_hash, typed_data

DOMAIN_NAME = "BakongBridge"
DOMAIN_VERSION = "1"

CURRENCY_CODES: dict[str, int] = {c.alpha: c.number for c in codes.bridged()}
"""ISO 4217 alpha -> numeric code of every bridged currency (corridor.codes), as used on chain and in
KHQR tag 53."""
KHR, USD = CURRENCY_CODES["KHR"], CURRENCY_CODES["USD"]

SIGNATURE_LENGTH = 65


def bridge_domain(chain_id: int, bridge_address: str) -> Domain:
    """The EIP-712 domain of a BakongBridge deployment (bound to its chain id and address)."""
    return Domain(DOMAIN_NAME, DOMAIN_VERSION, int(chain_id), to_checksum_address(str(bridge_address)))


# --------------------------------------------------------------------------- value helpers


def to_bytes32(value: bytes | str) -> bytes:
    """Exactly 32 bytes from bytes or a (0x-optional) 64-hex-digit string; anything else is an error."""
    raw = _hex_or_bytes(value)
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}")
    return raw


def to_bytes16(value: bytes | str) -> bytes:
    """Exactly 16 bytes from bytes or a (0x-optional) 32-hex-digit string (an MD5 hex digest)."""
    raw = _hex_or_bytes(value)
    if len(raw) != 16:
        raise ValueError(f"expected 16 bytes, got {len(raw)}")
    return raw


def khqr_md5(khqr: str) -> bytes:
    """The 16-byte MD5 of a KHQR string: what Bakong's `check_transaction_by_md5` takes (as hex)."""
    return hashlib.md5(khqr.encode("utf-8")).digest()


def bakong_tx_hash_bytes(tx_hash: bytes | str) -> bytes:
    """A Bakong transaction hash as the bridge's `bytes32`.

    A 32-byte value (or 64 hex digits) is taken as is; any other string (an opaque ledger id) is
    mapped to ``keccak256(utf8(tx_hash))``, so the relayer and validators derive the same key.
    """
    if isinstance(tx_hash, bytes | bytearray):
        return to_bytes32(bytes(tx_hash))
    text = tx_hash[2:] if tx_hash.startswith("0x") else tx_hash
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return keccak(text=tx_hash)


def reason_bytes32(reason: str) -> bytes:
    """A short rejection reason (<= 32 ASCII bytes, e.g. ``"UNKNOWN_ACCOUNT"``) as a right-padded bytes32."""
    raw = reason.encode("ascii")
    if not 0 < len(raw) <= 32:
        raise ValueError("reason must be 1..32 ASCII bytes")
    return raw.ljust(32, b"\x00")


def bakong_account_id_valid(account_id: str | bytes) -> bool:
    """Whether `redeem` accepts `account_id` (the rule itself: corridor.bridge.khqr.account_id_fault)."""
    return account_id_fault(account_id) is None


def _hex_or_bytes(value: bytes | str) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    text = value[2:] if value.startswith("0x") else value
    return bytes.fromhex(text)


# --------------------------------------------------------------------------- structs


class Attestation(Protocol):
    """What every attestation dataclass provides."""

    PRIMARY_TYPE: ClassVar[str]
    FIELDS: ClassVar[list[tuple[str, str]]]

    def message(self) -> dict[str, Any]: ...

    def as_tuple(self) -> tuple: ...


def in_field_order(a: Attestation) -> tuple:
    """`a`'s EIP-712 message as the contract's struct tuple (its `FIELDS` order)."""
    m = a.message()
    return tuple(m[name] for name, _ in a.FIELDS)


@dataclass(frozen=True)
class MintAttestation:
    """Validators saw `amount` arrive in the omnibus account (Bakong tx `bakong_tx_hash`, KHQR `khqr_md5`)."""

    currency: int
    amount: int
    recipient: str
    bakong_tx_hash: bytes
    khqr_md5: bytes
    expiry: int
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "MintAttestation"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("currency", "uint16"),
        ("amount", "uint256"),
        ("recipient", "address"),
        ("bakongTxHash", "bytes32"),
        ("khqrMd5", "bytes16"),
        ("expiry", "uint64"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "amount": self.amount,
            "recipient": to_checksum_address(str(self.recipient)),
            "bakongTxHash": to_bytes32(self.bakong_tx_hash),
            "khqrMd5": to_bytes16(self.khqr_md5),
            "expiry": self.expiry,
            "epoch": self.epoch,
        }

    def as_tuple(self) -> tuple:
        return in_field_order(self)


@dataclass(frozen=True)
class HookedMintAttestation:
    """A deposit to mint to the registered hook `hook` and hand to it with `hook_data` (CCTP v2-style hooks;
    e.g. an invoice payment for the InvoiceSettlement contract, corridor/settlement.py)."""

    currency: int
    amount: int
    hook: str
    bakong_tx_hash: bytes
    khqr_md5: bytes
    expiry: int
    epoch: int
    hook_data: bytes

    PRIMARY_TYPE: ClassVar[str] = "HookedMintAttestation"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("currency", "uint16"),
        ("amount", "uint256"),
        ("hook", "address"),
        ("bakongTxHash", "bytes32"),
        ("khqrMd5", "bytes16"),
        ("expiry", "uint64"),
        ("epoch", "uint64"),
        ("hookData", "bytes"),
    ]

    def message(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "amount": self.amount,
            "hook": to_checksum_address(str(self.hook)),
            "bakongTxHash": to_bytes32(self.bakong_tx_hash),
            "khqrMd5": to_bytes16(self.khqr_md5),
            "expiry": self.expiry,
            "epoch": self.epoch,
            "hookData": bytes(self.hook_data),
        }

    def as_tuple(self) -> tuple:
        return in_field_order(self)


@dataclass(frozen=True)
class BatchDeposit:
    """One deposit of a batch (the bridge's `BatchDeposit`): `amount` in Bakong tx `bakong_tx_hash`, KHQR
    `khqr_md5`, owed to `recipient`."""

    amount: int
    recipient: str
    bakong_tx_hash: bytes
    khqr_md5: bytes

    ABI_TYPES: ClassVar[list[str]] = ["uint256", "address", "bytes32", "bytes16"]

    def as_tuple(self) -> tuple:
        return (
            self.amount,
            to_checksum_address(str(self.recipient)),
            to_bytes32(self.bakong_tx_hash),
            to_bytes16(self.khqr_md5),
        )


def deposits_hash(deposits: Iterable[BatchDeposit]) -> bytes:
    """keccak256 of the deposits' ABI encodings concatenated in batch order (128 bytes each): the bridge
    hashes the `BatchDeposit[]` calldata the same way."""
    return keccak(b"".join(abi_encode(BatchDeposit.ABI_TYPES, list(d.as_tuple())) for d in deposits))


@dataclass(frozen=True)
class BatchMintAttestation:
    """Validators saw the `count` deposits hashed into `deposits_hash`, `total` of `currency` in all.

    Build it with `batch_mint_attestation`, which derives count, total and hash from the deposits."""

    currency: int
    count: int
    total: int
    deposits_hash: bytes
    expiry: int
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "BatchMintAttestation"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("currency", "uint16"),
        ("count", "uint32"),
        ("total", "uint256"),
        ("depositsHash", "bytes32"),
        ("expiry", "uint64"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "count": self.count,
            "total": self.total,
            "depositsHash": to_bytes32(self.deposits_hash),
            "expiry": self.expiry,
            "epoch": self.epoch,
        }

    def as_tuple(self) -> tuple:
        return in_field_order(self)


def batch_mint_attestation(
    currency: int, deposits: list[BatchDeposit], expiry: int, epoch: int
) -> BatchMintAttestation:
    """The attestation of `deposits` (one currency), with their count, total and hash."""
    return BatchMintAttestation(
        currency, len(deposits), sum(d.amount for d in deposits), deposits_hash(deposits), expiry, epoch
    )


@dataclass(frozen=True)
class ReserveAttestation:
    """Validators saw the omnibus account hold `balance` of `currency` at unix time `as_of`."""

    currency: int
    balance: int
    as_of: int
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "ReserveAttestation"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("currency", "uint16"),
        ("balance", "uint256"),
        ("asOf", "uint64"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {"currency": self.currency, "balance": self.balance, "asOf": self.as_of, "epoch": self.epoch}

    def as_tuple(self) -> tuple:
        return (self.currency, self.balance, self.as_of, self.epoch)


@dataclass(frozen=True)
class RedemptionFinalization:
    """Validators paid redemption `redemption_id` out on Bakong in transaction `payout_tx_hash`.

    Timing rule for payers: the holder may `reclaim` a redemption still pending after its `deadline`
    (in `RedemptionRequested`), so pay out only while `now < deadline - margin` and finalize promptly;
    otherwise reject it. A payout hash finalizes at most one redemption.
    """

    redemption_id: int
    payout_tx_hash: bytes
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "RedemptionFinalization"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("redemptionId", "uint256"),
        ("payoutTxHash", "bytes32"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {
            "redemptionId": self.redemption_id,
            "payoutTxHash": to_bytes32(self.payout_tx_hash),
            "epoch": self.epoch,
        }

    def as_tuple(self) -> tuple:
        return (self.redemption_id, to_bytes32(self.payout_tx_hash), self.epoch)


@dataclass(frozen=True)
class RedemptionRejection:
    """Validators refuse to pay redemption `redemption_id` out; `reason` is a bytes32 code (see reason_bytes32)."""

    redemption_id: int
    reason: bytes
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "RedemptionRejection"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("redemptionId", "uint256"),
        ("reason", "bytes32"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {"redemptionId": self.redemption_id, "reason": to_bytes32(self.reason), "epoch": self.epoch}

    def as_tuple(self) -> tuple:
        return (self.redemption_id, to_bytes32(self.reason), self.epoch)


@dataclass(frozen=True)
class Reconciliation:
    """Validators' reconciliation: the omnibus account held `omnibus_balance` of `currency` at `as_of`.

    The bridge compares it with the token supply at submission and stops minting the currency when
    |supply - omnibus_balance| exceeds the currency's `maxDrift`.
    """

    currency: int
    omnibus_balance: int
    as_of: int
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "Reconciliation"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("currency", "uint16"),
        ("omnibusBalance", "uint256"),
        ("asOf", "uint64"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "omnibusBalance": self.omnibus_balance,
            "asOf": self.as_of,
            "epoch": self.epoch,
        }

    def as_tuple(self) -> tuple:
        return (self.currency, self.omnibus_balance, self.as_of, self.epoch)


ATTESTATION_TYPES: tuple[type, ...] = (
    MintAttestation,
    BatchMintAttestation,
    ReserveAttestation,
    RedemptionFinalization,
    RedemptionRejection,
    Reconciliation,
)


# --------------------------------------------------------------------------- signing


@dataclass(frozen=True)
class ValidatorSignature:
    """One validator's signature over one attestation, with the signer's checksummed address."""

    signer: str
    signature: Signature


def attestation_digest(domain: Domain, attestation: Attestation) -> bytes:
    """The 32-byte EIP-712 digest of `attestation` (what the bridge recovers signers from)."""
    return digest(domain, attestation.PRIMARY_TYPE, attestation.FIELDS, attestation.message())


def attestation_type_hash(attestation_type: type) -> bytes:
    """keccak256 of the struct's type string; equals the bridge's `*_TYPEHASH` constant."""
    return type_hash(attestation_type.PRIMARY_TYPE, attestation_type.FIELDS)


def signer_address(private_key: str | bytes) -> str:
    """The checksummed address of a validator key."""
    return Account.from_key(private_key).address


def validator_signature(
    private_key: str | bytes, domain: Domain, attestation: Attestation
) -> ValidatorSignature:
    """One validator signs `attestation` under `domain`."""
    sig = sign(private_key, domain, attestation.PRIMARY_TYPE, attestation.FIELDS, attestation.message())
    return ValidatorSignature(signer_address(private_key), sig)


def recover_signer(domain: Domain, attestation: Attestation, signature: Signature | bytes) -> str:
    """The address that produced `signature` over `attestation` (to check a peer's signature off-chain)."""
    packed = signature.packed if isinstance(signature, Signature) else bytes(signature)
    signable = encode_typed_data(
        full_message=typed_data(domain, attestation.PRIMARY_TYPE, attestation.FIELDS, attestation.message())
    )
    return Account.recover_message(signable, signature=packed)


def pack_signatures(signatures: Iterable[ValidatorSignature]) -> bytes:
    """Concatenates 65-byte signatures in strictly ascending signer order, as the bridge requires.

    Raises ValueError on two signatures from the same signer (the bridge would reject them).
    """
    ordered = sorted(signatures, key=lambda s: int(s.signer, 16))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if int(a.signer, 16) == int(b.signer, 16):
            raise ValueError(f"duplicate signer {a.signer}")
    return b"".join(s.signature.packed for s in ordered)


def collect_signatures(
    domain: Domain,
    attestation: Attestation,
    private_keys: Iterable[str | bytes],
    threshold: int | None = None,
) -> bytes:
    """Signs `attestation` with each key and returns the packed signatures the bridge takes.

    With `threshold`, only the `threshold` lowest-address signers are kept (the bridge wants exactly
    `threshold` signatures); fewer keys than `threshold` is a ValueError.
    """
    parts = sorted(
        (validator_signature(k, domain, attestation) for k in private_keys), key=lambda s: int(s.signer, 16)
    )
    if threshold is not None:
        if len(parts) < threshold:
            raise ValueError(f"{len(parts)} keys for a threshold of {threshold}")
        parts = parts[:threshold]
    return pack_signatures(parts)


def split_signatures(packed: bytes) -> list[Signature]:
    """The inverse of the packing: 65-byte chunks back into Signature objects."""
    if len(packed) % SIGNATURE_LENGTH:
        raise ValueError("packed signatures must be a multiple of 65 bytes")
    return [
        Signature(v=packed[i + 64], r=packed[i : i + 32], s=packed[i + 32 : i + 64])
        for i in range(0, len(packed), SIGNATURE_LENGTH)
    ]


# --------------------------------------------------------------------------- batched finalizations


@dataclass(frozen=True)
class BatchPayout:
    """One payout of a finalization batch (the bridge's `BatchPayout`): redemption `redemption_id` was paid
    out on Bakong in transaction `payout_tx_hash`."""

    redemption_id: int
    payout_tx_hash: bytes

    ABI_TYPES: ClassVar[list[str]] = ["uint256", "bytes32"]

    def as_tuple(self) -> tuple:
        return (self.redemption_id, to_bytes32(self.payout_tx_hash))


def payouts_hash(payouts: Iterable[BatchPayout]) -> bytes:
    """keccak256 of the payouts' ABI encodings concatenated in batch order (64 bytes each): the bridge
    hashes the `BatchPayout[]` calldata the same way."""
    return keccak(b"".join(abi_encode(BatchPayout.ABI_TYPES, list(p.as_tuple())) for p in payouts))


@dataclass(frozen=True)
class BatchRedemptionFinalization:
    """Validators paid out the `count` redemptions of `currency` hashed into `payouts_hash`, whose escrow
    is `total` in all.

    Build it with `batch_finalization`, which derives count, total and hash from the payouts."""

    currency: int
    count: int
    total: int
    payouts_hash: bytes
    expiry: int
    epoch: int

    PRIMARY_TYPE: ClassVar[str] = "BatchRedemptionFinalization"
    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("currency", "uint16"),
        ("count", "uint32"),
        ("total", "uint256"),
        ("payoutsHash", "bytes32"),
        ("expiry", "uint64"),
        ("epoch", "uint64"),
    ]

    def message(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "count": self.count,
            "total": self.total,
            "payoutsHash": to_bytes32(self.payouts_hash),
            "expiry": self.expiry,
            "epoch": self.epoch,
        }

    def as_tuple(self) -> tuple:
        return in_field_order(self)


def batch_finalization(
    currency: int, payouts: list[BatchPayout], amounts: list[int], expiry: int, epoch: int
) -> BatchRedemptionFinalization:
    """The attestation of `payouts` (redemptions of one currency), `amounts[i]` the escrow of
    `payouts[i]`'s redemption (its `RedemptionRequested` amount): count, total and hash derived here."""
    if len(amounts) != len(payouts):
        raise ValueError(f"{len(amounts)} amounts for {len(payouts)} payouts")
    return BatchRedemptionFinalization(
        currency, len(payouts), sum(amounts), payouts_hash(payouts), expiry, epoch
    )


ATTESTATION_TYPES += (BatchRedemptionFinalization,)
