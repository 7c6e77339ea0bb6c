"""The initializers of JPYStablecoin and IssuerRegistry, each called in its own transaction on a proxy deployed
with empty init data (so coverage sees them): what they store, and every way they refuse."""

import brownie
import pytest

from corridor.deploy.proxy import deploy_behind_proxy

MAX = 2**256 - 1
LIMITS = [(1_000_000, 3_000_000), (10_000_000, 50_000_000), (MAX, MAX)]


@pytest.fixture
def blank_token(deployment, admin, JPYStablecoin, ERC1967Proxy):
    """A JPYStablecoin proxy whose initializer has not run yet."""
    return deploy_behind_proxy(
        JPYStablecoin, ERC1967Proxy, admin, initializer=None, implementation=deployment.token_implementation
    )


@pytest.fixture
def blank_registry(deployment, admin, IssuerRegistry, ERC1967Proxy):
    """An IssuerRegistry proxy whose initializer has not run yet."""
    return deploy_behind_proxy(
        IssuerRegistry,
        ERC1967Proxy,
        admin,
        initializer=None,
        implementation=deployment.registry_implementation,
    )


# ------------------------------------------------------------------ JPYStablecoin


def test_token_initialize_stores_metadata_limits_registry_and_admin(blank_token, registry, admin):
    """initialize() sets name, symbol, decimals, tier limits, the registry and the default admin."""
    tx = blank_token.initialize("JPY Stablecoin", "JPYS", 0, admin, 0, LIMITS, registry, {"from": admin})
    assert (blank_token.name(), blank_token.symbol(), blank_token.decimals()) == ("JPY Stablecoin", "JPYS", 0)
    assert blank_token.issuerRegistry() == registry
    assert blank_token.defaultAdmin() == admin
    assert [tuple(blank_token.tierLimits(t)) for t in (1, 2, 3)] == LIMITS
    assert [e.values() for e in tx.events["TierLimitsSet"]] == [[t, *LIMITS[t - 1]] for t in (1, 2, 3)]
    assert blank_token.totalSupply() == 0
    assert blank_token.paused() is False
    assert "Initialized" in tx.events


def test_token_initialize_with_decimals_scales_limits(blank_token, registry, admin):
    """With 6 decimals, limits are stored in whole tokens and read back in base units."""
    limits = [(10**6 * 5, 10**6 * 7), (MAX, 10**6), (MAX, MAX)]
    blank_token.initialize("USD Coin", "USDX", 6, admin, 0, limits, registry, {"from": admin})
    assert blank_token.decimals() == 6
    assert [tuple(blank_token.tierLimits(t)) for t in (1, 2, 3)] == limits


def test_token_initialize_zero_registry_reverts(blank_token, admin):
    """A token without its issuer registry is refused (ZeroAddress)."""
    with brownie.reverts("ZeroAddress: "):
        blank_token.initialize("X", "X", 0, admin, 0, LIMITS, brownie.ZERO_ADDRESS, {"from": admin})


def test_token_initialize_decimals_above_18_reverts(blank_token, registry, admin):
    """More than 18 decimals is refused with InvalidDecimals(decimals)."""
    with brownie.reverts("InvalidDecimals: 19"):
        blank_token.initialize("X", "X", 19, admin, 0, LIMITS, registry, {"from": admin})


def test_token_initialize_zero_admin_reverts(blank_token, registry, admin):
    """The default admin must be non-zero (OpenZeppelin's AccessControlInvalidDefaultAdmin)."""
    with brownie.reverts(revert_pattern=r"AccessControlInvalidDefaultAdmin: 0x0{40}"):
        blank_token.initialize("X", "X", 0, brownie.ZERO_ADDRESS, 0, LIMITS, registry, {"from": admin})


@pytest.mark.parametrize(
    "limits,tier,bad",
    [
        ([(0, 1), (1, 1), (1, 1)], 1, 0),
        ([(1, 1), (5, 0), (1, 1)], 2, 0),
        ([(1, 1), (1, 1), (2**36 - 1, MAX)], 3, 2**36 - 1),
    ],
)
def test_token_initialize_invalid_limit_reverts(blank_token, registry, admin, limits, tier, bad):
    """Every tier's limits are validated as setTierLimits does: InvalidLimit(tier, limit)."""
    with brownie.reverts(f"InvalidLimit: {tier}, {bad}"):
        blank_token.initialize("X", "X", 0, admin, 0, limits, registry, {"from": admin})


def test_token_initialize_twice_reverts(blank_token, registry, admin, stranger):
    """A proxy is initialized once; a second initialize() reverts with InvalidInitialization."""
    blank_token.initialize("X", "X", 0, admin, 0, LIMITS, registry, {"from": admin})
    with brownie.reverts("InvalidInitialization: "):
        blank_token.initialize("Y", "Y", 0, stranger, 0, LIMITS, registry, {"from": stranger})
    assert blank_token.name() == "X"


def test_fractional_limit_reverts_with_decimals(blank_token, registry, admin):
    """With decimals, a limit that is not a whole number of tokens is refused (InvalidLimit)."""
    blank_token.initialize("X", "X", 6, admin, 0, LIMITS, registry, {"from": admin})
    blank_token.grantRole(blank_token.COMPLIANCE_ROLE(), admin, {"from": admin})
    with brownie.reverts(f"InvalidLimit: 1, {10**6 + 1}"):
        blank_token.setTierLimits(1, 10**6 + 1, 10**7, {"from": admin})
    with brownie.reverts(f"InvalidLimit: 2, {5 * 10**5}"):
        blank_token.setTierLimits(2, 10**6, 5 * 10**5, {"from": admin})


def test_daily_limit_above_spent_counter_reverts(blank_token, registry, admin):
    """With 18 decimals, a daily limit of fewer than 2^36-1 whole tokens can still exceed the 88-bit spent
    counter: refused with InvalidLimit; the same value is accepted as a per-transfer limit."""
    blank_token.initialize("X", "X", 18, admin, 0, [(MAX, MAX)] * 3, registry, {"from": admin})
    blank_token.grantRole(blank_token.COMPLIANCE_ROLE(), admin, {"from": admin})
    big = 10**9 * 10**18  # 10^27 > 2^88 - 1, 10^9 whole tokens < 2^36 - 1
    with brownie.reverts(f"InvalidLimit: 1, {big}"):
        blank_token.setTierLimits(1, 10**18, big, {"from": admin})
    blank_token.setTierLimits(1, big, 10**18, {"from": admin})
    assert tuple(blank_token.tierLimits(1)) == (big, 10**18)


# ------------------------------------------------------------------ IssuerRegistry


def test_registry_initialize_stores_admin_and_max_age(blank_registry, admin):
    """initialize() sets the default admin and the maximum attestation age; issuer ids start at 1."""
    tx = blank_registry.initialize(admin, 0, 3_600, {"from": admin})
    assert blank_registry.defaultAdmin() == admin
    assert blank_registry.maxAttestationAge() == 3_600
    assert tx.events["MaxAttestationAgeSet"][0].values() == [3_600]
    assert blank_registry.token() == brownie.ZERO_ADDRESS
    blank_registry.grantRole(blank_registry.ISSUER_ADMIN_ROLE(), admin, {"from": admin})
    add = blank_registry.addIssuer("Trust Bank C", b"\3" * 32, admin, {"from": admin})
    assert add.events["IssuerAdded"]["issuerId"] == 1


def test_registry_initialize_zero_max_age_reverts(blank_registry, admin):
    """A zero maximum attestation age is refused (InvalidMaxAttestationAge)."""
    with brownie.reverts("InvalidMaxAttestationAge: "):
        blank_registry.initialize(admin, 0, 0, {"from": admin})


def test_registry_initialize_zero_admin_reverts(blank_registry, admin):
    """The default admin must be non-zero (OpenZeppelin's AccessControlInvalidDefaultAdmin)."""
    with brownie.reverts(revert_pattern=r"AccessControlInvalidDefaultAdmin: 0x0{40}"):
        blank_registry.initialize(brownie.ZERO_ADDRESS, 0, 3_600, {"from": admin})


def test_registry_initialize_twice_reverts(blank_registry, admin, stranger):
    """A registry proxy is initialized once; a second initialize() reverts with InvalidInitialization."""
    blank_registry.initialize(admin, 0, 3_600, {"from": admin})
    with brownie.reverts("InvalidInitialization: "):
        blank_registry.initialize(stranger, 0, 60, {"from": stranger})
    assert blank_registry.maxAttestationAge() == 3_600
