"""Stateful machine: random customers pay random invoices (right amount, too little, too much, late, twice, from a
linked scheme such as Thailand's PromptPay through the Bakong hub), through the RFQ venue or the AMM. After every
step: every Bakong deposit was settled or refunded exactly once, each merchant received exactly its settled
invoices, value is conserved (deposits = spent on FX + refunded into the escrow), and the settlement holds nothing.

CI size: brownie's defaults (brownie-config.yaml: 30 examples x 20 steps). Larger:
`PYTEST_ARGS="--hypothesis-seed=0" ... SETTLEMENT_MACHINE_EXAMPLES=200` (documented in docs/architecture.md).
"""

from __future__ import annotations

import os
from collections import Counter

from brownie import chain
from brownie.test import strategy

from corridor.bridge.attest import KHR
from corridor.settlement import outcome

ORIGINS = ("KH:BAKONG", "TH:PROMPTPAY")
EXAMPLES = int(os.environ.get("SETTLEMENT_MACHINE_EXAMPLES", "0")) or None


class SettlementMachine:
    st_amount = strategy("uint256", min_value=1, max_value=150_000)
    st_kind = strategy("uint8", min_value=0, max_value=1)
    st_origin = strategy("uint8", min_value=0, max_value=1)
    st_delta = strategy("int256", min_value=-500, max_value=500)
    st_index = strategy("uint256")

    def __init__(cls, desk):
        cls.desk = desk

    def setup(self):
        self.invoices = []  # (inv, data)
        self.paid_serials = set()
        self.outcomes = Counter()  # bakong tx hash -> events seen
        self.deposits = 0
        self.spent = 0
        self.refunded = 0
        self.expected_merchant = 0
        self.merchant_start = self.desk.jpy.balanceOf(self.desk.merchant)
        self.escrow_start = self.desk.token(KHR).balanceOf(self.desk.bridge)

    def rule_new_invoice(self, st_amount, st_kind, st_origin):
        d = self.desk
        origin = ORIGINS[st_origin]
        pair = (
            d.rfq_invoice(st_amount, origin=origin)
            if st_kind == 0
            else d.amm_invoice(st_amount, bound_bps=100, origin=origin)
        )
        self.invoices.append(pair)

    def rule_pay(self, st_index, st_delta):
        if not self.invoices:
            return
        inv, data = self.invoices[st_index % len(self.invoices)]
        deposit = max(1, inv.price + inv.price * st_delta // 10_000)
        tx = self.desk.pay(inv, data, deposit)
        out = outcome(tx.events)
        key = str(tx.events["Minted"]["bakongTxHash"])
        self.outcomes[key] += int("InvoiceSettled" in tx.events) + int("InvoiceRefunded" in tx.events)
        self.deposits += deposit
        should = (
            deposit >= inv.price and tx.timestamp <= inv.window_end and inv.serial not in self.paid_serials
        )
        if out.settled:
            assert should or inv.serial not in self.paid_serials  # an FX refusal may still refund a valid one
            self.paid_serials.add(inv.serial)
            self.expected_merchant += inv.amount_out
            self.spent += out.spent
        else:
            assert not should or out.reason == 5  # FX_FAILED is the only refusal of a valid payment
        self.refunded += out.refunded

    def rule_wait(self, st_amount):
        chain.sleep(st_amount % 900)
        chain.mine()

    def invariant_each_deposit_once(self):
        assert all(n == 1 for n in self.outcomes.values())

    def invariant_merchant_exact(self):
        assert self.desk.jpy.balanceOf(self.desk.merchant) - self.merchant_start == self.expected_merchant

    def invariant_value_conserved(self):
        d = self.desk
        assert self.deposits == self.spent + self.refunded
        assert d.token(KHR).balanceOf(d.settlement) == 0
        assert d.token(KHR).balanceOf(d.bridge) - self.escrow_start == self.refunded


def test_settlement_machine(desk, state_machine):
    kwargs = {"settings": {"max_examples": EXAMPLES}} if EXAMPLES else {}
    state_machine(SettlementMachine, desk, **kwargs)
