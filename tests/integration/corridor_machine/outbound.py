"""Yen holders paying Cambodia (issue #16, outbound) inside the whole corridor: a JPYS holder pays a Cambodian
merchant's KHQR (static: amount entered; dynamic: amount fixed) or sends a remittance to `name@bank` through
`KhqrPayer` in one transaction (JPYS -> the router's pools, exact out in KHR/USD -> the bridge's redemption escrow
for the merchant's Bakong account), directly or gaslessly (the payer signs an EIP-3009 authorization bound to the
payment and anyone submits it); the relayer pays the payout on Bakong and finalizes it, or, for an account Bakong
does not know, has the validators reject it and refunds the payer in JPYS (`KhqrPayer.refund`), never in bKHR.

The payments run on the same chain as every other family's rules (pauses, freezes, feed moves, limits, rotations),
so a rule predicts what it can be sure of and checks the rest from the chain. After every step:
- every outbound payment is paid out on Bakong or refunded in JPYS, never both, each at most once (its redemption
  is one of the bridge rules' `self.redemptions`, so the backing and escrow invariants count it);
- KhqrPayer holds no JPYS and, of each bridge token, exactly what rejected payouts not yet refunded sent back.
"""

from __future__ import annotations

from brownie import chain
from brownie.test import strategy

from corridor.bridge import khqr
from corridor.bridge.attest import KHR, USD
from corridor.bridge.gateway import RedemptionStatus
from corridor.khqr_pay import PaymentError, payment_from_khqr, remittance, sign_payment_authorization
from corridor.stablecoin.signing import token_domain

from .bridge import BridgeRules
from .exchange import ExchangeRules
from .helpers import CURRENCIES, GHOST_ACCOUNT, OUTCOMES, attempt, batch_call, revert_name

CAFE = "cafe_phnom@aclb"  # a Cambodian merchant's Bakong account: the payee of the KHQRs
FAR = 2**40  # swap deadline: the rules predict from this block


class OutboundRules(BridgeRules, ExchangeRules):
    """A yen holder pays a Cambodian merchant's KHQR, or sends a remittance, through KhqrPayer."""

    st_form = strategy("uint8", max_value=2)  # 0 static KHQR, 1 dynamic KHQR, 2 remittance to name@bank
    st_bps = strategy("int16", min_value=-300, max_value=300)  # the payer's JPYS bound around the price

    def setup(self) -> None:
        super().setup()
        self.payer = self.w.suite.khqr_payer
        self.outbound: dict[int, dict] = {}  # redemption id -> payer, account, currency, amount, refunded
        self._serial = 0
        if not self.side.ledger.account_exists(CAFE):
            self.side.ledger.open_account(CAFE, "Cafe Phnom")

    # ================================================================== rules

    def rule_yen_pays_khqr(self, st_user, st_currency, st_cents, st_form, st_bool, st_bps, st_account):
        """A yen holder pays a merchant's static or dynamic KHQR, or remits to a Bakong account (1 in 6 unknown to
        Bakong), on the pools, with a JPYS bound from 3% short to 3% above the price; alice (the keyed party) signs
        an EIP-3009 authorization that the relayer submits, the others pay from their own wallets.

        Must stay true: a bound short of the price never pays; a payment that goes through takes exactly the
        router's exact-out price in JPYS and escrows exactly the amount for the named account; after the relayer's
        pass a known account is paid exactly that on Bakong (finalized), an unknown one is rejected and the payer
        refunded in JPYS (at the pools' price), never in the bridge token."""
        w = self.w
        party = self._user(st_user)
        cur = CURRENCIES[st_currency]
        sym = "KHR" if cur == KHR else "USD"
        amount = self._units(sym, st_cents, 0)
        account = GHOST_ACCOUNT if st_account == 5 else CAFE
        path = [w.jpy.address, w.busd.address] + ([w.bkhr.address] if cur == KHR else [])
        err, cost = self._quote(path, amount)
        if err is None and w.jpy.balanceOf(party.address) < 2 * cost:
            amount = amount * w.jpy.balanceOf(party.address) // (2 * cost)  # what the payer can afford
            if amount == 0:
                OUTCOMES[("outbound", "payer without yen")] += 1
                return
            err, cost = self._quote(path, amount)
        if err is not None:
            OUTCOMES[("outbound", f"not priced {err}")] += 1
            return
        bound = max(1, cost + cost * st_bps // 10_000)
        self._serial += 1
        now_ms = self._now() * 1_000
        try:
            if st_form == 2:
                p = remittance(account, sym, amount, bound, f"REMIT-{self._serial}")
            else:
                qr = khqr.KHQR(
                    account_id=account,
                    merchant_name="Cafe Phnom",
                    currency=khqr.Currency(cur),
                    amount=amount if st_form == 1 else None,
                    bill_number=f"KQ-{self._serial}" if st_form == 1 else None,
                    created_ms=now_ms if st_form == 1 else None,
                    expires_ms=now_ms + 600_000 if st_form == 1 else None,
                ).encode()
                p = payment_from_khqr(qr, now_ms, bound, None if st_form == 1 else amount)
        except PaymentError as exc:  # the ghost account's name is valid: nothing here may refuse
            raise AssertionError(f"payment refused off chain: {exc}") from None
        assert (p.amount, p.account_id, p.max_jpy_in) == (amount, account, bound)
        count = w.bridge.redemptionCount()
        before = w.jpy.balanceOf(party.address)
        gasless = party.name == "alice" and st_bool
        if gasless:
            domain = token_domain(w.jpy.name(), chain.id, w.jpy.address)
            auth = sign_payment_authorization(
                party.account.private_key, domain, party.address, self.payer.address, p, 0, self._now() + 600
            )
            err, tx = attempt(
                self.payer.payWithRouterAuthorized, p.as_tuple(), path, FAR, auth, {"from": w.admin}
            )
        else:
            err, _ = attempt(w.jpy.approve, self.payer, bound, {"from": party.account})
            if err is None:
                err, tx = attempt(self.payer.payWithRouter, p.as_tuple(), path, FAR, {"from": party.account})
        mode = "gasless" if gasless else "direct"
        if err is not None:
            OUTCOMES[("outbound", f"{mode} refused {err}")] += 1
            assert err != "ExcessiveInput" or bound < cost, f"refused within the bound: {bound} >= {cost}"
            assert w.jpy.balanceOf(party.address) == before and w.bridge.redemptionCount() == count
            if not gasless:
                w.jpy.approve(self.payer, 0, {"from": party.account})  # leave no allowance behind
            return
        assert bound >= cost, f"paid {cost} JPYS beyond the payer's bound {bound}"
        rid, jpy_in = tx.return_value
        assert jpy_in == cost and w.jpy.balanceOf(party.address) == before - cost
        r = w.bridge.redemption(rid)
        assert str(r[0]) == self.payer.address and r[4] == amount and str(r[5]) == party.address
        self.redemptions[rid] = {
            "holder": self.payer.address,
            "currency": cur,
            "amount": amount,
            "status": None,
        }
        self.redeemed[cur] += amount
        self.outbound[rid] = {"payer": party, "account": account, "currency": cur, "amount": amount}
        OUTCOMES[("outbound", f"{mode} paid form={st_form} {sym}")] += 1

        ledger_before = self.side.ledger.balance(account, sym) if account == CAFE else None
        back_path = path[::-1]
        fee = w.bridge.rejectionFeeOf(cur)[0]
        _, refund_quote = self._quote(back_path, amount - min(fee, amount), exact_in=True)
        yen_before = w.jpy.balanceOf(party.address)
        token_before = w.bridge_token(cur).balanceOf(party.address)
        self._relay()
        status = RedemptionStatus(w.bridge.redemption(rid)[2])
        refunded = self.payer.refunded(rid)
        OUTCOMES[("outbound payout", f"{status.name}{' refunded' if refunded else ''}")] += 1
        if account == CAFE:
            assert status == RedemptionStatus.FINALIZED and not refunded
            assert self.side.ledger.balance(CAFE, sym) == ledger_before + amount
        else:
            assert status == RedemptionStatus.REJECTED
            if refunded:
                got = w.jpy.balanceOf(party.address) - yen_before
                assert refund_quote is not None and got == refund_quote, (got, refund_quote)
        assert (
            w.bridge_token(cur).balanceOf(party.address) == token_before
        )  # refunds are in JPYS, never bKHR/bUSD

    # ================================================================== model

    def _quote(self, path: list, amount: int, exact_in: bool = False) -> tuple[str | None, int | None]:
        """The router's quote now, or the error that stops it (paused pool, stale or jumped feed)."""
        fn = self.w.router.quoteExactIn if exact_in else self.w.router.quoteExactOut
        try:
            return None, fn(path, amount)
        except Exception as exc:  # a view call's revert: brownie raises VirtualMachineError or ValueError
            return revert_name(exc) or "revert", None

    # ================================================================== invariants

    def invariant_outbound_paid_or_refunded_once(self):
        """Each outbound payment is paid out on Bakong (finalized) or refunded in JPYS, never both; KhqrPayer holds
        no JPYS and, per bridge token, exactly what rejected payouts not yet refunded sent back."""
        self._sync_bridge()
        w = self.w
        rids = sorted(self.outbound)
        tokens = [w.bridge_token(c) for c in CURRENCIES]
        got = batch_call(
            [(w.jpy.balanceOf, (self.payer.address,)), (w.bridge.rejectionFeeOf, (KHR,))]
            + [(w.bridge.rejectionFeeOf, (USD,))]
            + [(t.balanceOf, (self.payer.address,)) for t in tokens]
            + [(self.payer.refunded, (rid,)) for rid in rids]
        )
        held_jpy, fees, held = got[0], {KHR: got[1][0], USD: got[2][0]}, got[3 : 3 + len(tokens)]
        refunded = dict(zip(rids, got[3 + len(tokens) :], strict=True))
        assert held_jpy == 0
        owed = {c: 0 for c in CURRENCIES}
        for rid in rids:
            o, status = self.outbound[rid], self.redemptions[rid]["status"]
            if refunded[rid]:
                assert status == RedemptionStatus.REJECTED, f"payment {rid} refunded but {status}"
                assert o["account"] != CAFE, f"payment {rid} to a known account refunded"
            elif status == RedemptionStatus.REJECTED:
                owed[o["currency"]] += o["amount"] - min(fees[o["currency"]], o["amount"])
            if status == RedemptionStatus.FINALIZED:
                assert not refunded[rid], f"payment {rid} paid out on Bakong and refunded"
        for cur, balance in zip(CURRENCIES, held, strict=True):
            assert balance == owed[cur], (cur, balance, owed[cur])
