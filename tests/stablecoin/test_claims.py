"""Cross-issuer claims count against the debtor's reserve (security.md S8, docs/stablecoin.md "Claims").

A redemption through issuer B beyond B's outstanding takes the rest from A's outstanding and records that A owes
B (B paid the holder). The yen stay in A's trust account until A settles, but they are B's: A's mint headroom is
reserve − claims owed − outstanding. Before the fix A could mint against them, and once the claim was settled
(the yen moving to B's trust account, which B then minted against) the supply exceeded the attested reserves
with every attestation honest."""

import brownie
import pytest
from brownie import chain

REF = b"CLAIMS".ljust(32, b"\0")
MAX = 2**256 - 1


def _attest(registry, attestor, reserves):
    """Honest attestations: each trust account's balance now."""
    chain.sleep(1)
    chain.mine()
    for issuer_id, amount in reserves.items():
        registry.attestReserve(issuer_id, amount, chain[-1].timestamp, {"from": attestor})


def _reserves(registry):
    return sum(registry.issuer(i)["reserve"] for i in registry.issuerIds())


@pytest.fixture
def b_redeemed_for_a(registry, token, attestor, bank_b, alice, bob):
    """A: 4,000,000 outstanding (alice 2,000,000, signer 2,000,000), trust account 4,000,000. B: 2,000,000
    outstanding (bob), trust account 4,000,000 (2,000,000 of its own). bob and alice redeem through B: bob's
    2,000,000 are B's own, alice's 2,000,000 are taken from A as a claim of B on A; B pays 4,000,000 out of its
    trust account. Honest attestations after: A 4,000,000 (2,000,000 of them owed to B), B 0."""
    _attest(registry, attestor, {1: 4_000_000, 2: 4_000_000})
    for holder in (bob, alice):
        token.approve(bank_b, MAX, {"from": holder})
        registry.redeem(2, holder, 2_000_000, REF, {"from": bank_b})
    _attest(registry, attestor, {1: 4_000_000, 2: 0})
    assert registry.claimOf(2, 1) == 2_000_000
    assert [registry.issuer(i)["outstanding"] for i in (1, 2)] == [2_000_000, 0]
    assert token.totalSupply() == 2_000_000


def test_debtor_cannot_mint_against_the_yen_it_owes(
    registry, token, operator, attestor, bank_a, bank_b, merchant, b_redeemed_for_a
):
    """The finding's reproduction. Before the fix A minted 2,000,000 (reserve 4,000,000 − outstanding 2,000,000);
    after the settlement moved those yen to B, B minted them again: supply 6,000,000 against 4,000,000 of honest
    attestations. Now A has no headroom until it settles, and supply never exceeds the attested reserves."""
    with brownie.reverts("ReserveExceeded: 1, 2000000, 2000000, 1, 4000000"):
        registry.mint(1, merchant, 1, REF, {"from": bank_a})
    assert registry.issuer(1)["claimsOwed"] == 2_000_000
    assert token.totalSupply() <= _reserves(registry) == 4_000_000
    # A pays B: the yen leave A's trust account for B's; the attestor sees both
    tx = registry.settleClaim(2, 1, 2_000_000, REF, {"from": operator})
    assert tx.events["ClaimSettled"][0].values() == [2, 1, 2_000_000, "0x" + REF.hex()]
    assert registry.issuer(1)["claimsOwed"] == 0
    _attest(registry, attestor, {1: 2_000_000, 2: 2_000_000})
    with brownie.reverts("ReserveExceeded: 1, 2000000, 0, 1, 2000000"):
        registry.mint(1, merchant, 1, REF, {"from": bank_a})
    registry.mint(2, merchant, 2_000_000, REF, {"from": bank_b})  # B's yen are back: it may mint them
    assert token.totalSupply() == _reserves(registry) == 4_000_000


def test_mint_headroom_is_reserve_net_of_claims_owed(
    registry, operator, attestor, bank_a, merchant, b_redeemed_for_a
):
    """Up to reserve − claims owed − outstanding exactly; a partial settlement frees exactly what it settles
    (the attestor has not seen the yen leave yet: the lag any payout has until the next attestation)."""
    _attest(registry, attestor, {1: 5_000_000})  # 1,000,000 more deposited at A
    with brownie.reverts("ReserveExceeded: 1, 2000000, 2000000, 1000001, 5000000"):
        registry.mint(1, merchant, 1_000_001, REF, {"from": bank_a})
    registry.mint(1, merchant, 1_000_000, REF, {"from": bank_a})
    registry.settleClaim(2, 1, 500_000, REF, {"from": operator})
    assert registry.issuer(1)["claimsOwed"] == registry.claimOf(2, 1) == 1_500_000
    _attest(registry, attestor, {1: 4_500_000})  # the 500,000 left for B
    with brownie.reverts("ReserveExceeded: 1, 3000000, 1500000, 1, 4500000"):
        registry.mint(1, merchant, 1, REF, {"from": bank_a})


def test_claims_owed_is_the_sum_of_claims_on_the_issuer(
    registry, token, operator, attestor, bank_a, bank_b, alice, bob, signer
):
    """Recorded in `_takeFromOtherIssuers`, lowered by `settleClaim`, per debtor across creditors; the creditor's
    own claimsOwed is untouched by claims it holds."""
    registry.addIssuer("Trust Bank C", b"\3" * 32, bank_b, {"from": operator})
    registry.setMintAllowance(3, 10_000_000, {"from": operator})
    _attest(registry, attestor, {3: 10_000_000})
    registry.mint(3, bob, 1_000_000, REF, {"from": bank_b})  # bob 3,000,000: B 2,000,000, C 1,000,000
    for holder in (alice, signer):
        token.approve(bank_b, MAX, {"from": holder})
    token.approve(bank_b, MAX, {"from": bob})
    registry.redeem(3, bob, 3_000_000, REF, {"from": bank_b})  # C's 1,000,000 + 2,000,000 from A (first)
    registry.redeem(2, alice, 2_000_000, REF, {"from": bank_b})  # B's 2,000,000, no claim
    registry.redeem(2, signer, 1_000_000, REF, {"from": bank_b})  # 1,000,000 from A
    assert (registry.claimOf(3, 1), registry.claimOf(2, 1)) == (2_000_000, 1_000_000)
    assert [registry.issuer(i)["claimsOwed"] for i in (1, 2, 3)] == [3_000_000, 0, 0]
    registry.settleClaim(3, 1, 2_000_000, REF, {"from": operator})
    assert registry.issuer(1)["claimsOwed"] == 1_000_000
    assert registry.totalOutstanding() == token.totalSupply() == 1_000_000


def test_remove_issuer_after_settling_its_claims(registry, token, operator, bank_a, signer, b_redeemed_for_a):
    token.approve(bank_a, MAX, {"from": signer})
    registry.redeem(1, signer, 2_000_000, REF, {"from": bank_a})
    assert registry.issuer(1)["outstanding"] == 0
    with brownie.reverts("IssuerOwesClaims: 1, 2000000"):
        registry.removeIssuer(1, {"from": operator})
    registry.settleClaim(2, 1, 2_000_000, REF, {"from": operator})
    tx = registry.removeIssuer(1, {"from": operator})
    assert "IssuerRemoved" in tx.events
    assert registry.issuerIds() == [2]
    assert registry.claimOf(2, 1) == 0
