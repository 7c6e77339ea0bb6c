"""Property test over batch compositions: duplicates inside a batch, deposits already minted by the single
path or an earlier batch, one bad leaf, large deposits and recipients the token refuses, in any mix.

A Python statement of the batch rules predicts the outcome: the whole batch reverts (nothing changes) on a bad
leaf, a duplicate or an already processed deposit; otherwise each deposit is minted, queued (large) or deferred
(refused by the token), and the bucket drops by the total. Mixed currencies cannot be expressed on chain (a
batch has one currency, signed): the validator refuses to sign one (tests/bridge/offchain/test_validator.py).
"""

import secrets

from brownie.exceptions import VirtualMachineError
from brownie.test import given
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from corridor.bridge import attest
from corridor.bridge.attest import USD

LARGE = 2_000_000  # the default USD large-mint threshold (checked below)
POOL = 5  # Bakong transactions an example draws from (so duplicates are frequent)

leaf = st.tuples(
    st.integers(min_value=0, max_value=POOL - 1),  # which Bakong transaction
    st.sampled_from(["zero", "small", "large"]),
    st.sampled_from(["verified", "unverified"]),
)


@given(
    leaves=st.lists(leaf, min_size=1, max_size=6),
    already=st.sets(st.integers(min_value=0, max_value=POOL - 1), max_size=2),
    via_batch=st.booleans(),
)
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_batch_outcome_matches_the_rules(
    signers, bridge, busd, alice, bob, stranger, relayer, funded, leaves, already, via_batch
):
    assert bridge.limitsOf(USD)[1] == LARGE
    pool = [secrets.token_bytes(32) for _ in range(POOL)]  # new hashes for every example, replays included
    # deposits processed before the batch, by the single path or by an earlier batch
    earlier = [signers.deposit(1_00, bob, bakong_tx_hash=pool[i]) for i in sorted(already)]
    if earlier and via_batch:
        signers.mint_batch(USD, earlier, relayer)
    for d in earlier if not via_batch else []:
        signers.mint(USD, d.amount, bob, relayer, bakong_tx_hash=d.bakong_tx_hash)

    amounts = {"zero": 0, "small": 3_00, "large": LARGE + 1}
    deposits = [
        signers.deposit(amounts[kind], alice if who == "verified" else stranger, bakong_tx_hash=pool[i])
        for i, kind, who in leaves
    ]
    hashes = [i for i, _, _ in leaves]
    refused = (
        any(k == "zero" for _, k, _ in leaves)
        or len(set(hashes)) < len(hashes)
        or bool(already & set(hashes))
    )

    supply, alice_before, bucket = busd.totalSupply(), busd.balanceOf(alice), bridge.inboundAvailable(USD)
    read_at = signers.now()
    capacity, rate = bridge.limitsOf(USD)[3:5]
    att = signers.batch_att(USD, deposits)
    try:
        tx = bridge.mintBatch(
            att.as_tuple(), [d.as_tuple() for d in deposits], signers.sign(att), {"from": relayer}
        )
    except VirtualMachineError:
        assert refused
        assert (busd.totalSupply(), busd.balanceOf(alice)) == (supply, alice_before)
        # nothing taken: the bucket only refilled since it was read
        assert bridge.inboundAvailable(USD) == min(capacity, bucket + (signers.now() - read_at) * rate)
        assert all(bridge.mintStatus(pool[i]) == (1 if i in already else 0) for i in hashes)
        return
    assert not refused
    minted = [d for d, (_, k, w) in zip(deposits, leaves, strict=True) if k == "small" and w == "verified"]
    waiting = [d for d in deposits if d not in minted]
    assert busd.balanceOf(alice) - alice_before == sum(d.amount for d in minted)
    assert busd.totalSupply() - supply == sum(d.amount for d in minted)
    refilled = min(capacity, bucket + (tx.timestamp - read_at) * rate)
    assert bridge.inboundAvailable(USD) == refilled - att.total
    assert [bridge.mintStatus(d.bakong_tx_hash) for d in minted] == [1] * len(minted)
    assert [bridge.mintStatus(d.bakong_tx_hash) for d in waiting] == [2] * len(waiting)
    assert tx.return_value == len(waiting)
    assert tx.events["BatchMinted"]["total"] == sum(d.amount for d in deposits)
    assert tx.events["BatchMinted"]["depositsHash"] == "0x" + attest.deposits_hash(deposits).hex()
