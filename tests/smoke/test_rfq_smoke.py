"""Smoke (Anvil and Ganache): deploy the RFQ venue, a maker signs a JPY -> KHR quote, a taker fills it."""

from brownie import ZERO_ADDRESS, accounts, chain

from corridor.exchange import rfq
from corridor.exchange.rfq_deploy import deploy_rfq


def test_rfq_quote_signed_and_filled(RfqVenue, MockERC20):
    admin, taker, merchant, treasury = accounts[0], accounts[1], accounts[4], accounts[6]
    maker = accounts.add()
    admin.transfer(maker, "1 ether")
    venue = deploy_rfq(
        RfqVenue, admin, {"treasury": treasury, "fee_bps": 5, "admin_delay": 0, "makers": [maker]}
    ).venue
    jpy = MockERC20.deploy("Yen", "JPY", 0, {"from": admin})
    khr = MockERC20.deploy("Riel", "KHR", 2, {"from": admin})
    jpy.mint(taker, 100_000, {"from": admin})
    khr.mint(maker, 10**10, {"from": admin})
    jpy.approve(venue, 100_000, {"from": taker})
    khr.approve(venue, 10**10, {"from": maker})

    quote = rfq.Quote(
        maker.address, ZERO_ADDRESS, jpy.address, khr.address, 100_000, 270_000_000, 0, chain.time() + 600
    )
    signed = rfq.sign_quote(maker.private_key, rfq.venue_domain(chain.id, venue.address), quote)
    tx = venue.fillExactIn(
        *signed.fill_exact_in_args(100_000, 0, merchant.address, rfq.reference("INV-1")), {"from": taker}
    )

    assert khr.balanceOf(merchant) == 270_000_000 - 135_000
    assert jpy.balanceOf(maker) == 100_000
    assert tx.events["QuoteFilled"]["fee"] == 135_000
    assert venue.isNonceUsed(maker, 0)
