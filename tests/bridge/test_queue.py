"""Large mints wait in the queue behind the timelock; a guardian may veto; anyone executes after."""

import brownie

from corridor.bridge.attest import USD


def _queue(signers, bridge, alice, relayer, amount=None):
    amount = amount or bridge.limitsOf(USD)[1] + 1  # just above the large-mint threshold
    att = signers.mint_att(USD, amount, alice)
    tx = bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    return att, tx


def _wait_delay(bridge, chain):
    chain.sleep(bridge.timings()[1] + 1)
    chain.mine()


def test_mint_above_threshold_is_queued_not_minted(signers, bridge, busd, alice, relayer, funded):
    att, tx = _queue(signers, bridge, alice, relayer)
    assert busd.balanceOf(alice) == 0
    assert bridge.mintStatus(att.bakong_tx_hash) == 2
    ev = tx.events["MintQueued"]
    assert ev["executableAt"] == tx.timestamp + bridge.timings()[1]
    assert tuple(bridge.queuedMint(att.bakong_tx_hash)) == (alice, USD, ev["executableAt"], att.amount)


def test_mint_at_threshold_is_immediate(signers, bridge, busd, alice, relayer, funded):
    threshold = bridge.limitsOf(USD)[1]
    _queue(signers, bridge, alice, relayer, amount=threshold)
    assert busd.balanceOf(alice) == threshold


def test_queued_mint_charges_inbound_bucket(signers, bridge, alice, relayer, funded):
    before = bridge.inboundAvailable(USD)
    att, _ = _queue(signers, bridge, alice, relayer)
    assert bridge.inboundAvailable(USD) == before - att.amount


def test_execute_queued_mint_after_delay_by_anyone(
    signers, bridge, busd, alice, stranger, relayer, funded, chain
):
    att, _ = _queue(signers, bridge, alice, relayer)
    signers.attest_reserve(USD, 10**15 + 1, relayer)  # keep the reserve fresh across the delay
    _wait_delay(bridge, chain)
    signers.attest_reserve(USD, 10**15 + 2, relayer)
    tx = bridge.executeQueuedMint(att.bakong_tx_hash, {"from": stranger})
    assert busd.balanceOf(alice) == att.amount
    assert bridge.mintStatus(att.bakong_tx_hash) == 1
    assert tx.events["Minted"]["amount"] == att.amount
    assert tuple(bridge.queuedMint(att.bakong_tx_hash)) == ("0x" + "00" * 20, 0, 0, 0)


def test_execute_queued_mint_before_delay_reverts(signers, bridge, alice, relayer, funded):
    att, _ = _queue(signers, bridge, alice, relayer)
    with brownie.reverts(revert_pattern=r"MintNotReady.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})


def test_execute_queued_mint_twice_reverts(signers, bridge, alice, relayer, funded, chain):
    att, _ = _queue(signers, bridge, alice, relayer)
    _wait_delay(bridge, chain)
    signers.attest_reserve(USD, 10**15 + 1, relayer)
    bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})
    with brownie.reverts(revert_pattern=r"MintNotQueued.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})


def test_execute_unknown_hash_reverts(bridge, relayer):
    with brownie.reverts(revert_pattern=r"MintNotQueued.*"):
        bridge.executeQueuedMint("0x" + "ab" * 32, {"from": relayer})


def test_execute_queued_mint_with_stale_reserve_reverts(signers, bridge, alice, relayer, funded, chain):
    att, _ = _queue(signers, bridge, alice, relayer)
    chain.sleep(bridge.timings()[0] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"ReserveStale.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})


def test_execute_queued_mint_when_paused_reverts(signers, bridge, operator, alice, relayer, funded, chain):
    att, _ = _queue(signers, bridge, alice, relayer)
    _wait_delay(bridge, chain)
    bridge.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})


def test_execute_queued_mint_when_currency_stopped_reverts(signers, bridge, alice, relayer, funded, chain):
    att, _ = _queue(signers, bridge, alice, relayer)
    _wait_delay(bridge, chain)
    rec = signers.reconciliation(USD, 10**15)  # omnibus far above supply: a break
    bridge.reconcile(rec.as_tuple(), signers.sign(rec), {"from": relayer})
    with brownie.reverts(revert_pattern=r"MintingStopped.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})


def test_guardian_vetoes_queued_mint(signers, bridge, busd, guardian, alice, relayer, funded, chain):
    att, _ = _queue(signers, bridge, alice, relayer)
    tx = bridge.vetoQueuedMint(att.bakong_tx_hash, b"SANCTIONS".ljust(32, b"\0"), {"from": guardian})
    assert tx.events["QueuedMintVetoed"]["guardian"] == guardian
    assert bridge.mintStatus(att.bakong_tx_hash) == 3
    _wait_delay(bridge, chain)
    with brownie.reverts(revert_pattern=r"MintNotQueued.*"):
        bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})
    assert busd.balanceOf(alice) == 0


def test_vetoed_bakong_tx_cannot_be_minted_again(signers, bridge, guardian, alice, relayer, funded):
    att, _ = _queue(signers, bridge, alice, relayer)
    bridge.vetoQueuedMint(att.bakong_tx_hash, b"X".ljust(32, b"\0"), {"from": guardian})
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})


def test_veto_by_non_guardian_reverts(signers, bridge, alice, relayer, funded):
    att, _ = _queue(signers, bridge, alice, relayer)
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.vetoQueuedMint(att.bakong_tx_hash, b"X".ljust(32, b"\0"), {"from": relayer})


def test_veto_with_zero_reason_reverts(signers, bridge, guardian, alice, relayer, funded):
    att, _ = _queue(signers, bridge, alice, relayer)
    with brownie.reverts(revert_pattern=r"ZeroReason.*"):
        bridge.vetoQueuedMint(att.bakong_tx_hash, b"\0" * 32, {"from": guardian})


def test_veto_of_unqueued_hash_reverts(bridge, guardian):
    with brownie.reverts(revert_pattern=r"MintNotQueued.*"):
        bridge.vetoQueuedMint("0x" + "cd" * 32, b"X".ljust(32, b"\0"), {"from": guardian})
