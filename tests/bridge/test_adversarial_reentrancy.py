"""A token that calls out during mint, burn and transfer (HookBridgeToken), listed as a bridge currency:
whatever the hook re-enters, the bridge's state was final before the token got control (a Bakong hash is
marked minted, a queued mint un-queued, a redemption no longer pending) and every escrow path holds its
reentrancy guard, so each re-entry fails with its specific error and the outer call's books stay exact.
(The real BridgeToken has no hooks; this is defence in depth for any token an admin might list.)"""

import brownie
import pytest
from brownie import web3

from .conftest import RESERVE

HOOK = 999  # the hooked test currency's code
MAX = 2**256 - 1
REENTRANT = web3.keccak(text="ReentrancyGuardReentrantCall()")[:4].hex().removeprefix("0x")


def _selector(signature):
    return web3.keccak(text=signature)[:4].hex().removeprefix("0x")


@pytest.fixture(scope="module")
def hooked(HookBridgeToken, ReentrantCaller, bridge, admin, alice):
    token = HookBridgeToken.deploy("Hook Riel", "hKHR", 0, {"from": admin})
    token.setBridge(bridge, {"from": admin})
    bridge.addCurrency(HOOK, token, bridge.limitsOf(116), {"from": admin})
    token.approve(bridge, MAX, {"from": alice})
    return token, ReentrantCaller.deploy({"from": admin})


@pytest.fixture
def reserve(signers, relayer, hooked):
    signers.attest_reserve(HOOK, RESERVE, relayer)


def _arm(token, attacker, calls, sender):
    attacker.setCalls([c[0] for c in calls], [c[1] for c in calls], {"from": sender})
    token.arm(attacker, attacker.fire.encode_input(), {"from": sender})


def _last_error(token):
    assert not token.lastSuccess()
    return token.lastResult().hex().removeprefix("0x")[:8]


def _mint_to(signers, bridge, recipient, amount, relayer):
    att = signers.mint_att(HOOK, amount, recipient)
    return bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})


def test_replaying_the_attestation_from_the_mint_hook_fails(signers, bridge, hooked, reserve, alice, relayer):
    """The token's mint hook submits the same attestation again: the Bakong hash is already Minted."""
    token, attacker = hooked
    att = signers.mint_att(HOOK, 5_000, alice)
    sigs = signers.sign(att)
    _arm(token, attacker, [(bridge, bridge.mint.encode_input(att.as_tuple(), sigs))], alice)
    bridge.mint(att.as_tuple(), sigs, {"from": relayer})
    assert _last_error(token) == _selector("BakongTxAlreadyProcessed(bytes32)")
    assert token.balanceOf(alice) == 5_000
    assert token.totalSupply() == 5_000


def test_executing_a_queued_mint_twice_from_its_hook_fails(
    signers, bridge, hooked, reserve, alice, relayer, chain
):
    token, attacker = hooked
    big = bridge.limitsOf(HOOK)[1] + 1  # above the large-mint threshold: queued
    att = signers.mint_att(HOOK, big, alice)
    assert bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer}).return_value is True
    chain.sleep(bridge.timings()[1] + 1)
    chain.mine()
    tx_hash = att.bakong_tx_hash
    _arm(token, attacker, [(bridge, bridge.executeQueuedMint.encode_input(tx_hash))], alice)
    bridge.executeQueuedMint(tx_hash, {"from": relayer})
    assert _last_error(token) == _selector("MintNotQueued(bytes32)")
    assert token.totalSupply() == big


def test_reentry_while_escrowing_a_redemption_is_refused(signers, bridge, hooked, reserve, alice, relayer):
    """The pull of the escrow (holder -> bridge) fires the hook; a second redeem is refused by the guard."""
    token, attacker = hooked
    _mint_to(signers, bridge, alice, 10_000, relayer)
    _arm(token, attacker, [(bridge, bridge.redeem.encode_input(HOOK, 1_000, "alice@abaa"))], alice)
    rid = bridge.redeem(HOOK, 4_000, "alice@abaa", {"from": alice}).return_value
    assert _last_error(token) == REENTRANT
    assert bridge.redemptionCount() == rid == 1
    assert token.balanceOf(bridge) == 4_000


def test_finalizing_from_the_reclaim_refund_is_refused(
    signers, bridge, hooked, reserve, alice, relayer, chain
):
    """The holder reclaims after the deadline; during the refund the hook submits a valid finalization of the
    same redemption (a late payout): the guard refuses it, and afterwards the redemption is Reclaimed, so
    the finalization can never burn the refunded tokens."""
    token, attacker = hooked
    _mint_to(signers, bridge, alice, 10_000, relayer)
    rid = bridge.redeem(HOOK, 4_000, "alice@abaa", {"from": alice}).return_value
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    fin = signers.finalization(rid)
    _arm(
        token,
        attacker,
        [(bridge, bridge.finalizeRedemption.encode_input(fin.as_tuple(), signers.sign(fin)))],
        alice,
    )
    bridge.reclaim(rid, {"from": alice})
    assert _last_error(token) == REENTRANT
    assert token.balanceOf(alice) == 10_000
    assert token.totalSupply() == 10_000
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        bridge.finalizeRedemption(fin.as_tuple(), signers.sign(fin), {"from": relayer})


def test_reclaiming_from_the_rejection_refund_is_refused(
    signers, bridge, hooked, reserve, alice, relayer, chain
):
    token, attacker = hooked
    _mint_to(signers, bridge, alice, 10_000, relayer)
    rid = bridge.redeem(HOOK, 4_000, "alice@abaa", {"from": alice}).return_value
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    rej = signers.rejection(rid)
    _arm(token, attacker, [(bridge, bridge.reclaim.encode_input(rid))], alice)
    bridge.rejectRedemption(rej.as_tuple(), signers.sign(rej), {"from": relayer})
    assert _last_error(token) == REENTRANT
    assert token.balanceOf(alice) == 10_000
    assert token.balanceOf(bridge) == 0
