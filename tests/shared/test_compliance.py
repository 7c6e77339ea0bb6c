"""KYC tiers, jurisdiction, freeze, limits, seizure, recovery, pause, rescue and the roles guarding them."""

import brownie
import pytest
from brownie import chain

from corridor.stablecoin.ops import reason_code

MAX = 2**256 - 1
REASON = reason_code("COURT-ORDER-2025-001")


# ------------------------------------------------------------------ KYC


def test_set_kyc_records_tier_and_jurisdiction(token, operator, stranger):
    tx = token.setKyc(stranger, 2, 116, {"from": operator})
    assert token.kycOf(stranger) == (2, 116, False)
    assert tx.events["KycSet"][0].values() == [stranger, 2, 116]


@pytest.mark.parametrize("tier", [0, 5, 255])
def test_set_kyc_invalid_tier_reverts(token, operator, stranger, tier):
    with brownie.reverts(f"InvalidTier: {tier}"):
        token.setKyc(stranger, tier, 392, {"from": operator})


def test_set_kyc_zero_jurisdiction_reverts(token, operator, stranger):
    with brownie.reverts("InvalidJurisdiction: "):
        token.setKyc(stranger, 1, 0, {"from": operator})


def test_set_kyc_zero_address_reverts(token, operator):
    with brownie.reverts("ZeroAddress: "):
        token.setKyc(brownie.ZERO_ADDRESS, 1, 392, {"from": operator})


def test_set_kyc_by_non_compliance_reverts(token, stranger):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.setKyc(stranger, 1, 392, {"from": stranger})


def test_set_kyc_keeps_balance(token, operator, alice):
    token.setKyc(alice, 3, 116, {"from": operator})
    assert token.balanceOf(alice) == 2_000_000


def test_revoke_kyc_blocks_sending(token, operator, alice, bob):
    tx = token.revokeKyc(alice, {"from": operator})
    assert "KycRevoked" in tx.events
    assert token.kycOf(alice) == (0, 0, False)
    with brownie.reverts(f"AccountNotVerified: {alice.address.lower()}"):
        token.transfer(bob, 1, {"from": alice})


def test_revoke_kyc_of_unverified_reverts(token, operator, stranger):
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.revokeKyc(stranger, {"from": operator})


def test_transfer_to_unverified_reverts(token, alice, stranger):
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.transfer(stranger, 1, {"from": alice})


def test_transfer_from_unverified_reverts(token, operator, alice, bob):
    token.revokeKyc(alice, {"from": operator})
    with brownie.reverts(f"AccountNotVerified: {alice.address.lower()}"):
        token.transfer(bob, 1, {"from": alice})


# ------------------------------------------------------------------ freeze


def test_freeze_blocks_sending(token, operator, alice, bob):
    tx = token.freeze(alice, {"from": operator})
    assert tx.events["Frozen"][0]["account"] == alice
    assert token.kycOf(alice)[2] is True
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        token.transfer(bob, 1, {"from": alice})


def test_freeze_blocks_receiving(token, operator, alice, bob):
    token.freeze(bob, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {bob.address.lower()}"):
        token.transfer(bob, 1, {"from": alice})


def test_freeze_blocks_transfer_from(token, operator, alice, bob, merchant):
    token.approve(merchant, 10, {"from": alice})
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        token.transferFrom(alice, bob, 1, {"from": merchant})


def test_freeze_twice_reverts(token, operator, alice):
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        token.freeze(alice, {"from": operator})


def test_freeze_zero_address_reverts(token, operator):
    with brownie.reverts("ZeroAddress: "):
        token.freeze(brownie.ZERO_ADDRESS, {"from": operator})


def test_unfreeze_restores_transfers(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    tx = token.unfreeze(alice, {"from": operator})
    assert "Unfrozen" in tx.events
    token.transfer(bob, 1, {"from": alice})
    assert token.balanceOf(bob) == 2_000_001


def test_unfreeze_not_frozen_reverts(token, operator, alice):
    with brownie.reverts(f"AccountNotFrozen: {alice.address.lower()}"):
        token.unfreeze(alice, {"from": operator})


def test_freeze_by_non_compliance_reverts(token, alice, bob):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.freeze(bob, {"from": alice})


# ------------------------------------------------------------------ limits


def test_per_transfer_limit_reverts_above(token, alice, bob, operator):
    token.setKyc(alice, 1, 392, {"from": operator})
    with brownie.reverts(f"TransferLimitExceeded: {alice.address.lower()}, 1000001, 1000000"):
        token.transfer(bob, 1_000_001, {"from": alice})


def test_per_transfer_limit_allows_exact(token, alice, bob):
    token.transfer(bob, 1_000_000, {"from": alice})
    assert token.spentToday(alice) == 1_000_000


def test_daily_limit_reverts_when_exceeded(token, alice, bob, operator):
    token.setTierLimits(1, 1_000_000, 1_500_000, {"from": operator})
    token.transfer(bob, 1_000_000, {"from": alice})
    with brownie.reverts(f"DailyLimitExceeded: {alice.address.lower()}, 1000000, 500001, 1500000"):
        token.transfer(bob, 500_001, {"from": alice})


def test_daily_limit_resets_next_utc_day(token, alice, bob, operator):
    token.setTierLimits(1, 1_000_000, 1_000_000, {"from": operator})
    token.transfer(bob, 1_000_000, {"from": alice})
    chain.sleep(86_400)
    chain.mine()
    assert token.spentToday(alice) == 0
    token.transfer(bob, 1_000_000, {"from": alice})
    assert token.spentToday(alice) == 1_000_000


def test_institutional_tier_has_no_limits(token, registry, alice, bob, operator, bank_a):
    token.setKyc(alice, 4, 392, {"from": operator})
    token.transfer(bob, 2_000_000, {"from": alice})
    assert token.balanceOf(alice) == 0
    assert token.spentToday(alice) == 0
    assert token.tierLimits(4) == (MAX, MAX)


def test_institutional_sender_still_needs_verified_receiver(token, operator, alice, stranger):
    """No limits for the institutional tier, but the receiver checks still apply (AccountNotVerified)."""
    token.setKyc(alice, 4, 392, {"from": operator})
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.transfer(stranger, 1, {"from": alice})
    assert token.balanceOf(alice) == 2_000_000


def test_unlimited_limited_tier_skips_counter(token, alice, bob, operator):
    token.setTierLimits(1, MAX, MAX, {"from": operator})
    token.transfer(bob, 2_000_000, {"from": alice})
    assert token.spentToday(alice) == 0


def test_unlimited_per_transfer_keeps_daily_limit(token, alice, bob, operator):
    """With the per-transfer limit unlimited, a transfer above the old cap passes and the daily limit still
    stops the next one (DailyLimitExceeded)."""
    token.setTierLimits(1, MAX, 1_500_000, {"from": operator})
    token.transfer(bob, 1_200_000, {"from": alice})
    with brownie.reverts(f"DailyLimitExceeded: {alice.address.lower()}, 1200000, 400000, 1500000"):
        token.transfer(bob, 400_000, {"from": alice})
    assert token.spentToday(alice) == 1_200_000


def test_unlimited_daily_keeps_per_transfer_and_receiver_checks(token, alice, bob, operator, stranger):
    """With the daily limit unlimited, the per-transfer limit still applies and an unverified receiver is
    still refused (AccountNotVerified)."""
    token.setTierLimits(1, 500_000, MAX, {"from": operator})
    with brownie.reverts(f"TransferLimitExceeded: {alice.address.lower()}, 500001, 500000"):
        token.transfer(bob, 500_001, {"from": alice})
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.transfer(stranger, 1, {"from": alice})
    token.transfer(bob, 500_000, {"from": alice})
    assert token.spentToday(alice) == 0


def test_limits_apply_to_sender_tier_only(token, alice, bob, operator):
    token.setKyc(bob, 4, 392, {"from": operator})
    token.transfer(alice, 1_500_000, {"from": bob})
    assert token.balanceOf(alice) == 3_500_000


def test_set_tier_limits_stores_and_emits(token, operator):
    tx = token.setTierLimits(2, 5_000, 9_000, {"from": operator})
    assert token.tierLimits(2) == (5_000, 9_000)
    assert tx.events["TierLimitsSet"][0].values() == [2, 5_000, 9_000]


@pytest.mark.parametrize("tier", [0, 4, 5])
def test_set_tier_limits_invalid_tier_reverts(token, operator, tier):
    with brownie.reverts(f"InvalidTier: {tier}"):
        token.setTierLimits(tier, 1, 1, {"from": operator})


@pytest.mark.parametrize("per_transfer,daily,bad", [(0, 1, 0), (1, 0, 0), (2**36 - 1, 1, 2**36 - 1)])
def test_set_tier_limits_invalid_value_reverts(token, operator, per_transfer, daily, bad):
    with brownie.reverts(f"InvalidLimit: 1, {bad}"):
        token.setTierLimits(1, per_transfer, daily, {"from": operator})


def test_tier_limits_of_tier_zero_reverts(token):
    with brownie.reverts("InvalidTier: 0"):
        token.tierLimits(0)


def test_set_tier_limits_by_non_compliance_reverts(token, alice):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.setTierLimits(1, 1, 1, {"from": alice})


# ------------------------------------------------------------------ seize and recover


def test_seize_moves_frozen_funds(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    tx = token.seize(alice, bob, 500_000, REASON, {"from": operator})
    assert token.balanceOf(alice) == 1_500_000
    assert token.balanceOf(bob) == 2_500_000
    assert tx.events["Seized"][0].values() == [alice, bob, 500_000, "0x" + REASON.hex()]
    assert tx.events["Transfer"][0].values() == [alice, bob, 500_000]


def test_seize_ignores_limits_and_pause(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    token.pause({"from": operator})
    token.seize(alice, bob, 2_000_000, REASON, {"from": operator})
    assert token.balanceOf(alice) == 0


def test_seize_from_unfrozen_reverts(token, operator, alice, bob):
    with brownie.reverts(f"AccountNotFrozen: {alice.address.lower()}"):
        token.seize(alice, bob, 1, REASON, {"from": operator})


def test_seize_without_reason_reverts(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    with brownie.reverts("InvalidReasonCode: "):
        token.seize(alice, bob, 1, b"\0" * 32, {"from": operator})


def test_seize_zero_amount_reverts(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    with brownie.reverts("InvalidAmount: "):
        token.seize(alice, bob, 0, REASON, {"from": operator})


def test_seize_above_balance_reverts(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, 2000000, 2000001"):
        token.seize(alice, bob, 2_000_001, REASON, {"from": operator})


def test_seize_to_unverified_reverts(token, operator, alice, stranger):
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.seize(alice, stranger, 1, REASON, {"from": operator})


def test_seize_by_non_compliance_reverts(token, operator, alice, bob):
    token.freeze(alice, {"from": operator})
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.seize(alice, bob, 1, REASON, {"from": bob})


def test_recover_moves_whole_balance_and_retires_lost_account(token, operator, alice, stranger):
    token.setKyc(stranger, 1, 392, {"from": operator})
    tx = token.recover(alice, stranger, REASON, {"from": operator})
    assert token.balanceOf(stranger) == 2_000_000
    assert token.balanceOf(alice) == 0
    assert token.kycOf(alice) == (0, 0, True)
    assert tx.events["AccountRecovered"][0].values() == [alice, stranger, 2_000_000, "0x" + REASON.hex()]


def test_recover_to_unverified_reverts(token, operator, alice, stranger):
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.recover(alice, stranger, REASON, {"from": operator})


def test_recover_to_same_account_reverts(token, operator, alice):
    with brownie.reverts(f"SameAccount: {alice.address.lower()}"):
        token.recover(alice, alice, REASON, {"from": operator})


def test_recover_from_zero_address_reverts(token, operator, alice):
    with brownie.reverts("ZeroAddress: "):
        token.recover(brownie.ZERO_ADDRESS, alice, REASON, {"from": operator})


def test_recover_without_reason_reverts(token, operator, alice, bob):
    with brownie.reverts("InvalidReasonCode: "):
        token.recover(alice, bob, b"\0" * 32, {"from": operator})


def test_recover_by_non_compliance_reverts(token, alice, bob):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.recover(alice, bob, REASON, {"from": bob})


# ------------------------------------------------------------------ pause


def test_pause_blocks_transfers(token, operator, alice, bob):
    tx = token.pause({"from": operator})
    assert token.paused() is True
    assert "Paused" in tx.events
    with brownie.reverts("EnforcedPause: "):
        token.transfer(bob, 1, {"from": alice})


def test_pause_blocks_minting(token, registry, operator, alice, bank_a):
    token.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        registry.mint(1, alice, 1, b"\1" * 32, {"from": bank_a})


def test_pause_twice_reverts(token, operator):
    token.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        token.pause({"from": operator})


def test_unpause_resumes(token, operator, alice, bob):
    token.pause({"from": operator})
    tx = token.unpause({"from": operator})
    assert "Unpaused" in tx.events
    token.transfer(bob, 1, {"from": alice})
    assert token.paused() is False


def test_unpause_when_not_paused_reverts(token, operator):
    with brownie.reverts("ExpectedPause: "):
        token.unpause({"from": operator})


def test_pause_by_non_pauser_reverts(token, alice):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.pause({"from": alice})


# ------------------------------------------------------------------ rescue


def test_rescue_returns_foreign_tokens(token, admin, alice, MockERC20):
    stray = MockERC20.deploy("Stray", "STR", 18, {"from": admin})
    stray.mint(token, 1_000, {"from": admin})
    tx = token.rescueERC20(stray, alice, 1_000, {"from": admin})
    assert stray.balanceOf(alice) == 1_000
    assert tx.events["TokensRescued"][0].values() == [stray, alice, 1_000]


def test_rescue_zero_token_reverts(token, admin, alice):
    """Rescuing from the zero address as token is refused (ZeroAddress)."""
    with brownie.reverts("ZeroAddress: "):
        token.rescueERC20(brownie.ZERO_ADDRESS, alice, 1, {"from": admin})


def test_rescue_zero_amount_reverts(token, admin, alice, MockERC20):
    stray = MockERC20.deploy("Stray", "STR", 18, {"from": admin})
    with brownie.reverts("InvalidAmount: "):
        token.rescueERC20(stray, alice, 0, {"from": admin})


def test_rescue_to_zero_reverts(token, admin, MockERC20):
    stray = MockERC20.deploy("Stray", "STR", 18, {"from": admin})
    with brownie.reverts("ZeroAddress: "):
        token.rescueERC20(stray, brownie.ZERO_ADDRESS, 1, {"from": admin})


def test_rescue_by_non_rescuer_reverts(token, alice, MockERC20, admin):
    stray = MockERC20.deploy("Stray", "STR", 18, {"from": admin})
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.rescueERC20(stray, alice, 1, {"from": alice})


# ------------------------------------------------------------------ admin


def test_default_admin_is_two_step(token, admin, alice):
    token.beginDefaultAdminTransfer(alice, {"from": admin})
    assert token.defaultAdmin() == admin
    chain.sleep(1)
    token.acceptDefaultAdminTransfer({"from": alice})
    assert token.defaultAdmin() == alice


def test_grant_default_admin_directly_reverts(token, admin, alice):
    with brownie.reverts("AccessControlEnforcedDefaultAdminRules: "):
        token.grantRole(token.DEFAULT_ADMIN_ROLE(), alice, {"from": admin})
