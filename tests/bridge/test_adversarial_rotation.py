"""A compromised validator quorum and the admin's answer to it (rotation): rotation kills every signature of
the old epoch, but a large mint that the old quorum already queued stays executable after its delay. The
guardian's veto is the control for it (documented in docs/security.md)."""

import brownie
from eth_account import Account

from corridor.bridge.attest import USD

from .conftest import validator_keys


def _queue_large(signers, bridge, alice, relayer):
    amount = bridge.limitsOf(USD)[1] + 1  # above the large-mint threshold
    att = signers.mint_att(USD, amount, alice)
    assert bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer}).return_value is True
    return att


def _rotate(bridge, admin):
    keys = validator_keys(5, salt="after-compromise")
    bridge.setValidators([Account.from_key(k).address for k in keys], 3, {"from": admin})


def test_queued_mint_of_a_rotated_out_quorum_still_executes(
    signers, bridge, busd, admin, alice, relayer, funded, chain
):
    """Known limit: the queue holds attestations already verified; rotation does not re-check them."""
    att = _queue_large(signers, bridge, alice, relayer)
    _rotate(bridge, admin)
    chain.sleep(bridge.timings()[1] + 1)
    chain.mine()
    bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})
    assert busd.balanceOf(alice) == att.amount


def test_guardian_veto_removes_a_compromised_quorums_queued_mint(
    signers, bridge, busd, admin, guardian, alice, relayer, funded, chain
):
    """The response to a stolen quorum: rotate (new signatures die), veto what it queued (old ones)."""
    att = _queue_large(signers, bridge, alice, relayer)
    _rotate(bridge, admin)
    bridge.vetoQueuedMint(att.bakong_tx_hash, b"COMPROMISED-QUORUM".ljust(32, b"\0"), {"from": guardian})
    chain.sleep(bridge.timings()[1] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"MintNotQueued.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})
    assert busd.balanceOf(alice) == 0


def test_old_quorum_cannot_queue_after_rotation(signers, bridge, admin, alice, relayer, funded):
    att = signers.mint_att(USD, bridge.limitsOf(USD)[1] + 1, alice)
    sigs = signers.sign(att)
    _rotate(bridge, admin)
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        bridge.mint(att.as_tuple(), sigs, {"from": relayer})
