"""Every way a fill is refused, each with its custom error."""

import brownie
from brownie import ZERO_ADDRESS, accounts, chain

from corridor.exchange import rfq


def test_overfill_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("FillExceedsSize: 100001, 100000"):
        fill_in(sign(make_quote()), 100_001)


def test_exact_out_beyond_size_reverts(venue, make_quote, sign, fill_out):
    # 270,000,000 net needs a gross above the quoted amountOut once the fee is added
    with brownie.reverts(revert_pattern=r"FillExceedsSize: 100051, 100000"):
        fill_out(sign(make_quote()), 270_000_000)


def test_expired_quote_reverts(venue, make_quote, sign, fill_in):
    quote = make_quote(expiry=chain.time() + 10)
    chain.sleep(30)
    with brownie.reverts(revert_pattern=rf"QuoteExpired: {quote.expiry}, \d+"):
        fill_in(sign(quote), 10)


def test_wrong_taker_reverts(venue, make_quote, sign, fill_in, alice, bob):
    with brownie.reverts(f"UnauthorizedTaker: {bob.address.lower()}, {alice.address.lower()}"):
        fill_in(sign(make_quote(taker=bob.address)), 10, sender=alice)


def test_unregistered_maker_reverts(venue, make_quote, fill_in, domain):
    outsider = accounts.add()
    signed = rfq.sign_quote(outsider.private_key, domain, make_quote(maker=outsider.address))
    with brownie.reverts(f"MakerNotRegistered: {outsider.address.lower()}"):
        fill_in(signed, 10)


def test_deregistered_maker_quote_reverts(venue, make_quote, sign, fill_in, operator, maker):
    signed = sign(make_quote())
    venue.deregisterMaker(maker, {"from": operator})
    with brownie.reverts(f"MakerNotRegistered: {maker.address.lower()}"):
        fill_in(signed, 10)


def test_signature_by_another_key_reverts(venue, make_quote, sign, fill_in, maker):
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        fill_in(sign(make_quote(), key=accounts.add().private_key), 10)


def test_tampered_quote_reverts(venue, make_quote, sign, fill_in, maker):
    signed = sign(make_quote())
    better = rfq.SignedQuote(make_quote(amount_out=270_000_001), signed.signature, signed.domain)
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        fill_in(better, 10)


def test_short_signature_reverts(venue, make_quote, sign, fill_in, maker):
    signed = sign(make_quote())
    short = rfq.SignedQuote(signed.quote, signed.signature[:64], signed.domain)
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        fill_in(short, 10)


def test_high_s_signature_reverts(venue, make_quote, sign, fill_in, maker):
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    signed = sign(make_quote())
    r, s, v = signed.signature[:32], int.from_bytes(signed.signature[32:64], "big"), signed.signature[64]
    malleable = r + (n - s).to_bytes(32, "big") + bytes([55 - v])
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        fill_in(rfq.SignedQuote(signed.quote, malleable, signed.domain), 10)


def test_zero_amount_in_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("ZeroAmount: "):
        fill_in(sign(make_quote()), 0)


def test_zero_amount_out_reverts(venue, make_quote, sign, fill_out):
    with brownie.reverts("ZeroAmount: "):
        fill_out(sign(make_quote()), 0)


def test_dust_fill_with_nothing_out_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("ZeroAmountOut: "):
        fill_in(sign(make_quote(amount_in=1_000, amount_out=1)), 1)


def test_zero_recipient_reverts(venue, make_quote, sign, fill_in):
    signed = sign(make_quote())
    with brownie.reverts("ZeroAddress: "):
        venue.fillExactIn(
            *signed.fill_exact_in_args(10, 0, ZERO_ADDRESS, rfq.reference("x")), {"from": accounts[2]}
        )


def test_zero_reference_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("ZeroReference: "):
        fill_in(sign(make_quote()), 10, ref=b"\x00" * 32)


def test_empty_quote_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("EmptyQuote: "):
        fill_in(sign(make_quote(amount_out=0)), 10)


def test_quote_of_nothing_in_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("EmptyQuote: "):
        fill_in(sign(make_quote(amount_in=0)), 10)


def test_same_token_quote_reverts(venue, make_quote, sign, fill_in, jpy):
    with brownie.reverts(f"SameToken: {jpy.address.lower()}"):
        fill_in(sign(make_quote(token_out=jpy.address)), 10)


def test_min_amount_out_not_met_reverts(venue, make_quote, sign, fill_in):
    with brownie.reverts("InsufficientOutput: 269865000, 269865001"):
        fill_in(sign(make_quote()), 100_000, min_out=269_865_001)


def test_max_amount_in_exceeded_reverts(venue, make_quote, sign, fill_out):
    with brownie.reverts("ExcessiveInput: 371, 370"):
        fill_out(sign(make_quote()), 1_000_000, max_in=370)


def test_fill_while_paused_reverts(venue, make_quote, sign, fill_in, operator):
    venue.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        fill_in(sign(make_quote()), 10)


def test_exact_out_while_paused_reverts(venue, make_quote, sign, fill_out, operator):
    venue.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        fill_out(sign(make_quote()), 10)


def test_cancel_while_paused_still_works(venue, maker, operator):
    venue.pause({"from": operator})
    venue.cancelNonce(1, {"from": maker})
    assert venue.isNonceUsed(maker, 1)


def test_collect_fees_with_nothing_owed_reverts(venue, maker, khr):
    with brownie.reverts(f"NoFeesOwed: {maker.address.lower()}, {khr.address.lower()}"):
        venue.collectFees(maker, khr, {"from": maker})


def test_collect_fees_twice_reverts(venue, make_quote, sign, fill_in, maker, khr):
    fill_in(sign(make_quote()), 100_000)
    venue.collectFees(maker, khr, {"from": maker})
    with brownie.reverts(revert_pattern=r"NoFeesOwed.*"):
        venue.collectFees(maker, khr, {"from": maker})


def test_failed_fill_leaves_the_nonce_unused(venue, make_quote, sign, fill_in, maker, jpy, alice):
    jpy.approve(venue, 0, {"from": alice})
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance.*"):
        fill_in(sign(make_quote(nonce=8)), 10)
    assert not venue.isNonceUsed(maker, 8)
