"""IssuerRegistry: issuers, allowances, reserve attestations (role and signature), mint, redemption through any
issuer with cross-issuer claims, suspension, claim settlement and the roles guarding them."""

import brownie
import pytest
from brownie import chain
from eth_utils import keccak

from corridor.eip712 import type_hash
from corridor.stablecoin import signing

REF = b"REF-0001".ljust(32, b"\0")
UNAUTHORIZED = r"AccessControlUnauthorizedAccount: .*"


def now():
    return chain[-1].timestamp


# ------------------------------------------------------------------ registry setup


def test_deployment_wires_token_and_registry(token, registry):
    assert token.issuerRegistry() == registry
    assert registry.token() == token
    assert registry.issuerIds() == [1, 2]


def test_issuer_state_after_deploy(registry):
    i = registry.issuer(1)
    assert i["name"] == "Trust Bank A"
    assert i["trustAccountHash"] == "0x" + keccak(text="A-0001").hex()
    assert i["outstanding"] == 4_000_000
    assert i["mintAllowance"] == 100_000_000 - 4_000_000
    assert i["reserve"] == 50_000_000
    assert i["registered"] is True and i["suspended"] is False


def test_bind_token_twice_reverts(registry, token, admin):
    with brownie.reverts(f"TokenAlreadyBound: {token.address.lower()}"):
        registry.bindToken(token, {"from": admin})


def test_bind_token_of_other_registry_reverts(admin, IssuerRegistry, ERC1967Proxy, token, registry):
    from corridor.deploy.proxy import deploy_behind_proxy

    fresh = deploy_behind_proxy(IssuerRegistry, ERC1967Proxy, admin, "initialize", (admin, 0, 3600))
    with brownie.reverts(f"TokenRegistryMismatch: {token.address.lower()}, {registry.address.lower()}"):
        fresh.bindToken(token, {"from": admin})


def test_mint_before_bind_reverts(admin, IssuerRegistry, ERC1967Proxy, alice):
    from corridor.deploy.proxy import deploy_behind_proxy

    fresh = deploy_behind_proxy(IssuerRegistry, ERC1967Proxy, admin, "initialize", (admin, 0, 3600))
    fresh.grantRole(fresh.ISSUER_ADMIN_ROLE(), admin, {"from": admin})
    fresh.addIssuer("X", b"\1" * 32, admin, {"from": admin})
    with brownie.reverts("TokenNotBound: "):
        fresh.mint(1, alice, 1, REF, {"from": admin})


def test_initialize_zero_max_age_reverts(admin, IssuerRegistry, ERC1967Proxy):
    from corridor.deploy.proxy import deploy_behind_proxy

    with brownie.reverts("InvalidMaxAttestationAge: "):
        deploy_behind_proxy(IssuerRegistry, ERC1967Proxy, admin, "initialize", (admin, 0, 0))


def test_add_issuer_assigns_next_id_and_role(registry, operator, stranger):
    tx = registry.addIssuer("Trust Bank C", b"\3" * 32, stranger, {"from": operator})
    assert tx.events["IssuerAdded"][0]["issuerId"] == 3
    assert registry.hasRole(registry.issuerRole(3), stranger)
    assert registry.getRoleAdmin(registry.issuerRole(3)) == registry.ISSUER_ADMIN_ROLE()
    assert registry.issuerIds() == [1, 2, 3]


def test_add_issuer_empty_name_reverts(registry, operator, stranger):
    with brownie.reverts("InvalidName: "):
        registry.addIssuer("", b"\3" * 32, stranger, {"from": operator})


def test_add_issuer_zero_trust_account_reverts(registry, operator, stranger):
    with brownie.reverts("InvalidTrustAccount: "):
        registry.addIssuer("C", b"\0" * 32, stranger, {"from": operator})


def test_add_issuer_zero_operator_reverts(registry, operator):
    with brownie.reverts("ZeroAddress: "):
        registry.addIssuer("C", b"\3" * 32, brownie.ZERO_ADDRESS, {"from": operator})


def test_add_issuer_beyond_max_reverts(registry, operator, stranger):
    for k in range(14):
        registry.addIssuer(f"Bank {k}", b"\3" * 32, stranger, {"from": operator})
    with brownie.reverts("TooManyIssuers: 16"):
        registry.addIssuer("One too many", b"\3" * 32, stranger, {"from": operator})


def test_add_issuer_by_non_admin_reverts(registry, stranger):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        registry.addIssuer("C", b"\3" * 32, stranger, {"from": stranger})


def test_remove_issuer_with_outstanding_reverts(registry, operator):
    with brownie.reverts("IssuerHasOutstanding: 1, 4000000"):
        registry.removeIssuer(1, {"from": operator})


def test_remove_issuer_without_outstanding(registry, operator, stranger):
    registry.addIssuer("Trust Bank C", b"\3" * 32, stranger, {"from": operator})
    tx = registry.removeIssuer(3, {"from": operator})
    assert "IssuerRemoved" in tx.events
    assert registry.issuerIds() == [1, 2]
    assert registry.issuer(3)["registered"] is False


def test_remove_unknown_issuer_reverts(registry, operator):
    with brownie.reverts("UnknownIssuer: 9"):
        registry.removeIssuer(9, {"from": operator})


def test_set_mint_allowance(registry, operator):
    tx = registry.setMintAllowance(1, 123, {"from": operator})
    assert registry.issuer(1)["mintAllowance"] == 123
    assert tx.events["MintAllowanceSet"][0].values() == [1, 123]


def test_set_mint_allowance_by_issuer_reverts(registry, bank_a):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        registry.setMintAllowance(1, 123, {"from": bank_a})


def test_set_max_attestation_age(registry, operator):
    tx = registry.setMaxAttestationAge(7_200, {"from": operator})
    assert registry.maxAttestationAge() == 7_200
    assert tx.events["MaxAttestationAgeSet"][0]["maxAge"] == 7_200


def test_set_max_attestation_age_zero_reverts(registry, operator):
    with brownie.reverts("InvalidMaxAttestationAge: "):
        registry.setMaxAttestationAge(0, {"from": operator})


# ------------------------------------------------------------------ attestations


def test_attest_reserve_records(registry, attestor):
    chain.sleep(5)
    chain.mine()
    t = now()
    tx = registry.attestReserve(1, 70_000_000, t, {"from": attestor})
    i = registry.issuer(1)
    assert (i["reserve"], i["reserveAsOf"]) == (70_000_000, t)
    assert tx.events["ReserveAttested"][0].values() == [1, 70_000_000, t, attestor]


def test_attest_reserve_not_newer_reverts(registry, attestor):
    t = registry.issuer(1)["reserveAsOf"]
    with brownie.reverts(f"AttestationNotNewer: 1, {t}, {t}"):
        registry.attestReserve(1, 1, t, {"from": attestor})


def test_ops_attestations_in_one_second_are_each_newer(ops, registry, attestor):
    """Two attestations sent back to back (the deploy's, then the demo's) on a chain that stamps several blocks
    with one second: the default `as_of` moves past the last one instead of reverting AttestationNotNewer."""
    first = ops.attest_reserve(1, 80_000_000, attestor)
    t1 = registry.issuer(1)["reserveAsOf"]
    assert t1 == first.events["ReserveAttested"][0]["asOf"]
    ops.attest_reserve(1, 81_000_000, attestor)
    i = registry.issuer(1)
    assert i["reserve"] == 81_000_000
    assert i["reserveAsOf"] > t1


def test_attest_reserve_in_future_reverts(registry, attestor):
    t = now() + 1_000
    with brownie.reverts(f"AttestationInFuture: {t}"):
        registry.attestReserve(1, 1, t, {"from": attestor})


def test_attest_reserve_unknown_issuer_reverts(registry, attestor):
    with brownie.reverts("UnknownIssuer: 7"):
        registry.attestReserve(7, 1, now(), {"from": attestor})


def test_attest_reserve_by_non_attestor_reverts(registry, bank_a):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        registry.attestReserve(1, 1, now(), {"from": bank_a})


@pytest.fixture
def key_attestor(accounts, registry, admin):
    a = accounts.add()
    registry.grantRole(registry.ATTESTOR_ROLE(), a, {"from": admin})
    return a


def _domain(registry, chain_id=None):
    return signing.registry_domain(chain.id if chain_id is None else chain_id, registry.address)


def test_attestation_typehash_matches_python(registry):
    assert (
        registry.RESERVE_ATTESTATION_TYPEHASH()
        == "0x" + type_hash("ReserveAttestation", signing.RESERVE_ATTESTATION_FIELDS).hex()
    )


def test_attest_with_signature_records(registry, key_attestor, stranger):
    chain.sleep(5)
    chain.mine()
    t = now()
    sig = signing.sign_reserve_attestation(key_attestor.private_key, _domain(registry), 2, 80_000_000, t)
    tx = registry.attestReserveWithSignature(2, 80_000_000, t, key_attestor, sig.packed, {"from": stranger})
    assert registry.issuer(2)["reserve"] == 80_000_000
    assert tx.events["ReserveAttested"][0]["attestor"] == key_attestor


def test_attest_with_signature_replay_reverts(registry, key_attestor, stranger):
    chain.sleep(5)
    chain.mine()
    t = now()
    sig = signing.sign_reserve_attestation(key_attestor.private_key, _domain(registry), 2, 80_000_000, t)
    registry.attestReserveWithSignature(2, 80_000_000, t, key_attestor, sig.packed, {"from": stranger})
    with brownie.reverts(f"AttestationNotNewer: 2, {t}, {t}"):
        registry.attestReserveWithSignature(2, 80_000_000, t, key_attestor, sig.packed, {"from": stranger})


def test_attest_with_signature_other_chain_reverts(registry, key_attestor, stranger):
    t = now()
    sig = signing.sign_reserve_attestation(key_attestor.private_key, _domain(registry, chain.id + 1), 2, 1, t)
    with brownie.reverts(f"InvalidAttestationSignature: {key_attestor.address.lower()}"):
        registry.attestReserveWithSignature(2, 1, t, key_attestor, sig.packed, {"from": stranger})


def test_attest_with_signature_of_non_attestor_reverts(registry, accounts, stranger):
    rogue = accounts.add()
    t = now()
    sig = signing.sign_reserve_attestation(rogue.private_key, _domain(registry), 2, 1, t)
    with brownie.reverts(f"InvalidAttestor: {rogue.address.lower()}"):
        registry.attestReserveWithSignature(2, 1, t, rogue, sig.packed, {"from": stranger})


def test_attest_with_malformed_signature_reverts(registry, key_attestor, stranger):
    """A signature that is not 65 bytes recovers nothing: InvalidAttestationSignature(attestor)."""
    with brownie.reverts(f"InvalidAttestationSignature: {key_attestor.address.lower()}"):
        registry.attestReserveWithSignature(1, 1, now(), key_attestor, b"\1" * 64, {"from": stranger})


def test_attest_with_erc1271_attestor(registry, ERC1271SignerMock, key_attestor, admin, stranger):
    wallet = ERC1271SignerMock.deploy(key_attestor, {"from": admin})
    registry.grantRole(registry.ATTESTOR_ROLE(), wallet, {"from": admin})
    chain.sleep(5)
    chain.mine()
    t = now()
    sig = signing.sign_reserve_attestation(key_attestor.private_key, _domain(registry), 1, 60_000_000, t)
    registry.attestReserveWithSignature(1, 60_000_000, t, wallet, sig.packed, {"from": stranger})
    assert registry.issuer(1)["reserve"] == 60_000_000


# ------------------------------------------------------------------ mint


def test_mint_increases_outstanding_and_supply(registry, token, bank_a, merchant):
    tx = registry.mint(1, merchant, 5_000, REF, {"from": bank_a})
    assert token.balanceOf(merchant) == 5_000
    assert registry.issuer(1)["outstanding"] == 4_005_000
    assert registry.issuer(1)["mintAllowance"] == 96_000_000 - 5_000
    assert tx.events["Minted"][0].values() == [1, bank_a, merchant, 5_000, "0x" + REF.hex()]
    assert registry.totalOutstanding() == token.totalSupply()


def test_mint_by_other_issuer_operator_reverts(registry, bank_b, merchant):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        registry.mint(1, merchant, 1, REF, {"from": bank_b})


def test_mint_above_allowance_reverts(registry, operator, bank_a, merchant):
    registry.setMintAllowance(1, 10, {"from": operator})
    with brownie.reverts("MintAllowanceExceeded: 1, 10, 11"):
        registry.mint(1, merchant, 11, REF, {"from": bank_a})


def test_mint_above_reserve_reverts(registry, bank_a, merchant):
    with brownie.reverts("ReserveExceeded: 1, 4000000, 0, 46000001, 50000000"):
        registry.mint(1, merchant, 46_000_001, REF, {"from": bank_a})


def test_mint_up_to_reserve(registry, bank_a, merchant):
    registry.mint(1, merchant, 46_000_000, REF, {"from": bank_a})
    assert registry.issuer(1)["outstanding"] == 50_000_000


def test_mint_with_stale_attestation_reverts(registry, bank_a, merchant):
    as_of = registry.issuer(1)["reserveAsOf"]
    chain.sleep(86_401)
    chain.mine()
    with brownie.reverts(f"AttestationStale: 1, {as_of}, 86400"):
        registry.mint(1, merchant, 1, REF, {"from": bank_a})
    assert registry.isReserveFresh(1) is False


def test_mint_without_attestation_reverts(registry, operator, bank_a, merchant):
    registry.addIssuer("Trust Bank C", b"\3" * 32, bank_a, {"from": operator})
    registry.setMintAllowance(3, 100, {"from": operator})
    with brownie.reverts("ReserveNotAttested: 3"):
        registry.mint(3, merchant, 1, REF, {"from": bank_a})


def test_mint_zero_reverts(registry, bank_a, merchant):
    with brownie.reverts("InvalidAmount: "):
        registry.mint(1, merchant, 0, REF, {"from": bank_a})


def test_mint_to_unverified_reverts(registry, bank_a, stranger):
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        registry.mint(1, stranger, 1, REF, {"from": bank_a})


def test_mint_to_zero_address_reverts(registry, bank_a):
    """Minting to the zero address is refused by the token (ERC20InvalidReceiver(0)) and the registry's
    counters are rolled back."""
    with brownie.reverts(f"ERC20InvalidReceiver: {brownie.ZERO_ADDRESS.lower()}"):
        registry.mint(1, brownie.ZERO_ADDRESS, 1, REF, {"from": bank_a})
    assert registry.issuer(1)["outstanding"] == 4_000_000


def test_mint_to_frozen_reverts(registry, token, operator, bank_a, merchant):
    token.freeze(merchant, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {merchant.address.lower()}"):
        registry.mint(1, merchant, 1, REF, {"from": bank_a})


def test_token_issue_only_by_registry(token, bank_a, merchant):
    with brownie.reverts(f"CallerNotIssuerRegistry: {bank_a.address.lower()}"):
        token.issue(merchant, 1, {"from": bank_a})


def test_token_redeem_from_only_by_registry(token, bank_a, alice):
    with brownie.reverts(f"CallerNotIssuerRegistry: {bank_a.address.lower()}"):
        token.redeemFrom(alice, bank_a, 1, {"from": bank_a})


def test_mint_beyond_supply_cap_reverts(registry, token, operator, attestor, bank_a, merchant):
    cap = token.supplyCap()
    registry.setMintAllowance(1, 2**256 - 1, {"from": operator})
    chain.sleep(2)
    chain.mine()
    registry.attestReserve(1, 2**256 - 1, now(), {"from": attestor})
    with brownie.reverts(f"SupplyCapExceeded: 6000000, {cap}, {cap}"):
        registry.mint(1, merchant, cap, REF, {"from": bank_a})


# ------------------------------------------------------------------ suspension


def test_suspend_blocks_mint_and_redeem(registry, operator, bank_a, alice):
    tx = registry.suspendIssuer(1, {"from": operator})
    assert "IssuerSuspended" in tx.events
    with brownie.reverts("IssuerIsSuspended: 1"):
        registry.mint(1, alice, 1, REF, {"from": bank_a})
    with brownie.reverts("IssuerIsSuspended: 1"):
        registry.redeem(1, bank_a, 1, REF, {"from": bank_a})


def test_suspend_keeps_token_running(registry, token, operator, alice, bob):
    registry.suspendIssuer(1, {"from": operator})
    token.transfer(bob, 1, {"from": alice})
    assert token.paused() is False


def test_suspend_twice_reverts(registry, operator):
    registry.suspendIssuer(1, {"from": operator})
    with brownie.reverts("IssuerIsSuspended: 1"):
        registry.suspendIssuer(1, {"from": operator})


def test_resume_restores_minting(registry, operator, bank_a, alice):
    registry.suspendIssuer(1, {"from": operator})
    tx = registry.resumeIssuer(1, {"from": operator})
    assert "IssuerResumed" in tx.events
    registry.mint(1, alice, 1, REF, {"from": bank_a})


def test_resume_not_suspended_reverts(registry, operator):
    with brownie.reverts("IssuerNotSuspended: 1"):
        registry.resumeIssuer(1, {"from": operator})


def test_suspend_by_non_admin_reverts(registry, bank_a):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        registry.suspendIssuer(1, {"from": bank_a})


# ------------------------------------------------------------------ redemption


def test_redeem_own_balance(registry, token, bank_a, alice):
    token.transfer(bank_a, 1_000, {"from": alice})
    tx = registry.redeem(1, bank_a, 1_000, REF, {"from": bank_a})
    assert token.balanceOf(bank_a) == 0
    assert registry.issuer(1)["outstanding"] == 3_999_000
    assert tx.events["Redeemed"][0].values() == [1, bank_a, bank_a, 1_000, "0x" + REF.hex()]
    assert registry.totalOutstanding() == token.totalSupply() == 5_999_000


def test_redeem_from_holder_with_allowance(registry, token, bank_a, alice):
    token.approve(bank_a, 1_000, {"from": alice})
    registry.redeem(1, alice, 1_000, REF, {"from": bank_a})
    assert token.balanceOf(alice) == 1_999_000
    assert token.allowance(alice, bank_a) == 0


def test_redeem_from_holder_without_allowance_reverts(registry, bank_a, alice):
    with brownie.reverts(f"ERC20InsufficientAllowance: {bank_a.address.lower()}, 0, 1"):
        registry.redeem(1, alice, 1, REF, {"from": bank_a})


def test_redeem_above_balance_reverts(registry, token, bank_a, alice):
    token.approve(bank_a, 2**256 - 1, {"from": alice})
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, 2000000, 2000001"):
        registry.redeem(1, alice, 2_000_001, REF, {"from": bank_a})


def test_redeem_from_frozen_holder_reverts(registry, token, operator, bank_a, alice):
    token.approve(bank_a, 10, {"from": alice})
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        registry.redeem(1, alice, 10, REF, {"from": bank_a})


def test_redeem_zero_reverts(registry, bank_a):
    with brownie.reverts("InvalidAmount: "):
        registry.redeem(1, bank_a, 0, REF, {"from": bank_a})


def test_redeem_within_own_outstanding_records_no_claim(registry, token, bank_b, alice):
    token.approve(bank_b, 2**256 - 1, {"from": alice})
    registry.mint(2, alice, 1_000_000, REF, {"from": bank_b})  # B: 3,000,000 outstanding, alice 3,000,000
    tx = registry.redeem(2, alice, 3_000_000, REF, {"from": bank_b})
    assert registry.issuer(2)["outstanding"] == 0
    assert registry.issuer(1)["outstanding"] == 4_000_000
    assert "ClaimRecorded" not in tx.events


def test_cross_issuer_redemption_moves_shortfall_to_claims(registry, token, bank_b, alice, signer):
    token.approve(bank_b, 2**256 - 1, {"from": alice})
    token.transfer(alice, 1_000_000, {"from": signer})  # alice holds 3,000,000, B has 2,000,000 outstanding
    tx = registry.redeem(2, alice, 3_000_000, REF, {"from": bank_b})
    assert registry.issuer(2)["outstanding"] == 0
    assert registry.issuer(1)["outstanding"] == 3_000_000
    assert registry.claimOf(2, 1) == 1_000_000
    assert tx.events["ClaimRecorded"][0].values() == [2, 1, 1_000_000]
    assert registry.totalOutstanding() == token.totalSupply() == 3_000_000


def test_cross_issuer_redemption_skips_creditor_and_empty_issuers(
    registry, token, operator, attestor, bank_a, alice
):
    """The shortfall is taken in registration order: the creditor itself and an issuer with nothing outstanding
    are skipped, a debtor with less than the shortfall gives all it has, the next one the rest."""
    registry.addIssuer("Trust Bank C", b"\3" * 32, bank_a, {"from": operator})  # 3: nothing outstanding
    registry.addIssuer("Trust Bank D", b"\4" * 32, bank_a, {"from": operator})  # 4: mints 5,000,000
    registry.setMintAllowance(4, 5_000_000, {"from": operator})
    registry.attestReserve(4, 5_000_000, now(), {"from": attestor})
    registry.mint(4, alice, 5_000_000, REF, {"from": bank_a})  # alice holds 7,000,000
    token.approve(bank_a, 7_000_000, {"from": alice})
    # A's own 4,000,000 + a 3,000,000 shortfall: 1 is the creditor, 2 gives its 2,000,000, 3 has none, 4 the rest
    tx = registry.redeem(1, alice, 7_000_000, REF, {"from": bank_a})
    assert [registry.issuer(i)["outstanding"] for i in (1, 2, 3, 4)] == [0, 0, 0, 4_000_000]
    assert [e.values() for e in tx.events["ClaimRecorded"]] == [[1, 2, 2_000_000], [1, 4, 1_000_000]]
    assert [registry.claimOf(1, debtor) for debtor in (2, 3, 4)] == [2_000_000, 0, 1_000_000]
    assert registry.totalOutstanding() == token.totalSupply() == 4_000_000


def test_redeem_above_total_outstanding_reverts_in_registry(registry, token, bank_a, alice):
    """A redemption larger than all issuers' outstanding is refused by the registry's own guard (InvalidAmount)
    before the token is called, and changes nothing."""
    token.approve(bank_a, 2**256 - 1, {"from": alice})
    with brownie.reverts("InvalidAmount: "):
        registry.redeem(1, alice, 6_000_001, REF, {"from": bank_a})
    assert [registry.issuer(i)["outstanding"] for i in (1, 2)] == [4_000_000, 2_000_000]
    assert registry.claimOf(1, 2) == 0


def test_settle_claim_reduces_claim(registry, token, operator, bank_b, alice, signer):
    token.approve(bank_b, 2**256 - 1, {"from": alice})
    token.transfer(alice, 1_000_000, {"from": signer})
    registry.redeem(2, alice, 3_000_000, REF, {"from": bank_b})
    tx = registry.settleClaim(2, 1, 400_000, REF, {"from": operator})
    assert registry.claimOf(2, 1) == 600_000
    assert tx.events["ClaimSettled"][0].values() == [2, 1, 400_000, "0x" + REF.hex()]


def test_settle_claim_above_claim_reverts(registry, operator):
    with brownie.reverts("ClaimExceeded: 2, 1, 0, 1"):
        registry.settleClaim(2, 1, 1, REF, {"from": operator})


def test_settle_claim_zero_reverts(registry, operator):
    with brownie.reverts("InvalidAmount: "):
        registry.settleClaim(2, 1, 0, REF, {"from": operator})


def test_settle_claim_by_issuer_reverts(registry, bank_b):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        registry.settleClaim(2, 1, 1, REF, {"from": bank_b})


def test_bind_zero_token_reverts(admin, IssuerRegistry, ERC1967Proxy):
    from corridor.deploy.proxy import deploy_behind_proxy

    fresh = deploy_behind_proxy(IssuerRegistry, ERC1967Proxy, admin, "initialize", (admin, 0, 3600))
    with brownie.reverts("ZeroAddress: "):
        fresh.bindToken(brownie.ZERO_ADDRESS, {"from": admin})


def test_redeem_from_unverified_holder_reverts(registry, token, operator, bank_a, alice):
    token.approve(bank_a, 10, {"from": alice})
    token.revokeKyc(alice, {"from": operator})
    with brownie.reverts(f"AccountNotVerified: {alice.address.lower()}"):
        registry.redeem(1, alice, 10, REF, {"from": bank_a})


def test_pause_blocks_redemption(registry, token, operator, bank_a, alice):
    token.approve(bank_a, 10, {"from": alice})
    token.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        registry.redeem(1, alice, 10, REF, {"from": bank_a})
