"""KhqrPayer: rejected and reclaimed payouts refunded in JPYS, and every revert path."""

from __future__ import annotations

import brownie
import pytest
from brownie.test import given, strategy

from corridor.khqr_pay import remittance

KHR, USD = 116, 840
FAR = 2**40


def _pay(world, payer, p, **kw):
    sq = world.quote(p, **kw)
    tx = world.payer_contract.payWithQuote(p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": payer})
    return tx.return_value


def test_rejected_payout_is_refunded_in_jpys(world, yen_payer, khr_payment, relayer):
    rid, jpy_in = _pay(world, yen_payer, khr_payment)
    before = world.jpys.balanceOf(yen_payer)
    path = world.path(KHR, inbound=True)
    expected = world.router.quoteExactIn(path, 40_000)
    floor = world.payer_contract.refundFloor(path, 40_000)
    j, sigs = world.rejection(rid)
    tx = world.payer_contract.rejectAndRefund(j, sigs, path, floor, FAR, {"from": relayer})
    assert tx.return_value == expected > 0
    assert world.jpys.balanceOf(yen_payer) == before + expected
    assert world.bridge.redemption(rid)[2] == 3  # Rejected
    assert world.token(KHR).balanceOf(world.payer_contract) == 0  # nothing left in bKHR
    assert world.payer_contract.refunded(rid)
    ev = tx.events["PaymentRefunded"]
    assert (ev["redemptionId"], ev["payer"], ev["tokenBack"], ev["jpyOut"]) == (
        rid,
        yen_payer,
        40_000,
        expected,
    )
    with brownie.reverts(f"UnknownPayment: {rid}"):
        world.payer_contract.refund(rid, path, 0, FAR, {"from": yen_payer})


def test_rejection_fee_is_kept_by_the_bridge(world, yen_payer, khr_payment, relayer):
    world.bridge.setRejectionFee(KHR, 1_000, {"from": world.who["admin"]})
    rid, _ = _pay(world, yen_payer, khr_payment)
    path = world.path(KHR, inbound=True)
    expected = world.router.quoteExactIn(path, 39_000)
    j, sigs = world.rejection(rid)
    tx = world.payer_contract.rejectAndRefund(j, sigs, path, 0, FAR, {"from": yen_payer})
    assert tx.events["PaymentRefunded"]["tokenBack"] == 39_000 and tx.return_value == expected


def test_direct_rejection_is_refunded_later_by_the_payer(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    j, sigs = world.rejection(rid)
    world.bridge.rejectRedemption(j, sigs, {"from": relayer})
    assert world.token(KHR).balanceOf(world.payer_contract) == 40_000
    path = world.path(KHR, inbound=True)
    world.payer_contract.refund(rid, path, 0, FAR, {"from": yen_payer})
    assert world.token(KHR).balanceOf(world.payer_contract) == 0


def test_keeper_cannot_refund_below_the_floor(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    path = world.path(KHR, inbound=True)
    floor = world.payer_contract.refundFloor(path, 40_000)
    mid = world.router.quoteMid(path, 40_000)
    assert floor == mid * 9_700 // 10_000
    j, sigs = world.rejection(rid)
    with brownie.reverts(f"RefundBelowFloor: {floor - 1}, {floor}"):
        world.payer_contract.rejectAndRefund(j, sigs, path, floor - 1, FAR, {"from": relayer})
    assert world.bridge.redemption(rid)[2] == 1  # still pending: nothing half-done


def test_unpaid_redemption_is_reclaimed_and_refunded(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    path = world.path(KHR, inbound=True)
    with brownie.reverts(f"NotRefundable: {rid}, 1"):
        world.payer_contract.refund(rid, path, 0, FAR, {"from": yen_payer})
    world.chain.sleep(int(world.settings["bridge"]["timings"]["redemption_timeout"]) + 1)
    world.chain.mine()
    for feed in world.suite.exchange.feeds.values():  # the pools need a fresh fixing after the long sleep
        from corridor.exchange.deploy import publish_fixing

        publish_fixing(feed, feed.latestRoundData()[1], world.who["admin"])
    before = world.jpys.balanceOf(yen_payer)
    tx = world.payer_contract.reclaimAndRefund(rid, path, 0, FAR, {"from": yen_payer})
    assert tx.events["PaymentRefunded"]["tokenBack"] == 40_000
    assert world.jpys.balanceOf(yen_payer) == before + tx.return_value > before


def test_refund_path_must_sell_the_token_for_jpys(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    j, sigs = world.rejection(rid)
    world.bridge.rejectRedemption(j, sigs, {"from": relayer})
    wrong = world.path(USD, inbound=True)
    with brownie.reverts(f"WrongPair: {wrong[0].lower()}, {wrong[-1].lower()}"):
        world.payer_contract.refund(rid, wrong, 0, FAR, {"from": yen_payer})


def test_refund_path_must_end_in_jpys(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    j, sigs = world.rejection(rid)
    world.bridge.rejectRedemption(j, sigs, {"from": relayer})
    bkhr, busd = world.token(KHR).address, world.token(USD).address
    with brownie.reverts(f"WrongPair: {bkhr.lower()}, {busd.lower()}"):
        world.payer_contract.refund(rid, [bkhr, busd], 0, FAR, {"from": yen_payer})


@pytest.mark.call_coverage
def test_refunded_view_follows_the_refund(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    assert world.payer_contract.refunded(rid) is False
    j, sigs = world.rejection(rid)
    world.payer_contract.rejectAndRefund(j, sigs, world.path(KHR, inbound=True), 0, FAR, {"from": yen_payer})
    assert world.payer_contract.refunded(rid) is True


@pytest.mark.xfail(
    strict=True,
    reason="known limit (docs/security.md §8): the refund deducts the rejection fee in force at refund time, so a "
    "fee raised above the escrow after the rejection refunds nothing and leaves the returned tokens in KhqrPayer",
)
def test_fee_raised_after_the_rejection_still_refunds_what_came_back(world, yen_payer, khr_payment, relayer):
    rid, _ = _pay(world, yen_payer, khr_payment)
    j, sigs = world.rejection(rid)
    world.bridge.rejectRedemption(j, sigs, {"from": relayer})  # fee 0: all 40,000 come back
    world.bridge.setRejectionFee(KHR, 50_000, {"from": world.who["admin"]})
    tx = world.payer_contract.refund(rid, world.path(KHR, inbound=True), 0, FAR, {"from": yen_payer})
    assert tx.events["PaymentRefunded"]["tokenBack"] == 40_000
    assert world.token(KHR).balanceOf(world.payer_contract) == 0


def test_redeem_prefunded_needs_a_beneficiary(world, yen_payer):
    admin = world.who["admin"]
    world.bridge.grantRole(world.bridge.ESCROW_AGENT_ROLE(), yen_payer, {"from": admin})
    with brownie.reverts("ZeroRecipient: "):
        world.bridge.redeemPrefunded(KHR, 1_000, "a@b", "0x" + "00" * 20, {"from": yen_payer})


def test_unknown_redemption_is_not_refundable(world, yen_payer):
    with brownie.reverts("UnknownPayment: 999"):
        world.payer_contract.refund(999, world.path(KHR, inbound=True), 0, FAR, {"from": yen_payer})


# ------------------------------------------------------------------------------------------ reverts


@pytest.mark.parametrize(
    "account, fault",
    [("ab", "0, 2"), ("no-at-sign", "4, 10"), ("Upper@bank", "2, 0"), ("@bank", "5, 0"), ("name@", "6, 4")],
)
def test_malformed_account_id_reverts_with_the_bridge_error(world, yen_payer, account, fault):
    p = remittance("ok@bank", "KHR", 40_000, 2_000, "INV-X")
    p = type(p)(p.currency, p.amount, p.max_jpy_in, p.bill_number, account)
    before = world.jpys.balanceOf(yen_payer)
    with brownie.reverts(f"InvalidBakongAccountId: {fault}"):
        _pay(world, yen_payer, p)
    assert world.jpys.balanceOf(yen_payer) == before


def test_expired_quote_reverts(world, yen_payer, khr_payment):
    sq = world.quote(khr_payment, expiry=1)
    with brownie.reverts(revert_pattern=r"QuoteExpired: 1, .*"):
        world.payer_contract.payWithQuote(
            khr_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
        )


def test_paused_venue_reverts(world, yen_payer, khr_payment):
    world.venue.pause({"from": world.who["admin"]})
    with brownie.reverts("EnforcedPause: "):
        _pay(world, yen_payer, khr_payment)


def test_paused_bridge_reverts(world, yen_payer, khr_payment):
    world.bridge.pause({"from": world.who["admin"]})
    with brownie.reverts("EnforcedPause: "):
        _pay(world, yen_payer, khr_payment)


def test_frozen_payer_reverts(world, yen_payer, khr_payment):
    world.jpys.freeze(yen_payer, {"from": world.who["admin"]})
    with brownie.reverts(f"AccountFrozen: {yen_payer.address.lower()}"):
        _pay(world, yen_payer, khr_payment)


def test_bad_authorization_reverts(world, gasless_payer, khr_payment, relayer):
    from corridor.khqr_pay import sign_payment_authorization
    from corridor.stablecoin.signing import token_domain

    domain = token_domain(world.jpys.name(), world.chain.id, world.jpys.address)
    auth = sign_payment_authorization(
        "0x" + "66" * 32, domain, gasless_payer.address, world.payer_contract.address, khr_payment, 0, FAR
    )
    sq = world.quote(khr_payment)
    with brownie.reverts(revert_pattern=r"InvalidSignature: 0x[0-9a-f]{40}"):
        world.payer_contract.payWithQuoteAuthorized(
            khr_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, auth, {"from": relayer}
        )


def test_zero_bill_number_and_zero_max_revert(world, yen_payer, khr_payment):
    p = type(khr_payment)(khr_payment.currency, 40_000, 2_000, b"\0" * 32, "coffee@abab")
    with brownie.reverts("ZeroBillNumber: "):
        _pay(world, yen_payer, p)
    p = type(khr_payment)(khr_payment.currency, 40_000, 0, khr_payment.bill_number, "coffee@abab")
    with brownie.reverts("InvalidMaxJpyIn: 0"):
        _pay(world, yen_payer, p)


def test_quote_must_sell_jpys_for_the_currency_token(world, yen_payer, khr_payment, usd_payment):
    sq = world.quote(usd_payment, rate_num=100, amount_out=80_000)  # delivers bUSD, but the payment is in KHR
    with brownie.reverts(f"WrongPair: {world.jpys.address.lower()}, {world.token(USD).address.lower()}"):
        world.payer_contract.payWithQuote(
            khr_payment.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
        )
    bad = world.quote(khr_payment, token_in=world.token(USD).address)
    with brownie.reverts(f"WrongPair: {world.token(USD).address.lower()}, {'0x' + '0' * 40}"):
        world.payer_contract.payWithQuote(
            khr_payment.as_tuple(), bad.quote.as_tuple(), bad.signature, {"from": yen_payer}
        )


def test_too_little_max_reverts_at_the_venue(world, yen_payer, khr_payment):
    p = type(khr_payment)(khr_payment.currency, 40_000, 10, khr_payment.bill_number, "coffee@abab")
    with brownie.reverts("ExcessiveInput: 1335, 10"):
        _pay(world, yen_payer, p)


def test_only_escrow_agents_record_prefunded_redemptions(world, yen_payer):
    with brownie.reverts():
        world.bridge.redeemPrefunded(KHR, 1_000, "a@b", yen_payer, {"from": yen_payer})


def test_constructor_checks(world):
    from brownie import ZERO_ADDRESS, KhqrPayer

    admin = world.who["admin"]
    args = [world.jpys, world.venue, world.router, world.bridge]
    for i in range(4):
        bad = list(args)
        bad[i] = ZERO_ADDRESS
        with brownie.reverts("ZeroAddress: "):
            KhqrPayer.deploy(*bad, 300, {"from": admin})
    with brownie.reverts("RefundLossTooHigh: 10001"):
        KhqrPayer.deploy(*args, 10_001, {"from": admin})


# ------------------------------------------------------------------------------------------ properties


@given(
    riel=strategy("uint32", min_value=101, max_value=4_000_000),
    cents=strategy("uint16", min_value=1, max_value=20_000),
)
def test_any_amount_escrows_exactly_and_conserves_yen(world, yen_payer, riel, cents):
    """KHR (0 decimals) and USD (2 decimals): the escrow is exactly the KHQR amount, the yen spent is the
    venue's exact-out price, nothing stays in the KhqrPayer."""
    for currency, amount, rate in ((KHR, riel, 30), (USD, cents, 1)):
        p = remittance("shop@abab", currency, amount, 10**6, "PROP")
        sq = world.quote(p, rate_num=rate)
        exact = world.venue.previewExactOut(sq.quote.as_tuple(), amount)[0]
        jpy0, maker0 = world.jpys.balanceOf(yen_payer), world.jpys.balanceOf(world.who["market_maker"])
        esc0 = world.token(currency).balanceOf(world.bridge)
        world.payer_contract.payWithQuote(
            p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer}
        )
        assert world.token(currency).balanceOf(world.bridge) == esc0 + amount
        assert (
            jpy0 - world.jpys.balanceOf(yen_payer)
            == exact
            == world.jpys.balanceOf(world.who["market_maker"]) - maker0
        )
        assert world.jpys.balanceOf(world.payer_contract) == 0
