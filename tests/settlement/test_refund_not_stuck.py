"""Refunds the settlement sends must reach the payer or her bank: a deposit is never stuck (issue #16).

The policy (docs/security.md, "Settlement refunds Bakong cannot pay"): a refund payout Bakong rejects (the payer's
account closed or unknown) and a refund not above the bridge's rejection fee (the escrow never takes it) are owed to
the payer's bank, the Bakong participant that sent the payment, and paid to its returns account (`returns@` + the
bank code) as an interbank return is; each is recorded on chain with the original payer's account, so the bank
credits her. The first two tests were strict xfails of the settlement before this policy (found by its machine).
"""

from __future__ import annotations

import dataclasses

import brownie
import pytest

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD
from corridor.invoice_desk import PAYER
from corridor.settlement import RefundReason, outcome

BANK = PAYER.split("@")[1]


def _bank32(code: str) -> bytes:
    return code.encode().ljust(32, b"\0")


def _reject(desk, redemption_id):
    j = attest.RedemptionRejection(
        redemption_id, attest.reason_bytes32("UNKNOWN_ACCOUNT"), desk.bridge.epoch()
    )
    desk.bridge.rejectRedemption(j.as_tuple(), desk.sign(j), {"from": desk.relayer})


def test_rejected_refund_payout_stays_retryable(desk):
    """Bakong rejects the refund to the payer's account: what the bridge sends back (less its rejection fee) is owed
    to her bank once, and swept to the bank's returns account with her account on record."""
    desk.bridge.setRejectionFee(KHR, 7, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(inv, data, inv.price - 1)  # underpaid: the whole deposit goes to the payer's escrow
    out = outcome(tx.events)
    assert out.reason == RefundReason.UNDERPAID and out.refund_id != 0

    _reject(desk, out.refund_id)
    token = desk.token(KHR)
    held = token.balanceOf(desk.settlement)
    assert held == inv.price - 1 - 7

    ret = desk.settlement.returnRejectedRefund(out.refund_id, {"from": desk.relayer})
    e = ret.events["RejectedRefundReturned"]
    assert e["amount"] == held and e["bank"] == "0x" + _bank32(BANK).hex()
    assert e["payerAccount"] == "0x" + _bank32(PAYER).hex()  # the original payer, left-aligned
    assert desk.settlement.bankReturns(KHR, _bank32(BANK)) == held and desk.settlement.isReturned(
        out.refund_id
    )
    with brownie.reverts(f"RefundAlreadyReturned: {out.refund_id}"):
        desk.settlement.returnRejectedRefund(out.refund_id, {"from": desk.relayer})

    sweep = desk.settlement.sweepBankReturns(KHR, _bank32(BANK), {"from": desk.relayer})
    rid = sweep.events["BankReturnsSwept"]["redemptionId"]
    assert sweep.events["RedemptionRequested"]["bakongAccountId"] == f"returns@{BANK}"
    r = desk.bridge.redemption(rid)
    assert r["amount"] == held and r["holder"] == desk.settlement
    assert token.balanceOf(desk.settlement) == 0 and desk.settlement.bankReturns(KHR, _bank32(BANK)) == 0
    with brownie.reverts(revert_pattern="NothingOwedToBank: .*"):
        desk.settlement.sweepBankReturns(KHR, _bank32(BANK), {"from": desk.relayer})


def test_surplus_below_the_rejection_fee_is_not_stuck(desk):
    """A surplus not above the fee is owed to the payer's bank (not parked); the bank's returns are swept once they
    add up to more than the fee, and until then the sweep reverts and they stay owed."""
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(inv, data, inv.price + 50)  # overpaid by 50 riel, below the 100-riel fee
    out = outcome(tx.events)
    assert out.settled and out.refunded == 50 and out.refund_id == 0
    assert "RefundParked" not in tx.events
    owed = tx.events["RefundOwedToBank"]
    assert owed["amount"] == 50 and owed["payerAccount"] == PAYER
    assert owed["bakongTxHash"] == tx.events["Minted"]["bakongTxHash"]
    with brownie.reverts("AmountNotAboveRejectionFee: 50, 100"):
        desk.settlement.sweepBankReturns(KHR, _bank32(BANK), {"from": desk.relayer})

    inv, data = desk.rfq_invoice(10_000)
    desk.pay(inv, data, inv.price + 60)  # a second payer of the same bank: 110 owed now
    assert desk.settlement.bankReturns(KHR, _bank32(BANK)) == 110
    desk.settlement.sweepBankReturns(KHR, _bank32(BANK), {"from": desk.relayer})
    assert desk.token(KHR).balanceOf(desk.settlement) == 0


@pytest.mark.call_coverage
def test_parked_surplus_below_the_fee_reverts_on_retry(desk):
    """Nothing below the fee is parked any more: there is nothing to retry."""
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(inv, data, inv.price + 50)
    bakong_tx = tx.events["Minted"]["bakongTxHash"]
    with brownie.reverts(revert_pattern="NoParkedRefund: .*"):
        desk.settlement.retryRefund(bakong_tx, {"from": desk.relayer})
    assert desk.token(KHR).balanceOf(desk.settlement) == 50
    assert desk.settlement.bankReturns(KHR, _bank32(BANK)) == 50


def test_only_a_rejected_refund_of_the_settlement_is_returned(desk):
    inv, data = desk.rfq_invoice(10_000)
    out = outcome(desk.pay(inv, data, inv.price - 1).events)  # pending, not rejected
    with brownie.reverts(f"NotRejectedRefund: {out.refund_id}"):
        desk.settlement.returnRejectedRefund(out.refund_id, {"from": desk.relayer})
    lp = desk.who["liquidity"]  # someone else's redemption, rejected: not the settlement's to return
    desk.token(KHR).approve(desk.bridge, 1_000, {"from": lp})
    rid = desk.bridge.redeem(KHR, 1_000, "ghost@nobank", {"from": lp}).return_value
    _reject(desk, rid)
    with brownie.reverts(f"NotRejectedRefund: {rid}"):
        desk.settlement.returnRejectedRefund(rid, {"from": desk.relayer})


def test_an_account_without_bank_owes_to_its_whole_id(desk):
    """A payer account the validators signed without an at sign (the escrow would refuse it): its sub-fee refund is
    owed under the whole id, never lost."""
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    inv = dataclasses.replace(inv, payer_account="nobank")
    tx = desk.pay(inv, data, inv.price + 40)
    assert tx.events["RefundOwedToBank"]["bank"] == "0x" + _bank32("nobank").hex()
    assert desk.settlement.bankReturns(KHR, _bank32("nobank")) == 40


def test_a_parked_refund_the_fee_later_covers_goes_to_the_bank(desk):
    from tests.settlement.helpers import choke_outbound, unchoke

    inv, data = desk.rfq_invoice(10_000)
    limits = choke_outbound(desk, leave=5)
    tx = desk.pay(inv, data, inv.price + 80)  # the 80-riel surplus is parked by the outbound limit
    bakong_tx = tx.events["Minted"]["bakongTxHash"]
    assert tx.events["RefundParked"]["amount"] == 80
    unchoke(desk, limits)
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    retry = desk.settlement.retryRefund(bakong_tx, {"from": desk.relayer})
    assert retry.events["RefundOwedToBank"]["amount"] == 80
    assert desk.settlement.bankReturns(KHR, _bank32(BANK)) == 80


def test_a_return_never_takes_more_than_came_back(desk):
    """The fee lowered between the rejection and the return: the return owes what came back, not the fee-free
    amount (it would take another payer's refund); raised above the refund: nothing came back, nothing owed."""
    desk.bridge.setRejectionFee(KHR, 7, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    out = outcome(desk.pay(inv, data, inv.price - 1).events)
    _reject(desk, out.refund_id)
    desk.bridge.setRejectionFee(KHR, 0, {"from": desk.admin})
    ret = desk.settlement.returnRejectedRefund(out.refund_id, {"from": desk.relayer})
    assert ret.return_value == inv.price - 1 - 7
    owed = desk.settlement.bankReturns(KHR, _bank32(BANK))
    assert owed == inv.price - 1 - 7

    inv, data = desk.rfq_invoice(10_000)
    small = outcome(desk.pay(inv, data, inv.price + 150).events)  # a 150-riel surplus escrowed for the payer
    desk.bridge.setRejectionFee(KHR, 200, {"from": desk.admin})  # the whole escrow is kept as the fee
    _reject(desk, small.refund_id)
    ret = desk.settlement.returnRejectedRefund(small.refund_id, {"from": desk.relayer})
    assert ret.return_value == 0 and ret.events["RejectedRefundReturned"]["amount"] == 0
    assert desk.settlement.isReturned(small.refund_id)
    assert desk.settlement.bankReturns(KHR, _bank32(BANK)) == owed


def test_a_router_without_pools_gets_no_pool_allowance(desk):
    from brownie import FXRouter, InvoiceSettlement

    router = FXRouter.deploy(desk.token(USD), desk.admin, 0, {"from": desk.admin})
    s = InvoiceSettlement.deploy(desk.bridge, desk.venue, router, desk.jpy, [KHR, USD], {"from": desk.admin})
    assert desk.token(KHR).allowance(s, desk.bridge) == 2**256 - 1
    assert desk.token(KHR).allowance(s, desk.router.poolOf(desk.token(KHR))) == 0
    s.approveCurrency(
        USD, {"from": desk.relayer}
    )  # the hub: its first pool would be the JPYS pool, none here
    assert desk.token(USD).allowance(s, desk.router.poolOf(desk.jpy)) == 0
    desk.settlement.approveCurrency(USD, {"from": desk.relayer})
    assert desk.token(USD).allowance(desk.settlement, desk.router.poolOf(desk.jpy)) == 2**256 - 1
