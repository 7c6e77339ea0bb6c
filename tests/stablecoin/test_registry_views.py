"""The registry's view functions, marked `call_coverage` so that `--coverage` traces their calls: token, issuers,
claims, total outstanding, attestation age and freshness, EIP-712 domain."""

import pytest
from brownie import chain
from eth_abi import encode
from eth_utils import keccak

from corridor.stablecoin.deploy import trust_account_hash

pytestmark = pytest.mark.call_coverage

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
REF = b"REF-VIEW".ljust(32, b"\0")


def test_token_is_the_bound_token(registry, token):
    """token() is the JPYStablecoin bound by bindToken."""
    assert registry.token() == token


def test_issuer_record(registry):
    """issuer(id) returns the stored record; an unknown id reads as an empty, unregistered record."""
    a = registry.issuer(1)
    assert a["name"] == "Trust Bank A"
    assert a["trustAccountHash"] == "0x" + trust_account_hash("A-0001").hex()
    assert (a["outstanding"], a["registered"], a["suspended"]) == (4_000_000, True, False)
    assert a["mintAllowance"] == 100_000_000 - 4_000_000
    assert a["reserve"] == 50_000_000
    assert registry.issuer(9)["registered"] is False


def test_issuer_ids_in_registration_order(registry, operator):
    """issuerIds() lists the registered ids; removal swaps the last id into the gap."""
    assert registry.issuerIds() == [1, 2]
    registry.addIssuer("Trust Bank C", b"\3" * 32, operator, {"from": operator})
    registry.addIssuer("Trust Bank D", b"\4" * 32, operator, {"from": operator})
    registry.removeIssuer(3, {"from": operator})
    assert registry.issuerIds() == [1, 2, 4]


def test_claim_of_and_total_outstanding(registry, token, bank_b, alice, signer):
    """A cross-issuer redemption records claimOf(creditor, debtor); totalOutstanding stays totalSupply."""
    assert registry.claimOf(2, 1) == 0
    assert registry.totalOutstanding() == 6_000_000
    token.transfer(alice, 1_000_000, {"from": signer})  # alice holds 3,000,000; B has 2,000,000 outstanding
    token.approve(bank_b, 3_000_000, {"from": alice})
    registry.redeem(2, alice, 3_000_000, REF, {"from": bank_b})
    assert registry.claimOf(2, 1) == 1_000_000
    assert registry.claimOf(1, 2) == 0
    assert registry.totalOutstanding() == token.totalSupply() == 3_000_000


def test_max_attestation_age_and_freshness(registry, operator, attestor):
    """isReserveFresh is true within maxAttestationAge of the attestation, false after it and for an issuer
    never attested."""
    assert registry.maxAttestationAge() == 86_400
    assert registry.isReserveFresh(1) is True
    registry.setMaxAttestationAge(60, {"from": operator})
    assert registry.maxAttestationAge() == 60
    chain.sleep(120)
    chain.mine()
    assert registry.isReserveFresh(1) is False
    registry.attestReserve(1, 50_000_000, chain[-1].timestamp, {"from": attestor})
    assert registry.isReserveFresh(1) is True
    registry.addIssuer("Trust Bank C", b"\3" * 32, operator, {"from": operator})
    assert registry.isReserveFresh(3) is False


def test_domain_separator(registry):
    """DOMAIN_SEPARATOR() is the EIP-712 domain "JPY Issuer Registry", version "1", this chain and proxy."""
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text=DOMAIN_TYPE),
                keccak(text="JPY Issuer Registry"),
                keccak(text="1"),
                chain.id,
                registry.address,
            ],
        )
    )
    assert registry.DOMAIN_SEPARATOR() == "0x" + expected.hex()
