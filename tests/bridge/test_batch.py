"""Batched mints (`mintBatch`): one attestation, every per-deposit rule held per deposit.

Dedupe across the single, batched and hooked paths and across batches and rotations; the per-message cap,
the large-mint queue and the deferral of a deposit the token refuses, per deposit; the inbound bucket and
the reserve ceiling for the batch total; and the batch's own binding (count, total, hash, expiry, epoch).
"""

import brownie
import pytest

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD

from .conftest import fresh_tx_hash

MINTED, QUEUED, VETOED = 1, 2, 3


def _send(signers, att, deposits, sender, signatures=None):
    sigs = signers.sign(att) if signatures is None else signatures
    return signers.bridge.mintBatch(att.as_tuple(), [d.as_tuple() for d in deposits], sigs, {"from": sender})


# ---------------------------------------------------------------- the happy path


def test_batch_mints_every_deposit(signers, bridge, bkhr, alice, bob, merchant, relayer, funded):
    deposits = [signers.deposit(1_000, alice), signers.deposit(2_000, bob), signers.deposit(3_000, merchant)]
    tx = signers.mint_batch(KHR, deposits, relayer)
    assert (bkhr.balanceOf(alice), bkhr.balanceOf(bob), bkhr.balanceOf(merchant)) == (1_000, 2_000, 3_000)
    assert bkhr.totalSupply() == 6_000
    assert [bridge.mintStatus(d.bakong_tx_hash) for d in deposits] == [MINTED] * 3
    # a batched deposit's record: its token Transfer, in batch order, and the batch event's hash
    assert "Minted" not in tx.events
    assert [(e["to"], e["value"]) for e in tx.events["Transfer"]] == [
        (d.recipient, d.amount) for d in deposits
    ]
    ev = tx.events["BatchMinted"]
    assert (ev["currency"], ev["count"], ev["total"]) == (KHR, 3, 6_000)
    assert ev["depositsHash"] == "0x" + attest.deposits_hash(deposits).hex()
    assert tx.return_value == 0


def test_batch_of_one(signers, bridge, busd, alice, relayer, funded):
    d = signers.deposit(5_00, alice)
    signers.mint_batch(USD, [d], relayer)
    assert busd.balanceOf(alice) == 5_00
    assert bridge.mintStatus(d.bakong_tx_hash) == MINTED


def test_batch_charges_inbound_bucket_with_its_total(signers, bridge, alice, bob, relayer, funded):
    before = bridge.inboundAvailable(USD)
    signers.mint_batch(USD, [signers.deposit(7_00, alice), signers.deposit(3_00, bob)], relayer)
    assert bridge.inboundAvailable(USD) == before - 10_00


def test_contract_hashes_deposits_as_python_does(signers, bridge, alice, bob, relayer, funded):
    """The deposits hash is the calldata of the array: a batch signed over Python's hash (full-width fields,
    a KHQR MD5 of 0xff bytes) is accepted, and the event carries that hash."""
    deposits = [signers.deposit(1, alice), signers.deposit(2, bob, khqr_md5=b"\xff" * 16)]
    tx = signers.mint_batch(USD, deposits, relayer)
    assert tx.events["BatchMinted"]["depositsHash"] == "0x" + attest.deposits_hash(deposits).hex()


# ---------------------------------------------------------------- one mint per Bakong transaction


def test_duplicate_inside_one_batch_reverts(signers, bkhr, alice, bob, relayer, funded):
    d = signers.deposit(1_000, alice)
    again = signers.deposit(1_000, bob, bakong_tx_hash=d.bakong_tx_hash)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint_batch(KHR, [d, signers.deposit(5, bob), again], relayer)
    assert bkhr.totalSupply() == 0


def test_same_batch_twice_reverts(signers, bkhr, alice, bob, relayer, funded):
    deposits = [signers.deposit(1_000, alice), signers.deposit(2_000, bob)]
    att = signers.batch_att(KHR, deposits)
    _send(signers, att, deposits, relayer)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        _send(signers, att, deposits, relayer)
    assert bkhr.totalSupply() == 3_000


def test_deposit_in_two_batches_mints_once(signers, bkhr, alice, bob, relayer, funded):
    d = signers.deposit(1_000, alice)
    signers.mint_batch(KHR, [d, signers.deposit(1, bob)], relayer)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint_batch(KHR, [signers.deposit(2, bob), d], relayer)
    assert bkhr.balanceOf(alice) == 1_000


def test_single_mint_then_batch_reverts(signers, bkhr, alice, bob, relayer, funded):
    att = signers.mint_att(KHR, 1_000, alice)
    signers.bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    same = signers.deposit(1_000, alice, bakong_tx_hash=att.bakong_tx_hash, khqr_md5=att.khqr_md5)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint_batch(KHR, [signers.deposit(1, bob), same], relayer)
    assert bkhr.balanceOf(alice) == 1_000


def test_batch_then_single_mint_reverts(signers, bkhr, alice, relayer, funded):
    d = signers.deposit(1_000, alice)
    signers.mint_batch(KHR, [d], relayer)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint(KHR, 1_000, alice, relayer, bakong_tx_hash=d.bakong_tx_hash)
    assert bkhr.balanceOf(alice) == 1_000


def test_rotation_voids_a_signed_batch_and_keeps_dedupe(signers, bridge, bkhr, admin, alice, relayer, funded):
    """A batch signed before a rotation dies with its epoch; the new set re-signing a minted deposit is still
    refused: the dedupe slot outlives every validator set."""
    minted = signers.deposit(1_000, alice)
    signers.mint_batch(KHR, [minted], relayer)
    pending = [signers.deposit(2_000, alice)]
    old = signers.batch_att(KHR, pending)
    old_sigs = signers.sign(old)
    bridge.setValidators(signers.addresses, 3, {"from": admin})  # same set, new epoch
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        _send(signers, old, pending, relayer, old_sigs)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint_batch(KHR, [minted], relayer)
    signers.mint_batch(KHR, pending, relayer)
    assert bkhr.balanceOf(alice) == 3_000


def test_queued_deposit_cannot_be_minted_again(signers, bridge, busd, alice, relayer, funded):
    large = bridge.limitsOf(USD)[1] + 1
    d = signers.deposit(large, alice)
    signers.mint_batch(USD, [d], relayer)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint(USD, large, alice, relayer, bakong_tx_hash=d.bakong_tx_hash)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint_batch(USD, [d], relayer)


# ---------------------------------------------------------------- per-deposit rules


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("amount", 0, "ZeroAmount"),
        ("recipient", "0x" + "00" * 20, "ZeroRecipient"),
        ("bakong_tx_hash", b"\x00" * 32, "ZeroBakongTxHash"),
        ("khqr_md5", b"\x00" * 16, "ZeroKhqrMd5"),
    ],
)
def test_one_bad_leaf_refuses_the_batch(signers, bkhr, alice, bob, relayer, funded, field, value, error):
    good = signers.deposit(1_000, alice)
    bad = attest.BatchDeposit(
        **{
            **{
                "amount": 5,
                "recipient": str(bob),
                "bakong_tx_hash": fresh_tx_hash(),
                "khqr_md5": b"\x01" * 16,
            },
            field: value,
        }
    )
    with brownie.reverts(revert_pattern=rf"{error}.*"):
        signers.mint_batch(KHR, [good, bad], relayer)
    assert bkhr.totalSupply() == 0
    assert signers.bridge.mintStatus(good.bakong_tx_hash) == 0


def test_deposit_above_message_cap_refuses_the_batch(signers, bridge, busd, alice, bob, relayer, funded):
    cap = bridge.limitsOf(USD)[0]
    assert bridge.inboundAvailable(USD) > cap + 1  # the bucket would take the total: the cap is per deposit
    with brownie.reverts(revert_pattern=r"AmountAboveMessageCap.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice), signers.deposit(cap + 1, bob)], relayer)
    assert busd.totalSupply() == 0


def test_large_deposit_is_queued_the_rest_minted(
    signers, bridge, busd, alice, bob, relayer, guardian, chain, funded
):
    large = bridge.limitsOf(USD)[1] + 1
    small, big = signers.deposit(4_00, alice), signers.deposit(large, bob)
    att = signers.batch_att(USD, [small, big])
    assert (
        bridge.mintBatch.call(
            att.as_tuple(), [small.as_tuple(), big.as_tuple()], signers.sign(att), {"from": relayer}
        )
        == 1
    )
    tx = _send(signers, att, [small, big], relayer)
    assert busd.balanceOf(alice) == 4_00 and busd.balanceOf(bob) == 0
    assert bridge.mintStatus(big.bakong_tx_hash) == QUEUED
    q = tx.events["MintQueued"]
    assert (q["bakongTxHash"], q["amount"]) == ("0x" + big.bakong_tx_hash.hex(), large)
    assert tuple(bridge.queuedMint(big.bakong_tx_hash)) == (bob, USD, q["executableAt"], large)
    assert q["executableAt"] == tx.timestamp + bridge.timings()[1]
    with brownie.reverts(revert_pattern=r"MintNotReady.*"):
        bridge.executeQueuedMint(big.bakong_tx_hash, {"from": relayer})
    chain.sleep(bridge.timings()[1] + 1)
    chain.mine()
    bridge.executeQueuedMint(big.bakong_tx_hash, {"from": relayer})
    assert busd.balanceOf(bob) == large


def test_unverified_recipient_is_deferred_not_failing_the_batch(
    signers, bridge, busd, alice, stranger, guardian, relayer, funded
):
    """The token refuses a recipient without KYC: that deposit waits in the queue (the guardian vetoes it for a
    refund on Bakong), the rest of the batch is minted."""
    ok, refused = signers.deposit(3_00, alice), signers.deposit(2_00, stranger)
    tx = signers.mint_batch(USD, [ok, refused], relayer)
    assert busd.balanceOf(alice) == 3_00 and busd.balanceOf(stranger) == 0
    assert busd.totalSupply() == 3_00
    assert tx.events["MintDeferred"]["bakongTxHash"] == "0x" + refused.bakong_tx_hash.hex()
    assert tx.events["MintDeferred"]["recipient"] == stranger
    assert bridge.mintStatus(refused.bakong_tx_hash) == QUEUED
    assert tuple(bridge.queuedMint(refused.bakong_tx_hash))[:2] == (stranger, USD)
    assert tx.return_value == 1
    bridge.vetoQueuedMint(refused.bakong_tx_hash, attest.reason_bytes32("REFUND_NO_KYC"), {"from": guardian})
    assert bridge.mintStatus(refused.bakong_tx_hash) == VETOED
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        signers.mint_batch(USD, [refused], relayer)


# ---------------------------------------------------------------- batch-wide rules


def test_batch_total_above_inbound_bucket_reverts(signers, bridge, admin, alice, bob, relayer, funded):
    limits = list(bridge.limitsOf(USD))
    cap = limits[0]
    limits[3] = cap  # inbound capacity = one message
    limits[1] = cap  # nothing queued
    bridge.setCurrencyLimits(USD, tuple(limits), {"from": admin})
    with brownie.reverts(revert_pattern=r"RateLimitExceeded.*"):
        signers.mint_batch(USD, [signers.deposit(cap, alice), signers.deposit(1, bob)], relayer)
    signers.mint_batch(USD, [signers.deposit(cap, alice)], relayer)


def test_batch_total_above_reserve_reverts(signers, bridge, busd, alice, bob, relayer):
    signers.attest_reserve(USD, 10_00, relayer)
    with brownie.reverts(revert_pattern=r"ReserveExceeded.*"):
        signers.mint_batch(USD, [signers.deposit(6_00, alice), signers.deposit(5_00, bob)], relayer)
    signers.mint_batch(USD, [signers.deposit(6_00, alice), signers.deposit(4_00, bob)], relayer)
    assert busd.totalSupply() == 10_00


def test_batch_counts_queued_deposits_against_the_reserve(signers, bridge, admin, alice, bob, relayer):
    """Conservative: the whole attested total must fit under the reserve, queued deposits included."""
    large = bridge.limitsOf(USD)[1] + 1
    signers.attest_reserve(USD, large, relayer)
    with brownie.reverts(revert_pattern=r"ReserveExceeded.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice), signers.deposit(large, bob)], relayer)


def test_batch_with_stale_reserve_reverts(signers, bridge, alice, relayer, chain, funded):
    chain.sleep(bridge.timings()[0] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"ReserveStale.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice)], relayer)


def test_batch_without_reserve_reverts(signers, alice, relayer):
    with brownie.reverts(revert_pattern=r"ReserveStale.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice)], relayer)


def test_empty_batch_reverts(signers, relayer, funded):
    with brownie.reverts(revert_pattern=r"EmptyBatch.*"):
        signers.mint_batch(USD, [], relayer)


def test_count_mismatch_reverts(signers, alice, bob, relayer, funded):
    deposits = [signers.deposit(1, alice), signers.deposit(2, bob)]
    att = signers.batch_att(USD, deposits)
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        _send(signers, att, deposits[:1], relayer)


def test_tampered_deposit_reverts(signers, alice, bob, relayer, funded):
    """A relayer that swaps a recipient (or any field) breaks the signed hash."""
    deposits = [signers.deposit(1, alice), signers.deposit(2, bob)]
    att = signers.batch_att(USD, deposits)
    swapped = [
        deposits[0],
        attest.BatchDeposit(2, str(alice), deposits[1].bakong_tx_hash, deposits[1].khqr_md5),
    ]
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        _send(signers, att, swapped, relayer)


def test_reordered_deposits_revert(signers, alice, bob, relayer, funded):
    deposits = [signers.deposit(1, alice), signers.deposit(2, bob)]
    att = signers.batch_att(USD, deposits)
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        _send(signers, att, deposits[::-1], relayer)


def test_signed_total_differing_from_deposits_reverts(signers, alice, bob, relayer, funded):
    """Validators that sign a total other than the deposits' sum (a validator bug) are refused too."""
    deposits = [signers.deposit(1, alice), signers.deposit(2, bob)]
    good = signers.batch_att(USD, deposits)
    att = attest.BatchMintAttestation(USD, 2, 4, good.deposits_hash, good.expiry, good.epoch)
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        _send(signers, att, deposits, relayer)


def test_expired_batch_reverts(signers, alice, relayer, funded):
    with brownie.reverts(revert_pattern=r"AttestationExpired.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice)], relayer, expiry=signers.now() - 1)


def test_batch_signed_for_other_epoch_reverts(signers, bridge, alice, relayer, funded):
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice)], relayer, epoch=bridge.epoch() + 1)


def test_batch_with_too_few_signatures_reverts(signers, alice, relayer, funded):
    deposits = [signers.deposit(1, alice)]
    att = signers.batch_att(USD, deposits)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        _send(signers, att, deposits, relayer, signers.sign(att)[:130])


def test_batch_signed_as_single_mint_reverts(signers, alice, relayer, funded):
    """A single mint's signatures do not verify as a batch's (different EIP-712 type)."""
    d = signers.deposit(1, alice)
    single = attest.MintAttestation(USD, 1, str(alice), d.bakong_tx_hash, d.khqr_md5, signers.now() + 3600, 1)
    att = signers.batch_att(USD, [d])
    with brownie.reverts(revert_pattern=r"SignerNotValidator.*"):
        _send(signers, att, [d], relayer, signers.sign(single))


def test_batch_while_paused_reverts(signers, bridge, alice, operator, relayer, funded):
    bridge.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice)], relayer)


def test_batch_of_unknown_currency_reverts(signers, alice, relayer, funded):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        signers.mint_batch(392, [signers.deposit(1, alice)], relayer)


def test_batch_while_minting_stopped_reverts(signers, bridge, busd, alice, relayer, funded):
    signers.mint_batch(USD, [signers.deposit(10_00, alice)], relayer)
    att = signers.reserve_att(USD, 9_99)  # below the supply: minting stops
    bridge.attestReserve(att.as_tuple(), signers.sign(att), {"from": relayer})
    assert bridge.mintingStopped(USD)
    with brownie.reverts(revert_pattern=r"MintingStopped.*"):
        signers.mint_batch(USD, [signers.deposit(1, alice)], relayer)
