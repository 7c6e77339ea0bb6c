"""Refunds the settlement sends must reach the payer or stay retryable: a deposit is never stuck (issue #16).

Both tests fail on the current InvoiceSettlement and are marked xfail(strict=True) with the reason, so the suite
stays green and the fix is noticed (the mark must then go). Found while building tests/settlement's machine.
"""

from __future__ import annotations

import brownie
import pytest

from corridor.bridge import attest
from corridor.bridge.attest import KHR
from corridor.settlement import RefundReason, outcome


def _reject(desk, redemption_id):
    j = attest.RedemptionRejection(
        redemption_id, attest.reason_bytes32("UNKNOWN_ACCOUNT"), desk.bridge.epoch()
    )
    desk.bridge.rejectRedemption(j.as_tuple(), desk.sign(j), {"from": desk.relayer})


@pytest.mark.xfail(
    strict=True,
    reason="contract bug: a refund payout Bakong rejects (payer account closed) returns the bKHR to "
    "InvoiceSettlement (the redemption's holder), which has no admin, no reclaim and records nothing to retry: "
    "the deposit is stuck there for ever",
)
def test_rejected_refund_payout_stays_retryable(desk):
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(inv, data, inv.price - 1)  # underpaid: the whole deposit goes to the payer's escrow
    out = outcome(tx.events)
    assert out.reason == RefundReason.UNDERPAID and out.refund_id != 0
    bakong_tx = tx.events["Minted"]["bakongTxHash"]

    _reject(desk, out.refund_id)

    token = desk.token(KHR)
    held = token.balanceOf(desk.settlement)
    parked = desk.settlement.parkedRefund(bakong_tx)[1]
    assert held == 0 or parked == held  # sent on, or retryable (retryRefund) by anyone


@pytest.mark.xfail(
    strict=True,
    reason="contract bug: a surplus (or a whole refund) not above the bridge's rejection fee is parked, but "
    "retryRefund can never send it (the bridge refuses AmountNotAboveRejectionFee every time): stuck for ever",
)
def test_surplus_below_the_rejection_fee_is_not_stuck(desk):
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(inv, data, inv.price + 50)  # overpaid by 50 riel, below the 100-riel fee
    out = outcome(tx.events)
    assert out.settled and out.refunded == 50 and out.refund_id == 0
    bakong_tx = tx.events["Minted"]["bakongTxHash"]
    assert "RefundParked" in tx.events

    desk.settlement.retryRefund(bakong_tx, {"from": desk.relayer})  # reverts: AmountNotAboveRejectionFee
    assert desk.token(KHR).balanceOf(desk.settlement) == 0


def test_parked_surplus_below_the_fee_reverts_on_retry(desk):
    """What the second xfail pins, stated as today's behaviour (the retry reverts and the surplus stays)."""
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(inv, data, inv.price + 50)
    bakong_tx = tx.events["Minted"]["bakongTxHash"]
    with brownie.reverts("AmountNotAboveRejectionFee: 50, 100"):
        desk.settlement.retryRefund(bakong_tx, {"from": desk.relayer})
    assert desk.token(KHR).balanceOf(desk.settlement) == 50
