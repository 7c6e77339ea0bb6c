"""Cross quotes (JPY -> KHR through the maker's USD book): one signature, one nonce, one fee."""

import brownie
import pytest
from brownie import ZERO_ADDRESS

from corridor.exchange import rfq

FEE_BPS = 5


@pytest.fixture
def cross(make_quote, usd):
    def build(**overrides):
        hub = overrides.pop("hub", usd.address)
        hub_amount = overrides.pop("hub_amount", 670_000_000)  # 670 USD (6 decimals) for 100,000 JPY
        return rfq.CrossQuote(**make_quote(**overrides).to_dict(), hub=hub, hub_amount=hub_amount)

    return build


def test_cross_fill_exact_in_settles_in_one_transaction(
    venue, cross, sign, fill_in, alice, bob, jpy, khr, maker
):
    before = (jpy.balanceOf(alice), khr.balanceOf(bob))
    tx = fill_in(sign(cross()), 50_000, recipient=bob)
    out, fee = rfq.exact_in(100_000, 270_000_000, 50_000, FEE_BPS)
    assert tx.return_value == out
    assert (jpy.balanceOf(alice), khr.balanceOf(bob)) == (before[0] - 50_000, before[1] + out)
    assert venue.feesOwed(maker, khr) == fee
    assert venue.isNonceUsed(maker, 0)


def test_cross_fill_records_the_hub_leg_pro_rata(venue, cross, sign, fill_in, usd):
    signed = sign(cross())
    tx = fill_in(signed, 33_333)
    leg = tx.events["HubLegFilled"]
    assert leg.values() == ["0x" + signed.digest.hex(), usd, 33_333 * 670_000_000 // 100_000]


def test_cross_fill_exact_out_delivers_exactly(venue, cross, sign, fill_out, bob, khr):
    before = khr.balanceOf(bob)
    tx = fill_out(sign(cross()), 1_000_000, recipient=bob)
    assert tx.return_value == rfq.exact_out(100_000, 270_000_000, 1_000_000, FEE_BPS)[0]
    assert khr.balanceOf(bob) == before + 1_000_000
    assert tx.events["HubLegFilled"]["hubAmount"] == tx.return_value * 670_000_000 // 100_000


def test_cross_quote_shares_the_maker_nonce_space(venue, cross, make_quote, sign, fill_in):
    fill_in(sign(cross(nonce=4)), 10)
    with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
        fill_in(sign(make_quote(nonce=4)), 10)


def test_cross_replay_reverts(venue, cross, sign, fill_in):
    signed = sign(cross())
    fill_in(signed, 10)
    with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
        fill_in(signed, 10)


@pytest.mark.parametrize("which", ["zero", "token_in", "token_out"])
def test_cross_with_invalid_hub_reverts(venue, cross, sign, fill_in, jpy, khr, which):
    hub = {"zero": ZERO_ADDRESS, "token_in": jpy.address, "token_out": khr.address}[which]
    with brownie.reverts(f"InvalidHub: {hub.lower()}"):
        fill_in(sign(cross(hub=hub)), 10)


def test_cross_with_zero_hub_amount_reverts(venue, cross, sign, fill_in):
    with brownie.reverts("EmptyQuote: "):
        fill_in(sign(cross(hub_amount=0)), 10)


def test_cross_hash_matches_python_digest(venue, cross, domain):
    quote = cross()
    assert venue.hashCrossQuote(quote.as_tuple()) == "0x" + rfq.quote_digest(domain, quote).hex()


def test_remaining_cross_follows_the_nonce(venue, cross, sign, fill_in):
    quote = cross(nonce=6)
    assert venue.remainingCross(quote.as_tuple()) == 100_000
    fill_in(sign(quote), 10)
    assert venue.remainingCross(quote.as_tuple()) == 0
