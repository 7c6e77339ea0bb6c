"""The handover and the role check of corridor/deploy/roles.py in process, on one FXFeed (admin,
reporter, market hours): the deployer ends with nothing but a pending admin transfer, the new admin
accepts after the delay, and every kind of wrong role is one line. The whole suite's handover on a
live network is tested in tests/deploy/test_deploy_script.py."""

from __future__ import annotations

import brownie
import pytest
from brownie import chain, web3

from corridor.deploy.roles import accept_transfers, check_roles, hand_over, pending_for
from corridor.exchange.deploy import DEFAULT_CONFIG, deploy_feed

DELAY = 3_600
NAME = "FXFeed JPY/USD"


@pytest.fixture
def feed(FXFeed, admin):
    return deploy_feed(brownie, admin, DEFAULT_CONFIG["pairs"]["JPY"]["feed"], DELAY)


def _plan(new_admin, reporters, market_hours):
    return {
        NAME: {
            "admin": (new_admin.address,),
            "reporter": tuple(a.address for a in reporters),
            "market_hours": (market_hours.address,),
        }
    }


def _check(feed, plan, deployer, start):
    return check_roles({NAME: feed}, plan, deployer, web3, start)


def test_handover_leaves_the_deployer_only_a_pending_admin_transfer(feed, admin, alice, bob, accounts):
    start = web3.eth.block_number
    feed.grantRole(feed.REPORTER_ROLE(), admin, {"from": admin})
    feed.grantRole(feed.MARKET_HOURS_ROLE(), admin, {"from": admin})
    plan = _plan(alice, [bob, accounts[6]], bob)
    assert hand_over({NAME: feed}, plan, admin) == 2 + 1 + 1 + 1 + 1  # grants, renounces, admin transfer
    for role in (feed.REPORTER_ROLE(), feed.MARKET_HOURS_ROLE()):
        assert not feed.hasRole(role, admin)
    assert feed.hasRole(feed.REPORTER_ROLE(), accounts[6]) and feed.hasRole(feed.MARKET_HOURS_ROLE(), bob)
    report = _check(feed, plan, admin, start)
    assert report.problems == []
    (pending,) = report.pending
    assert (pending.contract, pending.new_admin) == (NAME, alice.address)
    assert pending.acceptable_after == chain[-1].timestamp + DELAY  # the transfer was the last transaction

    accepted, waiting = accept_transfers({NAME: feed}, alice, chain[-1].timestamp)
    assert (accepted, waiting) == ([], [pending])
    chain.sleep(DELAY + 1)
    chain.mine()
    accepted, waiting = accept_transfers({NAME: feed}, alice, chain[-1].timestamp)
    assert (accepted, waiting) == ([pending], [])
    assert feed.defaultAdmin() == alice and not feed.hasRole(feed.DEFAULT_ADMIN_ROLE(), admin)
    assert pending_for({NAME: feed}, alice) == []
    assert _check(feed, plan, admin, start).problems == []
    assert _check(feed, plan, admin, start).pending == []


def test_deployer_configured_as_holder_sends_nothing(feed, admin):
    start = web3.eth.block_number
    feed.grantRole(feed.REPORTER_ROLE(), admin, {"from": admin})
    feed.grantRole(feed.MARKET_HOURS_ROLE(), admin, {"from": admin})
    plan = _plan(admin, [admin], admin)
    assert hand_over({NAME: feed}, plan, admin) == 0
    assert _check(feed, plan, admin, start).problems == []


def test_every_wrong_role_is_one_line(feed, admin, alice, bob, accounts):
    start = web3.eth.block_number
    stranger = accounts[7]
    feed.grantRole(feed.REPORTER_ROLE(), admin, {"from": admin})  # the deployer keeps a role not its own
    feed.grantRole(feed.MARKET_HOURS_ROLE(), stranger, {"from": admin})  # someone else holds one
    feed.grantRole("0x" + "ab" * 32, stranger, {"from": admin})  # a role the settings do not know
    feed.beginDefaultAdminTransfer(stranger, {"from": admin})  # the admin goes to the wrong party
    report = _check(feed, _plan(alice, [bob], bob), admin, start)
    assert report.pending == []
    assert report.problems == [
        f"{NAME} DEFAULT_ADMIN_ROLE: held by {admin.address} (deployer) (pending transfer to {stranger.address}); "
        f"configured: {alice.address}",
        f"{NAME} REPORTER_ROLE: held by {admin.address} (deployer); configured: {bob.address}",
        f"{NAME} MARKET_HOURS_ROLE: held by {stranger.address}; configured: {bob.address}",
        f"{NAME} role 0x{'ab' * 32}: held by {stranger.address}; not in the settings",
    ]


def test_an_admin_already_handed_over_with_a_transfer_pending_is_a_problem(feed, admin, alice):
    start = web3.eth.block_number
    plan = {NAME: {"admin": (admin.address,), "reporter": (), "market_hours": ()}}
    feed.beginDefaultAdminTransfer(alice, {"from": admin})
    (line,) = _check(feed, plan, admin, start).problems
    assert line == (
        f"{NAME} DEFAULT_ADMIN_ROLE: held by {admin.address} (deployer) (pending transfer to {alice.address}); "
        f"configured: {admin.address} (deployer)"
    )
