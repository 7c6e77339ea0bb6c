"""Invoices paid by KHQR (issue #16) inside the whole corridor: a Bakong customer pays a yen invoice's dynamic KHQR
into the omnibus account, the validators attest it as a hooked mint into `InvoiceSettlement`, which buys the yen
on the reserved venue (an RFQ quote signed for the settlement, or the pools' two hops within a bound) and pays the
shop, or refunds the whole deposit to the payer's Bakong account through the bridge's redemption escrow.

The invoices run on the same chain as every other family's rules: pauses, freezes, feed moves, rotations (the
hooked mints are signed by the validators current at the time) and the bridge's limits change what happens to
them. Each rule predicts the outcome it can be sure of; after every step the invariants check that
- every minted invoice deposit ended in exactly one settlement event (settled or refunded), and its refund is a
  bridge redemption the bridge rules' books count (so the backing and escrow invariants hold with invoices in
  flight: an invoice deposit is one of `self.deposits`, its refund one of `self.redemptions`);
- the shop (paid by invoices only) holds exactly its start balance plus the yen of the invoices it settled, and
  no invoice serial was settled twice;
- the settlement contract holds no JPYS and exactly its parked refunds of each bridge token.
"""

from __future__ import annotations

from collections import Counter

from brownie import chain
from brownie.exceptions import VirtualMachineError
from brownie.test import strategy

from corridor.bridge import attest
from corridor.bridge.attest import KHR
from corridor.bridge.gateway import MintStatus
from corridor.invoice_desk import WINDOW, Desk
from corridor.settlement import RefundReason, hook_data, outcome

from .bridge import BridgeRules
from .exchange import ExchangeRules
from .helpers import (
    CURRENCIES,
    OUTCOMES,
    POLL_SECONDS,
    Expectation,
    batch_call,
    expect_receive,
    expect_transfer,
)

CUSTOMERS = ("dara@wing", "vanna@abab", "bopha@aclb")  # Bakong app users with no wallet: they only scan KHQRs
LATE = WINDOW + 120  # the relayer submits the mint this long after the customer paid: past the quote window


class SettlementRules(BridgeRules, ExchangeRules):
    """A Bakong customer pays a shop's yen invoice with one KHQR; the relayer settles it in one hooked mint."""

    st_yen = strategy("uint256", min_value=1, max_value=150_000)
    st_timing = strategy("uint8", max_value=5)  # 0..3 on time, 4 late (window closed), 5 a paid serial again

    def setup(self) -> None:
        super().setup()
        w = self.w
        self.desk = Desk(w.suite, w.who, w.admin, None, [])  # the demo's invoice desk: quotes and KHQRs
        self.settlement = w.suite.settlement
        self.invoices: dict[
            str, dict
        ] = {}  # deposit md5 -> invoice, currency, expectation; outcome once minted
        self.shop_start = w.jpy.balanceOf(w.shop)
        self.shop_owed = 0  # yen of the invoices the shop settled
        self.settled_serials: Counter = Counter()
        self.parked: set[bytes] = set()  # Bakong hashes whose refund the settlement holds
        self._judging: str | None = None  # the invoice whose FX expectation holds (minted in its own rule)
        for account in CUSTOMERS:
            if not self.side.ledger.account_exists(account):
                self.side.ledger.open_account(account, account.split("@")[0])

    # ================================================================== rules

    def rule_pay_invoice(self, st_user, st_currency, st_yen, st_bool, st_timing):
        """A Bakong customer pays the shop's invoice (RFQ or AMM, priced in KHR or USD) by scanning its KHQR; the relayer
        has it minted into the settlement on time, late, or for a serial the shop was already paid for.

        Must stay true: a hooked mint the bridge accepts settles or refunds the deposit in the same transaction;
        late -> QuoteWindowClosed, a paid serial -> AlreadyPaid, a venue that must fail -> FxFailed, a venue that
        cannot fail -> the shop receives exactly the invoice's yen."""
        w, desk = self.w, self.desk
        cur = CURRENCIES[st_currency]
        sym = "KHR" if cur == KHR else "USD"
        payer = CUSTOMERS[st_user % len(CUSTOMERS)]
        paid_before = [s for s, n in self.settled_serials.items() if n]
        serial = paid_before[st_yen % len(paid_before)] if st_timing == 5 and paid_before else None
        try:
            if st_bool:
                inv, venue_data = desk.rfq_invoice(st_yen, cur, serial=serial, merchant=w.shop)
            else:
                inv, venue_data = desk.amm_invoice(st_yen, cur, bound_bps=50, serial=serial, merchant=w.shop)
        except (
            VirtualMachineError
        ):  # the pools cannot price it now (paused, stale feed): no invoice is issued
            OUTCOMES[("invoice", "not priced")] += 1
            return
        checkout = desk.checkout(inv, w.omnibus, cur)
        intent = self.side.relayer.expect_invoice(
            checkout.khqr, self.settlement.address, hook_data(inv, venue_data)
        )
        ledger = self.side.ledger
        have = ledger.balance(payer, sym)
        if have < inv.price:
            ledger.cash_in(payer, sym, inv.price - have)  # money enters Bakong from outside
        paid = ledger.pay_khqr(payer, checkout.khqr)
        self.deposits[intent.md5] = {
            "currency": cur,
            "amount": inv.price,
            "recipient": self.settlement.address,
            "hash": attest.bakong_tx_hash_bytes(paid.hash),
            "status": None,
        }
        late = st_timing == 4
        chain.sleep(LATE if late else POLL_SECONDS)  # the relayer's next pass: the FX runs in its next block
        chain.mine()
        self.invoices[intent.md5] = {
            "invoice": inv,
            "currency": cur,
            "venue": "rfq" if st_bool else "amm",
            "late": late,
            "already_paid": self.settlement.isPaid(inv.serial),
            "fx": self._fx_expectation(inv, cur, st_bool),
            "outcome": None,
        }
        bridge = w.bridge
        mintable = (
            not bridge.paused()
            and not bridge.mintingStopped(cur)
            and inv.price <= bridge.limitsOf(cur)[1]
            and inv.price <= bridge.inboundAvailable(cur)
        )
        self._relay(wait=False)
        status = MintStatus(bridge.mintStatus(self.deposits[intent.md5]["hash"]))
        OUTCOMES[("invoice mint", status.name)] += 1
        if mintable:
            assert status == MintStatus.MINTED, f"invoice {inv.serial} for {inv.price} {sym} not minted"
        self._judging = intent.md5
        self._sync_bridge()  # resolves the outcome of this invoice (and of earlier ones minted now)
        self._judging = None

    # ================================================================== model

    def _fx_expectation(self, inv, cur: int, rfq: bool) -> Expectation:
        """Which FX failures are certain or possible for `inv` now (the settlement turns any into FxFailed)."""
        w = self.w
        exp = Expectation()
        token = w.bridge_token(cur)
        if rfq:
            if w.venue.paused():
                exp.add("EnforcedPause")
            fee = w.venue.feeBps()
            gross = -(-inv.amount_out * 10_000 // (10_000 - fee))
            # the maker pays the shop (and owes the fee), the settlement pays the maker
            expect_transfer(exp, w.jpy, w.maker.address, w.shop, inv.amount_out, self._day_edge())
            if w.jpy.balanceOf(w.maker.address) < gross:
                exp.add("ERC20InsufficientBalance")
            expect_receive(exp, token, w.maker.address)
        else:
            pools = [w.pools["JPY"]] + ([w.pools["KHR"]] if cur == KHR else [])
            if any(p.paused() for p in pools):
                exp.add("EnforcedPause")
            if w.jpy.paused():
                exp.add("EnforcedPause")
            expect_receive(exp, w.jpy, w.shop)
            for sym in ("JPY", "KHR") if cur == KHR else ("JPY",):
                self._expect_pool(exp, sym)  # stale or jumped rates (a pause is checked above)
        return exp

    def _resolve(self, md5: str) -> None:
        """Reads the minted invoice's settlement event and books it (shop's yen, refund escrow, parked refund)."""
        entry = self.invoices[md5]
        inv, cur = entry["invoice"], entry["currency"]
        row = self.side.relayer.store.deposit(md5)
        o = outcome(chain.get_transaction(row.chain_tx).events)
        entry["outcome"] = o
        label = "settled" if o.settled else o.reason.name
        OUTCOMES[(f"invoice {entry['venue']}", label)] += 1
        assert o.deposit == inv.price
        if entry["late"]:
            assert o.reason == RefundReason.QUOTE_WINDOW_CLOSED, label
        elif md5 == self._judging and entry["already_paid"]:
            assert o.reason == RefundReason.ALREADY_PAID, label
        elif md5 == self._judging and entry["fx"].certain:
            assert o.reason == RefundReason.FX_FAILED, label
        elif md5 == self._judging and not entry["fx"].possible:
            assert o.settled, f"invoice {inv.serial} refunded ({label}) although its venue could not fail"
        if o.settled:
            assert o.amount_out == inv.amount_out
            self.shop_owed += o.amount_out
            self.settled_serials[inv.serial] += 1
        if o.refunded:
            if o.refund_id:
                self.redemptions[o.refund_id] = {
                    "holder": self.settlement.address,
                    "currency": cur,
                    "amount": o.refunded,
                    "status": None,
                }
                self.redeemed[cur] += o.refunded
            else:
                self.parked.add(self.deposits[md5]["hash"])

    def _sync_bridge(self) -> None:
        """Books the outcome of every invoice deposit minted since the last look, before the bridge rules read
        their deposits and redemptions (an invoice's refund escrow is one of the bridge's redemptions)."""
        open_ = [m for m, e in self.invoices.items() if e["outcome"] is None]
        statuses = batch_call([(self.w.bridge.mintStatus, (self.deposits[m]["hash"],)) for m in open_])
        for md5, status in zip(open_, statuses, strict=True):
            if MintStatus(status) == MintStatus.MINTED:
                self._resolve(md5)
        super()._sync_bridge()

    # ================================================================== invariants

    def invariant_invoices_paid_once(self):
        """The shop holds its start balance + the yen of the invoices it settled, each serial at most once; the
        settlement holds no JPYS and exactly its parked refunds."""
        self._sync_bridge()
        w, s = self.w, self.settlement
        tokens = [w.bridge_token(c) for c in CURRENCIES]
        parked = sorted(self.parked)
        got = batch_call(
            [(w.jpy.balanceOf, (w.shop,)), (w.jpy.balanceOf, (s.address,))]
            + [(t.balanceOf, (s.address,)) for t in tokens]
            + [(s.parkedRefund, (h,)) for h in parked]
        )
        shop, held_jpy, held = got[0], got[1], got[2 : 2 + len(tokens)]
        assert shop == self.shop_start + self.shop_owed
        assert all(n <= 1 for n in self.settled_serials.values())
        assert held_jpy == 0
        for cur, balance in zip(CURRENCIES, held, strict=True):
            assert balance == sum(p[1] for p in got[2 + len(tokens) :] if p[0] == cur), cur
