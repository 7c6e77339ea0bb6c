"""Re-entry into the RFQ venue: through a hooked token (the maker receiving tokenIn, the taker's recipient
receiving tokenOut) and through a maker's ERC-1271 wallet during the signature check. The nonce is consumed
before any token moves, so a re-entrant fill of the same quote fails NonceAlreadyUsed; a re-entrant fill of
another valid quote is just another fill (booked in full); the wallet's check is a STATICCALL, so it can
neither act nor be gamed into a second fill. Wrong ERC-1271 answers beyond MockBadERC1271Wallet's four
(dirty magic, return bomb, gas burn) are refused with InvalidSignature."""

import brownie
import pytest
from brownie import ZERO_ADDRESS, accounts, web3

from corridor.exchange import rfq

MAX = 2**256 - 1
NONCE_USED = web3.keccak(text="NonceAlreadyUsed(address,uint256)")[:4].hex().removeprefix("0x")
BURN_GAS, RETURN_BOMB, REENTER, ALWAYS_VALID, MAGIC_LONG, DIRTY_MAGIC = range(6)
REF = rfq.reference("INV-REENTRY")


@pytest.fixture(scope="module")
def hjpy(HookERC20, venue, maker, alice, bob, admin):
    """A hooked yen: every holder approved the venue."""
    t = HookERC20.deploy("Hook Yen", "hJPY", 0, {"from": admin})
    for holder in (maker, alice, bob):
        t.mint(holder, 10**12, {"from": admin})
        t.approve(venue, MAX, {"from": holder})
    return t


@pytest.fixture(scope="module")
def attacker(ReentrantCaller, venue, hjpy, jpy, khr, admin):
    """A contract taker holding every token with the venue approved."""
    a = ReentrantCaller.deploy({"from": admin})
    for t in (hjpy, jpy, khr):
        t.mint(a, 10**12, {"from": admin})
        a.exec(t, t.approve.encode_input(venue, MAX), {"from": admin})
    return a


def _arm(token, attacker, calls, sender):
    attacker.setCalls([c[0] for c in calls], [c[1] for c in calls], {"from": sender})
    token.arm(attacker, attacker.fire.encode_input(), {"from": sender})


def _fill_data(venue, signed, amount_in, recipient):
    return venue.fillExactIn.encode_input(*signed.fill_exact_in_args(amount_in, 0, str(recipient), REF))


def test_maker_receiving_a_hooked_token_cannot_refill_the_same_quote(
    venue, maker, sign, make_quote, fill_in, hjpy, khr, attacker, alice
):
    """tokenIn (hJPY) reaches the maker: the hook fills the very same quote again. The nonce was consumed
    before any transfer, so the inner fill reverts NonceAlreadyUsed and the quote is filled exactly once."""
    signed = sign(make_quote(token_in=hjpy.address, token_out=khr.address, nonce=7))
    _arm(hjpy, attacker, [(venue, _fill_data(venue, signed, 50_000, attacker))], alice)
    maker_in, maker_out = hjpy.balanceOf(maker), khr.balanceOf(maker)
    tx = fill_in(signed, 50_000)
    assert not hjpy.lastSuccess()
    assert hjpy.lastResult().hex().removeprefix("0x")[:8] == NONCE_USED
    assert hjpy.balanceOf(maker) == maker_in + 50_000
    assert khr.balanceOf(maker) == maker_out - tx.return_value  # the fee is a booked debt (collectFees)
    assert len(tx.events["QuoteFilled"]) == 1


def test_recipient_receiving_a_hooked_token_cannot_refill_the_same_quote(
    venue, maker, sign, make_quote, fill_in, hjpy, jpy, attacker, alice
):
    """tokenOut (hJPY) reaches the taker's recipient last: the hook's second fill of the quote is refused."""
    signed = sign(
        make_quote(token_in=jpy.address, token_out=hjpy.address, amount_in=1_000, amount_out=1_000, nonce=8)
    )
    _arm(hjpy, attacker, [(venue, _fill_data(venue, signed, 500, attacker))], alice)
    before = hjpy.balanceOf(alice)
    tx = fill_in(signed, 500)
    assert hjpy.lastResult().hex().removeprefix("0x")[:8] == NONCE_USED
    assert hjpy.balanceOf(alice) == before + tx.return_value
    assert venue.isNonceUsed(maker, 8)


def test_reentrant_fill_of_another_quote_is_an_ordinary_fill(
    venue, maker, sign, make_quote, fill_in, hjpy, khr, attacker, alice
):
    """What re-entry can do is fill another valid quote, which the maker signed: both fills are booked in
    full (two nonces, two QuoteFilled, fees owed on both), nothing more."""
    first = sign(make_quote(token_in=hjpy.address, token_out=khr.address, nonce=20))
    second = sign(make_quote(token_in=hjpy.address, token_out=khr.address, nonce=21))
    _arm(hjpy, attacker, [(venue, _fill_data(venue, second, 10_000, attacker))], alice)
    khr_attacker = khr.balanceOf(attacker)
    tx = fill_in(first, 10_000)
    assert hjpy.lastSuccess()
    assert len(tx.events["QuoteFilled"]) == 2
    assert venue.isNonceUsed(maker, 20) and venue.isNonceUsed(maker, 21)
    out_each = tx.return_value
    assert khr.balanceOf(attacker) == khr_attacker + out_each
    gross = 10_000 * 270_000_000 // 100_000
    assert venue.feesOwed(maker, khr) == 2 * (gross - out_each)


# ---------------------------------------------------------------- ERC-1271 makers


@pytest.fixture(scope="module")
def adv_maker(AdversarialERC1271Wallet, venue, operator, khr, admin):
    w = AdversarialERC1271Wallet.deploy({"from": admin})
    khr.mint(w, 10**12, {"from": admin})
    w.exec(khr, khr.approve.encode_input(venue, MAX), {"from": admin})
    venue.registerMaker(w, {"from": operator})
    return w


@pytest.mark.parametrize(
    "mode", [DIRTY_MAGIC, RETURN_BOMB, BURN_GAS], ids=["dirty-magic", "return-bomb", "burns-gas"]
)
def test_wallet_maker_answering_wrongly_is_refused(venue, adv_maker, make_quote, domain, alice, mode, admin):
    adv_maker.setMode(mode, ZERO_ADDRESS, b"", {"from": admin})
    signed = rfq.sign_quote(accounts.add().private_key, domain, make_quote(maker=adv_maker.address, nonce=3))
    with brownie.reverts(f"InvalidSignature: {adv_maker.address.lower()}"):
        venue.fillExactIn(
            *signed.fill_exact_in_args(10, 0, str(alice), REF), {"from": alice, "gas_limit": 3_000_000}
        )
    assert not venue.isNonceUsed(adv_maker, 3)


def test_wallet_maker_cannot_cancel_nonces_from_inside_its_signature_check(
    venue, adv_maker, make_quote, domain, fill_in, admin
):
    """The wallet tries to cancel its whole first nonce word while the venue asks it about quote nonce 5, then
    answers "valid": the fill happens, the cancellation does not (STATICCALL), so only bit 5 is set."""
    adv_maker.setMode(REENTER, venue, venue.cancelNonces.encode_input(0, MAX), {"from": admin})
    signed = rfq.sign_quote(accounts.add().private_key, domain, make_quote(maker=adv_maker.address, nonce=5))
    fill_in(signed, 1_000)
    assert venue.nonceBitmap(adv_maker, 0) == 1 << 5


def test_wallet_maker_cannot_fill_during_its_own_signature_check(
    venue, adv_maker, maker, sign, make_quote, domain, fill_in, admin, attacker
):
    """From inside isValidSignature the wallet fills another maker's valid quote (an EOA's, so the inner check
    does not recurse into the wallet): in the static context the inner fill cannot write its nonce, so only
    the outer fill happens."""
    inner = sign(make_quote(nonce=9))
    adv_maker.setMode(
        REENTER,
        venue,
        venue.fillExactIn.encode_input(*inner.fill_exact_in_args(10, 0, str(attacker), REF)),
        {"from": admin},
    )
    outer = rfq.sign_quote(accounts.add().private_key, domain, make_quote(maker=adv_maker.address, nonce=6))
    tx = fill_in(outer, 1_000)
    assert len(tx.events["QuoteFilled"]) == 1
    assert venue.nonceBitmap(adv_maker, 0) == 1 << 6
    assert not venue.isNonceUsed(maker, 9)


def test_wallet_maker_magic_with_trailing_data_is_accepted(
    venue, adv_maker, make_quote, domain, fill_in, admin
):
    adv_maker.setMode(MAGIC_LONG, ZERO_ADDRESS, b"", {"from": admin})
    signed = rfq.sign_quote(accounts.add().private_key, domain, make_quote(maker=adv_maker.address, nonce=4))
    assert fill_in(signed, 1_000).return_value > 0
