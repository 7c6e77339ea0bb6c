"""RfqVenue views (digests, previews, remaining size, fee and nonce book-keeping), traced under --coverage."""

import brownie
import pytest
from brownie import ZERO_ADDRESS, accounts, chain

from corridor.exchange import rfq

FEE_BPS = 5

pytestmark = pytest.mark.call_coverage


def test_digests_match_the_python_eip712_digests(venue, make_quote, domain, usd):
    quote = make_quote(nonce=3)
    cross = rfq.CrossQuote(**quote.to_dict(), hub=usd.address, hub_amount=670_000_000)
    assert venue.hashQuote(quote.as_tuple()) == "0x" + rfq.quote_digest(domain, quote).hex()
    assert venue.hashCrossQuote(cross.as_tuple()) == "0x" + rfq.quote_digest(domain, cross).hex()
    assert venue.hashQuote(quote.as_tuple()) != venue.hashCrossQuote(cross.as_tuple())


def test_previews_price_a_partial_fill_with_the_fee(venue, make_quote):
    quote = make_quote()  # 100,000 JPY -> 270,000,000 KHR
    assert venue.previewExactIn(quote.as_tuple(), 1_000) == rfq.exact_in(100_000, 270_000_000, 1_000, FEE_BPS)
    assert venue.previewExactIn(quote.as_tuple(), 1_000) == (2_698_650, 1_350)
    assert venue.previewExactOut(quote.as_tuple(), 2_698_650) == rfq.exact_out(
        100_000, 270_000_000, 2_698_650, FEE_BPS
    )


@pytest.mark.parametrize("field", ["amount_in", "amount_out"])
def test_previews_of_an_empty_quote_revert(venue, make_quote, field):
    quote = make_quote(**{field: 0}).as_tuple()
    with brownie.reverts("EmptyQuote: "):
        venue.previewExactIn(quote, 10)
    with brownie.reverts("EmptyQuote: "):
        venue.previewExactOut(quote, 10)


def test_remaining_is_the_size_of_a_live_quote(venue, make_quote, usd):
    quote = make_quote(amount_in=4_321)
    cross = rfq.CrossQuote(**quote.to_dict(), hub=usd.address, hub_amount=1)
    assert venue.remaining(quote.as_tuple()) == 4_321
    assert venue.remainingCross(cross.as_tuple()) == 4_321


def test_remaining_of_an_expired_quote_is_zero(venue, make_quote):
    quote = make_quote(expiry=chain[-1].timestamp - 1)
    assert venue.remaining(quote.as_tuple()) == 0


def test_remaining_of_an_unregistered_makers_quote_is_zero(venue, make_quote):
    quote = make_quote(maker=accounts.add().address)
    assert venue.remaining(quote.as_tuple()) == 0


def test_remaining_after_the_nonce_is_cancelled_is_zero(venue, make_quote, maker):
    nonce = rfq.make_nonce(2, 7)
    venue.cancelNonce(nonce, {"from": maker})
    assert venue.remaining(make_quote(nonce=nonce).as_tuple()) == 0


def test_nonce_views_follow_a_word_cancel(venue, maker):
    assert venue.nonceBitmap(maker, 1) == 0
    assert not venue.isNonceUsed(maker, rfq.make_nonce(1, 0))
    venue.cancelNonces(1, 0b1001, {"from": maker})
    assert venue.nonceBitmap(maker, 1) == 0b1001
    assert venue.isNonceUsed(maker, rfq.make_nonce(1, 0))
    assert venue.isNonceUsed(maker, rfq.make_nonce(1, 3))
    assert not venue.isNonceUsed(maker, rfq.make_nonce(1, 1))
    assert not venue.isNonceUsed(maker, rfq.make_nonce(0, 0))


def test_fees_owed_is_zero_before_any_fill_then_the_booked_fee(venue, make_quote, sign, fill_in, maker, khr):
    assert venue.feesOwed(maker, khr) == 0
    fill_in(sign(make_quote()), 1_000)
    assert venue.feesOwed(maker, khr) == 1_350


def test_config_views(venue, maker, treasury, stranger):
    assert venue.feeBps() == FEE_BPS
    assert venue.treasury() == treasury
    assert venue.paused() is False
    assert venue.isMaker(maker) is True
    assert venue.isMaker(stranger) is False
    assert venue.isMaker(ZERO_ADDRESS) is False


def test_previews_without_a_fee_are_the_quoted_price(venue, make_quote, admin):
    venue.setFee(0, {"from": admin})
    quote = make_quote()
    assert venue.previewExactIn(quote.as_tuple(), 1_000) == (2_700_000, 0)
    assert venue.previewExactOut(quote.as_tuple(), 2_700_000) == (1_000, 0)
