"""Partial-fill arithmetic: the contract equals the Python model, and rounding never gifts the taker."""

import brownie
from brownie.test import given, strategy

from corridor.exchange import rfq


@given(
    q_in=strategy("uint256", min_value=1, max_value=10**12),
    q_out=strategy("uint256", min_value=1, max_value=10**15),
    part=strategy("decimal", min_value="0.000001", max_value="1", places=6),
    fee_bps=strategy("uint256", max_value=100),
)
def test_exact_in_fill_never_pays_above_the_quoted_price(
    venue, admin, make_quote, sign, fill_in, q_in, q_out, part, fee_bps, alice, khr, maker
):
    venue.setFee(fee_bps, {"from": admin})
    amount_in = max(1, int(q_in * part))
    out, fee = rfq.exact_in(q_in, q_out, amount_in, fee_bps)
    signed = sign(make_quote(amount_in=q_in, amount_out=q_out))
    if out == 0:
        with brownie.reverts("ZeroAmountOut: "):
            fill_in(signed, amount_in)
        return
    before = khr.balanceOf(alice)
    tx = fill_in(signed, amount_in)
    assert tx.return_value == out and khr.balanceOf(alice) - before == out
    assert tx.events["QuoteFilled"]["fee"] == fee
    # the maker pays at most the quoted price: (out + fee) / amount_in <= q_out / q_in
    assert (out + fee) * q_in <= amount_in * q_out
    # and the fee is at least its exact share of the gross
    assert fee * rfq.BPS >= (out + fee) * fee_bps


@given(
    q_in=strategy("uint256", min_value=1, max_value=10**12),
    q_out=strategy("uint256", min_value=1, max_value=10**15),
    part=strategy("decimal", min_value="0.000001", max_value="1", places=6),
    fee_bps=strategy("uint256", max_value=100),
)
def test_exact_out_fill_charges_at_least_the_quoted_price(
    venue, admin, make_quote, sign, fill_out, q_in, q_out, part, fee_bps, alice, bob, jpy, khr
):
    venue.setFee(fee_bps, {"from": admin})
    want = max(1, int(q_out * (rfq.BPS - fee_bps) // rfq.BPS * part))
    amount_in, fee = rfq.exact_out(q_in, q_out, want, fee_bps)
    signed = sign(make_quote(amount_in=q_in, amount_out=q_out))
    if amount_in > q_in:
        with brownie.reverts(revert_pattern=r"FillExceedsSize.*"):
            fill_out(signed, want)
        return
    before_in, before_out = jpy.balanceOf(alice), khr.balanceOf(bob)
    tx = fill_out(signed, want, recipient=bob)
    assert tx.return_value == amount_in == before_in - jpy.balanceOf(alice)
    assert khr.balanceOf(bob) - before_out == want
    # the taker pays at least the quoted price for the gross the maker gives up
    assert amount_in * q_out >= (want + fee) * q_in
    assert fee * rfq.BPS >= (want + fee) * fee_bps


@given(
    q_in=strategy("uint256", min_value=1, max_value=10**18),
    q_out=strategy("uint256", min_value=1, max_value=10**18),
    amount=strategy("uint256", min_value=1, max_value=10**18),
    fee_bps=strategy("uint256", max_value=100),
)
def test_previews_equal_the_python_model(venue, admin, make_quote, q_in, q_out, amount, fee_bps):
    venue.setFee(fee_bps, {"from": admin})
    quote = make_quote(amount_in=q_in, amount_out=q_out).as_tuple()
    assert venue.previewExactIn(quote, amount) == rfq.exact_in(q_in, q_out, amount, fee_bps)
    assert venue.previewExactOut(quote, amount) == rfq.exact_out(q_in, q_out, amount, fee_bps)


@given(
    amounts=strategy("uint256[4]"),
    taker=strategy("address"),
    hub=strategy("address"),
)
def test_contract_digests_equal_eip712_for_any_quote(venue, domain, make_quote, amounts, taker, hub):
    """The venue's calldata hashing equals a standard EIP-712 encoder for every field value."""
    quote = make_quote(
        taker=taker.address, amount_in=amounts[0], amount_out=amounts[1], nonce=amounts[2], expiry=amounts[3]
    )
    cross = rfq.CrossQuote(**quote.to_dict(), hub=hub.address, hub_amount=amounts[0] ^ amounts[1])
    assert venue.hashQuote(quote.as_tuple()) == "0x" + rfq.quote_digest(domain, quote).hex()
    assert venue.hashCrossQuote(cross.as_tuple()) == "0x" + rfq.quote_digest(domain, cross).hex()
