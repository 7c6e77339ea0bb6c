"""Property test over finalization-batch compositions (a clean batch of any size, plus up to two arbitrary
leaves): the same redemption twice, a payout hash twice, redemptions
and payout hashes already settled by the single path, an earlier batch or a rejection, a zero payout hash, a
redemption of the other currency, an unknown redemption, after a validator rotation, and signatures of a stale
epoch or an expired attestation, in any mix.

A Python statement of `finalizeRedemptionBatch`'s rules, walked payout by payout as the contract does, predicts
the outcome: the whole batch reverts and nothing changes, or every redemption is finalized, every payout hash
used, and the escrow drops by exactly their amounts.
"""

import secrets

from brownie.exceptions import VirtualMachineError
from brownie.test import given
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD

POOL = 4  # KHR redemptions an example opens (so duplicates are frequent); index POOL is a USD one
UNKNOWN = POOL + 1  # a redemption id that does not exist
ACCOUNT = "sokha@aclb"

HASHES = 2 * POOL  # payout hashes an example draws from; the first POOL may be used by earlier settlements

leaf = st.tuples(
    st.sampled_from(list(range(POOL)) * 3 + [POOL, UNKNOWN]),  # which redemption (mostly a pending KHR one)
    st.integers(min_value=0, max_value=HASHES - 1),  # which payout hash of the example's pool
    st.sampled_from(["hash"] * 5 + ["zero"]),
)


@given(
    order=st.permutations(list(range(POOL))),
    size=st.integers(min_value=1, max_value=POOL),
    extra=st.lists(st.tuples(st.integers(min_value=0, max_value=POOL), leaf), max_size=2),
    earlier=st.dictionaries(
        st.integers(min_value=0, max_value=POOL - 1),
        st.sampled_from(["single", "batch", "rejected"]),
        max_size=2,
    ),
    rotate=st.booleans(),
    signing=st.sampled_from(["current", "current", "current", "stale_epoch", "expired"]),
)
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_finalization_batch_outcome_matches_the_rules(
    signers, bridge, bkhr, busd, admin, alice, relayer, funded, order, size, extra, earlier, rotate, signing
):
    # a clean batch (distinct KHR redemptions, distinct payout hashes never used before) with up to two extra
    # leaves drawn from anything at all, inserted anywhere
    leaves = [(r, POOL + k, "hash") for k, r in enumerate(order[:size])]
    for at, extra_leaf in extra:
        leaves.insert(at % (len(leaves) + 1), extra_leaf)
    if bkhr.balanceOf(alice) < 10_000:
        signers.mint(KHR, 1_000_000, alice, relayer)
        signers.mint(USD, 1_000_00, alice, relayer)
        bkhr.approve(bridge, 2**256 - 1, {"from": alice})
        busd.approve(bridge, 2**256 - 1, {"from": alice})
    amounts = [1_000 + k for k in range(POOL)]
    ids = [bridge.redeem(KHR, a, ACCOUNT, {"from": alice}).return_value for a in amounts]
    ids.append(bridge.redeem(USD, 1_00, ACCOUNT, {"from": alice}).return_value)
    ids.append(bridge.redemptionCount() + 1_000)  # never opened
    pool = [secrets.token_bytes(32) for _ in range(HASHES)]  # new payout hashes for every example

    # redemptions settled before the batch: finalized with payout hash pool[i] (single path or an earlier
    # batch), or rejected (their payout hash stays unused)
    used = set()
    for i, how in sorted(earlier.items()):
        if how == "single":
            f = attest.RedemptionFinalization(ids[i], pool[i], bridge.epoch())
            bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
            used.add(pool[i])
        elif how == "batch":
            signers.finalize_batch(KHR, [attest.BatchPayout(ids[i], pool[i])], relayer)
            used.add(pool[i])
        else:
            j = signers.rejection(ids[i])
            bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})
    if rotate:
        bridge.setValidators(signers.addresses, 3, {"from": admin})  # same set, new epoch

    payouts = [attest.BatchPayout(ids[r], pool[h] if kind == "hash" else b"\0" * 32) for r, h, kind in leaves]
    escrow = [amounts[r] if r < POOL else (1_00 if r == POOL else 0) for r, _, _ in leaves]

    # the rules, payout by payout
    refused = signing != "current"
    pending = {ids[i] for i in range(POOL + 1)} - {ids[i] for i in earlier}
    spent = set(used)
    for (r, _, _), p in zip(leaves, payouts, strict=True):
        h = p.payout_tx_hash
        if h == b"\0" * 32 or h in spent or ids[r] not in pending or r == POOL:
            refused = True
            break
        spent.add(h)
        pending.discard(ids[r])

    expiry = signers.now() - 1 if signing == "expired" else signers.now() + 3600
    epoch = bridge.epoch() - 1 if signing == "stale_epoch" else bridge.epoch()
    att = attest.batch_finalization(KHR, payouts, escrow, expiry, epoch)
    held, statuses = bkhr.balanceOf(bridge), [bridge.redemption(i)[2] for i in ids]
    try:
        tx = bridge.finalizeRedemptionBatch(
            att.as_tuple(), [p.as_tuple() for p in payouts], signers.sign(att), {"from": relayer}
        )
    except VirtualMachineError:
        assert refused
        assert bkhr.balanceOf(bridge) == held
        assert [bridge.redemption(i)[2] for i in ids] == statuses
        assert all(bridge.payoutUsed(h) == (h in used) for h in pool)
        return
    assert not refused
    assert bkhr.balanceOf(bridge) == held - sum(escrow)
    assert [bridge.redemption(p.redemption_id)[2] for p in payouts] == [2] * len(payouts)
    assert all(bridge.payoutUsed(p.payout_tx_hash) for p in payouts)
    assert [e["redemptionId"] for e in tx.events["RedemptionFinalized"]] == [p.redemption_id for p in payouts]
    assert tx.events["BatchFinalized"]["total"] == sum(escrow)


@given(
    order=st.permutations(list(range(POOL))),
    size=st.integers(min_value=2, max_value=POOL),
    rotate=st.booleans(),
    single_first=st.booleans(),
)
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_clean_batch_finalizes_every_redemption(
    signers, bridge, bkhr, busd, admin, alice, relayer, funded, order, size, rotate, single_first
):
    """Distinct pending redemptions with distinct new payout hashes, in any order and size, after a rotation or
    not, beside a redemption the single path finalized first: always accepted, exactly their escrow burned."""
    if bkhr.balanceOf(alice) < 10_000:
        signers.mint(KHR, 1_000_000, alice, relayer)
        bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    amounts = [1_000 + k for k in range(POOL)]
    ids = [bridge.redeem(KHR, a, ACCOUNT, {"from": alice}).return_value for a in amounts]
    chosen, rest = order[:size], order[size:]
    if single_first and rest:
        f = signers.finalization(ids[rest[0]])
        bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    if rotate:
        bridge.setValidators(signers.addresses, 3, {"from": admin})
    payouts = [signers.payout(ids[i]) for i in chosen]
    held = bkhr.balanceOf(bridge)
    tx = signers.finalize_batch(KHR, payouts, relayer)
    assert bkhr.balanceOf(bridge) == held - sum(amounts[i] for i in chosen)
    assert [bridge.redemption(ids[i])[2] for i in chosen] == [2] * size
    assert [bridge.redemption(ids[i])[2] for i in rest[1 if single_first else 0 :]] == [1] * (
        len(rest) - (1 if single_first and rest else 0)
    )
    assert tx.events["BatchFinalized"]["count"] == size
