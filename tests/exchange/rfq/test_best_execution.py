"""Best execution picks the better of the AMM and the RFQ venue, in both directions, and executes it."""

from decimal import Decimal

import pytest
from brownie import web3

from corridor.exchange import rfq
from corridor.exchange.amm_client import AmmClient
from corridor.exchange.best_execution import EXACT_IN, EXACT_OUT, best_execution
from corridor.exchange.rfq_client import RfqClient

MID = Decimal("0.0067") / Decimal("0.000245") * 100  # riel cents per yen
REF = rfq.reference("INV-BESTEX-1")


@pytest.fixture
def venues(router, venue, usd, market_maker):
    return [AmmClient(web3, router.address, usd.address), RfqClient(web3, venue.address, market_maker)]


def _set_amm(router, jpy, khr, bps_from_mid):
    """AMM rate for JPY -> KHR at mid less `bps_from_mid` (the RFQ is mid - 20 bps - 5 bps fee)."""
    num = int(MID * (10_000 - bps_from_mid) * 1_000_000)
    router.setRate(jpy, khr, num, 10_000 * 1_000_000, {"from": web3.eth.accounts[0]})


def test_exact_in_picks_the_amm_when_it_pays_more(venues, router, jpy, khr, alice, merchant):
    _set_amm(router, jpy, khr, 10)
    before = khr.balanceOf(merchant)
    record = best_execution(venues, EXACT_IN, jpy, khr, 10_000, merchant.address, REF, alice.address, mid=MID)
    assert record.choice == "amm"
    amm, quoted = record.offers
    assert amm.amount_out > quoted.amount_out
    assert khr.balanceOf(merchant) - before == amm.amount_out
    assert record.tx is not None


def test_exact_in_picks_the_rfq_when_it_pays_more(venues, router, jpy, khr, alice, merchant, venue):
    _set_amm(router, jpy, khr, 50)
    before = khr.balanceOf(merchant)
    record = best_execution(venues, EXACT_IN, jpy, khr, 10_000, merchant.address, REF, alice.address, mid=MID)
    assert record.choice == "rfq"
    assert khr.balanceOf(merchant) - before == record.chosen.amount_out
    receipt = web3.eth.get_transaction_receipt(record.tx)
    assert receipt["to"] == venue.address


def test_exact_out_picks_the_amm_when_it_costs_less(venues, router, jpy, khr, alice, merchant):
    _set_amm(router, jpy, khr, 10)
    before_m, before_a = khr.balanceOf(merchant), jpy.balanceOf(alice)
    record = best_execution(
        venues, EXACT_OUT, jpy, khr, 2_000_000, merchant.address, REF, alice.address, mid=MID
    )
    assert record.choice == "amm"
    assert khr.balanceOf(merchant) - before_m == 2_000_000
    assert before_a - jpy.balanceOf(alice) == record.chosen.amount_in


def test_exact_out_picks_the_rfq_when_it_costs_less(venues, router, jpy, khr, alice, merchant):
    _set_amm(router, jpy, khr, 80)
    before_m, before_a = khr.balanceOf(merchant), jpy.balanceOf(alice)
    record = best_execution(
        venues, EXACT_OUT, jpy, khr, 2_000_000, merchant.address, REF, alice.address, mid=MID
    )
    assert record.choice == "rfq"
    amm, quoted = record.offers
    assert quoted.amount_in < amm.amount_in
    assert khr.balanceOf(merchant) - before_m == 2_000_000
    assert before_a - jpy.balanceOf(alice) == quoted.amount_in


def test_record_reports_spreads_against_mid(venues, router, jpy, khr, alice, merchant):
    _set_amm(router, jpy, khr, 50)
    record = best_execution(
        venues, EXACT_IN, jpy, khr, 100_000, merchant.address, REF, alice.address, mid=MID
    )
    amm, quoted = record.offers
    assert abs(amm.spread_bps - 50) < Decimal("0.01")
    assert abs(quoted.spread_bps - 25) < Decimal("0.05")  # 20 bps maker spread + 5 bps venue fee
    assert "chosen" in record.summary()


def test_rfq_fill_carries_the_payment_reference(venues, router, venue, jpy, khr, alice, merchant):
    _set_amm(router, jpy, khr, 50)
    record = best_execution(venues, EXACT_IN, jpy, khr, 10_000, merchant.address, REF, alice.address, mid=MID)
    from corridor import artifacts

    contract = artifacts.at(web3, "RfqVenue", venue.address)
    (event,) = contract.events.QuoteFilled().process_receipt(web3.eth.get_transaction_receipt(record.tx))
    assert event["args"]["paymentReference"] == REF


def test_venue_that_cannot_quote_is_skipped(venues, jpy, khr, alice, merchant):
    # no AMM rate set: the router reverts its quote, only the RFQ offers
    record = best_execution(venues, EXACT_IN, jpy, khr, 10_000, merchant.address, REF, alice.address, mid=MID)
    assert [o.venue for o in record.offers] == ["rfq"]
    assert record.choice == "rfq"


def test_dry_run_does_not_execute(venues, router, jpy, khr, alice, merchant):
    _set_amm(router, jpy, khr, 50)
    before = khr.balanceOf(merchant)
    record = best_execution(
        venues, EXACT_IN, jpy, khr, 10_000, merchant.address, REF, alice.address, execute=False
    )
    assert record.choice == "rfq" and record.tx is None
    assert khr.balanceOf(merchant) == before


def test_cross_quote_through_the_hub(router, venue, usd, market_maker, jpy, khr, alice, merchant):
    venues = [
        AmmClient(web3, router.address, usd.address),
        RfqClient(web3, venue.address, market_maker, hub=usd.address),
    ]
    _set_amm(router, jpy, khr, 80)
    record = best_execution(
        venues, EXACT_OUT, jpy, khr, 2_000_000, merchant.address, REF, alice.address, mid=MID
    )
    assert record.choice == "rfq"
    receipt = web3.eth.get_transaction_receipt(record.tx)
    from corridor import artifacts

    (leg,) = artifacts.at(web3, "RfqVenue", venue.address).events.HubLegFilled().process_receipt(receipt)
    assert leg["args"]["hub"] == usd.address
