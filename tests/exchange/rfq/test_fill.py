"""Fills: who pays whom, pro-rata arithmetic, fee booking and collection, the event."""

from brownie import ZERO_ADDRESS, chain

from corridor.exchange import rfq

FEE_BPS = 5  # the venue fixture's fee (conftest FEE_BPS)


def test_fill_exact_in_moves_tokens_between_taker_maker_and_recipient(
    venue, make_quote, sign, fill_in, alice, bob, maker, jpy, khr
):
    before = (jpy.balanceOf(alice), jpy.balanceOf(maker), khr.balanceOf(maker), khr.balanceOf(bob))
    tx = fill_in(sign(make_quote()), 100_000, recipient=bob)
    out, fee = rfq.exact_in(100_000, 270_000_000, 100_000, FEE_BPS)
    assert tx.return_value == out == 270_000_000 - 135_000
    assert jpy.balanceOf(alice) == before[0] - 100_000
    assert jpy.balanceOf(maker) == before[1] + 100_000
    assert khr.balanceOf(maker) == before[2] - out
    assert khr.balanceOf(bob) == before[3] + out


def test_fill_books_fee_as_maker_debt(venue, make_quote, sign, fill_in, maker, khr):
    fill_in(sign(make_quote()), 100_000)
    assert venue.feesOwed(maker, khr) == 135_000


def test_fill_emits_quote_filled_with_reference(ref, venue, make_quote, sign, fill_in, maker, bob, jpy, khr):
    signed = sign(make_quote())
    tx = fill_in(signed, 40_000, recipient=bob)
    event = tx.events["QuoteFilled"]
    assert event["quoteHash"] == "0x" + signed.digest.hex()
    assert event["maker"] == maker
    assert event["recipient"] == bob
    assert event["tokenIn"] == jpy and event["tokenOut"] == khr
    assert (event["amountIn"], event["amountOut"], event["fee"]) == (40_000, 107_946_000, 54_000)
    assert event["paymentReference"] == "0x" + ref.hex()


def test_partial_fill_is_pro_rata_rounded_down(venue, make_quote, sign, fill_in, alice, khr):
    quote = make_quote(amount_in=3, amount_out=1_000)
    before = khr.balanceOf(alice)
    tx = fill_in(sign(quote), 1)
    # gross floor(1000/3) = 333, fee ceil(333 * 5 / 10000) = 1
    assert tx.return_value == 332
    assert khr.balanceOf(alice) == before + 332


def test_partial_fill_consumes_the_nonce(venue, make_quote, sign, fill_in, maker):
    quote = make_quote(nonce=77)
    fill_in(sign(quote), 1)
    assert venue.isNonceUsed(maker, 77)
    assert venue.remaining(quote.as_tuple()) == 0


def test_fill_exact_out_delivers_exactly_the_amount(
    venue, make_quote, sign, fill_out, alice, bob, jpy, khr, maker
):
    before_bob, before_alice = khr.balanceOf(bob), jpy.balanceOf(alice)
    tx = fill_out(sign(make_quote()), 1_000_000, recipient=bob)
    amount_in, fee = rfq.exact_out(100_000, 270_000_000, 1_000_000, FEE_BPS)
    assert tx.return_value == amount_in == 371
    assert khr.balanceOf(bob) == before_bob + 1_000_000
    assert jpy.balanceOf(alice) == before_alice - 371
    assert venue.feesOwed(maker, khr) == fee == 501


def test_fill_exact_out_rounds_the_input_up(venue, make_quote, sign, fill_out):
    quote = make_quote(amount_in=3, amount_out=1_000)
    # gross ceil(100 * 1e4 / 9995) = 101, in = ceil(101 * 3 / 1000) = 1
    assert fill_out(sign(quote), 100).return_value == 1


def test_preview_exact_in_matches_the_model(venue, make_quote):
    quote = make_quote(amount_in=7, amount_out=1_000_003)
    assert venue.previewExactIn(quote.as_tuple(), 5) == rfq.exact_in(7, 1_000_003, 5, FEE_BPS)


def test_preview_exact_out_matches_the_model(venue, make_quote):
    quote = make_quote(amount_in=7, amount_out=1_000_003)
    assert venue.previewExactOut(quote.as_tuple(), 500_000) == rfq.exact_out(7, 1_000_003, 500_000, FEE_BPS)


def test_hash_quote_matches_the_python_digest(venue, make_quote, domain):
    quote = make_quote(nonce=2**200 + 5)
    assert venue.hashQuote(quote.as_tuple()) == "0x" + rfq.quote_digest(domain, quote).hex()


def test_typehashes_match_the_python_fields(venue):
    from corridor import eip712

    assert venue.QUOTE_TYPEHASH() == "0x" + eip712.type_hash(rfq.QUOTE_TYPE, rfq.QUOTE_FIELDS).hex()
    assert (
        venue.CROSS_QUOTE_TYPEHASH()
        == "0x" + eip712.type_hash(rfq.CROSS_QUOTE_TYPE, rfq.CROSS_QUOTE_FIELDS).hex()
    )


def test_quote_for_a_taker_fills_for_that_taker(venue, make_quote, sign, fill_in, bob):
    tx = fill_in(sign(make_quote(taker=bob.address)), 10, sender=bob, recipient=bob)
    assert tx.events["QuoteFilled"]["amountIn"] == 10


def test_quote_fills_at_its_expiry_second(venue, make_quote, sign, fill_in):
    quote = make_quote(expiry=chain.time() + 100)
    chain.sleep(95)
    assert fill_in(sign(quote), 10).return_value > 0


def test_remaining_is_the_size_of_a_live_quote(venue, make_quote):
    assert venue.remaining(make_quote(amount_in=1234).as_tuple()) == 1234


def test_remaining_is_zero_after_expiry(venue, make_quote):
    # the chain's own clock (the latest block), not brownie's local estimate: on a loaded machine they drift
    quote = make_quote(expiry=chain[-1].timestamp + 10)
    chain.sleep(20)
    chain.mine()
    assert chain[-1].timestamp > quote.expiry
    assert venue.remaining(quote.as_tuple()) == 0


def test_collect_fees_pays_the_treasury(venue, make_quote, sign, fill_in, maker, khr, treasury, stranger):
    fill_in(sign(make_quote()), 100_000)
    before = khr.balanceOf(treasury)
    tx = venue.collectFees(maker, khr, {"from": stranger})
    assert tx.return_value == 135_000
    assert khr.balanceOf(treasury) == before + 135_000
    assert venue.feesOwed(maker, khr) == 0
    assert tx.events["FeesCollected"].values() == [maker, khr, treasury, 135_000]


def test_fees_accrue_again_after_a_collection(venue, make_quote, sign, fill_in, maker, khr):
    fill_in(sign(make_quote(nonce=1)), 100_000)
    venue.collectFees(maker, khr, {"from": maker})
    fill_in(sign(make_quote(nonce=2)), 1_000)
    assert venue.feesOwed(maker, khr) == 1_350


def test_zero_fee_books_nothing(venue, make_quote, sign, fill_in, admin, maker, khr):
    venue.setFee(0, {"from": admin})
    tx = fill_in(sign(make_quote()), 100_000)
    assert tx.return_value == 270_000_000
    assert tx.events["QuoteFilled"]["fee"] == 0
    assert venue.feesOwed(maker, khr) == 0


def test_recipient_defaults_nowhere_the_taker_chooses_it(venue, make_quote, sign, fill_in, merchant, khr):
    fill_in(sign(make_quote()), 10, recipient=merchant)
    assert khr.balanceOf(merchant) == rfq.exact_in(100_000, 270_000_000, 10, FEE_BPS)[0]


def test_open_quote_has_zero_taker(make_quote):
    assert make_quote().taker == ZERO_ADDRESS
