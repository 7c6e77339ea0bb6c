"""corridor.bridge.attest and the contract agree on type hashes, domain and digests."""

import pytest

from corridor.bridge import attest
from corridor.bridge.attest import KHR


def test_type_hashes_match_contract_constants(bridge):
    assert attest.attestation_type_hash(attest.MintAttestation) == bytes(bridge.MINT_ATTESTATION_TYPEHASH())
    assert attest.attestation_type_hash(attest.ReserveAttestation) == bytes(
        bridge.RESERVE_ATTESTATION_TYPEHASH()
    )
    assert attest.attestation_type_hash(attest.RedemptionFinalization) == bytes(
        bridge.REDEMPTION_FINALIZATION_TYPEHASH()
    )
    assert attest.attestation_type_hash(attest.RedemptionRejection) == bytes(
        bridge.REDEMPTION_REJECTION_TYPEHASH()
    )
    assert attest.attestation_type_hash(attest.Reconciliation) == bytes(bridge.RECONCILIATION_TYPEHASH())
    assert attest.attestation_type_hash(attest.BatchMintAttestation) == bytes(
        bridge.BATCH_MINT_ATTESTATION_TYPEHASH()
    )


@pytest.mark.call_coverage
def test_mint_digest_matches_contract(bridge, signers, alice):
    att = signers.mint_att(KHR, 1234, alice)
    assert attest.attestation_digest(signers.domain, att) == bytes(bridge.mintDigest(att.as_tuple()))
