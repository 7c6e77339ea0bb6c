"""The RFQ venue with the compliant token base (contracts/shared/CompliantToken.sol): makers, takers,
recipients and the treasury must be verified, unfrozen holders. The venue itself never holds tokens,
so it needs no KYC (it is only the spender of transferFrom, which CompliantToken does not screen)."""

import brownie
import pytest

MAX = 2**256 - 1
TIER_INSTITUTIONAL, TIER_RETAIL = 4, 1


@pytest.fixture(scope="module")
def cjpy(compliant_token, venue, maker, alice, bob, treasury):
    holders = [
        (maker, TIER_INSTITUTIONAL, 10**9),
        (treasury, TIER_INSTITUTIONAL, 0),
        (alice, TIER_RETAIL, 10**9),
        (bob, TIER_RETAIL, 0),
    ]
    token = compliant_token("Compliant Yen", "cJPY", 0, holders=holders)
    for holder in (maker, alice):
        token.approve(venue, MAX, {"from": holder})
    return token


def test_taker_pays_compliant_yen_to_the_maker(
    venue, cjpy, khr, make_quote, sign, fill_in, maker, alice, bob
):
    before = cjpy.balanceOf(maker)
    fill_in(sign(make_quote(token_in=cjpy.address)), 100_000, recipient=bob)
    assert cjpy.balanceOf(maker) == before + 100_000
    assert cjpy.kycOf(venue)[0] == 0  # the venue is not a holder


def test_maker_pays_compliant_yen_to_a_verified_recipient(venue, cjpy, khr, make_quote, sign, fill_out, bob):
    quote = make_quote(token_in=khr.address, token_out=cjpy.address, amount_in=27_000_000, amount_out=100_000)
    fill_out(sign(quote), 50_000, recipient=bob)
    assert cjpy.balanceOf(bob) == 50_000


def test_unverified_recipient_reverts(venue, cjpy, khr, make_quote, sign, fill_in, stranger, maker):
    quote = make_quote(token_in=khr.address, token_out=cjpy.address, amount_in=27_000_000, amount_out=100_000)
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        fill_in(sign(quote), 27_000, recipient=stranger)
    assert not venue.isNonceUsed(maker, quote.nonce)


def test_frozen_maker_cannot_be_filled(venue, cjpy, make_quote, sign, fill_in, admin, maker):
    cjpy.freeze(maker, {"from": admin})
    with brownie.reverts(f"AccountFrozen: {maker.address.lower()}"):
        fill_in(sign(make_quote(token_in=cjpy.address)), 100)


def test_fees_in_compliant_yen_reach_a_verified_treasury(
    venue, cjpy, khr, make_quote, sign, fill_in, maker, treasury, bob
):
    quote = make_quote(token_in=khr.address, token_out=cjpy.address, amount_in=27_000_000, amount_out=100_000)
    fill_in(sign(quote), 27_000_000, recipient=bob)
    owed = venue.feesOwed(maker, cjpy)
    assert owed == 50  # ceil(100,000 * 5 / 10,000)
    venue.collectFees(maker, cjpy, {"from": treasury})
    assert cjpy.balanceOf(treasury) == owed


def test_fee_collection_to_an_unverified_treasury_reverts(
    venue, cjpy, khr, make_quote, sign, fill_in, maker, admin, stranger, bob
):
    quote = make_quote(token_in=khr.address, token_out=cjpy.address, amount_in=27_000_000, amount_out=100_000)
    fill_in(sign(quote), 27_000_000, recipient=bob)
    venue.setTreasury(stranger, {"from": admin})
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        venue.collectFees(maker, cjpy, {"from": admin})
