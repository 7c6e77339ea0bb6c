"""KhqrPayer unit tests: one-transaction payments (RFQ and router, direct and gasless), the escrow, payouts."""

from __future__ import annotations

import brownie
import pytest

from corridor.khqr_pay import payment_nonce, remittance

KHR, USD = 116, 840


def _balances(world, payer):
    return (
        world.jpys.balanceOf(payer),
        world.token(KHR).balanceOf(world.bridge),
        world.token(USD).balanceOf(world.bridge),
    )


def test_rfq_payment_escrows_exactly_the_khqr_amount(world, yen_payer, khr_payment):
    sq = world.quote(khr_payment)
    jpy0, khr0, _ = _balances(world, yen_payer)
    jpy_in, _fee = world.venue.previewExactOut(sq.quote.as_tuple(), khr_payment.amount)
    tx = world.payer_contract.payWithQuote(
        khr_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
    )
    rid, spent = tx.return_value
    assert spent == jpy_in
    assert world.jpys.balanceOf(yen_payer) == jpy0 - jpy_in
    assert world.token(KHR).balanceOf(world.bridge) == khr0 + 40_000
    assert world.jpys.balanceOf(world.payer_contract) == 0
    r = world.bridge.redemption(rid)
    assert (r[0], r[1], r[2], r[4], r[5]) == (world.payer_contract.address, KHR, 1, 40_000, yen_payer.address)
    assert bytes(r[6]).rstrip(b"\0") == b"coffee@abab"
    ev = tx.events["KhqrPaid"]
    assert (ev["redemptionId"], ev["payer"], ev["jpyIn"]) == (rid, yen_payer, jpy_in)
    assert tx.events["RedemptionRequested"]["amount"] == 40_000
    assert bytes(tx.events["QuoteFilled"]["paymentReference"]) == khr_payment.bill_number


def test_finalized_payout_burns_the_escrow(world, yen_payer, khr_payment, relayer):
    sq = world.quote(khr_payment)
    tx = world.payer_contract.payWithQuote(
        khr_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
    )
    rid = tx.return_value[0]
    supply = world.token(KHR).totalSupply()
    f, sigs = world.finalization(rid)
    world.bridge.finalizeRedemption(f, sigs, {"from": relayer})
    assert world.token(KHR).totalSupply() == supply - 40_000
    assert world.bridge.redemption(rid)[2] == 2  # Finalized
    with brownie.reverts(f"NotRefundable: {rid}, 2"):
        world.payer_contract.refund(rid, world.path(KHR, inbound=True), 0, 2**40, {"from": yen_payer})


def test_usd_payment_in_cents(world, yen_payer, usd_payment):
    sq = world.quote(usd_payment, rate_num=1, rate_den=1)  # 1 cent per yen (a coarse test price)
    _, _, usd0 = _balances(world, yen_payer)
    tx = world.payer_contract.payWithQuote(
        usd_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
    )
    assert world.token(USD).balanceOf(world.bridge) == usd0 + 1_234
    assert tx.return_value[1] >= 1_234


def test_gasless_payment_returns_the_unused_yen(world, gasless_payer, khr_payment, relayer):
    from corridor.khqr_pay import sign_payment_authorization
    from corridor.stablecoin.signing import token_domain

    sq = world.quote(khr_payment)
    jpy_in, _ = world.venue.previewExactOut(sq.quote.as_tuple(), khr_payment.amount)
    domain = token_domain(world.jpys.name(), world.chain.id, world.jpys.address)
    auth = sign_payment_authorization(
        gasless_payer.private_key,
        domain,
        gasless_payer.address,
        world.payer_contract.address,
        khr_payment,
        0,
        world.chain.time() + 600,
    )
    before = world.jpys.balanceOf(gasless_payer)
    tx = world.payer_contract.payWithQuoteAuthorized(
        khr_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, auth, {"from": relayer}
    )
    assert world.jpys.balanceOf(gasless_payer) == before - jpy_in  # 2,000 pulled, the rest returned
    assert jpy_in < khr_payment.max_jpy_in
    assert world.bridge.redemption(tx.return_value[0])[5] == gasless_payer
    assert world.jpys.balanceOf(world.payer_contract) == 0
    nonce = world.payer_contract.authorizationNonce(khr_payment.as_tuple(), auth[3])
    assert bytes(nonce) == payment_nonce(khr_payment, auth[3])


def test_gasless_authorization_cannot_be_redirected(world, gasless_payer, khr_payment, relayer):
    from corridor.khqr_pay import sign_payment_authorization
    from corridor.stablecoin.signing import token_domain

    domain = token_domain(world.jpys.name(), world.chain.id, world.jpys.address)
    auth = sign_payment_authorization(
        gasless_payer.private_key,
        domain,
        gasless_payer.address,
        world.payer_contract.address,
        khr_payment,
        0,
        world.chain.time() + 600,
    )
    thief = remittance("thief@abab", "KHR", 40_000, 2_000, "INV-0001")
    sq = world.quote(thief)
    with brownie.reverts():
        world.payer_contract.payWithQuoteAuthorized(
            thief.as_tuple(), sq.quote.as_tuple(), sq.signature, auth, {"from": relayer}
        )
    assert world.jpys.balanceOf(world.payer_contract) == 0


def test_router_payment_returns_the_unused_yen(world, yen_payer, khr_payment):
    need = world.router.quoteExactOut(world.path(KHR), khr_payment.amount)
    before = world.jpys.balanceOf(yen_payer)
    khr0 = world.token(KHR).balanceOf(world.bridge)
    tx = world.payer_contract.payWithRouter(
        khr_payment.as_tuple(), world.path(KHR), 2**40, {"from": yen_payer}
    )
    assert tx.return_value[1] == need
    assert world.jpys.balanceOf(yen_payer) == before - need
    assert world.token(KHR).balanceOf(world.bridge) == khr0 + 40_000
    assert world.jpys.balanceOf(world.payer_contract) == 0


def test_gasless_router_payment(world, gasless_payer, usd_payment, relayer):
    from corridor.khqr_pay import sign_payment_authorization
    from corridor.stablecoin.signing import token_domain

    domain = token_domain(world.jpys.name(), world.chain.id, world.jpys.address)
    auth = sign_payment_authorization(
        gasless_payer.private_key,
        domain,
        gasless_payer.address,
        world.payer_contract.address,
        usd_payment,
        0,
        world.chain.time() + 600,
    )
    need = world.router.quoteExactOut(world.path(USD), usd_payment.amount)
    before = world.jpys.balanceOf(gasless_payer)
    world.payer_contract.payWithRouterAuthorized(
        usd_payment.as_tuple(), world.path(USD), 2**40, auth, {"from": relayer}
    )
    assert world.jpys.balanceOf(gasless_payer) == before - need


@pytest.mark.parametrize("currency", [KHR, USD])
def test_gas_rfq_payment_within_goal(world, yen_payer, currency):
    """Issue #16 goal: outbound KHQR payment in one tx (RFQ fill + redemption escrow) <= 220,000."""
    p = remittance("coffee@abab", currency, 40_000 if currency == KHR else 1_234, 3_000, "INV-GAS")
    for _ in range(2):  # the second fill: maker nonce word and fee slot warm, as the RFQ goal measures
        sq = world.quote(p, rate_num=1 if currency == USD else 30)
        exact = world.venue.previewExactOut(sq.quote.as_tuple(), p.amount)[0]
        p = remittance(
            "coffee@abab", currency, p.amount, exact, "INV-GAS"
        )  # the client sends the exact input
        tx = world.payer_contract.payWithQuote(
            p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
        )
    print(f"outbound RFQ payment {currency}: {tx.gas_used}")
    assert tx.gas_used <= 220_000
