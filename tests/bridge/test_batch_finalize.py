"""Batched finalizations (`finalizeRedemptionBatch`): one attestation, every rule of `finalizeRedemption`
held per redemption, all or nothing.

Pending only; a payout hash finalizes at most one redemption whichever path (single, batched) and batch it
comes in, and after a rotation; the escrow burned exactly once; one currency per batch; the batch's own
binding (count, total, hash, expiry, epoch, signatures).
"""

import brownie
import pytest

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD

from .conftest import fresh_tx_hash

PENDING, FINALIZED, REJECTED, RECLAIMED = 1, 2, 3, 4
ACCOUNT = "sokha@aclb"


@pytest.fixture
def holders(signers, bridge, bkhr, busd, alice, bob, relayer, funded):
    """alice and bob hold 100,000 bKHR and 1,000.00 bUSD each and approved the bridge."""
    for h in (alice, bob):
        signers.mint(KHR, 100_000, h, relayer)
        signers.mint(USD, 1_000_00, h, relayer)
        bkhr.approve(bridge, 2**256 - 1, {"from": h})
        busd.approve(bridge, 2**256 - 1, {"from": h})
    return alice, bob


def _redeem(bridge, holder, amount, currency=KHR):
    return bridge.redeem(currency, amount, ACCOUNT, {"from": holder}).return_value


def _send(signers, att, payouts, sender, signatures=None):
    sigs = signers.sign(att) if signatures is None else signatures
    return signers.bridge.finalizeRedemptionBatch(
        att.as_tuple(), [p.as_tuple() for p in payouts], sigs, {"from": sender}
    )


def _statuses(bridge, ids):
    return [bridge.redemption(i)[2] for i in ids]


# ---------------------------------------------------------------- the happy path


def test_batch_finalizes_every_redemption_and_burns_the_escrow(signers, bridge, bkhr, holders, relayer):
    alice, bob = holders
    ids = [_redeem(bridge, alice, 10_000), _redeem(bridge, bob, 20_000), _redeem(bridge, alice, 30_000)]
    supply = bkhr.totalSupply()
    payouts = [signers.payout(i) for i in ids]
    tx = signers.finalize_batch(KHR, payouts, relayer)
    assert _statuses(bridge, ids) == [FINALIZED] * 3
    assert all(bridge.payoutUsed(p.payout_tx_hash) for p in payouts)
    assert bkhr.balanceOf(bridge) == 0
    assert bkhr.totalSupply() == supply - 60_000
    # each redemption has the single path's event, in batch order; the batch event carries the hash
    assert [
        (e["redemptionId"], e["payoutTxHash"], e["amount"]) for e in tx.events["RedemptionFinalized"]
    ] == [
        (i, "0x" + p.payout_tx_hash.hex(), a)
        for i, p, a in zip(ids, payouts, (10_000, 20_000, 30_000), strict=False)
    ]
    ev = tx.events["BatchFinalized"]
    assert (ev["currency"], ev["count"], ev["total"]) == (KHR, 3, 60_000)
    assert ev["payoutsHash"] == "0x" + attest.payouts_hash(payouts).hex()
    # one burn of the total: a single Transfer to zero
    burns = [e for e in tx.events["Transfer"] if e["to"] == "0x" + "00" * 20]
    assert [(e["from"], e["value"]) for e in burns] == [(bridge.address, 60_000)]


def test_batch_of_one(signers, bridge, busd, holders, relayer):
    rid = _redeem(bridge, holders[0], 5_00, USD)
    signers.finalize_batch(USD, [signers.payout(rid)], relayer)
    assert bridge.redemption(rid)[2] == FINALIZED
    assert busd.balanceOf(bridge) == 0


def test_batch_leaves_other_escrow_alone(signers, bridge, bkhr, holders, relayer):
    """Only the batch's redemptions are burned: another pending redemption keeps its escrow."""
    alice, bob = holders
    first, other = _redeem(bridge, alice, 1_000), _redeem(bridge, bob, 2_000)
    signers.finalize_batch(KHR, [signers.payout(first)], relayer)
    assert bkhr.balanceOf(bridge) == 2_000
    assert bridge.redemption(other)[2] == PENDING


def test_batch_does_not_touch_the_outbound_bucket(signers, bridge, holders, relayer):
    """Like the single path: the outbound bucket was charged at redeem and stays charged."""
    rid = _redeem(bridge, holders[0], 1_000)
    before = bridge.outboundAvailable(KHR)
    signers.finalize_batch(KHR, [signers.payout(rid)], relayer)
    assert bridge.outboundAvailable(KHR) == before


def test_batch_allowed_while_paused(signers, bridge, operator, holders, relayer):
    rid = _redeem(bridge, holders[0], 1_000)
    bridge.pause({"from": operator})
    signers.finalize_batch(KHR, [signers.payout(rid)], relayer)
    assert bridge.redemption(rid)[2] == FINALIZED


def test_contract_hashes_payouts_as_python_does(signers, bridge, holders, relayer):
    """Full-width payout hashes (0xff bytes): the contract's calldata hash equals Python's."""
    rid = _redeem(bridge, holders[0], 1_000)
    payouts = [signers.payout(rid, payout_tx_hash=b"\xff" * 32)]
    tx = signers.finalize_batch(KHR, payouts, relayer)
    assert tx.events["BatchFinalized"]["payoutsHash"] == "0x" + attest.payouts_hash(payouts).hex()


def test_type_hash_matches_contract(bridge):
    assert attest.attestation_type_hash(attest.BatchRedemptionFinalization) == bytes(
        bridge.BATCH_FINALIZATION_TYPEHASH()
    )


# ---------------------------------------------------------------- pending only, all or nothing


def test_redemption_twice_in_one_batch_reverts(signers, bridge, bkhr, holders, relayer):
    rid = _redeem(bridge, holders[0], 1_000)
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        signers.finalize_batch(
            KHR, [signers.payout(rid), signers.payout(rid)], relayer, amounts=[1_000, 1_000]
        )
    assert bridge.redemption(rid)[2] == PENDING
    assert bkhr.balanceOf(bridge) == 1_000


def test_same_batch_twice_reverts(signers, bridge, holders, relayer):
    ids = [_redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)]
    payouts = [signers.payout(i) for i in ids]
    att = signers.finalization_batch_att(KHR, payouts)
    _send(signers, att, payouts, relayer)
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        _send(signers, att, payouts, relayer)


def test_finalized_by_single_then_batch_reverts(signers, bridge, bkhr, holders, relayer):
    done, fresh = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    f = signers.finalization(done)
    bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        signers.finalize_batch(
            KHR, [signers.payout(fresh), signers.payout(done)], relayer, amounts=[2_000, 1_000]
        )
    assert bridge.redemption(fresh)[2] == PENDING
    assert bkhr.balanceOf(bridge) == 2_000


def test_finalized_by_batch_then_single_reverts(signers, bridge, holders, relayer):
    rid = _redeem(bridge, holders[0], 1_000)
    signers.finalize_batch(KHR, [signers.payout(rid)], relayer)
    f = signers.finalization(rid)
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})


def test_redemption_in_two_batches_finalizes_once(signers, bridge, holders, relayer):
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    signers.finalize_batch(KHR, [signers.payout(a)], relayer)
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        signers.finalize_batch(KHR, [signers.payout(b), signers.payout(a)], relayer, amounts=[2_000, 1_000])
    assert bridge.redemption(b)[2] == PENDING


@pytest.mark.parametrize("ending", ["rejected", "reclaimed", "unknown"])
def test_redemption_not_pending_refuses_the_batch(signers, bridge, bkhr, holders, relayer, chain, ending):
    """A rejected, reclaimed or unknown redemption refuses the whole batch (docs/bridge.md says why it is not
    skipped); the good redemption beside it stays pending with its escrow."""
    good, bad = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    if ending == "rejected":
        j = signers.rejection(bad)
        bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})
    elif ending == "reclaimed":
        chain.sleep(bridge.timings()[2] + 1)
        chain.mine()
        bridge.reclaim(bad, {"from": holders[1]})
    else:
        bad = 99
    escrow = bkhr.balanceOf(bridge)
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        signers.finalize_batch(
            KHR, [signers.payout(good), signers.payout(bad)], relayer, amounts=[1_000, 2_000]
        )
    assert bridge.redemption(good)[2] == PENDING
    assert bkhr.balanceOf(bridge) == escrow


# ---------------------------------------------------------------- one redemption per payout hash


def test_payout_hash_twice_in_one_batch_reverts(signers, bridge, holders, relayer):
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    h = fresh_tx_hash()
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        signers.finalize_batch(
            KHR, [signers.payout(a, payout_tx_hash=h), signers.payout(b, payout_tx_hash=h)], relayer
        )
    assert not bridge.payoutUsed(h)


def test_payout_hash_of_single_reused_in_batch_reverts(signers, bridge, holders, relayer):
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    f = signers.finalization(a)
    bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        signers.finalize_batch(KHR, [signers.payout(b, payout_tx_hash=f.payout_tx_hash)], relayer)


def test_payout_hash_of_batch_reused_in_single_reverts(signers, bridge, holders, relayer):
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    p = signers.payout(a)
    signers.finalize_batch(KHR, [p], relayer)
    f = signers.finalization(b, p.payout_tx_hash)
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})


def test_payout_hash_reused_across_batches_reverts(signers, bridge, holders, relayer):
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    p = signers.payout(a)
    signers.finalize_batch(KHR, [p], relayer)
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        signers.finalize_batch(KHR, [signers.payout(b, payout_tx_hash=p.payout_tx_hash)], relayer)


def test_zero_payout_hash_refuses_the_batch(signers, bridge, holders, relayer):
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    with brownie.reverts(revert_pattern=r"ZeroBakongTxHash.*"):
        signers.finalize_batch(KHR, [signers.payout(a), attest.BatchPayout(b, b"\0" * 32)], relayer)
    assert _statuses(bridge, [a, b]) == [PENDING, PENDING]


def test_rotation_voids_a_signed_batch_and_keeps_dedupe(signers, bridge, admin, holders, relayer):
    """A batch signed before a rotation dies with its epoch; the new set re-signing a used payout hash is
    still refused: the payout slot outlives every validator set."""
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)
    used = signers.payout(a)
    signers.finalize_batch(KHR, [used], relayer)
    pending = [signers.payout(b)]
    old = signers.finalization_batch_att(KHR, pending)
    old_sigs = signers.sign(old)
    bridge.setValidators(signers.addresses, 3, {"from": admin})  # same set, new epoch
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        _send(signers, old, pending, relayer, old_sigs)
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        signers.finalize_batch(KHR, [signers.payout(b, payout_tx_hash=used.payout_tx_hash)], relayer)
    signers.finalize_batch(KHR, pending, relayer)
    assert bridge.redemption(b)[2] == FINALIZED


# ---------------------------------------------------------------- one currency, the batch's binding


def test_mixed_currencies_refused(signers, bridge, holders, relayer):
    khr, usd = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_00, USD)
    with brownie.reverts(revert_pattern=r"RedemptionCurrencyMismatch.*"):
        signers.finalize_batch(KHR, [signers.payout(khr), signers.payout(usd)], relayer)
    assert _statuses(bridge, [khr, usd]) == [PENDING, PENDING]


def test_batch_of_unknown_currency_reverts(signers, bridge, holders, relayer):
    rid = _redeem(bridge, holders[0], 1_000)
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        signers.finalize_batch(392, [signers.payout(rid)], relayer)


def test_empty_batch_reverts(signers, relayer):
    with brownie.reverts(revert_pattern=r"EmptyBatch.*"):
        signers.finalize_batch(KHR, [], relayer, amounts=[])


def test_count_mismatch_reverts(signers, bridge, holders, relayer):
    payouts = [
        signers.payout(_redeem(bridge, holders[0], 1_000)),
        signers.payout(_redeem(bridge, holders[1], 1)),
    ]
    att = signers.finalization_batch_att(KHR, payouts)
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        _send(signers, att, payouts[:1], relayer)


def test_tampered_payout_reverts(signers, bridge, holders, relayer):
    """A relayer that swaps a payout hash (or a redemption id) breaks the signed hash."""
    a, b = _redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 1_000)
    payouts = [signers.payout(a), signers.payout(b)]
    att = signers.finalization_batch_att(KHR, payouts)
    for swapped in (
        [payouts[0], signers.payout(b)],
        [payouts[0], attest.BatchPayout(a, payouts[1].payout_tx_hash)],
    ):
        with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
            _send(signers, att, swapped, relayer)


def test_reordered_payouts_revert(signers, bridge, holders, relayer):
    payouts = [
        signers.payout(_redeem(bridge, holders[0], 1_000)),
        signers.payout(_redeem(bridge, holders[1], 1)),
    ]
    att = signers.finalization_batch_att(KHR, payouts)
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        _send(signers, att, payouts[::-1], relayer)


@pytest.mark.parametrize("delta", [-1, 1])
def test_signed_total_other_than_the_escrow_reverts(signers, bridge, bkhr, holders, relayer, delta):
    """Validators that sign a total other than the escrow of the redemptions (a validator bug, or a
    view of the chain that differs from it) are refused, and nothing is burned."""
    ids = [_redeem(bridge, holders[0], 1_000), _redeem(bridge, holders[1], 2_000)]
    payouts = [signers.payout(i) for i in ids]
    with brownie.reverts(revert_pattern=r"BatchMismatch.*"):
        signers.finalize_batch(KHR, payouts, relayer, amounts=[1_000, 2_000 + delta])
    assert bkhr.balanceOf(bridge) == 3_000


def test_expired_batch_reverts(signers, bridge, holders, relayer):
    rid = _redeem(bridge, holders[0], 1_000)
    with brownie.reverts(revert_pattern=r"AttestationExpired.*"):
        signers.finalize_batch(KHR, [signers.payout(rid)], relayer, expiry=signers.now() - 1)


def test_batch_signed_for_other_epoch_reverts(signers, bridge, holders, relayer):
    rid = _redeem(bridge, holders[0], 1_000)
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        signers.finalize_batch(KHR, [signers.payout(rid)], relayer, epoch=bridge.epoch() + 1)


def test_batch_with_too_few_signatures_reverts(signers, bridge, holders, relayer):
    payouts = [signers.payout(_redeem(bridge, holders[0], 1_000))]
    att = signers.finalization_batch_att(KHR, payouts)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        _send(signers, att, payouts, relayer, signers.sign(att)[:130])


def test_batch_signed_by_non_validators_reverts(signers, bridge, holders, relayer):
    from .conftest import validator_keys

    payouts = [signers.payout(_redeem(bridge, holders[0], 1_000))]
    att = signers.finalization_batch_att(KHR, payouts)
    outsiders = validator_keys(3, salt="not-a-validator")
    with brownie.reverts(revert_pattern=r"SignerNotValidator.*"):
        _send(signers, att, payouts, relayer, signers.sign(att, keys=outsiders))


def test_single_finalization_signatures_do_not_verify_as_a_batch(signers, bridge, holders, relayer):
    """Other EIP-712 type: a single finalization's (or a batch mint's) signatures over the same values are
    not a batch finalization's."""
    rid = _redeem(bridge, holders[0], 1_000)
    p = signers.payout(rid)
    att = signers.finalization_batch_att(KHR, [p])
    single = attest.RedemptionFinalization(rid, p.payout_tx_hash, att.epoch)
    as_mint = attest.BatchMintAttestation(KHR, 1, 1_000, att.payouts_hash, att.expiry, att.epoch)
    for other in (single, as_mint):
        with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
            _send(signers, att, [p], relayer, signers.sign(other))


def test_batch_for_another_bridge_reverts(signers, bridge, holders, relayer, chain):
    """EIP-712 domain: signatures bound to another bridge address do not verify here."""
    payouts = [signers.payout(_redeem(bridge, holders[0], 1_000))]
    att = signers.finalization_batch_att(KHR, payouts)
    other = attest.bridge_domain(chain.id, "0x" + "11" * 20)
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        _send(signers, att, payouts, relayer, signers.sign(att, domain=other))
