"""The attestations validators sign, as typed values, and their EIP-712 form (IBakongBridge structs).

The struct layouts mirror `interfaces/IBakongBridge.sol`; signing and signer packing go through
`corridor.bridge.attest` when it is present (the bridge family owns it) and fall back to
`corridor.eip712` with the same layouts otherwise.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

from eth_utils import to_checksum_address

from corridor import eip712
from corridor.eip712 import Domain, Signature

MINT_FIELDS = [
    ("currency", "uint16"),
    ("amount", "uint256"),
    ("recipient", "address"),
    ("bakongTxHash", "bytes32"),
    ("khqrMd5", "bytes16"),
    ("expiry", "uint64"),
    ("epoch", "uint64"),
]
RESERVE_FIELDS = [("currency", "uint16"), ("balance", "uint256"), ("asOf", "uint64"), ("epoch", "uint64")]
FINALIZATION_FIELDS = [("redemptionId", "uint256"), ("payoutTxHash", "bytes32"), ("epoch", "uint64")]
REJECTION_FIELDS = [("redemptionId", "uint256"), ("reason", "bytes32"), ("epoch", "uint64")]
RECONCILIATION_FIELDS = [("currency", "uint16"), ("omnibusBalance", "uint256"), ("asOf", "uint64"), ("epoch", "uint64")]


def bytes32_text(text: str) -> bytes:
    """A short ASCII string left-aligned in 32 bytes (Solidity `bytes32("...")`)."""
    raw = text.encode()
    if not raw or len(raw) > 32:
        raise ValueError(f"{text!r} does not fit in bytes32")
    return raw.ljust(32, b"\0")


def text_bytes32(raw: bytes) -> str:
    return bytes(raw).rstrip(b"\0").decode()


@dataclass(frozen=True)
class MintAttestation:
    currency: int
    amount: int
    recipient: str
    bakong_tx_hash: bytes
    khqr_md5: bytes
    expiry: int
    epoch: int

    PRIMARY = "MintAttestation"
    FIELDS = MINT_FIELDS

    def message(self) -> dict[str, Any]:
        return {
            "currency": self.currency, "amount": self.amount, "recipient": to_checksum_address(self.recipient),
            "bakongTxHash": self.bakong_tx_hash, "khqrMd5": self.khqr_md5, "expiry": self.expiry, "epoch": self.epoch,
        }

    def as_tuple(self) -> tuple:
        return (self.currency, self.amount, to_checksum_address(self.recipient), self.bakong_tx_hash,
                self.khqr_md5, self.expiry, self.epoch)


@dataclass(frozen=True)
class ReserveAttestation:
    currency: int
    balance: int
    as_of: int
    epoch: int

    PRIMARY = "ReserveAttestation"
    FIELDS = RESERVE_FIELDS

    def message(self) -> dict[str, Any]:
        return {"currency": self.currency, "balance": self.balance, "asOf": self.as_of, "epoch": self.epoch}

    def as_tuple(self) -> tuple:
        return astuple(self)


@dataclass(frozen=True)
class RedemptionFinalization:
    redemption_id: int
    payout_tx_hash: bytes
    epoch: int

    PRIMARY = "RedemptionFinalization"
    FIELDS = FINALIZATION_FIELDS

    def message(self) -> dict[str, Any]:
        return {"redemptionId": self.redemption_id, "payoutTxHash": self.payout_tx_hash, "epoch": self.epoch}

    def as_tuple(self) -> tuple:
        return astuple(self)


@dataclass(frozen=True)
class RedemptionRejection:
    redemption_id: int
    reason: bytes
    epoch: int

    PRIMARY = "RedemptionRejection"
    FIELDS = REJECTION_FIELDS

    def message(self) -> dict[str, Any]:
        return {"redemptionId": self.redemption_id, "reason": self.reason, "epoch": self.epoch}

    def as_tuple(self) -> tuple:
        return astuple(self)


@dataclass(frozen=True)
class Reconciliation:
    currency: int
    omnibus_balance: int
    as_of: int
    epoch: int

    PRIMARY = "Reconciliation"
    FIELDS = RECONCILIATION_FIELDS

    def message(self) -> dict[str, Any]:
        return {"currency": self.currency, "omnibusBalance": self.omnibus_balance, "asOf": self.as_of, "epoch": self.epoch}

    def as_tuple(self) -> tuple:
        return astuple(self)


Attestation = MintAttestation | ReserveAttestation | RedemptionFinalization | RedemptionRejection | Reconciliation


def sign(private_key: str | bytes, domain: Domain, attestation: Attestation) -> Signature:
    """One validator's EIP-712 signature over `attestation` for the bridge in `domain`."""
    return eip712.sign(private_key, domain, attestation.PRIMARY, attestation.FIELDS, attestation.message())


def digest(domain: Domain, attestation: Attestation) -> bytes:
    return eip712.digest(domain, attestation.PRIMARY, attestation.FIELDS, attestation.message())


def pack(signatures: dict[str, Signature]) -> bytes:
    """Signatures keyed by signer address, concatenated r‖s‖v in strictly ascending signer order."""
    ordered = sorted(signatures.items(), key=lambda kv: int(kv[0], 16))
    return b"".join(sig.packed for _, sig in ordered)
