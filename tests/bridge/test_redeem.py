"""Redemptions: escrow, finalize (burn), reject (refund), reclaim after the timeout."""

import brownie
import pytest

from corridor.bridge.attest import KHR
from corridor.bridge.khqr import account_id_fault

ACCOUNT = "sokha@aclb"


@pytest.fixture
def holder(signers, bridge, bkhr, alice, relayer, funded):
    """alice holds 100,000 bKHR and approved the bridge."""
    signers.mint(KHR, 100_000, alice, relayer)
    bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    return alice


def _redeem(bridge, holder, amount=40_000, account=ACCOUNT):
    return bridge.redeem(KHR, amount, account, {"from": holder})


def _finalize(signers, bridge, rid, sender, payout=None):
    f = signers.finalization(rid, payout)
    return bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": sender}), f


def _reject(signers, bridge, rid, sender):
    j = signers.rejection(rid)
    return bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": sender})


def test_redeem_escrows_and_emits_id(bridge, bkhr, holder, chain):
    tx = _redeem(bridge, holder)
    ev = tx.events["RedemptionRequested"]
    assert (ev["redemptionId"], ev["currency"], ev["holder"], ev["amount"]) == (1, KHR, holder, 40_000)
    assert ev["bakongAccountId"] == ACCOUNT
    assert ev["deadline"] == tx.timestamp + bridge.timings()[2]
    assert bkhr.balanceOf(bridge) == 40_000
    assert bkhr.balanceOf(holder) == 60_000
    r = bridge.redemption(1)
    assert (r[0], r[1], r[2], r[4]) == (holder, KHR, 1, 40_000)
    assert r[5] == "0x0000000000000000000000000000000000000000"  # beneficiary: a holder's own redemption
    assert bytes(r[6]).rstrip(b"\0").decode() == ACCOUNT
    assert bridge.redemptionCount() == 1


def test_redeem_ids_increase(bridge, holder):
    assert _redeem(bridge, holder, 1).return_value == 1
    assert _redeem(bridge, holder, 1).return_value == 2


def test_redeem_drains_outbound_bucket(bridge, holder):
    before = bridge.outboundAvailable(KHR)
    _redeem(bridge, holder, 1_234)
    assert bridge.outboundAvailable(KHR) == before - 1_234


@pytest.mark.parametrize(
    "account",
    [
        *["", "@", "a@", "@b", "@aclb", "sokha@", "ab", "a@b@c", "a@@b", "x" * 30 + "@b" + "c", "sokha.aclb"],
        *["a" * 33, "ស@bank", "Sokha@aclb", "so kha@aclb"],  # finding 1: only a-z 0-9 _ . - besides the '@'
    ],
)
def test_redeem_invalid_account_id_reverts(bridge, holder, account):
    """As a transaction (so coverage sees every fault), with the fault and byte khqr.account_id_fault names."""
    fault, index = account_id_fault(account)
    with brownie.reverts(f"InvalidBakongAccountId: {int(fault)}, {index}"):
        _redeem(bridge, holder, 1, account)


@pytest.mark.parametrize("account", ["a@b", "x" * 30 + "@b", "dara_chan@wing", "jon-smith.2@devb"])
def test_redeem_valid_account_ids(bridge, holder, account):
    tx = _redeem(bridge, holder, 1, account)
    assert tx.events["RedemptionRequested"]["bakongAccountId"] == account


def test_redeem_zero_amount_reverts(bridge, holder):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        _redeem(bridge, holder, 0)


def test_redeem_above_cap_reverts(bridge, holder):
    cap = bridge.limitsOf(KHR)[0]
    with brownie.reverts(revert_pattern=r"AmountAboveMessageCap.*"):
        _redeem(bridge, holder, cap + 1)


def test_redeem_unknown_currency_reverts(bridge, holder):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        bridge.redeem(392, 1, ACCOUNT, {"from": holder})


def test_redeem_beyond_outbound_bucket_reverts(bridge, admin, holder):
    limits = list(bridge.limitsOf(KHR))
    limits[0], limits[1], limits[5], limits[6] = 10_000, 10_000, 15_000, 1  # cap, threshold, capacity, 1/s
    bridge.setCurrencyLimits(KHR, limits, {"from": admin})
    _redeem(bridge, holder, 10_000)
    # 5,000 left, refilling 1 a second: 300 more than that is refused however slowly the blocks come
    with brownie.reverts(revert_pattern=r"RateLimitExceeded.*"):
        _redeem(bridge, holder, 5_300)


def test_redeem_refills_over_time(bridge, admin, holder, chain):
    limits = list(bridge.limitsOf(KHR))
    limits[0], limits[1], limits[5], limits[6] = 10_000, 10_000, 10_000, 100
    bridge.setCurrencyLimits(KHR, limits, {"from": admin})
    tx = _redeem(bridge, holder, 10_000)
    chain.sleep(50)
    chain.mine()
    assert bridge.outboundAvailable(KHR) == 100 * (chain[-1].timestamp - tx.timestamp) >= 5_000
    _redeem(bridge, holder, 5_000)


def test_redeem_when_paused_reverts(bridge, operator, holder):
    bridge.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        _redeem(bridge, holder)


def test_redeem_without_allowance_reverts(signers, bridge, bob, relayer, funded):
    signers.mint(KHR, 10, bob, relayer)
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance.*"):
        bridge.redeem(KHR, 10, ACCOUNT, {"from": bob})


def test_finalize_burns_escrow(signers, bridge, bkhr, holder, relayer):
    _redeem(bridge, holder)
    tx, f = _finalize(signers, bridge, 1, relayer)
    assert bkhr.balanceOf(bridge) == 0
    assert bkhr.totalSupply() == 60_000
    assert bridge.redemption(1)[2] == 2
    assert bridge.payoutUsed(f.payout_tx_hash)
    assert tx.events["RedemptionFinalized"]["amount"] == 40_000


def test_finalize_twice_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    _finalize(signers, bridge, 1, relayer)
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        _finalize(signers, bridge, 1, relayer)


def test_finalize_reusing_payout_hash_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder, 1)
    _redeem(bridge, holder, 1)
    _, f = _finalize(signers, bridge, 1, relayer)
    with brownie.reverts(revert_pattern=r"PayoutTxAlreadyUsed.*"):
        _finalize(signers, bridge, 2, relayer, payout=f.payout_tx_hash)


def test_finalize_zero_payout_hash_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    f = signers.finalization(1, b"\0" * 32)
    with brownie.reverts(revert_pattern=r"ZeroBakongTxHash.*"):
        bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})


def test_finalize_unknown_redemption_reverts(signers, bridge, relayer):
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        _finalize(signers, bridge, 99, relayer)


def test_finalize_wrong_epoch_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    f = signers.finalization(1, epoch=9)
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})


def test_finalize_with_too_few_signatures_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    f = signers.finalization(1)
    with brownie.reverts(revert_pattern=r"SignatureLengthMismatch.*"):
        bridge.finalizeRedemption(f.as_tuple(), signers.sign(f, keys=signers.keys[:1]), {"from": relayer})


def test_finalize_allowed_while_paused(signers, bridge, operator, holder, relayer):
    _redeem(bridge, holder)
    bridge.pause({"from": operator})
    _finalize(signers, bridge, 1, relayer)
    assert bridge.redemption(1)[2] == 2


def test_reject_refunds_holder(signers, bridge, bkhr, holder, relayer):
    _redeem(bridge, holder)
    tx = _reject(signers, bridge, 1, relayer)
    assert bkhr.balanceOf(holder) == 100_000
    assert bkhr.balanceOf(bridge) == 0
    assert bridge.redemption(1)[2] == 3
    assert tx.events["RedemptionRejected"]["amount"] == 40_000


def test_reject_zero_reason_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    j = signers.rejection(1)
    j = type(j)(1, b"\0" * 32, j.epoch)
    with brownie.reverts(revert_pattern=r"ZeroReason.*"):
        bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})


def test_reject_after_finalize_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    _finalize(signers, bridge, 1, relayer)
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        _reject(signers, bridge, 1, relayer)


def test_reject_wrong_epoch_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    j = signers.rejection(1, epoch=5)
    with brownie.reverts(revert_pattern=r"EpochMismatch.*"):
        bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})


def test_finalize_signatures_cannot_reject(signers, bridge, holder, relayer):
    _redeem(bridge, holder)
    f = signers.finalization(1, b"\x01" * 32)
    j = signers.rejection(1)
    j = type(j)(1, b"\x01" * 32, j.epoch)  # same field values, other struct: other digest
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        bridge.rejectRedemption(j.as_tuple(), signers.sign(f), {"from": relayer})


def test_reclaim_after_timeout(bridge, bkhr, holder, chain):
    _redeem(bridge, holder)
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    tx = bridge.reclaim(1, {"from": holder})
    assert bkhr.balanceOf(holder) == 100_000
    assert bridge.redemption(1)[2] == 4
    assert tx.events["RedemptionReclaimed"]["amount"] == 40_000


def test_reclaim_before_timeout_reverts(bridge, holder):
    _redeem(bridge, holder)
    with brownie.reverts(revert_pattern=r"RedemptionNotExpired.*"):
        bridge.reclaim(1, {"from": holder})


def test_reclaim_by_other_reverts(bridge, holder, bob, chain):
    _redeem(bridge, holder)
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"NotRedemptionHolder.*"):
        bridge.reclaim(1, {"from": bob})


def test_reclaim_after_finalize_reverts(signers, bridge, holder, relayer, chain):
    _redeem(bridge, holder)
    _finalize(signers, bridge, 1, relayer)
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        bridge.reclaim(1, {"from": holder})


def test_finalize_after_reclaim_reverts(signers, bridge, holder, relayer, chain):
    _redeem(bridge, holder)
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    bridge.reclaim(1, {"from": holder})
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        _finalize(signers, bridge, 1, relayer)


def _permit(token, owner, spender, value, deadline, chain):
    from corridor.eip712 import Domain, sign

    domain = Domain(token.name(), "1", chain.id, token.address)
    fields = [
        ("owner", "address"),
        ("spender", "address"),
        ("value", "uint256"),
        ("nonce", "uint256"),
        ("deadline", "uint256"),
    ]
    msg = {
        "owner": owner.address,
        "spender": spender.address,
        "value": value,
        "nonce": token.nonces(owner),
        "deadline": deadline,
    }
    return sign(owner.private_key, domain, "Permit", fields, msg).vrs


def test_redeem_with_permit_in_one_transaction(
    signers, bridge, bkhr, admin, accounts, relayer, funded, chain
):
    owner = accounts.add()
    bkhr.setKyc(owner, 3, 116, {"from": admin})
    signers.mint(KHR, 500, owner, relayer)
    v, r, s = _permit(bkhr, owner, bridge, 500, signers.now() + 600, chain)
    tx = bridge.redeemWithPermit(
        KHR, 500, ACCOUNT, signers.now() + 600, v, r, s, {"from": owner, "gas_price": 0}
    )
    assert tx.events["RedemptionRequested"]["amount"] == 500
    assert bkhr.balanceOf(bridge) == 500


def test_redeem_with_front_run_permit_still_redeems(
    signers, bridge, bkhr, admin, accounts, relayer, funded, chain
):
    owner = accounts.add()
    bkhr.setKyc(owner, 3, 116, {"from": admin})
    signers.mint(KHR, 500, owner, relayer)
    deadline = signers.now() + 600
    v, r, s = _permit(bkhr, owner, bridge, 500, deadline, chain)
    bkhr.permit(owner, bridge, 500, deadline, v, r, s, {"from": relayer})  # someone submits it first
    bridge.redeemWithPermit(KHR, 500, ACCOUNT, deadline, v, r, s, {"from": owner, "gas_price": 0})
    assert bkhr.balanceOf(bridge) == 500


def test_redeem_with_bad_permit_reverts_on_allowance(signers, bridge, bkhr, admin, accounts, relayer, funded):
    owner = accounts.add()
    bkhr.setKyc(owner, 3, 116, {"from": admin})
    signers.mint(KHR, 500, owner, relayer)
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance.*"):
        bridge.redeemWithPermit(
            KHR,
            500,
            ACCOUNT,
            signers.now() + 600,
            27,
            b"\1" * 32,
            b"\2" * 32,
            {"from": owner, "gas_price": 0},
        )


def test_redeem_with_permit_when_paused_reverts(bridge, operator, alice):
    bridge.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        bridge.redeemWithPermit(KHR, 1, ACCOUNT, 0, 27, b"\1" * 32, b"\2" * 32, {"from": alice})


def test_reject_allowed_while_paused(signers, bridge, bkhr, operator, holder, relayer):
    _redeem(bridge, holder)
    bridge.pause({"from": operator})
    _reject(signers, bridge, 1, relayer)
    assert bkhr.balanceOf(holder) == 100_000


def test_reclaim_allowed_while_paused(bridge, bkhr, operator, holder, chain):
    _redeem(bridge, holder)
    bridge.pause({"from": operator})
    chain.sleep(bridge.timings()[2] + 1)
    chain.mine()
    bridge.reclaim(1, {"from": holder})
    assert bkhr.balanceOf(holder) == 100_000


def test_finalize_signature_for_other_redemption_reverts(signers, bridge, holder, relayer):
    _redeem(bridge, holder, 1)
    _redeem(bridge, holder, 1)
    f1 = signers.finalization(1)
    forged = type(f1)(2, f1.payout_tx_hash, f1.epoch)
    with brownie.reverts(revert_pattern=r"(SignerNotValidator|SignersNotAscending).*"):
        bridge.finalizeRedemption(forged.as_tuple(), signers.sign(f1), {"from": relayer})


def test_deadline_uses_timeout_at_request_time(bridge, admin, holder):
    tx = _redeem(bridge, holder, 1)
    bridge.setTimings((6 * 3600, 3600, 10), {"from": admin})
    assert bridge.redemption(1)[3] == tx.events["RedemptionRequested"]["deadline"]
