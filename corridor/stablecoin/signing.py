"""EIP-712 signatures of the JPY stablecoin family: EIP-2612 permit, EIP-3009 authorizations and reserve
attestations. Pure eth-account (through corridor.eip712): usable from brownie, scripts and standalone services.
"""

from __future__ import annotations

import os

from corridor.eip712 import Domain, Signature, sign

PERMIT_FIELDS = [
    ("owner", "address"),
    ("spender", "address"),
    ("value", "uint256"),
    ("nonce", "uint256"),
    ("deadline", "uint256"),
]
AUTHORIZATION_FIELDS = [
    ("from", "address"),
    ("to", "address"),
    ("value", "uint256"),
    ("validAfter", "uint256"),
    ("validBefore", "uint256"),
    ("nonce", "bytes32"),
]
CANCEL_FIELDS = [("authorizer", "address"), ("nonce", "bytes32")]
RESERVE_ATTESTATION_FIELDS = [("issuerId", "uint32"), ("amount", "uint256"), ("asOf", "uint64")]

TOKEN_DOMAIN_VERSION = "1"
REGISTRY_DOMAIN_NAME = "JPY Issuer Registry"
REGISTRY_DOMAIN_VERSION = "1"


def token_domain(name: str, chain_id: int, address: str) -> Domain:
    """The domain of a CompliantToken (its EIP-712 name is the token name, version "1")."""
    return Domain(name, TOKEN_DOMAIN_VERSION, chain_id, str(address))


def registry_domain(chain_id: int, address: str) -> Domain:
    """The domain of an IssuerRegistry (reserve attestations)."""
    return Domain(REGISTRY_DOMAIN_NAME, REGISTRY_DOMAIN_VERSION, chain_id, str(address))


def new_authorization_nonce() -> bytes:
    """A random 32-byte EIP-3009 nonce (EIP-3009 nonces are unordered)."""
    return os.urandom(32)


def sign_permit(
    private_key: str | bytes, domain: Domain, owner: str, spender: str, value: int, nonce: int, deadline: int
) -> Signature:
    """EIP-2612 Permit; `nonce` is token.nonces(owner)."""
    message = {
        "owner": str(owner),
        "spender": str(spender),
        "value": value,
        "nonce": nonce,
        "deadline": deadline,
    }
    return sign(private_key, domain, "Permit", PERMIT_FIELDS, message)


def _authorization(
    from_: str, to: str, value: int, valid_after: int, valid_before: int, nonce: bytes
) -> dict:
    return {
        "from": str(from_),
        "to": str(to),
        "value": value,
        "validAfter": valid_after,
        "validBefore": valid_before,
        "nonce": nonce,
    }


def sign_transfer_authorization(
    private_key: str | bytes,
    domain: Domain,
    from_: str,
    to: str,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes,
) -> Signature:
    """EIP-3009 TransferWithAuthorization (anyone may submit it)."""
    message = _authorization(from_, to, value, valid_after, valid_before, nonce)
    return sign(private_key, domain, "TransferWithAuthorization", AUTHORIZATION_FIELDS, message)


def sign_receive_authorization(
    private_key: str | bytes,
    domain: Domain,
    from_: str,
    to: str,
    value: int,
    valid_after: int,
    valid_before: int,
    nonce: bytes,
) -> Signature:
    """EIP-3009 ReceiveWithAuthorization (only `to` may submit it)."""
    message = _authorization(from_, to, value, valid_after, valid_before, nonce)
    return sign(private_key, domain, "ReceiveWithAuthorization", AUTHORIZATION_FIELDS, message)


def sign_cancel_authorization(
    private_key: str | bytes, domain: Domain, authorizer: str, nonce: bytes
) -> Signature:
    """EIP-3009 CancelAuthorization."""
    return sign(
        private_key,
        domain,
        "CancelAuthorization",
        CANCEL_FIELDS,
        {"authorizer": str(authorizer), "nonce": nonce},
    )


def sign_reserve_attestation(
    private_key: str | bytes, domain: Domain, issuer_id: int, amount: int, as_of: int
) -> Signature:
    """A reserve attestation for IssuerRegistry.attestReserveWithSignature (attestor holds ATTESTOR_ROLE)."""
    message = {"issuerId": issuer_id, "amount": amount, "asOf": as_of}
    return sign(private_key, domain, "ReserveAttestation", RESERVE_ATTESTATION_FIELDS, message)
