"""Roles and configuration: validator rotation, timings, currencies, limits, pause/unpause."""

import brownie
import pytest
from eth_account import Account

from corridor.bridge.attest import USD
from corridor.bridge.deploy import administration_address

from .conftest import validator_keys

ZERO = "0x" + "00" * 20


def _addresses(n, salt="admin-test"):
    return [Account.from_key(k).address for k in validator_keys(n, salt)]


def test_constructor_state(bridge, signers, admin):
    assert bridge.epoch() == 1
    assert bridge.threshold() == 3
    assert list(bridge.validators()) == signers.addresses
    assert all(bridge.isValidator(a) for a in signers.addresses)
    assert not bridge.isValidator(ZERO)
    assert bridge.owner() == admin


@pytest.mark.call_coverage
def test_domain_separator_matches_python(bridge, signers):
    from eth_abi import encode
    from eth_utils import keccak

    d = signers.domain
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(
                    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak(text=d.name),
                keccak(text=d.version),
                d.chain_id,
                d.verifying_contract,
            ],
        )
    )
    assert bytes(bridge.DOMAIN_SEPARATOR()) == expected


def test_set_validators_rotates_epoch(bridge, admin, signers):
    new = _addresses(7)
    tx = bridge.setValidators(new, 4, {"from": admin})
    assert bridge.epoch() == 2
    assert bridge.threshold() == 4
    assert list(bridge.validators()) == new
    assert not any(bridge.isValidator(a) for a in signers.addresses)
    assert tx.events["ValidatorSetUpdated"]["epoch"] == 2


def test_set_validators_by_non_admin_reverts(bridge, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.setValidators(_addresses(3), 2, {"from": operator})


def test_set_validators_empty_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"ValidatorSetEmpty.*"):
        bridge.setValidators([], 1, {"from": admin})


def test_set_validators_too_many_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"ValidatorSetTooLarge.*"):
        bridge.setValidators(_addresses(33), 17, {"from": admin})


@pytest.mark.parametrize("n,threshold", [(5, 0), (5, 2), (4, 2), (5, 6), (1, 0), (2, 1)])
def test_set_validators_threshold_not_strict_majority_reverts(bridge, admin, n, threshold):
    with brownie.reverts(revert_pattern=r"InvalidThreshold.*"):
        bridge.setValidators(_addresses(n), threshold, {"from": admin})


@pytest.mark.parametrize("n,threshold", [(1, 1), (2, 2), (3, 2), (5, 3), (7, 4), (9, 9)])
def test_set_validators_strict_majority_accepted(bridge, admin, n, threshold):
    bridge.setValidators(_addresses(n), threshold, {"from": admin})
    assert bridge.threshold() == threshold


def test_set_validators_unsorted_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"ValidatorsNotAscending.*"):
        bridge.setValidators(list(reversed(_addresses(3))), 2, {"from": admin})


def test_set_validators_duplicate_reverts(bridge, admin):
    a = _addresses(2)
    with brownie.reverts(revert_pattern=r"ValidatorsNotAscending.*"):
        bridge.setValidators([a[0], a[1], a[1]], 2, {"from": admin})


def test_set_validators_zero_address_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"ValidatorsNotAscending.*"):
        bridge.setValidators([ZERO] + _addresses(2), 2, {"from": admin})


def test_constructor_rejects_empty_set(BakongBridge, admin):
    with brownie.reverts(revert_pattern=r"ValidatorSetEmpty.*"):
        BakongBridge.deploy(admin, 0, [], 0, (1, 1, 1), {"from": admin})


def test_constructor_rejects_zero_threshold(BakongBridge, admin):
    with brownie.reverts(revert_pattern=r"InvalidThreshold.*"):
        BakongBridge.deploy(admin, 0, _addresses(1), 0, (1, 1, 1), {"from": admin})


def test_constructor_rejects_zero_timing(BakongBridge, admin):
    with brownie.reverts(revert_pattern=r"ZeroTiming.*"):
        BakongBridge.deploy(admin, 0, _addresses(1), 1, (0, 1, 1), {"from": admin})


def test_set_timings(bridge, admin):
    tx = bridge.setTimings((10, 20, 30), {"from": admin})
    assert tuple(bridge.timings()) == (10, 20, 30)
    assert tx.events["TimingsUpdated"]["redemptionTimeout"] == 30


@pytest.mark.parametrize("timings", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_set_timings_zero_reverts(bridge, admin, timings):
    with brownie.reverts(revert_pattern=r"ZeroTiming.*"):
        bridge.setTimings(timings, {"from": admin})


def test_set_timings_by_non_admin_reverts(bridge, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.setTimings((1, 1, 1), {"from": operator})


def _limits(bridge):
    return list(bridge.limitsOf(USD))


def test_add_currency(bridge, admin, MockBridgeToken):
    token = MockBridgeToken.deploy("Bakong Yen", "bJPY", 0, {"from": admin})
    token.setBridge(bridge, {"from": admin})
    limits = _limits(bridge)
    tx = bridge.addCurrency(392, token, limits, {"from": admin})
    assert bridge.tokenOf(392) == token
    assert list(bridge.limitsOf(392)) == limits
    assert bridge.inboundAvailable(392) == limits[3]  # a new bucket starts full
    assert tx.events["CurrencyAdded"]["token"] == token


def test_add_currency_twice_reverts(bridge, admin, busd):
    with brownie.reverts(revert_pattern=r"CurrencyAlreadyAdded.*"):
        bridge.addCurrency(USD, busd, _limits(bridge), {"from": admin})


def test_add_currency_zero_code_reverts(bridge, admin, busd):
    with brownie.reverts(revert_pattern=r"ZeroCurrency.*"):
        bridge.addCurrency(0, busd, _limits(bridge), {"from": admin})


@pytest.mark.parametrize("token", [ZERO, "0x" + "22" * 20])
def test_add_currency_non_contract_token_reverts(bridge, admin, token):
    with brownie.reverts(revert_pattern=r"InvalidToken.*"):
        bridge.addCurrency(392, token, _limits(bridge), {"from": admin})


def test_add_currency_token_bound_to_other_bridge_reverts(bridge, admin, bob, MockBridgeToken):
    token = MockBridgeToken.deploy("Bakong Yen", "bJPY", 0, {"from": admin})
    token.setBridge(bob, {"from": admin})
    with brownie.reverts(revert_pattern=r"InvalidToken.*"):
        bridge.addCurrency(392, token, _limits(bridge), {"from": admin})


def test_add_currency_by_non_admin_reverts(bridge, operator, busd):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.addCurrency(392, busd, _limits(bridge), {"from": operator})


@pytest.mark.parametrize(
    "index,value",
    [(0, 0), (1, 0), (1, 10**12), (3, 0), (4, 0), (5, 0), (6, 0), (3, 1), (5, 1)],
    ids=[
        "cap0",
        "threshold0",
        "threshold>cap",
        "inCap0",
        "inRate0",
        "outCap0",
        "outRate0",
        "inCap<cap",
        "outCap<cap",
    ],
)
def test_set_currency_limits_invalid_reverts(bridge, admin, index, value):
    limits = _limits(bridge)
    limits[index] = value
    with brownie.reverts(revert_pattern=r"InvalidLimits.*"):
        bridge.setCurrencyLimits(USD, limits, {"from": admin})


def test_set_currency_limits_clamps_bucket(bridge, admin):
    limits = _limits(bridge)
    limits[0], limits[1], limits[3] = 100, 100, 500
    tx = bridge.setCurrencyLimits(USD, limits, {"from": admin})
    assert bridge.inboundAvailable(USD) == 500
    assert list(tx.events["CurrencyLimitsUpdated"]["limits"]) == limits


def test_set_currency_limits_unknown_currency_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        bridge.setCurrencyLimits(1, _limits(bridge), {"from": admin})


def test_set_currency_limits_by_non_admin_reverts(bridge, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.setCurrencyLimits(USD, _limits(bridge), {"from": operator})


def test_pause_by_pauser(bridge, operator):
    tx = bridge.pause({"from": operator})
    assert bridge.paused()
    assert "Paused" in tx.events


def test_pause_by_non_pauser_reverts(bridge, admin, stranger):
    for who in (admin, stranger):
        with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
            bridge.pause({"from": who})


def test_unpause_by_admin(bridge, admin, operator):
    bridge.pause({"from": operator})
    bridge.unpause({"from": admin})
    assert not bridge.paused()


def test_unpause_by_pauser_reverts(bridge, operator):
    bridge.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.unpause({"from": operator})


def test_unpause_when_not_paused_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"ExpectedPause.*"):
        bridge.unpause({"from": admin})


def test_admin_transfer_waits_for_delay(bridge, admin, bob, chain):
    bridge.beginDefaultAdminTransfer(bob, {"from": admin})
    with brownie.reverts(revert_pattern=r"AccessControlEnforcedDefaultAdminDelay.*"):
        bridge.acceptDefaultAdminTransfer({"from": bob})
    chain.sleep(2)
    chain.mine()
    bridge.acceptDefaultAdminTransfer({"from": bob})
    assert bridge.owner() == bob


# ---------------------------------------------------------------- the configuration half (BakongBridgeAdmin)


def _administration(bridge):
    """The BakongBridgeAdmin the bridge's constructor created (the bridge's first CREATE, nonce 1)."""
    return administration_address(bridge.address)


def test_administration_is_created_by_the_bridge(bridge, deployment, BakongBridgeAdmin):
    assert deployment.administration.address == _administration(bridge)
    code = brownie.web3.eth.get_code(_administration(bridge))
    assert len(code) > 0
    # the immutable `_self` differs per deployment; the rest is the compiled runtime code
    assert len(code) == len(bytes.fromhex(BakongBridgeAdmin._build["deployedBytecode"]))


@pytest.mark.parametrize(
    "call",
    [
        lambda a, who: a.setTimings((1, 1, 1), {"from": who}),
        lambda a, who: a.setValidators([who], 1, {"from": who}),
        lambda a, who: a.resumeMinting(USD, {"from": who}),
        lambda a, who: a.vetoQueuedMint(b"\x01" * 32, b"\x01" * 32, {"from": who}),
    ],
)
def test_administration_called_directly_reverts(bridge, BakongBridgeAdmin, admin, call):
    """Outside the bridge's delegatecall the configuration half refuses to run (its own storage stays empty),
    whoever calls it: the bridge that created it is its placeholder admin, never an account."""
    direct = BakongBridgeAdmin.at(_administration(bridge))
    with brownie.reverts(revert_pattern=r"NotDelegated.*"):
        call(direct, admin)


def test_administration_deployed_alone_refuses_even_its_deployer(BakongBridgeAdmin, admin):
    direct = BakongBridgeAdmin.deploy({"from": admin})
    assert direct.hasRole(direct.DEFAULT_ADMIN_ROLE(), admin)
    with brownie.reverts(revert_pattern=r"NotDelegated.*"):
        direct.setTimings((1, 1, 1), {"from": admin})


def test_forwarded_call_keeps_the_callers_role_check(bridge, stranger):
    """The bridge forwards without checking; the role check runs in the bridge's storage with the caller's
    address, so a stranger is refused with OZ's error naming the stranger."""
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.setTimings((5, 5, 5), {"from": stranger})
    assert bridge.timings() != (5, 5, 5)
