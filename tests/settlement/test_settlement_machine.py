"""Stateful machine over both QR directions on one deployed corridor (issue #16, Tests).

Inbound: random customers pay random yen invoices (RFQ or AMM, priced in KHR with 0 decimals or USD with 2) on the
Bakong ledger simulator, with the right amount, too little, too much, late (after the quote window) or twice, or
through Thailand's PromptPay linked to Bakong (per-origin limits, expiry and one payment per KHQR enforced by the
hub); the validators attest each deposit as a hooked mint into InvoiceSettlement. Outbound: random yen payers pay
KHQRs (static: amount entered; dynamic: amount fixed) and remittances through KhqrPayer (RFQ or AMM), and the
payouts are finalized (paid on Bakong) or rejected (refunded in JPYS) at random.

Each rule predicts its outcome from a model kept here (quote window, amount, paid serials, maker inventory, the
AMM's price now, the hub's limits, the payer's bound) before comparing it with the contract's events. After every
step:
- every Bakong deposit minted to the settlement ended in exactly one settlement event (never stuck, never twice,
  never minted to nobody: the settlement holds only parked refunds);
- every merchant received exactly the invoices it settled, each at most once, each for exactly its yen amount;
- the Bakong omnibus account in the ledger simulator backs each bridge token's supply to the unit;
- the bridge escrow holds exactly the pending payouts (refunds and outbound payments);
- bridge tokens and JPYS are conserved across the bridge, the settlement, KhqrPayer, the maker, the venue, the
  pools, the merchants and the payers, and the two corridor contracts hold nothing at rest;
- per currency, every deposit was either spent on FX or refunded.

CI size: CORRIDOR_MACHINE_SIZE=ci (default); larger: CORRIDOR_MACHINE_SIZE=large (docs/testing.md).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections import Counter, defaultdict

import pytest
from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy
from hypothesis import Phase

from corridor.bridge import khqr
from corridor.bridge.attest import KHR, USD
from corridor.bridge.ledger import AlreadyPaid, ExpiredKHQR, Ledger
from corridor.bridge.linked_scheme import Hub, LinkedSchemeError, scheme_from_config
from corridor.demo_outbound import MAX, OutboundWorld, fund_payer
from corridor.exchange import rfq
from corridor.invoices import create_invoice
from corridor.khqr_pay import payment_from_khqr, remittance
from corridor.settlement import RefundReason, bytes32_text, outcome, text_of
from tests.fixtures.machines import machine_settings
from tests.integration.corridor_machine.helpers import batch_call

# (max_examples, stateful_step_count): `ci` stays within ~90 s on a shared 2-core machine
SIZES = {"ci": (30, 30), "large": (120, 60)}
SIZE = os.environ.get("CORRIDOR_MACHINE_SIZE", "ci")

OMNIBUS = "corridor@abab"
CUSTOMERS = ("sokha@aclb", "dara@wing", "vanna@abab")
SHOPS = ("coffee@abab", "market@wing")
PROMPTPAY = {
    "scheme": "PROMPTPAY",
    "country": "TH",
    "settlement_account": "promptpay@hub",
    "currency": "THB",
    "rates": {"KHR": "0.0087", "USD": "35.6"},
    "limits": {"KHR": 2_000_000, "USD": 50_000},
}
LINKED = "TH:PROMPTPAY"
FAR = 2**40
RATES = {
    KHR: (55, 2),
    USD: (68, 100),
}  # the maker's outbound price: minor units per yen (27.5 riel, 0.68 cents)
_serials = itertools.count(1)
SEEN = Counter()  # outcomes reached over the run (printed with -s: is the machine exercising every branch?)


def _build(accounts):
    """One corridor carrying both directions: the settlement desk funded (corridor.invoice_desk), the suite's
    KhqrPayer, the maker holding bKHR/bUSD for outbound fills, two yen payers and a second verified merchant."""
    from brownie import project as brownie_project

    from corridor.deploy.settings import load_settings
    from corridor.invoice_desk import fund_corridor
    from corridor.suite import deploy_suite, dev_party_key

    project = brownie_project.get_loaded_projects()[0]
    settings = load_settings("development", development=True)
    suite = deploy_suite(project, accounts[0], settings, accounts)
    desk = fund_corridor(suite, settings, accounts, accounts[0], accounts[9])
    admin = desk.admin
    world = OutboundWorld(
        suite,
        settings,
        suite.khqr_payer,
        desk.who,
        dev_party_key(str(settings["parties"]["market_maker"])[4:]),
        desk.keys,
        chain,
    )
    maker = desk.maker
    for currency, amount in ((KHR, 3 * 10**8), (USD, 10**7)):
        cap = desk.bridge.limitsOf(currency)[0]
        while amount:
            step = min(amount, cap)
            world.mint(currency, step, maker, desk.relayer)
            amount -= step
        world.token(currency).approve(desk.venue, MAX, {"from": maker})
    payers = [accounts[6], accounts[7]]
    for payer in payers:
        fund_payer(world, payer, 2_000_000)
    shop_b = accounts.add("0x" + "5a" * 32)
    desk.jpy.setKyc(shop_b, 2, 392, {"from": admin})
    return desk, world, payers, [desk.merchant, shop_b]


@pytest.fixture(scope="module")
def corridor(accounts):
    return _build(accounts)


class QrCorridorMachine:
    """Invoices paid by KHQR (directly or through PromptPay) and KHQRs paid in yen, with random payouts; the
    deposits, the merchants' yen and the Bakong, bridge and JPYS books stay exact (module docstring)."""

    st_yen = strategy("uint256", min_value=1, max_value=150_000)
    st_minor = strategy("uint256", min_value=1, max_value=400_000)
    st_currency = strategy("uint8", max_value=1)
    st_flag = strategy("bool")
    st_form = strategy("uint8", max_value=2)
    st_who = strategy("uint8", max_value=2)
    st_bps = strategy("int256", min_value=-300, max_value=300)
    st_index = strategy("uint256", max_value=2**32)
    st_seconds = strategy("uint256", max_value=900)

    def __init__(self, corridor):
        self.desk, self.world, self.payers, self.merchants = corridor

    # ------------------------------------------------------------------ setup and model
    def setup(self):
        d, w = self.desk, self.world
        self.ledger = Ledger(clock=lambda: d.now() * 1_000)
        self.ledger.open_account(OMNIBUS, "bridge omnibus")
        self.hub = Hub(self.ledger)
        self.hub.link(scheme_from_config(PROMPTPAY))
        self.tokens = {c: d.token(c) for c in (KHR, USD)}
        for c, t in self.tokens.items():
            self.ledger.cash_in(OMNIBUS, khqr.Currency(c).name, t.totalSupply())  # what backs today's supply
            self.ledger.cash_in(PROMPTPAY["settlement_account"], khqr.Currency(c).name, 10**12)
            for who in CUSTOMERS:
                if not self.ledger.account_exists(who):
                    self.ledger.open_account(who)
                self.ledger.cash_in(who, khqr.Currency(c).name, 10**12)
        self.invoices = []  # (invoice, venue data, KHQR of its price)
        self.paid_serials = set()
        self.linked_md5 = set()
        self.events = Counter()  # bakong tx hash -> settlement events
        self.deposits = Counter()  # currency -> deposited
        self.spent = Counter()
        self.refunded = Counter()
        self.parked = Counter()
        self.owed = Counter()  # merchant -> yen of its settled invoices
        self.pending = {}  # redemption id -> (currency, amount, account, payer or None for a refund)
        self.frozen = False
        self.venue_paused = False
        self.holders = [
            d.bridge,
            d.settlement,
            w.payer_contract,
            d.maker,
            d.venue,
            d.router,
            *w.suite.exchange.pools.values(),
            *self.merchants,
            *self.payers,
            w.who["treasury"],
        ]
        supply, held = self._books()
        self.start = {
            "merchants": {str(m): held[d.jpy][str(m)] for m in self.merchants},
            "escrow": {c: held[t][str(d.bridge)] for c, t in self.tokens.items()},
            "held": {c: sum(held[t].values()) for c, t in self.tokens.items()},
            "supply": {c: supply[t] for c, t in self.tokens.items()},
            "jpy_held": sum(held[d.jpy].values()),
            "jpy_supply": supply[d.jpy],
        }

    def _expected_inbound(self, inv, data, deposit, currency, timestamp):
        """The refund reason the contract must give (NONE: settle), from the model alone."""
        if timestamp > inv.window_end:
            return RefundReason.QUOTE_WINDOW_CLOSED
        if deposit < inv.price:
            return RefundReason.UNDERPAID
        if inv.serial in self.paid_serials:
            return RefundReason.ALREADY_PAID
        if self.frozen and str(inv.merchant) == str(self.merchants[1]):
            return RefundReason.FX_FAILED  # JPYS refuses a frozen recipient
        return RefundReason.NONE

    def _fx_quote(self, inv, currency):
        """What the reserved FX would charge now (None: it cannot deliver): the quote's exact-out price, which the
        desk made the KHQR amount (RFQ; the maker must still hold the yen and the venue be open), or the pools'
        exact-out price when within the bound (AMM)."""
        d = self.desk
        if inv.venue == 1:
            gross = -(-inv.amount_out * rfq.BPS // (rfq.BPS - d.venue.feeBps()))
            if self.venue_paused or d.jpy.balanceOf(d.maker) < gross:
                return None
            return inv.price
        cost = d.router.quoteExactOut(d._path(currency), inv.amount_out)
        return cost if cost <= inv.price else None

    def _settle_deposit(self, inv, data, deposit, currency, payer_account, origin):
        d = self.desk
        inv = dataclasses.replace(inv, payer_account=payer_account, origin=bytes32_text(origin))
        fx_cost = self._fx_quote(inv, currency)
        merchant_before = d.jpy.balanceOf(inv.merchant)
        tx = d.pay(inv, data, deposit, currency)
        minted = tx.events["Minted"]
        assert str(minted["recipient"]) == str(d.settlement) and minted["amount"] == deposit
        key = str(minted["bakongTxHash"])
        self.events[key] += tx.events.count("InvoiceSettled") + tx.events.count("InvoiceRefunded")
        self.deposits[currency] += deposit
        out = outcome(tx.events)
        reason = self._expected_inbound(inv, data, deposit, currency, tx.timestamp)
        if reason == RefundReason.NONE and fx_cost is None:
            reason = RefundReason.FX_FAILED
        assert out.reason == reason, (out, reason)
        SEEN[f"inbound {origin} {reason.name}"] += 1
        event = tx.events["InvoiceSettled" if out.settled else "InvoiceRefunded"]
        assert text_of(event["origin"]) == origin
        if out.settled:
            assert out.amount_out == inv.amount_out and out.spent == fx_cost
            spread = (out.spent - inv.mid_price) * 10_000
            assert out.spread_bps == (1 if spread >= 0 else -1) * (abs(spread) // inv.mid_price)  # truncated
            assert out.refunded == deposit - out.spent
            assert d.jpy.balanceOf(inv.merchant) == merchant_before + inv.amount_out
            self.paid_serials.add(inv.serial)
            self.owed[str(inv.merchant)] += inv.amount_out
            self.spent[currency] += out.spent
        else:
            assert out.refunded == deposit
            assert d.jpy.balanceOf(inv.merchant) == merchant_before
        self.refunded[currency] += out.refunded
        if "RefundParked" in tx.events:
            self.parked[currency] += tx.events["RefundParked"]["amount"]
        elif out.refunded:
            assert out.refund_id != 0
            self.pending[out.refund_id] = (currency, out.refunded, payer_account, None)

    # ------------------------------------------------------------------ inbound rules
    def rule_new_invoice(self, st_yen, st_currency, st_flag, st_who):
        """A merchant issues an invoice quoted through the RFQ venue (a reserved quote) or the AMM (1% bound)."""
        d = self.desk
        currency = (KHR, USD)[st_currency]
        merchant = self.merchants[st_who % 2]
        if st_flag:
            inv, data = d.rfq_invoice(st_yen, currency=currency, merchant=merchant, serial=next(_serials))
        else:
            inv, data = d.amm_invoice(
                st_yen, currency=currency, bound_bps=100, merchant=merchant, serial=next(_serials)
            )
        text = create_invoice(
            text_of(inv.invoice_id),
            str(merchant),
            st_yen,
            khqr.Currency(currency).name,
            inv.price,
            inv.window_end - 600,
            OMNIBUS,
        ).khqr
        self.invoices.append((inv, data, currency, text))

    def rule_customer_pays(self, st_index, st_bps, st_flag, st_who):
        """A Bakong customer pays an invoice (the exact price, or off by up to 3%), possibly again or late."""
        if not self.invoices:
            return
        inv, data, currency, _ = self.invoices[st_index % len(self.invoices)]
        deposit = inv.price if st_flag else max(1, inv.price + inv.price * st_bps // 10_000)
        customer = CUSTOMERS[st_who]
        self.ledger.transfer(
            customer, OMNIBUS, khqr.Currency(currency).name, deposit, None, text_of(inv.invoice_id)
        )
        self._settle_deposit(inv, data, deposit, currency, customer, "KH:BAKONG")

    def rule_linked_payer_pays(self, st_index):
        """A PromptPay user pays an invoice's KHQR through the hub: refused by the link above its per-origin
        limit, after the KHQR's expiry or for a KHQR already paid (nothing moves); otherwise settled as any."""
        if not self.invoices:
            return
        inv, data, currency, text = self.invoices[st_index % len(self.invoices)]
        omnibus = self.ledger.balances(OMNIBUS)
        cur = khqr.Currency(currency).name
        refusal = None
        if inv.price > PROMPTPAY["limits"][cur]:
            refusal = LinkedSchemeError
        elif self.desk.now() > inv.window_end:
            refusal = ExpiredKHQR
        elif khqr.md5(text) in self.linked_md5:
            refusal = AlreadyPaid
        if refusal is not None:
            SEEN[f"linked refused {refusal.__name__}"] += 1
            with pytest.raises(refusal):
                self.hub.pay_khqr(LINKED, "+66812345678", text)
            assert self.ledger.balances(OMNIBUS) == omnibus
            return
        payment = self.hub.pay_khqr(LINKED, "+66812345678", text)
        self.linked_md5.add(khqr.md5(text))
        assert payment.transfer.amount == inv.price and payment.origin == LINKED
        self._settle_deposit(inv, data, inv.price, currency, PROMPTPAY["settlement_account"], LINKED)

    def rule_freeze_merchant(self):
        """Compliance freezes or unfreezes the second merchant: its invoices refund (FX_FAILED) while frozen."""
        d = self.desk
        if self.frozen:
            d.jpy.unfreeze(self.merchants[1], {"from": d.admin})
        else:
            d.jpy.freeze(self.merchants[1], {"from": d.admin})
        self.frozen = not self.frozen

    def rule_pause_venue(self):
        """The RFQ venue is paused or unpaused: reserved quotes cannot fill while paused (inbound invoices refund
        with FX_FAILED, outbound RFQ payments revert with EnforcedPause and take nothing)."""
        d = self.desk
        (d.venue.unpause if self.venue_paused else d.venue.pause)({"from": d.admin})
        self.venue_paused = not self.venue_paused

    def rule_wait(self, st_seconds):
        """Time passes (quote windows close)."""
        chain.sleep(int(st_seconds))
        chain.mine()

    # ------------------------------------------------------------------ outbound rules
    def rule_yen_payer_pays(self, st_minor, st_currency, st_form, st_flag, st_who, st_bps):
        """A yen payer pays a static or dynamic KHQR, or sends a remittance, through the RFQ venue or the AMM,
        with a JPYS bound from 3% short to 3% above the price: refused (ExcessiveInput) exactly when short."""
        w = self.world
        currency = (KHR, USD)[st_currency]
        amount = int(st_minor) if currency == KHR else max(1, int(st_minor) // 40)
        payer = self.payers[st_who % 2]
        account = SHOPS[st_who % 2]
        now_ms = self.desk.now() * 1_000
        n = next(_serials)
        cur = khqr.Currency(currency)
        if st_form == 2:
            p = remittance("sokha@wing", cur.name, amount, 1, f"REMIT-{n}")
            account = "sokha@wing"
        else:
            qr = khqr.KHQR(
                account_id=account,
                merchant_name="Cafe Phnom",
                currency=cur,
                amount=amount if st_form == 1 else None,
                bill_number=f"KQ-{n}" if st_form == 1 else None,
                created_ms=now_ms if st_form == 1 else None,
                expires_ms=now_ms + 600_000 if st_form == 1 else None,
            ).encode()
            p = payment_from_khqr(qr, now_ms, 1, None if st_form == 1 else amount)
        assert (p.amount, p.account_id) == (amount, account)
        if st_flag:
            num, den = RATES[currency]
            sq = w.quote(p, rate_num=num, rate_den=den)
            cost = rfq.exact_out(sq.quote.amount_in, sq.quote.amount_out, amount, w.venue.feeBps())[0]
        else:
            path = w.path(currency)
            cost = w.router.quoteExactOut(path, amount)
        bound = max(1, cost + cost * st_bps // 10_000)
        p = dataclasses.replace(p, max_jpy_in=bound)
        before = w.jpys.balanceOf(payer)
        try:
            if st_flag:
                tx = w.payer_contract.payWithQuote(
                    p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": payer}
                )
            else:
                tx = w.payer_contract.payWithRouter(p.as_tuple(), path, FAR, {"from": payer})
        except VirtualMachineError as exc:
            expected = "EnforcedPause" if st_flag and self.venue_paused else "ExcessiveInput"
            assert expected == "EnforcedPause" or cost > bound, exc.revert_msg
            assert str(exc.revert_msg).startswith(expected), exc.revert_msg
            assert w.jpys.balanceOf(payer) == before
            SEEN[f"outbound refused {expected}"] += 1
            return
        assert cost <= bound and not (st_flag and self.venue_paused)
        rid, jpy_in = tx.return_value
        assert jpy_in == cost and w.jpys.balanceOf(payer) == before - cost
        r = w.bridge.redemption(rid)
        assert r["amount"] == amount and str(r["beneficiary"]) == str(payer) and r["status"] == 1
        self.pending[rid] = (currency, amount, account, payer)
        SEEN[f"outbound paid form={st_form} rfq={st_flag} {khqr.Currency(currency).name}"] += 1

    def rule_payout(self, st_index, st_flag):
        """The relayer pays a pending payout on Bakong (finalized) or Bakong rejects an outbound one (unknown
        account): the payer gets the bridge tokens back as JPYS at the pools' price, never bKHR/bUSD."""
        if not self.pending:
            return
        w = self.world
        rid = sorted(self.pending)[st_index % len(self.pending)]
        currency, amount, account, payer = self.pending.pop(rid)
        if st_flag or payer is None:
            if not self.ledger.account_exists(account):
                self.ledger.open_account(account)
            self.ledger.transfer(OMNIBUS, account, khqr.Currency(currency).name, amount, f"payout-{rid}")
            f, sigs = w.finalization(rid)
            w.bridge.finalizeRedemption(f, sigs, {"from": self.desk.relayer})
            assert w.bridge.redemption(rid)["status"] == 2
            SEEN[f"payout finalized {'outbound' if payer else 'refund'}"] += 1
            return
        fee = w.bridge.rejectionFeeOf(currency)[0]
        path = w.path(currency, inbound=True)
        expected = w.router.quoteExactIn(path, amount - min(fee, amount))
        before = w.jpys.balanceOf(payer)
        j, sigs = w.rejection(rid)
        tx = w.payer_contract.rejectAndRefund(j, sigs, path, 0, FAR, {"from": payer})
        assert tx.return_value == expected and w.jpys.balanceOf(payer) == before + expected
        assert w.payer_contract.refunded(rid)
        SEEN["payout rejected, refunded in JPYS"] += 1

    # ------------------------------------------------------------------ invariants
    def _books(self):
        """Every balance the invariants compare, read in one JSON-RPC batch (one round trip per step)."""
        d = self.desk
        tokens = [*self.tokens.values(), d.jpy]
        calls = [(t.totalSupply, ()) for t in tokens]
        calls += [(t.balanceOf, (str(h),)) for t in tokens for h in self.holders]
        values = iter(batch_call(calls))
        supply = {t: next(values) for t in tokens}
        held = {t: {str(h): next(values) for h in self.holders} for t in tokens}
        return supply, held

    def invariant_each_deposit_settled_or_refunded_once(self):
        assert all(n == 1 for n in self.events.values()), self.events

    def invariant_books(self):
        """Merchants paid exactly; the omnibus backs the supply; the escrow holds the pending payouts; bridge
        tokens and JPYS conserved; the settlement and KhqrPayer hold nothing at rest (parked refunds aside)."""
        d, w = self.desk, self.world
        SEEN["invariant checks"] += 1
        supply, held = self._books()
        jpy = held[d.jpy]
        for m in self.merchants:
            assert jpy[str(m)] - self.start["merchants"][str(m)] == self.owed[str(m)]
        pending = defaultdict(int)
        for currency, amount, _, _ in self.pending.values():
            pending[currency] += amount
        for c, t in self.tokens.items():
            books = held[t]
            assert self.ledger.balance(OMNIBUS, khqr.Currency(c).name) == supply[t]
            assert books[str(d.bridge)] - self.start["escrow"][c] == pending[c]
            assert self.deposits[c] == self.spent[c] + self.refunded[c]
            assert books[str(d.settlement)] == self.parked[c]
            assert books[str(w.payer_contract)] == 0
            assert sum(books.values()) - self.start["held"][c] == supply[t] - self.start["supply"][c]
        assert jpy[str(d.settlement)] == 0 and jpy[str(w.payer_contract)] == 0
        assert supply[d.jpy] == self.start["jpy_supply"]
        assert sum(jpy.values()) == self.start["jpy_held"]


def test_qr_corridor_machine(corridor, state_machine):
    examples, steps = SIZES[SIZE]
    settings = machine_settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, database=None
    )
    if os.environ.get("CORRIDOR_MACHINE_SHRINK") == "0":  # while debugging: report the first failure as found
        settings["phases"] = [Phase.explicit, Phase.reuse, Phase.generate]
    state_machine(QrCorridorMachine, corridor, settings=settings)
    print("\n".join(f"{n:5d} {what}" for what, n in sorted(SEEN.items())))
