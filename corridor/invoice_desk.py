"""A development invoice desk over a deployed suite: issues invoices (a quote reserved on the RFQ venue, or the
AMM priced now within a bound) and pays them with hooked mints signed by development validator keys. Used by
tests/settlement and the `make gas` rows (corridor/bench/families.py); `fund_corridor` brings a fresh suite to a
working corridor (bridge reserves, bKHR/bUSD and JPYS for the liquidity provider and the maker, seeded pools).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from brownie import chain
from eth_utils import keccak

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD
from corridor.exchange import rfq
from corridor.exchange.deploy import balanced_hub_amount, seed_pool
from corridor.invoices import Invoice, create_invoice
from corridor.settlement import (
    OnChainInvoice,
    Venue,
    amm_venue_data,
    bytes32_text,
    hook_data,
    rfq_venue_data,
    text_of,
)
from corridor.stablecoin.ops import StablecoinOps
from corridor.suite import dev_validator_keys, parties

PAYER = "sokha@aclb"
WINDOW = 600  # the default quote window (Nexus: 10 minutes)
KHR_PER_JPY = Decimal("27.5")  # the maker's price (feed mid: 26.8 KHR per yen); USD cents per yen: 0.68
CENTS_PER_JPY = Decimal("0.68")
_counter = itertools.count(1)


@dataclass
class Desk:
    """The corridor's invoice desk in tests: quotes, signs as the validators and submits hooked mints."""

    suite: Any
    who: dict[str, Any]
    admin: Any
    relayer: Any
    keys: list[str]

    @property
    def bridge(self) -> Any:
        return self.suite.bridge.bridge

    @property
    def settlement(self) -> Any:
        return self.suite.settlement

    @property
    def jpy(self) -> Any:
        return self.suite.stablecoin.token

    @property
    def venue(self) -> Any:
        return self.suite.rfq.venue

    @property
    def router(self) -> Any:
        return self.suite.exchange.router

    @property
    def maker(self) -> Any:
        return self.who["market_maker"]

    @property
    def merchant(self) -> Any:
        return self.who["merchant"]

    def token(self, currency: int) -> Any:
        return self.suite.bridge.tokens[currency]

    def now(self) -> int:
        return chain[-1].timestamp

    # ------------------------------------------------------------ invoices
    def rfq_invoice(
        self,
        amount_out: int,
        currency: int = KHR,
        window: int = WINDOW,
        serial: int | None = None,
        rate: Decimal | None = None,
        merchant: Any = None,
        origin: str = "KH:BAKONG",
        invoice_id: str | None = None,
    ) -> tuple[OnChainInvoice, bytes]:
        """An invoice of `amount_out` yen with a quote reserved for it (taker: the settlement)."""
        rate = rate or (KHR_PER_JPY if currency == KHR else CENTS_PER_JPY)
        fee = self.venue.feeBps()
        gross = -(-amount_out * rfq.BPS // (rfq.BPS - fee))
        quote_in = int((Decimal(gross) * rate).to_integral_value(ROUND_CEILING))
        expiry = self.now() + window
        quote = rfq.Quote(
            self.maker.address,
            self.settlement.address,
            self.token(currency).address,
            self.jpy.address,
            quote_in,
            gross,
            self._fresh_nonce(),
            expiry,
        )
        signed = rfq.sign_quote(self.maker.private_key, rfq.venue_domain(chain.id, self.venue.address), quote)
        price, _ = rfq.exact_out(quote_in, gross, amount_out, fee)
        mid = self.router.quoteMid(self._path(currency), amount_out)  # yen -> deposit at mid: invert below
        inv = self._invoice(
            amount_out,
            price,
            self._mid_price(currency, amount_out, mid),
            expiry,
            Venue.RFQ,
            signed.digest,
            serial,
            merchant,
            origin,
            invoice_id,
        )
        return inv, rfq_venue_data(signed)

    def amm_invoice(
        self,
        amount_out: int,
        currency: int = KHR,
        bound_bps: int = 0,
        window: int = WINDOW,
        serial: int | None = None,
        merchant: Any = None,
        origin: str = "KH:BAKONG",
        invoice_id: str | None = None,
    ) -> tuple[OnChainInvoice, bytes]:
        """An invoice priced on the pools now, with `bound_bps` of slippage allowed in the KHQR amount."""
        path = self._path(currency)
        exact = self.router.quoteExactOut(path, amount_out)
        price = exact + exact * bound_bps // 10_000
        inv = self._invoice(
            amount_out,
            price,
            self._mid_price(currency, amount_out, None),
            self.now() + window,
            Venue.AMM,
            keccak(text=f"amm quote {next(_counter)}"),
            serial,
            merchant,
            origin,
            invoice_id,
        )
        return inv, amm_venue_data(path)

    def _fresh_nonce(self) -> int:
        """A maker nonce the venue has not seen used (the maker may also quote through its own nonce book)."""
        nonce = next(_counter)
        while self.venue.isNonceUsed(self.maker, nonce):
            nonce = next(_counter)
        return nonce

    def _path(self, currency: int) -> list[str]:
        busd = self.token(USD).address
        if currency == USD:
            return [busd, self.jpy.address]
        return [self.token(KHR).address, busd, self.jpy.address]

    def _mid_price(self, currency: int, amount_out: int, _: Any) -> int:
        """The deposit worth `amount_out` yen at the feeds' mid (yen -> deposit currency)."""
        reverse = list(reversed(self._path(currency)))
        return max(1, self.router.quoteMid(reverse, amount_out))

    def _invoice(
        self, amount_out, price, mid, window_end, venue, quote_id, serial, merchant, origin, invoice_id
    ):
        n = next(_counter)
        return OnChainInvoice(
            invoice_id=bytes32_text(invoice_id or f"INV-2026-{n:04d}"),
            serial=n if serial is None else serial,
            window_end=window_end,
            venue=venue,
            merchant=str(merchant or self.merchant),
            amount_out=amount_out,
            price=price,
            mid_price=mid,
            quote_id=bytes(quote_id),
            origin=bytes32_text(origin),
            payer_account=PAYER,
        )

    def checkout(self, inv: OnChainInvoice, omnibus_account: str, currency: int = KHR) -> Invoice:
        """The invoice as the customer sees it: its dynamic KHQR (corridor/invoices.py) for the quoted price,
        bill number = the invoice number, tag 99 expiry = the end of the quote window."""
        now = self.now()
        return create_invoice(
            text_of(inv.invoice_id),
            inv.merchant,
            inv.amount_out,
            "KHR" if currency == KHR else "USD",
            inv.price,
            now,
            omnibus_account,
            inv.window_end - now,
        )

    # ------------------------------------------------------------ paying
    def attestation(
        self,
        inv: OnChainInvoice,
        venue_data: bytes,
        deposit: int,
        currency: int = KHR,
        tx_hash: bytes | None = None,
    ) -> attest.HookedMintAttestation:
        tx_hash = tx_hash or keccak(text=f"bakong invoice payment {next(_counter)}")
        return attest.HookedMintAttestation(
            currency,
            deposit,
            self.settlement.address,
            tx_hash,
            tx_hash[:16],
            self.now() + 3_600,
            self.bridge.epoch(),
            hook_data(inv, venue_data),
        )

    def sign(self, att: Any) -> bytes:
        domain = attest.bridge_domain(chain.id, self.bridge.address)
        return attest.collect_signatures(domain, att, self.keys, self.bridge.threshold())

    def pay(
        self,
        inv: OnChainInvoice,
        venue_data: bytes,
        deposit: int,
        currency: int = KHR,
        tx_hash: bytes | None = None,
    ) -> Any:
        """The Bakong deposit of `deposit` attested as a payment of `inv`, submitted by the relayer."""
        att = self.attestation(inv, venue_data, deposit, currency, tx_hash)
        return self.bridge.mintWithHook(att.as_tuple(), self.sign(att), {"from": self.relayer})


def _mint_bridge(desk: Desk, currency: int, to: Any, amount: int) -> None:
    tx_hash = keccak(text=f"seed {next(_counter)}")
    att = attest.MintAttestation(
        currency, amount, to.address, tx_hash, tx_hash[:16], desk.now() + 3_600, desk.bridge.epoch()
    )
    desk.bridge.mint(att.as_tuple(), desk.sign(att), {"from": desk.relayer})


def fund_corridor(suite: Any, settings: dict[str, Any], accounts: Any, admin: Any, relayer: Any) -> Desk:
    """Reserves, balances and pools for invoices to settle against; returns the desk (development keys)."""
    who = parties(settings, accounts)
    d = Desk(suite, who, admin, relayer, dev_validator_keys(int(settings["validators"]["dev_keys"])))
    maker, lp = who["market_maker"], who["liquidity"]
    if maker.balance() < 10**18:
        admin.transfer(maker, 10**19)
    domain = attest.bridge_domain(chain.id, d.bridge.address)
    for currency in (KHR, USD):
        chain.sleep(1)
        chain.mine()
        att = attest.ReserveAttestation(currency, 10**13, d.now(), d.bridge.epoch())
        d.bridge.attestReserve(
            att.as_tuple(), attest.collect_signatures(domain, att, d.keys, 3), {"from": d.relayer}
        )
    for _ in range(3):
        _mint_bridge(d, KHR, lp, 80_000_000)
    for _ in range(4):
        _mint_bridge(d, USD, lp, 1_500_000)
    _mint_bridge(d, KHR, maker, 1_000_000)  # the maker's bKHR slot is warm (a realistic maker)
    _mint_bridge(d, USD, maker, 1_000)
    ops = StablecoinOps(d.jpy, suite.stablecoin.registry)
    for name, operator, party, amount in (
        ("Trust Bank A", who["issuer_a"], lp, 5_000_000),
        ("Trust Bank B", who["issuer_b"], maker, 2_000_000),
    ):
        issuer_id = suite.stablecoin.issuer_ids[name]
        ops.attest_reserve(issuer_id, suite.stablecoin.registry.issuer(issuer_id)["reserve"], admin)
        ops.mint(issuer_id, party, amount, "SETTLEMENT-SEED", operator)
    busd = d.token(USD)
    for symbol, token, amount in (("JPY", d.jpy, 3_000_000), ("KHR", d.token(KHR), 120_000_000)):
        feed = suite.exchange.feeds[symbol]
        hub = balanced_hub_amount(
            amount, feed.latestRoundData()[1], feed.decimals(), token.decimals(), busd.decimals()
        )
        seed_pool(suite.exchange.pools[symbol], token, busd, lp, amount, hub)
    d.jpy.approve(d.venue, 2**256 - 1, {"from": maker})
    return d
