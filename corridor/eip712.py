"""EIP-712 signing shared by every signer in the corridor (permit, EIP-3009, reserve and Bakong
attestations, RFQ quotes). One place builds domains and signs; callers only describe their struct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain bound to a chain id and a verifying contract (never optional here)."""

    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": to_checksum_address(self.verifying_contract),
        }


@dataclass(frozen=True)
class Signature:
    """A 65-byte ECDSA signature in both forms contracts accept."""

    v: int
    r: bytes
    s: bytes

    @property
    def packed(self) -> bytes:
        """r ‖ s ‖ v, the `bytes signature` form (OZ ECDSA / SignatureChecker)."""
        return self.r + self.s + bytes([self.v])

    @property
    def vrs(self) -> tuple[int, bytes, bytes]:
        return self.v, self.r, self.s


def typed_data(
    domain: Domain, primary_type: str, fields: list[tuple[str, str]], message: dict[str, Any]
) -> dict:
    """The full EIP-712 payload; `fields` is the struct's (name, type) list in declaration order."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            primary_type: [{"name": n, "type": t} for n, t in fields],
        },
        "primaryType": primary_type,
        "domain": domain.as_dict(),
        "message": message,
    }


def digest(
    domain: Domain, primary_type: str, fields: list[tuple[str, str]], message: dict[str, Any]
) -> bytes:
    """The 32-byte digest a contract recovers from (keccak(0x1901 ‖ domainSeparator ‖ structHash))."""
    signable = encode_typed_data(full_message=typed_data(domain, primary_type, fields, message))
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign(
    private_key: str | bytes,
    domain: Domain,
    primary_type: str,
    fields: list[tuple[str, str]],
    message: dict[str, Any],
) -> Signature:
    """Signs an EIP-712 struct with a raw private key."""
    signable = encode_typed_data(full_message=typed_data(domain, primary_type, fields, message))
    signed = Account.sign_message(signable, private_key)
    return Signature(v=signed.v, r=signed.r.to_bytes(32, "big"), s=signed.s.to_bytes(32, "big"))


def type_hash(primary_type: str, fields: list[tuple[str, str]]) -> bytes:
    """keccak256 of the struct's type string, for comparing with the contract's constant."""
    return keccak(text=f"{primary_type}({','.join(f'{t} {n}' for n, t in fields)})")
