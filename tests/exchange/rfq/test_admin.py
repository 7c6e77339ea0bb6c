"""Roles: maker registry, fee, treasury, pause; construction checks."""

import brownie
from brownie import ZERO_ADDRESS


def _unauthorized(account):
    """brownie renders the bytes32 role argument as Python bytes: match the account only."""
    return dict(revert_pattern=f"AccessControlUnauthorizedAccount: {account.address.lower()}, .*")


def test_register_maker_emits(venue, operator, stranger):
    tx = venue.registerMaker(stranger, {"from": operator})
    assert venue.isMaker(stranger)
    assert tx.events["MakerRegistered"]["maker"] == stranger


def test_register_maker_without_role_reverts(venue, stranger):
    with brownie.reverts(**_unauthorized(stranger)):
        venue.registerMaker(stranger, {"from": stranger})


def test_register_zero_maker_reverts(venue, operator):
    with brownie.reverts("ZeroAddress: "):
        venue.registerMaker(ZERO_ADDRESS, {"from": operator})


def test_register_maker_twice_reverts(venue, operator, maker):
    with brownie.reverts(f"MakerAlreadyRegistered: {maker.address.lower()}"):
        venue.registerMaker(maker, {"from": operator})


def test_deregister_maker_emits(venue, operator, maker):
    tx = venue.deregisterMaker(maker, {"from": operator})
    assert not venue.isMaker(maker)
    assert tx.events["MakerDeregistered"]["maker"] == maker


def test_deregister_unknown_maker_reverts(venue, operator, stranger):
    with brownie.reverts(f"MakerNotRegistered: {stranger.address.lower()}"):
        venue.deregisterMaker(stranger, {"from": operator})


def test_deregister_without_role_reverts(venue, stranger, maker):
    with brownie.reverts(**_unauthorized(stranger)):
        venue.deregisterMaker(maker, {"from": stranger})


def test_set_fee_emits(venue, admin):
    tx = venue.setFee(100, {"from": admin})
    assert venue.feeBps() == 100
    assert tx.events["FeeUpdated"].values() == [5, 100]


def test_set_fee_above_max_reverts(venue, admin):
    with brownie.reverts("FeeTooHigh: 101, 100"):
        venue.setFee(101, {"from": admin})


def test_set_fee_without_role_reverts(venue, operator):
    with brownie.reverts(**_unauthorized(operator)):
        venue.setFee(1, {"from": operator})


def test_set_treasury_emits(venue, admin, treasury, stranger):
    tx = venue.setTreasury(stranger, {"from": admin})
    assert venue.treasury() == stranger
    assert tx.events["TreasuryUpdated"].values() == [treasury, stranger]


def test_set_treasury_keeps_fee_and_pause(venue, admin, operator, stranger):
    venue.pause({"from": operator})
    venue.setTreasury(stranger, {"from": admin})
    assert (venue.feeBps(), venue.paused()) == (5, True)


def test_set_zero_treasury_reverts(venue, admin):
    with brownie.reverts("ZeroAddress: "):
        venue.setTreasury(ZERO_ADDRESS, {"from": admin})


def test_set_treasury_without_role_reverts(venue, stranger):
    with brownie.reverts(**_unauthorized(stranger)):
        venue.setTreasury(stranger, {"from": stranger})


def test_pause_and_unpause_emit(venue, operator):
    assert venue.pause({"from": operator}).events["Paused"]["account"] == operator
    assert venue.paused()
    assert venue.unpause({"from": operator}).events["Unpaused"]["account"] == operator
    assert not venue.paused()


def test_pause_twice_reverts(venue, operator):
    venue.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        venue.pause({"from": operator})


def test_unpause_when_live_reverts(venue, operator):
    with brownie.reverts("ExpectedPause: "):
        venue.unpause({"from": operator})


def test_pause_without_role_reverts(venue, stranger):
    with brownie.reverts(**_unauthorized(stranger)):
        venue.pause({"from": stranger})


def test_constructor_rejects_zero_treasury(RfqVenue, admin):
    with brownie.reverts("ZeroAddress: "):
        RfqVenue.deploy(admin, 0, ZERO_ADDRESS, 5, {"from": admin})


def test_constructor_rejects_fee_above_max(RfqVenue, admin, treasury):
    with brownie.reverts("FeeTooHigh: 101, 100"):
        RfqVenue.deploy(admin, 0, treasury, 101, {"from": admin})


def test_constructor_sets_config(RfqVenue, admin, treasury):
    v = RfqVenue.deploy(admin, 3600, treasury, 7, {"from": admin})
    assert (v.treasury(), v.feeBps(), v.paused(), v.defaultAdmin(), v.defaultAdminDelay()) == (
        treasury,
        7,
        False,
        admin,
        3600,
    )
