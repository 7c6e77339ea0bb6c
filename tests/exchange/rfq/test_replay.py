"""A signed quote settles once, on one chain, at one venue, and never after its maker cancelled it."""

import brownie
from brownie import chain

from corridor.exchange import rfq
from corridor.exchange.rfq_deploy import deploy_rfq


def test_replay_on_the_same_chain_reverts(venue, make_quote, sign, fill_in, maker):
    signed = sign(make_quote(nonce=9))
    fill_in(signed, 100_000)
    with brownie.reverts(f"NonceAlreadyUsed: {maker.address.lower()}, 9"):
        fill_in(signed, 100_000)


def test_replay_after_a_partial_fill_reverts(venue, make_quote, sign, fill_in):
    signed = sign(make_quote(nonce=9))
    fill_in(signed, 1)
    with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
        fill_in(signed, 1)


def test_signature_for_another_chain_id_is_rejected(venue, make_quote, sign, fill_in, maker):
    other_chain = rfq.venue_domain(chain.id + 1, venue.address)
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        fill_in(sign(make_quote(), dom=other_chain), 10)


def test_signature_for_another_venue_is_rejected(
    RfqVenue, venue, make_quote, sign, admin, operator, treasury, maker, alice, jpy, khr
):
    other = deploy_rfq(RfqVenue, admin, {"treasury": treasury, "admin_delay": 0, "makers": [maker]}).venue
    jpy.approve(other, 2**256 - 1, {"from": alice})
    khr.approve(other, 2**256 - 1, {"from": maker})
    signed = sign(make_quote())  # for `venue`
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        other.fillExactIn(
            *signed.fill_exact_in_args(10, 0, alice.address, rfq.reference("x")), {"from": alice}
        )


def test_domain_separator_binds_chain_id_and_venue(venue, domain):
    fields = venue.eip712Domain()
    assert (fields["name"], fields["version"], fields["chainId"], fields["verifyingContract"]) == (
        "Corridor RFQ",
        "1",
        chain.id,
        venue.address,
    )


def test_fill_after_cancel_nonce_reverts(venue, make_quote, sign, fill_in, maker):
    signed = sign(make_quote(nonce=300))
    tx = venue.cancelNonce(300, {"from": maker})
    assert tx.events["NoncesCancelled"].values() == [maker, 1, 1 << 44]
    with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
        fill_in(signed, 10)


def test_fill_after_cancel_word_reverts(venue, make_quote, sign, fill_in, maker):
    quotes = [sign(make_quote(nonce=rfq.make_nonce(3, bit))) for bit in (0, 128, 255)]
    venue.cancelNonces(3, 2**256 - 1, {"from": maker})
    for signed in quotes:
        with brownie.reverts(revert_pattern=r"NonceAlreadyUsed.*"):
            fill_in(signed, 10)


def test_cancel_leaves_other_words_usable(venue, make_quote, sign, fill_in, maker):
    venue.cancelNonces(3, 2**256 - 1, {"from": maker})
    assert fill_in(sign(make_quote(nonce=rfq.make_nonce(4, 0))), 10).return_value > 0


def test_cancel_with_empty_mask_reverts(venue, maker):
    with brownie.reverts("ZeroMask: "):
        venue.cancelNonces(0, 0, {"from": maker})


def test_cancel_by_someone_else_does_not_touch_the_maker(venue, make_quote, sign, fill_in, stranger, maker):
    venue.cancelNonce(5, {"from": stranger})
    assert not venue.isNonceUsed(maker, 5)
    assert fill_in(sign(make_quote(nonce=5)), 10).return_value > 0


def test_cross_signature_does_not_fill_as_direct_quote(venue, make_quote, sign, fill_in, usd, maker):
    cross = rfq.CrossQuote(**make_quote().to_dict(), hub=usd.address, hub_amount=670_000_000)
    signed = sign(cross)
    as_direct = rfq.SignedQuote(cross.head, signed.signature, signed.domain)
    with brownie.reverts(f"InvalidSignature: {maker.address.lower()}"):
        fill_in(as_direct, 10)
