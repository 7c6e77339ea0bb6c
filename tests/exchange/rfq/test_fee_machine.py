"""Stateful: fills (both directions, any size, any fee) and fee collections against a model of who
holds what. Tokens are conserved, the treasury gets exactly the booked fees, the model equals the chain."""

from types import SimpleNamespace

import brownie
from brownie.test import strategy

from corridor.exchange import rfq
from tests.fixtures.machines import machine_settings

Q_IN, Q_OUT = 100_000, 270_000_000


class FeeMachine:
    """Every fill pays the maker amountIn and the recipient amountOut and books the fee; collecting moves
    the booked fee to the treasury. What the maker gave up always equals what the recipient and the
    treasury got (or are owed)."""

    st_part = strategy("uint256", min_value=1, max_value=Q_IN)
    st_out = strategy("uint256", min_value=1, max_value=Q_OUT * 99 // 100)
    st_fee = strategy("uint256", max_value=100)

    def __init__(cls, venue, admin, maker, treasury, jpy, khr, helpers):
        cls.venue, cls.admin, cls.maker, cls.treasury, cls.jpy, cls.khr = (
            venue,
            admin,
            maker,
            treasury,
            jpy,
            khr,
        )
        cls.h = helpers

    def setup(self):
        self.nonce = 1_000
        self.fee_bps = self.venue.feeBps()
        self.maker_khr0 = self.khr.balanceOf(self.maker)
        self.treasury_khr0 = self.khr.balanceOf(self.treasury)
        self.recipient_khr0 = self.khr.balanceOf(self.h.recipient)
        self.owed, self.collected, self.paid_out, self.paid_in = 0, 0, 0, 0
        self.maker_jpy0 = self.jpy.balanceOf(self.maker)

    def _quote(self):
        self.nonce += 1
        return self.h.sign(self.h.make_quote(nonce=self.nonce, amount_in=Q_IN, amount_out=Q_OUT))

    def rule_fill_exact_in(self, st_part):
        """Exact in: recipient gets floor(gross) - ceil(fee)."""
        out, fee = rfq.exact_in(Q_IN, Q_OUT, st_part, self.fee_bps)
        tx = self.h.fill_in(self._quote(), st_part, recipient=self.h.recipient)
        assert tx.return_value == out
        self.owed, self.paid_out, self.paid_in = self.owed + fee, self.paid_out + out, self.paid_in + st_part

    def rule_fill_exact_out(self, st_out):
        """Exact out: recipient gets exactly what was asked."""
        amount_in, fee = rfq.exact_out(Q_IN, Q_OUT, st_out, self.fee_bps)
        tx = self.h.fill_out(self._quote(), st_out, recipient=self.h.recipient)
        assert tx.return_value == amount_in
        self.owed, self.paid_out, self.paid_in = (
            self.owed + fee,
            self.paid_out + st_out,
            self.paid_in + amount_in,
        )

    def rule_collect(self):
        """Collecting pays all booked fees to the treasury, or reverts when none are owed."""
        if self.owed == 0:
            with brownie.reverts(revert_pattern=r"NoFeesOwed.*"):
                self.venue.collectFees(self.maker, self.khr, {"from": self.admin})
            return
        assert self.venue.collectFees(self.maker, self.khr, {"from": self.admin}).return_value == self.owed
        self.collected, self.owed = self.collected + self.owed, 0

    def rule_set_fee(self, st_fee):
        """The fee may change between fills; booked fees keep their amounts."""
        self.venue.setFee(st_fee, {"from": self.admin})
        self.fee_bps = st_fee

    def invariant_fees_owed_match(self):
        assert self.venue.feesOwed(self.maker, self.khr) == self.owed

    def invariant_treasury_got_the_collected_fees(self):
        assert self.khr.balanceOf(self.treasury) - self.treasury_khr0 == self.collected

    def invariant_tokens_conserved(self):
        maker_gave = self.maker_khr0 - self.khr.balanceOf(self.maker)
        recipient_got = self.khr.balanceOf(self.h.recipient) - self.recipient_khr0
        assert recipient_got == self.paid_out
        assert maker_gave == self.paid_out + self.collected
        assert self.jpy.balanceOf(self.maker) - self.maker_jpy0 == self.paid_in


def test_fee_machine(
    state_machine, venue, admin, maker, treasury, jpy, khr, make_quote, sign, fill_in, fill_out, bob
):
    helpers = SimpleNamespace(
        make_quote=make_quote, sign=sign, fill_in=fill_in, fill_out=fill_out, recipient=bob
    )
    state_machine(
        FeeMachine,
        venue,
        admin,
        maker,
        treasury,
        jpy,
        khr,
        helpers,
        settings=machine_settings(max_examples=15),
    )
