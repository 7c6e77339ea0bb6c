"""Signing requests between the relayer and the validator processes.

The relayer posts an attestation as JSON (the EIP-712 message: field names as in the Solidity struct,
integers as JSON numbers, addresses and bytes as 0x-hex) to a validator's `/sign/<kind>`; the validator
checks it against its own view of Bakong and the chain (corridor.bridge.validator) and answers
`{"signer", "signature"}` or refuses with 422 and its reason. `RemoteValidator` is that validator seen
from the relayer: the same methods as `corridor.bridge.validator.Validator`, so `collect` and the
relayer use either without knowing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_utils import is_address, to_checksum_address

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
from corridor.bridge.validator import AttestationRefused
from corridor.eip712 import Domain, Signature
from corridor.services.http import HttpError, call

KINDS: dict[str, type] = {
    "mint": MintAttestation,
    "hooked_mint": HookedMintAttestation,  # an invoice paid by KHQR, minted into the settlement contract
    "reserve": ReserveAttestation,
    "reconciliation": Reconciliation,
    "finalization": RedemptionFinalization,
    "rejection": RedemptionRejection,
    "batch_mint": BatchMintAttestation,  # with "khqrs" and "deposits" (one each per deposit of the batch)
    "batch_finalization": attest.BatchRedemptionFinalization,  # with "payouts" (BatchPayout, in batch order)
}
KIND_OF: dict[type, str] = {cls: kind for kind, cls in KINDS.items()}
WITH_KHQR = ("mint", "hooked_mint")  # the request carries the KHQR the validator checks the payment against
MAX_HOOK_DATA = 4 * 1024  # bytes of a hooked mint's hookData (an invoice's is under 300)
MAX_BATCH = 256  # deposits in one batch-mint signing request
DEPOSIT_FIELDS = (
    ("amount", "uint256"),
    ("recipient", "address"),
    ("bakongTxHash", "bytes32"),
    ("khqrMd5", "bytes16"),
)

PAYOUT_FIELDS = (("redemptionId", "uint256"), ("payoutTxHash", "bytes32"))


class BadAttestation(ValueError):
    """The JSON is not an attestation of that kind (a field missing, of the wrong type or size)."""


class ValidatorUnavailable(AttestationRefused):
    """The validator could not be asked (down, unreachable, or failing on its side)."""


def attestation_json(attestation: attest.Attestation) -> dict[str, Any]:
    """The attestation's EIP-712 message with bytes as 0x-hex (JSON-able)."""
    return {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in attestation.message().items()}


def _field(name: str, solidity_type: str, value: Any) -> Any:
    if solidity_type.startswith("uint"):
        bits = int(solidity_type[4:])
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
            raise BadAttestation(f"{name} must be an integer in [0, 2^{bits}), got {value!r}")
        return value
    if solidity_type == "address":
        if not isinstance(value, str) or not is_address(value):
            raise BadAttestation(f"{name} must be a 0x address, got {value!r}")
        return to_checksum_address(value)
    if solidity_type == "bytes":
        raw = _hex(value)
        if not raw or len(raw) > MAX_HOOK_DATA:
            raise BadAttestation(
                f"{name} must be non-empty 0x-hex of at most {MAX_HOOK_DATA} bytes, got {str(value)[:80]!r}"
            )
        return raw
    if solidity_type.startswith("bytes"):
        size = int(solidity_type[5:])
        raw = _hex(value)
        if raw is None or len(raw) != size:
            raise BadAttestation(f"{name} must be {size} bytes as 0x-hex, got {value!r}")
        return raw
    raise BadAttestation(f"unsupported field type {solidity_type}")  # pragma: no cover (structs are fixed)


def _hex(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value.startswith("0x"):
        return None
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return None


def parse_attestation(kind: str, data: Any) -> attest.Attestation:
    """The attestation of `kind` from its JSON message; BadAttestation says what is wrong."""
    cls = KINDS.get(kind)
    if cls is None:
        raise BadAttestation(f"unknown attestation kind {kind!r}")
    if not isinstance(data, dict):
        raise BadAttestation("attestation must be a JSON object")
    names = [name for name, _ in cls.FIELDS]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise BadAttestation(f"unknown field(s) {', '.join(unknown)} in a {cls.PRIMARY_TYPE}")
    missing = [name for name in names if name not in data]
    if missing:
        raise BadAttestation(f"missing field(s) {', '.join(missing)} in a {cls.PRIMARY_TYPE}")
    return cls(*(_field(name, t, data[name]) for name, t in cls.FIELDS))


def deposits_json(deposits: list[BatchDeposit]) -> list[dict[str, Any]]:
    """The deposits of a batch as JSON (field names as in the Solidity `BatchDeposit`)."""
    return [
        {
            "amount": d.amount,
            "recipient": d.recipient,
            "bakongTxHash": "0x" + d.bakong_tx_hash.hex(),
            "khqrMd5": "0x" + d.khqr_md5.hex(),
        }
        for d in deposits
    ]


def parse_batch(khqrs: Any, deposits: Any) -> tuple[list[str], list[BatchDeposit]]:
    """The KHQRs and deposits of a batch-mint request; BadAttestation says what is wrong (which entry)."""
    if not isinstance(khqrs, list) or not isinstance(deposits, list) or not deposits:
        raise BadAttestation("a batch mint needs non-empty lists 'khqrs' and 'deposits'")
    if len(deposits) > MAX_BATCH or len(khqrs) != len(deposits):
        raise BadAttestation(f"one KHQR per deposit, at most {MAX_BATCH} deposits")
    parsed = []
    for i, (khqr, d) in enumerate(zip(khqrs, deposits, strict=True)):
        if (
            not isinstance(khqr, str)
            or not khqr
            or not isinstance(d, dict)
            or set(d) != {n for n, _ in DEPOSIT_FIELDS}
        ):
            raise BadAttestation(
                f"deposit {i}: a KHQR string and exactly the fields {[n for n, _ in DEPOSIT_FIELDS]}"
            )
        parsed.append(BatchDeposit(*(_field(f"deposit {i} {n}", t, d[n]) for n, t in DEPOSIT_FIELDS)))
    return khqrs, parsed


def payouts_json(payouts: list[attest.BatchPayout]) -> list[dict[str, Any]]:
    """The payouts of a finalization batch as JSON (field names as in the Solidity `BatchPayout`)."""
    return [{"redemptionId": p.redemption_id, "payoutTxHash": "0x" + p.payout_tx_hash.hex()} for p in payouts]


def parse_payouts(payouts: Any) -> list[attest.BatchPayout]:
    """The payouts of a batch-finalization request; BadAttestation says what is wrong (which entry)."""
    if not isinstance(payouts, list) or not payouts or len(payouts) > MAX_BATCH:
        raise BadAttestation(f"a batch finalization needs a list 'payouts' of 1..{MAX_BATCH} entries")
    parsed = []
    for i, p in enumerate(payouts):
        if not isinstance(p, dict) or set(p) != {n for n, _ in PAYOUT_FIELDS}:
            raise BadAttestation(f"payout {i}: exactly the fields {[n for n, _ in PAYOUT_FIELDS]}")
        parsed.append(attest.BatchPayout(*(_field(f"payout {i} {n}", t, p[n]) for n, t in PAYOUT_FIELDS)))
    return parsed


def signature_json(sig: ValidatorSignature) -> dict[str, str]:
    return {"signer": sig.signer, "signature": "0x" + sig.signature.packed.hex()}


class RemoteValidator:
    """A validator process at `url` with the known signing `address`; every signature it returns is
    checked (signed by `address`, over this attestation under `domain()`) before use."""

    def __init__(self, url: str, address: str, domain: Callable[[], Domain], timeout: float = 15.0) -> None:
        self.url = url.rstrip("/")
        self.address = to_checksum_address(address)
        self._domain = domain
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"RemoteValidator({self.address} at {self.url})"

    def _ask(
        self, attestation: attest.Attestation, extra: dict[str, Any] | None = None
    ) -> ValidatorSignature:
        kind = KIND_OF[type(attestation)]
        payload = {"attestation": attestation_json(attestation), **(extra or {})}
        try:
            answer = call(f"{self.url}/sign/{kind}", payload, timeout=self._timeout)
        except HttpError as exc:
            if exc.status == 0 or exc.status >= 500:
                raise ValidatorUnavailable(f"{self.address} at {self.url}: {exc}") from exc
            raise AttestationRefused(f"{self.address}: {exc.reason}") from exc
        try:
            packed = bytes.fromhex(str(answer["signature"]).removeprefix("0x"))
            signature = Signature(v=packed[64], r=packed[:32], s=packed[32:64])
            signer = attest.recover_signer(self._domain(), attestation, packed)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise AttestationRefused(f"{self.address}: malformed signature in the answer ({exc})") from exc
        if signer != self.address:
            raise AttestationRefused(f"{self.address}: answer signed by {signer}, not by this validator")
        return ValidatorSignature(signer, signature)

    def sign_mint(self, khqr: str, attestation: MintAttestation) -> ValidatorSignature:
        return self._ask(attestation, {"khqr": khqr})

    def sign_hooked_mint(self, khqr: str, attestation: HookedMintAttestation) -> ValidatorSignature:
        return self._ask(attestation, {"khqr": khqr})

    def sign_batch_mint(
        self, khqrs: list[str], deposits: list[BatchDeposit], attestation: BatchMintAttestation
    ) -> ValidatorSignature:
        return self._ask(attestation, {"khqrs": list(khqrs), "deposits": deposits_json(list(deposits))})

    def sign_batch_finalization(
        self, payouts: list[attest.BatchPayout], attestation: attest.BatchRedemptionFinalization
    ) -> ValidatorSignature:
        return self._ask(attestation, {"payouts": payouts_json(list(payouts))})

    def sign_reserve(self, attestation: ReserveAttestation) -> ValidatorSignature:
        return self._ask(attestation)

    def sign_reconciliation(self, report: Reconciliation) -> ValidatorSignature:
        return self._ask(report)

    def sign_finalization(self, finalization: RedemptionFinalization) -> ValidatorSignature:
        return self._ask(finalization)

    def sign_rejection(self, rejection: RedemptionRejection) -> ValidatorSignature:
        return self._ask(rejection)


def identify(url: str, timeout: float = 5.0) -> str:
    """The signing address a validator process reports in its /health (raises HttpError if down)."""
    health = call(f"{url.rstrip('/')}/health", timeout=timeout)
    address = health.get("details", {}).get("address") if isinstance(health, dict) else None
    if not isinstance(address, str) or not is_address(address):
        raise HttpError(502, f"{url} is not a validator (no address in its /health)")
    return to_checksum_address(address)
