"""Finding 4: a rejected or reclaimed redemption gives its capacity back to the outbound bucket (capped at
capacity), and each rejection costs its holder the currency's rejection fee, kept by the bridge until the
admin collects it.

The finding: a holder redeems to a Bakong account that does not exist, validators reject and refund, repeat;
ten loops left $34.71 in the outbound bucket and an honest $100 redemption reverted, the relayer paying the
gas of every rejection.
"""

import brownie
import pytest

from corridor.bridge.attest import USD

HUNDRED = 100_00  # cents
GHOST = "ghost@nowhere"
FEE = 25  # cents
SLACK = 3
"""The bucket refills 1 cent a second: a few seconds may pass between two reads (Anvil's clock)."""


@pytest.fixture
def tight(bridge, admin):
    """bUSD: $100 per message, a $1,000 outbound bucket refilling 1 cent a second (the finding's setting:
    ten $100 loops drain it)."""
    limits = list(bridge.limitsOf(USD))
    limits[0], limits[1], limits[5], limits[6] = HUNDRED, HUNDRED, 10 * HUNDRED, 1
    bridge.setCurrencyLimits(USD, limits, {"from": admin})
    return limits


@pytest.fixture
def holders(signers, bridge, busd, alice, bob, relayer, funded, tight):
    """alice (honest) and bob (the griefer) hold $500 each and approved the bridge."""
    for h in (alice, bob):
        for _ in range(5):  # $100 per message
            signers.mint(USD, HUNDRED, h, relayer)
        busd.approve(bridge, 2**256 - 1, {"from": h})
    return alice, bob


def _reject(signers, bridge, rid, relayer):
    j = signers.rejection(rid)
    return bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})


def _loop(signers, bridge, griefer, relayer, times=10):
    for _ in range(times):
        rid = bridge.redeem(USD, HUNDRED, GHOST, {"from": griefer}).return_value
        _reject(signers, bridge, rid, relayer)


# ------------------------------------------------------------------ refill


def test_honest_redemption_succeeds_after_ten_reject_loops(signers, bridge, busd, holders, relayer):
    """Regression (finding 4): on 779b121 the tenth loop left ~$0 and the honest $100 reverted."""
    alice, bob = holders
    _loop(signers, bridge, bob, relayer)
    assert bridge.outboundAvailable(USD) == 10 * HUNDRED  # every rejection gave its $100 back
    tx = bridge.redeem(USD, HUNDRED, "sokha@aclb", {"from": alice})
    assert tx.events["RedemptionRequested"]["amount"] == HUNDRED
    assert 0 <= bridge.outboundAvailable(USD) - 9 * HUNDRED <= SLACK
    assert busd.balanceOf(bob) == 5 * HUNDRED  # no fee configured: the loop cost bob gas only


def test_rejection_refills_what_it_took(signers, bridge, holders, relayer):
    alice, _ = holders
    for _ in range(3):
        bridge.redeem(USD, HUNDRED, "sokha@aclb", {"from": alice})  # three pending: $700 left
    tx = bridge.redeem(USD, HUNDRED, GHOST, {"from": alice})
    left = bridge.outboundAvailable(USD)
    assert 0 <= left - 6 * HUNDRED <= SLACK
    _reject(signers, bridge, tx.return_value, relayer)
    assert 0 <= bridge.outboundAvailable(USD) - (left + HUNDRED) <= SLACK


def test_refill_is_capped_at_capacity(signers, bridge, admin, holders, relayer, tight):
    """Capacity lowered while the redemption was pending: the refund fills the bucket, never above it."""
    alice, _ = holders
    rid = bridge.redeem(USD, HUNDRED, GHOST, {"from": alice}).return_value
    limits = list(tight)
    limits[5] = 2 * HUNDRED
    bridge.setCurrencyLimits(USD, limits, {"from": admin})  # level clamped to $200
    _reject(signers, bridge, rid, relayer)
    assert bridge.outboundAvailable(USD) == 2 * HUNDRED


def test_reclaim_refills_the_bucket(bridge, admin, busd, holders, chain):
    alice, _ = holders
    bridge.setTimings((6 * 3600, 3600, 10), {"from": admin})  # redemptions time out after 10 s
    for _ in range(5):
        rid = bridge.redeem(USD, HUNDRED, "sokha@aclb", {"from": alice}).return_value
    chain.sleep(11)
    chain.mine()
    before = bridge.outboundAvailable(USD)
    tx = bridge.reclaim(rid, {"from": alice})
    assert tx.events["RedemptionReclaimed"]["amount"] == HUNDRED
    assert 0 <= bridge.outboundAvailable(USD) - (before + HUNDRED) <= SLACK
    assert busd.balanceOf(alice) == HUNDRED  # 5 x $100 escrowed, $100 back, no fee on a reclaim


def test_finalized_redemption_keeps_its_capacity(signers, bridge, holders, relayer):
    alice, _ = holders
    tx = bridge.redeem(USD, HUNDRED, "sokha@aclb", {"from": alice})
    f = signers.finalization(tx.return_value)
    bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    assert 0 <= bridge.outboundAvailable(USD) - 9 * HUNDRED <= SLACK


# ------------------------------------------------------------------ the rejection fee


@pytest.fixture
def fee(bridge, admin, tight):
    tx = bridge.setRejectionFee(USD, FEE, {"from": admin})
    assert tx.events["RejectionFeeUpdated"]["currency"] == USD
    assert tx.events["RejectionFeeUpdated"]["fee"] == FEE
    return FEE


def test_reject_loop_costs_the_griefer_the_fee(signers, bridge, busd, holders, relayer, fee):
    """Each loop now costs the holder the fee (set above the relayer's gas for a rejection), which the
    bridge keeps; the honest redemption still goes through."""
    alice, bob = holders
    _loop(signers, bridge, bob, relayer)
    assert busd.balanceOf(bob) == 5 * HUNDRED - 10 * fee
    assert bridge.rejectionFeeOf(USD) == (fee, 10 * fee)
    assert busd.balanceOf(bridge) == 10 * fee
    bridge.redeem(USD, HUNDRED, "sokha@aclb", {"from": alice})


def test_reject_refunds_escrow_less_fee(signers, bridge, busd, holders, relayer, fee):
    alice, _ = holders
    rid = bridge.redeem(USD, 40_00, GHOST, {"from": alice}).return_value
    tx = _reject(signers, bridge, rid, relayer)
    ev = tx.events["RedemptionRejected"]
    assert (ev["redemptionId"], ev["amount"], ev["fee"]) == (rid, 40_00, fee)
    assert busd.balanceOf(alice) == 5 * HUNDRED - fee


def test_fee_raised_above_escrow_takes_at_most_the_escrow(
    signers, bridge, busd, admin, holders, relayer, fee
):
    alice, _ = holders
    rid = bridge.redeem(USD, 30, GHOST, {"from": alice}).return_value
    bridge.setRejectionFee(USD, 50, {"from": admin})
    tx = _reject(signers, bridge, rid, relayer)
    assert tx.events["RedemptionRejected"]["fee"] == 30
    assert busd.balanceOf(alice) == 5 * HUNDRED - 30
    assert bridge.rejectionFeeOf(USD) == (50, 30)


def test_redeem_not_above_fee_reverts(bridge, holders, fee):
    alice, _ = holders
    with brownie.reverts(revert_pattern=r"AmountNotAboveRejectionFee.*"):
        bridge.redeem(USD, fee, "sokha@aclb", {"from": alice})
    bridge.redeem(USD, fee + 1, "sokha@aclb", {"from": alice})


def test_reclaim_charges_no_fee(bridge, busd, admin, holders, chain, fee):
    alice, _ = holders
    bridge.setTimings((6 * 3600, 3600, 10), {"from": admin})
    rid = bridge.redeem(USD, HUNDRED, "sokha@aclb", {"from": alice}).return_value
    chain.sleep(11)
    chain.mine()
    bridge.reclaim(rid, {"from": alice})
    assert busd.balanceOf(alice) == 5 * HUNDRED
    assert bridge.rejectionFeeOf(USD) == (fee, 0)


def test_collect_rejection_fees(signers, bridge, busd, admin, merchant, holders, relayer, fee):
    _, bob = holders
    _loop(signers, bridge, bob, relayer, times=2)
    tx = bridge.collectRejectionFees(USD, merchant, {"from": admin})
    ev = tx.events["RejectionFeesCollected"]
    assert (ev["currency"], ev["to"], ev["amount"]) == (USD, merchant, 2 * fee)
    assert busd.balanceOf(merchant) == 2 * fee
    assert busd.balanceOf(bridge) == 0
    assert bridge.rejectionFeeOf(USD) == (fee, 0)
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        bridge.collectRejectionFees(USD, merchant, {"from": admin})


def test_collect_rejection_fees_to_zero_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"ZeroRecipient.*"):
        bridge.collectRejectionFees(USD, brownie.ZERO_ADDRESS, {"from": admin})


def test_collect_rejection_fees_unknown_currency_reverts(bridge, admin, merchant):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        bridge.collectRejectionFees(392, merchant, {"from": admin})


def test_collect_rejection_fees_only_admin(bridge, operator, merchant):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.collectRejectionFees(USD, merchant, {"from": operator})


def test_set_rejection_fee_only_admin(bridge, operator):
    with brownie.reverts(revert_pattern=r"AccessControlUnauthorizedAccount.*"):
        bridge.setRejectionFee(USD, 1, {"from": operator})


def test_set_rejection_fee_unknown_currency_reverts(bridge, admin):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        bridge.setRejectionFee(392, 1, {"from": admin})


def test_set_rejection_fee_at_cap_reverts(bridge, admin, tight):
    with brownie.reverts(revert_pattern=r"RejectionFeeTooHigh.*"):
        bridge.setRejectionFee(USD, HUNDRED, {"from": admin})
    bridge.setRejectionFee(USD, HUNDRED - 1, {"from": admin})
    assert bridge.rejectionFeeOf(USD) == (HUNDRED - 1, 0)


def test_set_rejection_fee_to_zero_turns_it_off(signers, bridge, busd, admin, holders, relayer, fee):
    bridge.setRejectionFee(USD, 0, {"from": admin})
    alice, _ = holders
    rid = bridge.redeem(USD, 1, GHOST, {"from": alice}).return_value
    assert _reject(signers, bridge, rid, relayer).events["RedemptionRejected"]["fee"] == 0
    assert busd.balanceOf(alice) == 5 * HUNDRED


def test_cap_cannot_drop_to_the_fee(bridge, admin, tight, fee):
    limits = list(tight)
    limits[0], limits[1] = fee, fee
    with brownie.reverts(revert_pattern=r"RejectionFeeTooHigh.*"):
        bridge.setCurrencyLimits(USD, limits, {"from": admin})
    limits[0], limits[1] = fee + 1, fee + 1
    bridge.setCurrencyLimits(USD, limits, {"from": admin})
