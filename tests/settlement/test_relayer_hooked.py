"""The relayer and validators (corridor/bridge/relayer.py, validator.py) pay invoices: a Bakong payment of an
invoice's dynamic KHQR is attested as a hooked mint into the settlement contract and settles in one transaction;
a late one is refunded through the redemption escrow and paid back out on Bakong; a linked scheme's payer is
recorded with its origin; a validator refuses an invoice that is not the KHQR's."""

from __future__ import annotations

from dataclasses import replace

import pytest
from brownie import chain, web3

from corridor.bridge import attest
from corridor.bridge.offchain import bakong_side
from corridor.bridge.relayer import Relayer, RelayerCrashed
from corridor.bridge.store import MINTED
from corridor.bridge.validator import AttestationRefused
from corridor.invoice_desk import WINDOW
from corridor.settlement import RefundReason, hook_data, outcome, text_of

OMNIBUS = "bridge@nbcq"
CUSTOMER = "sokha@aclb"
LINKED = {"promptpay@hub": "TH:PROMPTPAY"}


@pytest.fixture
def side(desk):
    s = bakong_side(
        web3,
        desk.bridge.address,
        str(desk.relayer),
        desk.keys,
        omnibus_account=OMNIBUS,
        hooks=[desk.settlement.address],
        linked_origins=LINKED,
        clock=lambda: chain[-1].timestamp * 1000,  # the KHQR expiry is the quote window on the chain's clock
    )
    for account in (CUSTOMER, "promptpay@hub"):
        s.ledger.open_account(account, account)
        s.ledger.cash_in(account, "KHR", 10_000_000)
    return s


def _expect(desk, side, inv, venue_data):
    checkout = desk.checkout(inv, OMNIBUS)
    side.relayer.expect_invoice(checkout.khqr, desk.settlement.address, hook_data(inv, venue_data))
    return checkout


def _settle(side):
    report = side.relayer.run_once()
    assert not report.errors, report.errors
    return report


def _mint_tx(side, checkout):
    row = side.relayer.store.deposit(checkout.md5)
    return row, chain.get_transaction(row.chain_tx)


def test_invoice_khqr_paid_on_bakong_settles_in_one_hooked_mint(desk, side):
    inv, venue_data = desk.rfq_invoice(20_000, invoice_id="INV-R-1")
    checkout = _expect(desk, side, inv, venue_data)
    before = desk.jpy.balanceOf(desk.merchant)
    side.ledger.pay_khqr(CUSTOMER, checkout.khqr)
    report = _settle(side)
    row, tx = _mint_tx(side, checkout)
    assert report.minted == [checkout.md5] and row.status == MINTED
    result = outcome(tx.events)
    assert result.settled and result.amount_out == 20_000 and result.deposit == inv.price
    assert desk.jpy.balanceOf(desk.merchant) - before == 20_000
    settled = tx.events["InvoiceSettled"]
    assert text_of(settled["invoiceId"]) == "INV-R-1" and text_of(settled["origin"]) == "KH:BAKONG"
    assert desk.settlement.isPaid(inv.serial)


def test_payment_attested_after_the_window_is_refunded_and_paid_back_on_bakong(desk, side):
    inv, venue_data = desk.amm_invoice(10_000, bound_bps=50, invoice_id="INV-L-1")
    checkout = _expect(desk, side, inv, venue_data)
    side.ledger.pay_khqr(CUSTOMER, checkout.khqr)
    assert side.ledger.balance(CUSTOMER, "KHR") == 10_000_000 - inv.price
    chain.sleep(WINDOW + 1)
    chain.mine()
    _settle(side)
    _, tx = _mint_tx(side, checkout)
    result = outcome(tx.events)
    assert not result.settled and result.reason == RefundReason.QUOTE_WINDOW_CLOSED
    assert result.refunded == inv.price and result.refund_id > 0
    report = _settle(side)  # the refund's escrow: paid out on Bakong, then finalized
    assert [rid for rid, _ in report.paid_out] == [result.refund_id] and report.finalized == [
        result.refund_id
    ]
    assert side.ledger.balance(CUSTOMER, "KHR") == 10_000_000
    assert not desk.settlement.isPaid(inv.serial)


def test_linked_scheme_payer_is_recorded_with_its_origin(desk, side):
    inv, venue_data = desk.rfq_invoice(10_000, invoice_id="INV-TH-1")
    checkout = _expect(desk, side, inv, venue_data)
    side.ledger.pay_khqr("promptpay@hub", checkout.khqr)
    _settle(side)
    _, tx = _mint_tx(side, checkout)
    assert text_of(tx.events["InvoiceSettled"]["origin"]) == "TH:PROMPTPAY"


def _hooked(desk, side, checkout, inv, venue_data, hook=None):
    tx = side.client.transaction_by_md5(checkout.md5)
    return attest.HookedMintAttestation(
        116,
        checkout.price,  # what Bakong settled, whatever the invoice claims
        hook or desk.settlement.address,
        attest.bakong_tx_hash_bytes(tx.hash),
        attest.khqr_md5(checkout.khqr),
        desk.now() + 600,
        desk.bridge.epoch(),
        hook_data(inv, venue_data),
    )


@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda inv: replace(inv, price=inv.price + 1), "price"),
        (lambda inv: replace(inv, payer_account="thief@aclb"), "payer account"),
        (lambda inv: replace(inv, origin=b"TH:PROMPTPAY".ljust(32, b"\0")), "origin"),
        (lambda inv: replace(inv, window_end=inv.window_end + 1), "window"),
        (lambda inv: replace(inv, invoice_id=b"INV-OTHER".ljust(32, b"\0")), "bill number"),
    ],
    ids=["price", "payer", "origin", "window", "invoice"],
)
def test_validator_refuses_an_invoice_that_is_not_the_khqrs(desk, side, change, reason):
    inv, venue_data = desk.rfq_invoice(10_000, invoice_id="INV-V-1")
    checkout = desk.checkout(inv, OMNIBUS)
    side.ledger.pay_khqr(CUSTOMER, checkout.khqr)
    inv = replace(inv, payer_account=CUSTOMER)
    validator = side.validators[0]
    validator.sign_hooked_mint(checkout.khqr, _hooked(desk, side, checkout, inv, venue_data))  # the true one
    with pytest.raises(AttestationRefused, match=reason):
        validator.sign_hooked_mint(checkout.khqr, _hooked(desk, side, checkout, change(inv), venue_data))


def test_validator_signs_hooked_mints_only_to_its_configured_hooks(desk, side):
    inv, venue_data = desk.rfq_invoice(10_000, invoice_id="INV-V-2")
    checkout = desk.checkout(inv, OMNIBUS)
    side.ledger.pay_khqr(CUSTOMER, checkout.khqr)
    att = _hooked(
        desk, side, checkout, replace(inv, payer_account=CUSTOMER), venue_data, desk.merchant.address
    )
    with pytest.raises(AttestationRefused, match="not a hook"):
        side.validators[0].sign_hooked_mint(checkout.khqr, att)


def test_expect_invoice_refuses_a_khqr_that_does_not_pay_the_omnibus(desk, side):
    inv, venue_data = desk.rfq_invoice(10_000, invoice_id="INV-V-3")
    checkout = desk.checkout(inv, "shop@aclb")
    with pytest.raises(ValueError, match="not the omnibus account"):
        side.relayer.expect_invoice(checkout.khqr, desk.settlement.address, hook_data(inv, venue_data))


@pytest.mark.parametrize("point", ["deposit.signed", "deposit.mint_sent"])
def test_relayer_crashed_around_a_hooked_mint_resumes_and_settles_once(desk, side, point):
    r = side.relayer
    inv, venue_data = desk.rfq_invoice(10_000, invoice_id="INV-C-1")
    checkout = _expect(desk, side, inv, venue_data)
    before = desk.jpy.balanceOf(desk.merchant)
    side.ledger.pay_khqr(CUSTOMER, checkout.khqr)
    crashing = Relayer(r.gateway, r.client, r.payer, r.validators, r.store, r.config, crash_at=point)
    with pytest.raises(RelayerCrashed):
        crashing.run_once()
    report = _settle(side)  # the restarted relayer, on the same store
    assert report.minted == [checkout.md5] and side.relayer.store.deposit(checkout.md5).status == MINTED
    assert desk.jpy.balanceOf(desk.merchant) - before == 10_000  # settled once
    assert desk.settlement.isPaid(inv.serial)
