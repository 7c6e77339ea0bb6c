"""BridgeToken's initializer, called in its own transaction on a proxy deployed with empty init data (so coverage
sees it): what it stores, and every way it refuses."""

import brownie
import pytest

from corridor.deploy.proxy import deploy_behind_proxy

MAX = 2**256 - 1
LIMITS = [(100_000, 500_000), (1_000_000, MAX), (MAX, MAX)]
ZERO = "0x" + "00" * 20


@pytest.fixture
def blank(admin, BridgeToken, ERC1967Proxy):
    """A BridgeToken proxy whose initializer has not run yet."""
    return deploy_behind_proxy(BridgeToken, ERC1967Proxy, admin, initializer=None)


def test_initialize_stores_metadata_limits_and_bridge(blank, admin, bob):
    """initialize() sets name, symbol, decimals, tier limits, the default admin and the bridge."""
    tx = blank.initialize("Bakong Dollar", "bUSD", 2, admin, 0, bob, LIMITS, {"from": admin})
    assert (blank.name(), blank.symbol(), blank.decimals()) == ("Bakong Dollar", "bUSD", 2)
    assert blank.bridge() == bob
    assert blank.defaultAdmin() == admin
    assert [tuple(blank.tierLimits(t)) for t in (1, 2, 3)] == LIMITS
    assert tx.events["BridgeUpdated"][0].values() == [ZERO, bob]
    assert len(tx.events["TierLimitsSet"]) == 3


def test_initialized_bridge_mints_and_burns(blank, admin, bob, alice):
    """The bridge set by initialize() is the one minter: it mints to a verified holder and burns its own."""
    blank.initialize("Bakong Riel", "bKHR", 0, admin, 0, bob, LIMITS, {"from": admin})
    blank.grantRole(blank.COMPLIANCE_ROLE(), admin, {"from": admin})
    blank.setKyc(alice, 1, 116, {"from": admin})
    blank.setKyc(bob, 4, 116, {"from": admin})
    blank.mint(alice, 700, {"from": bob})
    blank.mint(bob, 300, {"from": bob})
    blank.burn(100, {"from": bob})
    assert (blank.balanceOf(alice), blank.balanceOf(bob), blank.totalSupply()) == (700, 200, 900)


def test_mint_to_zero_address_reverts(blank, admin, bob):
    """Minting to the zero address is refused with ERC20InvalidReceiver(0)."""
    blank.initialize("Bakong Riel", "bKHR", 0, admin, 0, bob, LIMITS, {"from": admin})
    with brownie.reverts(f"ERC20InvalidReceiver: {ZERO}"):
        blank.mint(ZERO, 1, {"from": bob})


def test_initialize_zero_bridge_reverts(blank, admin):
    """A token without a bridge is refused (ZeroAddress)."""
    with brownie.reverts("ZeroAddress: "):
        blank.initialize("Bakong Riel", "bKHR", 0, admin, 0, ZERO, LIMITS, {"from": admin})


def test_initialize_decimals_above_18_reverts(blank, admin, bob):
    """More than 18 decimals is refused with InvalidDecimals(decimals)."""
    with brownie.reverts("InvalidDecimals: 19"):
        blank.initialize("Bakong Riel", "bKHR", 19, admin, 0, bob, LIMITS, {"from": admin})


def test_initialize_fractional_limit_reverts(blank, admin, bob):
    """With 2 decimals (cents), a limit that is not a whole number of dollars is refused (InvalidLimit)."""
    limits = [(150, 500), *LIMITS[1:]]
    with brownie.reverts("InvalidLimit: 1, 150"):
        blank.initialize("Bakong Dollar", "bUSD", 2, admin, 0, bob, limits, {"from": admin})


def test_initialize_twice_reverts(blank, admin, bob, stranger):
    """A proxy is initialized once; a second initialize() reverts with InvalidInitialization."""
    blank.initialize("Bakong Riel", "bKHR", 0, admin, 0, bob, LIMITS, {"from": admin})
    with brownie.reverts("InvalidInitialization: "):
        blank.initialize("X", "X", 0, stranger, 0, stranger, LIMITS, {"from": stranger})
    assert blank.bridge() == bob
