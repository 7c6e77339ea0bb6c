"""One-transaction settlement of a yen invoice paid by KHQR: every outcome of IInvoiceSettlement."""

from __future__ import annotations

import brownie
import pytest
from brownie import chain

from corridor.bridge.attest import KHR, USD
from corridor.invoice_desk import PAYER
from corridor.settlement import RefundReason, outcome


def balances(desk):
    s = desk.settlement
    return {
        "merchant_jpy": desk.jpy.balanceOf(desk.merchant),
        "escrow_khr": desk.token(KHR).balanceOf(desk.bridge),
        "settlement_khr": desk.token(KHR).balanceOf(s),
        "khr_supply": desk.token(KHR).totalSupply(),
    }


def test_rfq_exact_payment_settles(desk):
    inv, data = desk.rfq_invoice(10_000)
    before = balances(desk)
    tx = desk.pay(inv, data, inv.price)
    out = outcome(tx.events)
    assert out.settled and out.spent == inv.price and out.refunded == 0 and out.refund_id == 0
    after = balances(desk)
    assert after["merchant_jpy"] - before["merchant_jpy"] == 10_000
    assert after["settlement_khr"] == 0 and after["escrow_khr"] == before["escrow_khr"]
    assert after["khr_supply"] - before["khr_supply"] == inv.price
    assert desk.settlement.isPaid(inv.serial)
    e = tx.events["InvoiceSettled"]
    assert e["invoiceId"] == "0x" + inv.invoice_id.hex() and e["quoteId"] == "0x" + inv.quote_id.hex()
    assert e["spreadBps"] == int((inv.price - inv.mid_price) * 10_000 / inv.mid_price)
    assert e["spreadBps"] > 0  # the maker's price is above the mid
    assert tx.events["QuoteFilled"]["recipient"] == desk.merchant


def test_rfq_overpayment_refunds_surplus_to_escrow(desk):
    inv, data = desk.rfq_invoice(5_000)
    tx = desk.pay(inv, data, inv.price + 12_345)
    out = outcome(tx.events)
    assert out.settled and out.refunded == 12_345 and out.refund_id > 0
    r = desk.bridge.redemption(out.refund_id)
    assert r["holder"] == desk.settlement and r["amount"] == 12_345
    assert tx.events["RedemptionRequested"]["bakongAccountId"] == PAYER
    assert desk.token(KHR).balanceOf(desk.settlement) == 0


def test_amm_two_hops_settles_exactly(desk):
    inv, data = desk.amm_invoice(20_000, bound_bps=50)
    before = desk.jpy.balanceOf(desk.merchant)
    tx = desk.pay(inv, data, inv.price)
    out = outcome(tx.events)
    assert out.settled and out.amount_out == 20_000
    assert desk.jpy.balanceOf(desk.merchant) - before == 20_000
    assert out.spent + out.refunded == inv.price and out.refunded > 0  # the unused bound goes back
    assert desk.token(KHR).balanceOf(desk.settlement) == 0


@pytest.mark.parametrize("currency", [KHR, USD])
def test_amm_spends_exactly_the_router_quote(desk, currency):
    """The settlement's own AMM leg (the first pool pulls its input, only the last hop is quoted ahead) charges the
    payer exactly what `FXRouter.quoteExactOut` quotes, and the hub leg pays the yen pool exactly its price."""
    from corridor.settlement import amm_venue_data

    inv, _ = desk.amm_invoice(15_000, currency=currency, bound_bps=30)
    path = desk._path(currency)
    quoted = desk.router.quoteExactOut(path, 15_000)
    jpy_pool = desk.suite.exchange.pools["JPY"]
    hub_in = jpy_pool.getAmountIn(1, 15_000)
    hub_before = jpy_pool.balances()[1]
    tx = desk.pay(inv, amm_venue_data(path), inv.price, currency=currency)
    out = outcome(tx.events)
    assert out.settled and out.spent == quoted and out.refunded == inv.price - quoted
    assert jpy_pool.balances()[1] - hub_before == hub_in
    assert desk.token(USD).balanceOf(jpy_pool) == jpy_pool.balances()[1] + jpy_pool.protocolFees()[1]
    assert desk.token(currency).balanceOf(desk.settlement) == 0


def test_amm_leg_is_only_callable_by_the_settlement(desk):
    with brownie.reverts(f"CallerNotSelf: {desk.relayer.address.lower()}"):
        desk.settlement.swapAmmExactOut(
            desk.token(KHR), 1_000, 10**9, desk.merchant, 2**40, {"from": desk.relayer}
        )


def test_usd_invoice_via_rfq(desk):
    inv, data = desk.rfq_invoice(3_000, currency=USD)
    tx = desk.pay(inv, data, inv.price, currency=USD)
    assert outcome(tx.events).settled and inv.price < 3_000  # cents
    assert desk.token(USD).balanceOf(desk.settlement) == 0


def _refunded(desk, tx, deposit, reason):
    out = outcome(tx.events)
    assert not out.settled and out.reason == reason and out.refunded == deposit
    r = desk.bridge.redemption(out.refund_id)
    assert r["amount"] == deposit and r["holder"] == desk.settlement
    assert desk.token(KHR).balanceOf(desk.settlement) == 0
    return out


def test_underpayment_refunds_everything(desk):
    inv, data = desk.rfq_invoice(10_000)
    before = desk.jpy.balanceOf(desk.merchant)
    tx = desk.pay(inv, data, inv.price - 1)
    _refunded(desk, tx, inv.price - 1, RefundReason.UNDERPAID)
    assert desk.jpy.balanceOf(desk.merchant) == before and not desk.settlement.isPaid(inv.serial)


def test_late_payment_after_window_is_refunded(desk):
    inv, data = desk.rfq_invoice(10_000, window=60)
    chain.sleep(61)
    chain.mine()
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.QUOTE_WINDOW_CLOSED)


def test_second_payment_of_paid_invoice_is_refunded(desk):
    inv, data = desk.rfq_invoice(10_000)
    assert outcome(desk.pay(inv, data, inv.price).events).settled
    merchant = desk.jpy.balanceOf(desk.merchant)
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.ALREADY_PAID)
    assert desk.jpy.balanceOf(desk.merchant) == merchant


def test_amm_second_payment_is_refunded(desk):
    inv, data = desk.amm_invoice(1_000, bound_bps=100)
    assert outcome(desk.pay(inv, data, inv.price).events).settled
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.ALREADY_PAID)


def test_paused_venue_refunds_with_its_error(desk):
    inv, data = desk.rfq_invoice(10_000)
    desk.venue.pause({"from": desk.admin})
    out = _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)
    assert not desk.settlement.isPaid(inv.serial)
    assert out.deposit == inv.price


def test_paused_pool_refunds(desk):
    inv, data = desk.amm_invoice(1_000, bound_bps=100)
    pool = desk.suite.exchange.pools["KHR"]
    pool.pause({"from": desk.admin})
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)


def test_frozen_merchant_is_refunded(desk):
    inv, data = desk.rfq_invoice(10_000)
    desk.jpy.freeze(desk.merchant, {"from": desk.admin})
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)


def test_unverified_merchant_is_refunded(desk, accounts):
    inv, data = desk.rfq_invoice(10_000, merchant=accounts[6])
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)


def test_quote_maker_cannot_honour_is_refunded(desk):
    inv, data = desk.rfq_invoice(10_000)
    desk.venue.cancelNonce(_nonce_of(data), {"from": desk.maker})
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)


def test_maker_without_yen_is_refunded(desk):
    inv, data = desk.rfq_invoice(10_000)
    desk.jpy.approve(desk.venue, 0, {"from": desk.maker})
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)


def test_route_for_another_token_is_refunded(desk):
    inv, data = desk.rfq_invoice(3_000, currency=USD)  # quote takes bUSD, the deposit is bKHR
    _refunded(desk, desk.pay(inv, data, 100_000), 100_000, RefundReason.INVALID_INVOICE)


def test_amm_path_not_ending_in_yen_is_refunded(desk):
    from corridor.settlement import amm_venue_data

    inv, _ = desk.amm_invoice(1_000, bound_bps=100)
    data = amm_venue_data([desk.token(KHR).address, desk.token(USD).address])
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.INVALID_INVOICE)


def test_zero_field_invoice_is_refunded(desk):
    import dataclasses

    inv, data = desk.rfq_invoice(10_000)
    bad = dataclasses.replace(inv, mid_price=0)
    _refunded(desk, desk.pay(bad, data, inv.price), inv.price, RefundReason.INVALID_INVOICE)


def test_amm_moved_beyond_bound_is_refunded(desk):
    inv, data = desk.amm_invoice(50_000, bound_bps=0)
    # someone buys yen first: the exact-out needs more than the bound
    lp = desk.who["liquidity"]
    desk.token(KHR).approve(desk.router, 2**256 - 1, {"from": lp})
    desk.router.swapExactIn(desk._path(KHR), 5_000_000, 0, lp, 2**64, b"\x01" * 32, {"from": lp})
    _refunded(desk, desk.pay(inv, data, inv.price), inv.price, RefundReason.FX_FAILED)


def _nonce_of(venue_data: bytes) -> int:
    from eth_abi import decode

    from corridor.settlement import QUOTE_ABI

    quote, _ = decode([QUOTE_ABI, "bytes"], venue_data)
    return quote[6]


def test_refund_escrow_refusal_is_parked_then_retried(desk):
    from tests.settlement.helpers import choke_outbound, unchoke

    inv, data = desk.rfq_invoice(10_000)
    limits = choke_outbound(desk)
    tx = desk.pay(inv, data, inv.price - 1)
    assert tx.events["RefundParked"]["amount"] == inv.price - 1
    assert tx.events["InvoiceRefunded"]["refundId"] == 0
    parked = desk.settlement.parkedRefund(tx.events["InvoiceRefunded"]["bakongTxHash"])
    assert parked["amount"] == inv.price - 1 and parked["payerAccount"] == PAYER
    assert desk.token(KHR).balanceOf(desk.settlement) == inv.price - 1
    tx_hash = tx.events["InvoiceRefunded"]["bakongTxHash"]
    with brownie.reverts(revert_pattern=".+"):
        desk.settlement.retryRefund(tx_hash, {"from": desk.relayer})
    unchoke(desk, limits)
    retry = desk.settlement.retryRefund(tx_hash, {"from": desk.relayer})
    assert retry.events["ParkedRefundSent"]["refundId"] > 0
    assert desk.token(KHR).balanceOf(desk.settlement) == 0
    with brownie.reverts(revert_pattern="NoParkedRefund: .*"):
        desk.settlement.retryRefund(tx_hash, {"from": desk.relayer})


def test_only_the_bridge_calls_the_hook(desk, accounts):
    with brownie.reverts(f"CallerNotBridge: {accounts[1].address.lower()}"):
        desk.settlement.onBridgeMint(KHR, desk.token(KHR), 1, b"\x01" * 32, b"", {"from": accounts[1]})


def test_same_bakong_tx_never_minted_twice(desk):
    inv, data = desk.rfq_invoice(10_000)
    att = desk.attestation(inv, data, inv.price)
    desk.bridge.mintWithHook(att.as_tuple(), desk.sign(att), {"from": desk.relayer})
    with brownie.reverts():
        desk.bridge.mintWithHook(att.as_tuple(), desk.sign(att), {"from": desk.relayer})


def test_unregistered_hook_is_refused(desk):
    inv, data = desk.rfq_invoice(10_000)
    desk.bridge.setMintHook(desk.settlement, False, {"from": desk.admin})
    att = desk.attestation(inv, data, inv.price)
    with brownie.reverts(f"MintHookNotRegistered: {desk.settlement.address.lower()}"):
        desk.bridge.mintWithHook(att.as_tuple(), desk.sign(att), {"from": desk.relayer})


def test_hooked_mint_above_large_threshold_is_refused(desk):
    inv, data = desk.rfq_invoice(10_000)
    threshold = desk.bridge.limitsOf(KHR)[1]
    att = desk.attestation(inv, data, threshold + 1)
    with brownie.reverts():
        desk.bridge.mintWithHook(att.as_tuple(), desk.sign(att), {"from": desk.relayer})


def test_tampered_hook_data_breaks_the_signature(desk):
    import dataclasses

    from corridor.settlement import hook_data

    inv, data = desk.rfq_invoice(10_000)
    att = desk.attestation(inv, data, inv.price)
    sigs = desk.sign(att)
    evil = dataclasses.replace(
        att, hook_data=hook_data(dataclasses.replace(inv, payer_account="thief@aclb"), data)
    )
    with brownie.reverts():
        desk.bridge.mintWithHook(evil.as_tuple(), sigs, {"from": desk.relayer})


def test_set_mint_hook_admin_only_and_needs_code(desk, accounts):
    with brownie.reverts():
        desk.bridge.setMintHook(desk.settlement, False, {"from": accounts[1]})
    with brownie.reverts(f"InvalidMintHook: {accounts[1].address.lower()}"):
        desk.bridge.setMintHook(accounts[1], True, {"from": desk.admin})
    tx = desk.bridge.setMintHook(desk.settlement, False, {"from": desk.admin})
    assert tx.events["MintHookSet"]["registered"] is False and not desk.bridge.isMintHook(desk.settlement)


def test_type_hash_matches_python(desk):
    """The hooked digest itself has no view (bridge bytecode size, EIP-170): every settlement test signs it in
    Python and the bridge accepts it, and the type hash is checked here."""
    from corridor.bridge import attest

    assert (
        desk.bridge.HOOKED_MINT_ATTESTATION_TYPEHASH()
        == "0x" + attest.attestation_type_hash(attest.HookedMintAttestation).hex()
    )


def test_constructor_refuses_zero_and_unknown_currency(desk):
    from brownie import InvoiceSettlement

    z = "0x" + "00" * 20
    with brownie.reverts("ZeroAddress: "):
        InvoiceSettlement.deploy(z, desk.venue, desk.router, desk.jpy, [], {"from": desk.admin})
    with brownie.reverts("UnknownCurrency: 392"):
        InvoiceSettlement.deploy(desk.bridge, desk.venue, desk.router, desk.jpy, [392], {"from": desk.admin})


@pytest.mark.call_coverage
def test_views(desk):
    s = desk.settlement
    assert s.bridge() == desk.bridge and s.venue() == desk.venue and s.router() == desk.router
    assert s.jpys() == desk.jpy and not s.isPaid(123_456)
    s.approveCurrency(KHR, {"from": desk.relayer})


@pytest.mark.parametrize(
    "field, value",
    [
        ("invoice_id", b"\x00" * 32),
        ("merchant", "0x" + "00" * 20),
        ("amount_out", 0),
        ("price", 0),
        ("venue", 0),
    ],
)
def test_each_zero_field_is_refunded(desk, field, value):
    import dataclasses

    inv, data = desk.rfq_invoice(10_000)
    bad = dataclasses.replace(inv, **{field: value})
    _refunded(desk, desk.pay(bad, data, inv.price), inv.price, RefundReason.INVALID_INVOICE)


def test_rfq_quote_not_paying_yen_is_refunded(desk):
    from eth_abi import decode, encode

    from corridor.settlement import QUOTE_ABI

    inv, data = desk.rfq_invoice(10_000)
    quote, sig = decode([QUOTE_ABI, "bytes"], data)
    quote = (*quote[:3], desk.token(USD).address, *quote[4:])
    bad = encode([QUOTE_ABI, "bytes"], [quote, sig])
    _refunded(desk, desk.pay(inv, bad, inv.price), inv.price, RefundReason.INVALID_INVOICE)


@pytest.mark.parametrize("path", ["short", "wrong_start"])
def test_amm_bad_path_is_refunded(desk, path):
    from corridor.settlement import amm_venue_data

    inv, _ = desk.amm_invoice(1_000, bound_bps=100)
    p = [desk.jpy.address] if path == "short" else [desk.token(USD).address, desk.jpy.address]
    _refunded(desk, desk.pay(inv, amm_venue_data(p), inv.price), inv.price, RefundReason.INVALID_INVOICE)


def test_approve_unknown_currency_reverts(desk):
    with brownie.reverts("UnknownCurrency: 392"):
        desk.settlement.approveCurrency(392, {"from": desk.relayer})


def test_starved_fx_call_reverts_the_whole_mint(desk):
    """A relayer giving too little gas cannot turn a valid payment into a refund: some gas limit starves the venue
    call, and then the mint reverts (FxOutOfGas) instead of refunding."""
    from brownie.exceptions import VirtualMachineError

    seen = set()
    for limit in range(150_000, 260_000, 4_000):
        inv, data = desk.rfq_invoice(10_000)
        att = desk.attestation(inv, data, inv.price)
        try:
            tx = desk.bridge.mintWithHook(
                att.as_tuple(), desk.sign(att), {"from": desk.relayer, "gas_limit": limit}
            )
            assert "InvoiceSettled" in tx.events, "a starved call passed for a venue refusal"
            seen.add("settled")
        except VirtualMachineError as exc:
            seen.add(str(exc.revert_msg or "").split(":")[0])
    assert "FxOutOfGas" in seen, seen
