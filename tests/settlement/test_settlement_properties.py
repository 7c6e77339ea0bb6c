"""Property tests: over invoice amounts, both deposit decimals (KHR 0, USD 2), payment amounts and quote windows,
a deposit either settles (merchant paid exactly the invoice, spent + surplus = deposit) or is refunded whole, as
the invoice's terms predict, and the settlement holds nothing afterwards."""

from __future__ import annotations

from brownie import chain
from brownie.test import given, strategy

from corridor.bridge.attest import KHR, USD
from corridor.settlement import RefundReason, outcome


def _check(desk, inv, tx, deposit, late):
    out = outcome(tx.events)
    should_settle = not late and deposit >= inv.price
    assert out.settled == should_settle
    assert out.deposit == deposit
    if should_settle:
        assert out.amount_out == inv.amount_out and out.spent <= inv.price
        assert out.spent + out.refunded == deposit
    else:
        assert out.refunded == deposit
        expected = RefundReason.QUOTE_WINDOW_CLOSED if late else RefundReason.UNDERPAID
        assert out.reason == expected
    if out.refunded and out.refund_id:
        assert desk.bridge.redemption(out.refund_id)["amount"] == out.refunded


@given(
    amount=strategy("uint256", min_value=1, max_value=200_000),
    currency=strategy("uint16", min_value=0, max_value=1),
    delta_bps=strategy("int256", min_value=-200, max_value=200),
    window=strategy("uint256", min_value=30, max_value=1_800),
    wait=strategy("uint256", min_value=0, max_value=2_400),
)
def test_rfq_outcome_follows_the_terms(desk, amount, currency, delta_bps, window, wait):
    code = (KHR, USD)[currency]
    token = desk.token(code)
    inv, data = desk.rfq_invoice(amount, currency=code, window=window)
    deposit = max(1, inv.price + inv.price * delta_bps // 10_000)
    chain.sleep(wait)
    chain.mine()
    late = chain[-1].timestamp + 1 > inv.window_end  # the payment lands in the next block
    merchant = desk.jpy.balanceOf(desk.merchant)
    tx = desk.pay(inv, data, deposit, currency=code)
    late = tx.timestamp > inv.window_end
    _check(desk, inv, tx, deposit, late)
    paid = desk.jpy.balanceOf(desk.merchant) - merchant
    assert paid in (0, amount) and (paid == amount) == outcome(tx.events).settled
    assert token.balanceOf(desk.settlement) == 0


@given(
    amount=strategy("uint256", min_value=100, max_value=100_000),
    bound_bps=strategy("uint256", min_value=0, max_value=300),
    short_bps=strategy("uint256", min_value=0, max_value=50),
)
def test_amm_outcome_follows_the_terms(desk, amount, bound_bps, short_bps):
    inv, data = desk.amm_invoice(amount, bound_bps=bound_bps)
    deposit = max(1, inv.price - inv.price * short_bps // 10_000)
    merchant = desk.jpy.balanceOf(desk.merchant)
    tx = desk.pay(inv, data, deposit)
    _check(desk, inv, tx, deposit, tx.timestamp > inv.window_end)
    assert desk.jpy.balanceOf(desk.merchant) - merchant == (amount if deposit >= inv.price else 0)
    assert desk.token(KHR).balanceOf(desk.settlement) == 0
