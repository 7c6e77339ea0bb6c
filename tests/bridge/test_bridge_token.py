"""BridgeToken: the compliant base plus a bridge-only supply; how its compliance rules meet the bridge."""

import brownie
import pytest

from corridor.bridge.attest import KHR, USD

ZERO = "0x" + "00" * 20


def test_token_metadata(bkhr, busd):
    assert (bkhr.symbol(), bkhr.decimals()) == ("bKHR", 0)
    assert (busd.symbol(), busd.decimals()) == ("bUSD", 2)


def test_bridge_is_minter_and_institutional_holder(bridge, bkhr, busd):
    for token in (bkhr, busd):
        assert token.bridge() == bridge
        assert tuple(token.kycOf(bridge)) == (4, 116, False)


def test_mint_by_non_bridge_reverts(bkhr, admin, alice):
    with brownie.reverts(revert_pattern=r"BridgeTokenUnauthorizedBridge.*"):
        bkhr.mint(alice, 1, {"from": admin})


def test_burn_by_non_bridge_reverts(bkhr, admin):
    with brownie.reverts(revert_pattern=r"BridgeTokenUnauthorizedBridge.*"):
        bkhr.burn(1, {"from": admin})


def test_set_bridge_by_admin(bkhr, admin, bob):
    tx = bkhr.setBridge(bob, {"from": admin})
    assert bkhr.bridge() == bob
    assert tx.events["BridgeUpdated"]["newBridge"] == bob


def test_set_bridge_by_non_admin_reverts(bkhr, operator, bob):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bkhr.setBridge(bob, {"from": operator})


def test_set_bridge_zero_reverts(bkhr, admin):
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        bkhr.setBridge(ZERO, {"from": admin})


def test_old_bridge_cannot_mint_after_migration(signers, bridge, bkhr, admin, bob, alice, relayer, funded):
    bkhr.setBridge(bob, {"from": admin})
    with brownie.reverts(revert_pattern=r"BridgeTokenUnauthorizedBridge.*"):
        signers.mint(KHR, 1, alice, relayer)


def test_initialize_twice_reverts(bkhr, admin, bridge):
    with brownie.reverts(revert_pattern=r"InvalidInitialization.*"):
        bkhr.initialize("x", "x", 0, admin, 0, bridge, [(1, 1)] * 3, {"from": admin})


def test_implementation_cannot_be_initialized(deployment, admin, bridge):
    with brownie.reverts(revert_pattern=r"InvalidInitialization.*"):
        deployment.implementation.initialize("x", "x", 0, admin, 0, bridge, [(1, 1)] * 3, {"from": admin})


def test_initialize_zero_bridge_reverts(BridgeToken, ERC1967Proxy, deployment, admin):
    impl = deployment.implementation
    data = impl.initialize.encode_input("x", "x", 0, admin, 0, ZERO, [(1, 1)] * 3)
    with brownie.reverts(revert_pattern=r"ZeroAddress.*"):
        ERC1967Proxy.deploy(impl, data, {"from": admin})


def test_upgrade_without_upgrader_role_reverts(bkhr, deployment, admin):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bkhr.upgradeToAndCall(deployment.implementation, b"", {"from": admin})


def test_upgrade_by_upgrader_keeps_bridge(BridgeToken, bkhr, bridge, admin):
    bkhr.grantRole(bkhr.UPGRADER_ROLE(), admin, {"from": admin})
    new_impl = BridgeToken.deploy({"from": admin})
    bkhr.upgradeToAndCall(new_impl, b"", {"from": admin})
    assert bkhr.bridge() == bridge


# ---------------------------------------------------------------- compliance meets the bridge


def test_mint_to_unverified_recipient_reverts(signers, stranger, relayer, funded):
    with brownie.reverts(revert_pattern=r"AccountNotVerified.*"):
        signers.mint(KHR, 1, stranger, relayer)


def test_mint_to_frozen_recipient_reverts(signers, bkhr, admin, alice, relayer, funded):
    bkhr.freeze(alice, {"from": admin})
    with brownie.reverts(revert_pattern=r"AccountFrozen.*"):
        signers.mint(KHR, 1, alice, relayer)


def test_mint_while_token_paused_reverts(signers, bkhr, operator, alice, relayer, funded):
    bkhr.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        signers.mint(KHR, 1, alice, relayer)


def test_failed_mint_leaves_deposit_unprocessed(signers, bridge, stranger, relayer, funded):
    att = signers.mint_att(KHR, 1, stranger)
    with brownie.reverts(revert_pattern=r"AccountNotVerified.*"):
        bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    assert bridge.mintStatus(att.bakong_tx_hash) == 0


def test_redeem_by_frozen_holder_reverts(signers, bridge, bkhr, admin, alice, relayer, funded):
    signers.mint(KHR, 10, alice, relayer)
    bkhr.approve(bridge, 10, {"from": alice})
    bkhr.freeze(alice, {"from": admin})
    with brownie.reverts(revert_pattern=r"AccountFrozen.*"):
        bridge.redeem(KHR, 10, "dara@aclb", {"from": alice})


def test_refund_to_holder_frozen_meanwhile_waits_for_unfreeze(
    signers, bridge, bkhr, admin, alice, relayer, funded
):
    signers.mint(KHR, 10, alice, relayer)
    bkhr.approve(bridge, 10, {"from": alice})
    rid = bridge.redeem(KHR, 10, "dara@aclb", {"from": alice}).return_value
    bkhr.freeze(alice, {"from": admin})
    j = signers.rejection(rid)
    with brownie.reverts(revert_pattern=r"AccountFrozen.*"):
        bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})
    bkhr.unfreeze(alice, {"from": admin})
    bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})
    assert bkhr.balanceOf(alice) == 10


@pytest.mark.parametrize("currency", [KHR, USD])
def test_bridge_escrow_is_not_bound_by_tier_limits(
    signers, bridge, deployment, admin, alice, relayer, funded, currency
):
    """alice at tier 1 sends within her limit; the bridge (tier 4) receives and later burns without limits."""
    token = deployment.tokens[currency]
    per_transfer = token.tierLimits(1)[0]
    token.setKyc(alice, 1, 116, {"from": admin})
    signers.mint(currency, per_transfer, alice, relayer)
    token.approve(bridge, per_transfer, {"from": alice})
    rid = bridge.redeem(currency, per_transfer, "dara@aclb", {"from": alice}).return_value
    f = signers.finalization(rid)
    bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    assert token.totalSupply() == 0
