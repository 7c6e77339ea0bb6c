"""UUPS upgrades of the token and the registry: state and roles survive, only UPGRADER_ROLE upgrades,
initializers are locked on implementations and proxies."""

import brownie
from brownie import Contract

UNLIMITED = 2**256 - 1
LIMITS = [(1, 1), (1, 1), (UNLIMITED, UNLIMITED)]


def test_token_upgrade_keeps_balances_and_roles(token, registry, admin, operator, alice, JPYStablecoinV2):
    supply, balance = token.totalSupply(), token.balanceOf(alice)
    token.setTierLimits(2, 7, 8, {"from": operator})
    v2 = JPYStablecoinV2.deploy({"from": admin})
    tx = token.upgradeToAndCall(v2, b"", {"from": admin})
    assert tx.events["Upgraded"][0]["implementation"] == v2
    upgraded = Contract.from_abi("JPYStablecoinV2", token.address, JPYStablecoinV2.abi)
    assert upgraded.version() == "2"
    assert upgraded.totalSupply() == supply
    assert upgraded.balanceOf(alice) == balance
    assert upgraded.kycOf(alice) == (1, 392, False)
    assert upgraded.tierLimits(2) == (7, 8)
    assert upgraded.hasRole(upgraded.COMPLIANCE_ROLE(), operator)
    assert upgraded.defaultAdmin() == admin
    assert upgraded.issuerRegistry() == registry
    assert upgraded.decimals() == 0 and upgraded.name() == "JPY Stablecoin"


def test_token_upgrade_by_non_upgrader_reverts(token, operator, admin, JPYStablecoinV2):
    v2 = JPYStablecoinV2.deploy({"from": admin})
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        token.upgradeToAndCall(v2, b"", {"from": operator})


def test_token_transfers_after_upgrade(token, admin, alice, bob, JPYStablecoinV2):
    token.upgradeToAndCall(JPYStablecoinV2.deploy({"from": admin}), b"", {"from": admin})
    token.transfer(bob, 5, {"from": alice})
    assert token.balanceOf(bob) == 2_000_005


def test_token_implementation_initializer_locked(deployment, admin):
    with brownie.reverts("InvalidInitialization: "):
        deployment.token_implementation.initialize("X", "X", 0, admin, 0, LIMITS, admin, {"from": admin})


def test_token_proxy_cannot_be_reinitialized(token, admin):
    with brownie.reverts("InvalidInitialization: "):
        token.initialize("X", "X", 0, admin, 0, LIMITS, admin, {"from": admin})


def test_token_initialize_decimals_above_18_reverts(admin, JPYStablecoin, ERC1967Proxy):
    from corridor.deploy.proxy import deploy_behind_proxy

    with brownie.reverts("InvalidDecimals: 19"):
        deploy_behind_proxy(
            JPYStablecoin, ERC1967Proxy, admin, "initialize", ("X", "X", 19, admin, 0, LIMITS, admin)
        )


def test_token_initialize_zero_registry_reverts(admin, JPYStablecoin, ERC1967Proxy):
    from corridor.deploy.proxy import deploy_behind_proxy

    with brownie.reverts("ZeroAddress: "):
        deploy_behind_proxy(
            JPYStablecoin,
            ERC1967Proxy,
            admin,
            "initialize",
            ("X", "X", 0, admin, 0, LIMITS, brownie.ZERO_ADDRESS),
        )


def test_registry_upgrade_keeps_issuers(registry, admin, bank_a, IssuerRegistryV2):
    before = registry.issuer(1)
    registry.upgradeToAndCall(IssuerRegistryV2.deploy({"from": admin}), b"", {"from": admin})
    upgraded = Contract.from_abi("IssuerRegistryV2", registry.address, IssuerRegistryV2.abi)
    assert upgraded.version() == "2"
    assert upgraded.issuer(1) == before
    assert upgraded.hasRole(upgraded.issuerRole(1), bank_a)


def test_registry_upgrade_by_non_upgrader_reverts(registry, operator, admin, IssuerRegistryV2):
    v2 = IssuerRegistryV2.deploy({"from": admin})
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount: .*"):
        registry.upgradeToAndCall(v2, b"", {"from": operator})


def test_registry_implementation_initializer_locked(deployment, admin):
    with brownie.reverts("InvalidInitialization: "):
        deployment.registry_implementation.initialize(admin, 0, 3600, {"from": admin})
