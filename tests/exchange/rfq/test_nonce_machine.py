"""Stateful: fills and cancels against a Python model of the maker's nonce bitmap."""

from types import SimpleNamespace

import brownie
from brownie.test import strategy

from corridor.exchange import rfq
from tests.fixtures.machines import machine_settings

WORDS = 3
BITS = [0, 1, 2, 7, 128, 200, 254, 255]


class NonceMachine:
    """Fills, single cancels and word cancels; every word always equals the model and a nonce is
    consumed exactly once (a used nonce never fills)."""

    st_word = strategy("uint256", max_value=WORDS - 1)
    st_bit = strategy("uint256", max_value=len(BITS) - 1)
    st_mask = strategy("uint256")

    def __init__(cls, venue, maker, make_quote, sign, fill_in):
        cls.venue, cls.maker = venue, maker
        cls.helpers = SimpleNamespace(make_quote=make_quote, sign=sign, fill_in=fill_in)

    def setup(self):
        self.model = [0] * WORDS
        self.fills = 0

    def rule_fill(self, st_word, st_bit):
        """Fills the quote with this nonce: succeeds once, then NonceAlreadyUsed."""
        bit = BITS[st_bit]
        nonce = rfq.make_nonce(st_word, bit)
        signed = self.helpers.sign(self.helpers.make_quote(nonce=nonce, amount_in=10, amount_out=270_000))
        if self.model[st_word] >> bit & 1:
            with brownie.reverts(f"NonceAlreadyUsed: {self.maker.address.lower()}, {nonce}"):
                self.helpers.fill_in(signed, 10)
        else:
            self.helpers.fill_in(signed, 10)
            self.model[st_word] |= 1 << bit
            self.fills += 1

    def rule_cancel_nonce(self, st_word, st_bit):
        """Cancels one nonce (idempotent)."""
        bit = BITS[st_bit]
        self.venue.cancelNonce(rfq.make_nonce(st_word, bit), {"from": self.maker})
        self.model[st_word] |= 1 << bit

    def rule_cancel_word(self, st_word, st_mask):
        """Cancels the nonces of a mask in a word; an empty mask is refused."""
        if st_mask == 0:
            with brownie.reverts("ZeroMask: "):
                self.venue.cancelNonces(st_word, 0, {"from": self.maker})
            return
        self.venue.cancelNonces(st_word, st_mask, {"from": self.maker})
        self.model[st_word] |= st_mask

    def invariant_bitmaps_match_model(self):
        for word in range(WORDS):
            assert self.venue.nonceBitmap(self.maker, word) == self.model[word]

    def invariant_no_bit_outside_the_words_used(self):
        assert self.venue.nonceBitmap(self.maker, WORDS) == 0


def test_nonce_bitmap_machine(state_machine, venue, maker, make_quote, sign, fill_in):
    state_machine(NonceMachine, venue, maker, make_quote, sign, fill_in, settings=machine_settings())
