"""Pay one JPY invoice from the command line (`scripts/pay.py`).

A payer holding bKHR (or bUSD) pays a merchant's yen invoice exact-out through best execution,
against the suite that scripts/deploy.py (or the demo) recorded in `deployments/<network>.json`:
the AMM router's quote and the market maker's signed RFQ quote are compared against the oracle mid,
the cheaper one executes with the invoice number as payment reference, and optionally the payer's
leftover balance is redeemed to a Bakong account (`name@bank`; the relayer then pays it out).

    brownie run scripts/pay.py main customer merchant 50000 INV-2026-0100 --network development
    brownie run scripts/pay.py main customer merchant 50000 INV-2026-0101 venue=amm redeem_to=sokha@aclb

Positional: payer, merchant, invoice amount (whole yen), invoice number. Options as `key=value`:
venue (auto|amm|rfq), currency (KHR|USD, what the payer pays with), ttl (seconds an RFQ quote or the
AMM deadline lives, 1..300), max_slippage_bps (refuse a best price further than this from the mid),
redeem_to (a Bakong account id), quote_url (the RFQ quote server to ask, `corridor quote-server`; without
it the market maker's development key quotes in this process, as on a bare development chain). Parties are names from the deployment's settings (`customer`,
`merchant`, …) or 0x addresses (the payer must be an account this node or brownie can sign for).

Every check runs before the first transaction: the request itself, the deployment on this chain,
the parties and their on-chain KYC, what is already paid on the invoice, the quotes (an expired RFQ
quote, too much slippage), the payer's balance, and the redemption's limits.

An invoice counts as paid by the yen that reached the merchant under its reference (router `Swapped`
and RFQ `QuoteFilled` events with the invoice number as payment reference and JPY out, from anyone):
when they add up to the invoice the script refuses, naming each earlier payment (tx, amount, block);
when they fall short it says so and pays the remainder only, as the merchant expects (paying the whole
again would overpay by what was already received). A venue that makes no offer is shown with its
reason (stale feed, market closed, pool depth, maker limit, …) in the offers table and in the error.

A refusal is a `UserError`: one line, exit status 2, no transaction sent and no file written (this
module writes no file at all). A fill that reverts in the node's gas estimate (a quote that expired in between)
maps to the same line, still before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from corridor.codes import CURRENCIES as CURRENCY_ROWS
from corridor.codes import HUB, bridged
from corridor.deployment import BOOK_DIR
from corridor.ui import StepLog, UserError, table

VENUES = ("auto", "amm", "rfq")
CURRENCIES = {c.alpha: c.number for c in bridged()}  # ISO 4217 numeric: the bridge's currency ids
_TOKENS = [c.token for c in bridged()]
MAX_TTL = 300  # the market maker's own ceiling (MakerLimits.max_ttl)
DEFAULT_TTL = 120
DEFAULT_MAX_SLIPPAGE_BPS = 100
USAGE = (
    "usage: pay.py PAYER MERCHANT AMOUNT_JPY INVOICE [venue=auto|amm|rfq] [currency=KHR|USD] "
    f"[ttl=1..{MAX_TTL}] [max_slippage_bps=N] [redeem_to=name@bank] [quote_url=http://host:port]"
)
_OPTIONS = ("venue", "currency", "ttl", "max_slippage_bps", "redeem_to", "quote_url")


# ------------------------------------------------------------------ the request


@dataclass(frozen=True)
class PayRequest:
    """One invoice to pay, as given on the command line (validated by `parse_request`)."""

    payer: str
    merchant: str
    amount_jpy: int
    invoice: str
    venue: str = "auto"
    currency: str = "KHR"
    ttl: int = DEFAULT_TTL
    max_slippage_bps: int = DEFAULT_MAX_SLIPPAGE_BPS
    redeem_to: str | None = None
    quote_url: str | None = None  # the RFQ quote server; None: the maker's development key in process

    @property
    def reference(self) -> bytes:
        from corridor.exchange import rfq

        return rfq.reference(self.invoice)


def _whole(text: str, what: str, minimum: int) -> int:
    clean = text.strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"-?\d+", clean) or int(clean) < minimum:
        raise UserError(f"{what}, got '{text}'")
    return int(clean)


def parse_request(args: Sequence[str]) -> PayRequest:
    """The request from `brownie run scripts/pay.py main ARGS…`; refuses bad input with one line."""
    positional = [a for a in args if "=" not in a]
    options: dict[str, str] = {}
    for arg in args:
        if "=" in arg:
            key, _, value = arg.partition("=")
            if key not in _OPTIONS:
                raise UserError(f"unknown option '{key}' (options: {', '.join(_OPTIONS)})")
            options[key] = value
    if len(positional) != 4:
        raise UserError(USAGE)
    payer, merchant, amount, invoice = positional
    request = PayRequest(
        payer=payer,
        merchant=merchant,
        amount_jpy=_whole(amount, "the invoice amount must be a positive whole number of yen", 1),
        invoice=invoice,
    )
    if not invoice or len(invoice.encode()) > 32 or not invoice.isprintable():
        raise UserError(
            f"the invoice number must be 1 to 32 printable bytes (the payment reference), got '{invoice}'"
        )
    if "venue" in options:
        venue = options["venue"].lower()
        if venue not in VENUES:
            raise UserError(f"venue must be one of {', '.join(VENUES)}, got '{options['venue']}'")
        request = replace(request, venue=venue)
    if "currency" in options:
        currency = options["currency"].upper()
        if currency not in CURRENCIES:
            raise UserError(
                f"currency must be {' or '.join(CURRENCIES)} (paid in {' or '.join(_TOKENS)}), got '{options['currency']}'"
            )
        request = replace(request, currency=currency)
    if "quote_url" in options:
        url = options["quote_url"].strip()
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            raise UserError(f"quote_url must be the quote server's http(s) URL, got '{options['quote_url']}'")
        request = replace(request, quote_url=url)
    if "ttl" in options:
        ttl = _whole(options["ttl"], f"ttl must be a whole number of seconds from 1 to {MAX_TTL}", 1)
        if ttl > MAX_TTL:
            raise UserError(
                f"ttl must be a whole number of seconds from 1 to {MAX_TTL}, got '{options['ttl']}'"
            )
        request = replace(request, ttl=ttl)
    if "max_slippage_bps" in options:
        bps = _whole(
            options["max_slippage_bps"], "max_slippage_bps must be a whole number of basis points ≥ 0", 0
        )
        request = replace(request, max_slippage_bps=bps)
    if "redeem_to" in options:
        request = replace(request, redeem_to=_bakong_account(options["redeem_to"]))
    return request


def _bakong_account(account_id: str) -> str:
    """`account_id` if `BakongBridge.redeem` accepts it (the rule: corridor.bridge.khqr.validate_account_id)."""
    from corridor.bridge.khqr import InvalidAccountId, validate_account_id

    try:
        return validate_account_id(account_id)
    except InvalidAccountId as exc:
        raise UserError(str(exc)) from None


# ------------------------------------------------------------------ the deployment


@dataclass
class Deployed:
    """The contracts of the recorded suite that a payment uses (brownie handles), and the settings' parties."""

    deployment: Any  # corridor.deployment.Deployment
    jpy: Any
    tokens: dict[str, Any]  # "KHR" -> bKHR, "USD" -> bUSD, every bridged currency in the book
    bridge: Any
    router: Any
    venue: Any
    feeds: dict[str, Any]  # "JPY" / "KHR" / … -> FXFeed, every priced currency in the book
    parties: dict[str, Any] = field(default_factory=dict)


NEEDED = (
    "JPYStablecoin",
    "bKHR",
    "bUSD",
    "BakongBridge",
    "FXRouter",
    "RfqVenue",
    "FXFeed JPY/USD",
    "FXFeed KHR/USD",
)


def open_suite(network: str, book_dir: Path | None = None) -> Deployed:
    """The suite recorded in `<book_dir>/<network>.json` (corridor.deployment), checked to be on this
    chain; refusals are one-line `UserError`s (read only)."""
    from brownie import accounts, web3

    from corridor.deployment import BookNotFound, Deployment, DeploymentError
    from corridor.suite import parties

    hint = "deploy first: brownie run scripts/deploy.py (or play the demo)"
    try:
        deployment = Deployment.from_book(network, web3, book_dir or BOOK_DIR)
    except BookNotFound:
        raise UserError(f"no corridor deployed on '{network}': {network}.json not found; {hint}") from None
    except DeploymentError as exc:
        raise UserError(str(exc)) from exc
    missing = deployment.missing(NEEDED)
    if missing:
        what = "its contracts are" if len(missing) == len(NEEDED) else ", ".join(missing) + " are"
        raise UserError(
            f"no corridor deployed on '{network}': {deployment.path.name} is of another chain, {what} not on "
            f"this one (a fresh chain?); {hint}"
        )
    at = deployment.brownie_contract
    return Deployed(
        deployment=deployment,
        jpy=at("JPYStablecoin"),
        tokens={c.alpha: at(c.book_name) for c in bridged() if c.book_name in deployment.contracts},
        bridge=at("BakongBridge"),
        router=at("FXRouter"),
        venue=at("RfqVenue"),
        feeds={c.alpha: at(c.feed) for c in CURRENCY_ROWS if c.feed in deployment.contracts},
        parties=parties(deployment.settings, accounts),
    )


# ------------------------------------------------------------------ the payment, step by step
#
# main -> parse_request -> InvoicePayment.run:
#   load() -> Setup  (the suite, the token paid with, the parties)
#   check_parties(setup)  ·  check_not_paid(setup) -> due (JPY base units still owed)
#   quote(setup, due) -> Plan  (every venue's offer, the chosen one, the mid)
#   check_plan(plan)  ·  execute(plan) -> PaymentResult  (approval, fill, merchant check, redemption)


@dataclass(frozen=True)
class Setup:
    """What a payment works with once loaded: the suite, the token paid with, the two parties."""

    request: PayRequest
    deployed: Deployed
    token_in: Any
    symbol_in: str
    payer: Any  # an account that signs
    merchant: Any  # an address or account

    @property
    def jpy(self) -> Any:
        return self.deployed.jpy

    @property
    def invoice_units(self) -> int:
        """The invoice in JPY base units."""
        return self.request.amount_jpy * 10 ** self.jpy.decimals()

    def yen(self, units: int) -> str:
        return f"¥{Decimal(units) / 10 ** self.jpy.decimals():,}"

    def amount(self, base_units: int) -> str:
        """`base_units` of the token paid with, in whole units."""
        return f"{Decimal(base_units) / 10 ** self.token_in.decimals():,}"


@dataclass(frozen=True)
class Plan:
    """The quotes and the chosen offer, before anything is sent."""

    setup: Setup
    due: int  # JPY base units to pay now
    record: Any  # corridor.exchange.best_execution.ExecutionRecord (its `offer` is the chosen one)
    client: Any  # the chosen venue's client (a best_execution.VenueClient)
    mid: Decimal | None  # token_out base units per token_in base unit at the feeds' mid
    asked: tuple[str, ...]  # the venues asked, in table order

    @property
    def offer(self) -> Any:
        return self.record.offer

    @property
    def mid_per_jpy(self) -> Decimal | None:
        """The mid in whole units of the token paid with per yen."""
        if self.mid is None:
            return None
        dec_in, dec_out = self.setup.token_in.decimals(), self.setup.jpy.decimals()
        return (1 / self.mid) * Decimal(10) ** (dec_out - dec_in)

    @property
    def offers_headers(self) -> list[str]:
        cur = self.setup.request.currency
        return ["venue", "payer pays", "merchant gets", f"{cur} per JPY", "bps vs mid", ""]

    def offers_rows(self) -> list[list[str]]:
        from corridor.exchange.best_execution import offer_rows

        dec_in, dec_out = self.setup.token_in.decimals(), self.setup.jpy.decimals()
        cur = self.setup.request.currency

        def priced(o: Any) -> list[str]:
            paid, got = Decimal(o.amount_in) / 10**dec_in, Decimal(o.amount_out) / 10**dec_out
            return [
                f"{paid:,} {cur}",
                f"{got:,} JPY",
                f"{float(paid / got):.6g}",
                f"{o.spread_bps:+.1f}" if o.spread_bps is not None else "—",
            ]

        return offer_rows(self.record, self.asked, priced)

    def offers_table(self) -> str:
        cur, per_jpy = self.setup.request.currency, self.mid_per_jpy
        mid = "" if per_jpy is None else f"; mid {float(per_jpy):.6g} {cur} per JPY"
        return table(
            self.offers_headers,
            self.offers_rows(),
            title=f"best execution for {self.setup.request.invoice} (exact out {self.setup.yen(self.record.amount)}{mid})",
        )


@dataclass
class PaymentResult:
    steps: StepLog
    record: Any
    tx: str
    amount_in: int
    plan: Plan | None = None
    before: dict[str, int] = field(default_factory=dict)  # "payer" / "merchant" balances before the fill
    redemption_tx: str | None = None
    redeemed: int = 0


class InvoicePayment:
    """Checks, quotes, pays and (optionally) redeems; see the module docstring and the steps above.
    `log` is the step log to write to (the demo passes its own)."""

    def __init__(
        self,
        network: str,
        request: PayRequest,
        book_dir: Path | None = None,
        log: StepLog | None = None,
        quotes: Any = None,
    ) -> None:
        """`quotes`: where RFQ quotes come from (a QuoteProvider: the demo passes the quote server's
        corridor.services.quotes.RemoteMaker); None: the market maker's development key in process."""
        self.network = network
        self.request = request
        self.book_dir = book_dir
        self.log = log if log is not None else StepLog()
        self.quotes = quotes

    def run(self) -> PaymentResult:
        setup = self.load()
        self.check_parties(setup)
        plan = self.quote(setup, self.check_not_paid(setup))
        self.check_plan(plan)
        return self.execute(plan)

    # ---------------------------------------------------------------- checks (no transaction)

    def load(self) -> Setup:
        deployed = open_suite(self.network, self.book_dir)
        if self.request.currency not in deployed.tokens:
            raise UserError(f"no {self.request.currency} bridge token in {deployed.deployment.path.name}")
        token_in = deployed.tokens[self.request.currency]
        payer = self._party(deployed, self.request.payer, "payer", signer=True)
        merchant = self._party(deployed, self.request.merchant, "merchant", signer=False)
        if str(payer).lower() == str(merchant).lower():
            raise UserError("the payer and the merchant are the same account")
        return Setup(self.request, deployed, token_in, token_in.symbol(), payer, merchant)

    def _party(self, deployed: Deployed, name: str, role: str, signer: bool) -> Any:
        from brownie import accounts

        known = deployed.parties
        if name in known:
            party = known[name]
        elif re.fullmatch(r"0x[0-9a-fA-F]{40}", name):
            party = to_checksum_address(name)
        else:
            raise UserError(f"unknown {role} '{name}' (parties on {self.network}: {', '.join(known)})")
        if signer and isinstance(party, str):
            match = next((a for a in accounts if a.address.lower() == party.lower()), None)
            if match is None:
                raise UserError(f"the {role} '{name}' ({party}) has no key here: it cannot sign the payment")
            party = match
        return party

    def check_parties(self, setup: Setup) -> None:
        req = self.request
        checks = (
            ("payer", req.payer, setup.payer, setup.token_in),
            ("merchant", req.merchant, setup.merchant, setup.jpy),
        )
        rows = []
        for role, label, party, token in checks:
            tier, jurisdiction, frozen = token.kycOf(party)
            symbol = token.symbol()
            if tier == 0:
                raise UserError(
                    f"the {role} '{label}' has no KYC on {symbol}: a compliance officer must verify it first"
                )
            if frozen:
                raise UserError(f"the {role} '{label}' is frozen on {symbol}")
            rows.append(f"KYC: {role} '{label[:14]}' tier {tier} / {jurisdiction} on {symbol}")
        for row in rows:
            self.log.add("compliance", row, None, "checked on chain")

    def earlier_payments(self, setup: Setup) -> list[Any]:
        """The yen paid to the merchant under the invoice's reference since the suite was deployed, in
        block order: every venue's fills (best_execution.Fill) whose output token is JPY."""
        start = setup.deployed.deployment.first_block
        jpy = setup.jpy.address.lower()
        found = [
            fill
            for client in self.all_venues(setup, maker=None)
            for fill in client.fills(str(setup.merchant), self.request.reference, start)
            if fill.token_out.lower() == jpy
        ]
        return sorted(found, key=lambda f: f.block)

    def check_not_paid(self, setup: Setup) -> int:
        """The JPY base units still due: refuses an invoice whose earlier payments cover it (a re-run
        after a crash must not pay twice); after a partial payment, only the remainder is due."""
        payments = self.earlier_payments(setup)
        paid = sum(p.amount_out for p in payments)
        due = setup.invoice_units - paid
        if not payments:
            return due
        listed = "; ".join(
            f"tx {p.tx} {setup.yen(p.amount_out)} via {p.venue} in block {p.block}" for p in payments
        )
        req, whole = self.request, setup.yen(setup.invoice_units)
        if due <= 0:
            raise UserError(
                f"invoice {req.invoice} is already paid to {req.merchant}: {setup.yen(paid)} of "
                f"{whole} received ({listed}); nothing sent"
            )
        print(
            f"invoice {req.invoice} is partly paid to {req.merchant}: {setup.yen(paid)} of "
            f"{whole} received ({listed}); paying the remaining {setup.yen(due)}"
        )
        return due

    def all_venues(self, setup: Setup, maker: Any) -> list[Any]:
        """Every venue of the suite (the RFQ venue quotes through `maker`; None: it only reports fills)."""
        from brownie import web3

        from corridor.exchange.amm_client import AmmClient
        from corridor.exchange.rfq_client import RfqClient

        d, hub = setup.deployed, setup.deployed.tokens[HUB].address
        return [
            AmmClient(web3, d.router.address, hub, deadline_seconds=self.request.ttl),
            RfqClient(web3, d.venue.address, maker, hub=hub),
        ]

    def venues(self, setup: Setup) -> list[Any]:
        """The venue clients for the request's preference (RFQ needs a market maker whose key is here)."""
        maker = (self.quotes or self.market_maker(setup)) if self.request.venue in ("auto", "rfq") else None
        if maker is None and self.request.venue == "rfq":
            raise UserError(f"no RFQ market maker on '{self.network}': its signing key is a development key")
        wanted = {"auto": ("amm", "rfq") if maker is not None else ("amm",), "amm": ("amm",), "rfq": ("rfq",)}
        return [c for c in self.all_venues(setup, maker) if c.name in wanted[self.request.venue]]

    def mids(self, setup: Setup) -> Any:
        from brownie import web3

        from corridor.exchange.market_maker import FeedMids

        d = setup.deployed
        tokens = {"JPY": d.jpy, **d.tokens}
        feeds = {tokens[alpha].address: feed.address for alpha, feed in d.feeds.items() if alpha in tokens}
        # freshness is the feeds' own word: FeedMids refuses a price when the FXFeed says isStale() (its
        # heartbeat) or its market is closed, so the maker declines and no mid is shown
        return FeedMids(web3, feeds, max_age=10**9, usd_tokens=(d.tokens[HUB].address,))

    def market_maker(self, setup: Setup) -> Any:
        """The corridor's market maker (development: its well-known key), or None without a key; its
        policy and limits are the `market_maker:` section of the deployment's settings."""
        from brownie import web3

        from corridor.exchange.market_maker import MarketMaker, maker_settings

        maker = setup.deployed.parties.get("market_maker")
        key = getattr(maker, "private_key", None)
        section = setup.deployed.deployment.settings.get("market_maker")
        if key is None:
            return None
        if not isinstance(section, dict):
            raise UserError(
                f"the settings recorded in {setup.deployed.deployment.path.name} have no market_maker: section "
                "(see config/development.yaml)"
            )
        try:
            policy, limits = maker_settings(section, ttl=self.request.ttl)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        return MarketMaker(
            web3, setup.deployed.venue.address, key, self.mids(setup), policy=policy, limits=limits
        )

    def quote(self, setup: Setup, due: int) -> Plan:
        """Best execution without executing: every venue's firm offer and the best one."""
        from corridor.exchange.best_execution import EXACT_OUT, best_execution, declines_text

        clients = self.venues(setup)
        mid = self._mid(setup)
        record = best_execution(
            clients,
            EXACT_OUT,
            setup.token_in.address,
            setup.jpy.address,
            due,
            recipient=str(setup.merchant),
            reference=self.request.reference,
            sender=setup.payer,
            mid=mid,
            execute=False,
        )
        chosen = next((c for c in clients if c.name == record.choice), None)
        plan = Plan(setup, due, record, chosen, mid, tuple(c.name for c in clients))
        print(plan.offers_table())
        if record.choice is None:
            raise UserError(
                f"no venue offered {setup.yen(due)} for {setup.symbol_in} ({declines_text(record)})"
            )
        return plan

    def _mid(self, setup: Setup) -> Decimal | None:
        """token_out base units per token_in base unit at the feeds' mid (None if a feed cannot say)."""
        from corridor.exchange.market_maker import QuoteRefused

        mids = self.mids(setup)
        try:
            human = mids.usd_price(setup.token_in.address) / mids.usd_price(setup.jpy.address)
        except QuoteRefused:
            return None
        return human * Decimal(10) ** (setup.jpy.decimals() - setup.token_in.decimals())

    def check_plan(self, plan: Plan) -> None:
        req, setup, offer = self.request, plan.setup, plan.offer
        self.check_fresh(plan)
        spread = plan.record.chosen.spread_bps
        if spread is not None and spread > req.max_slippage_bps:
            raise UserError(
                f"the best price ({plan.record.choice}) is {spread:+.1f} bps from the mid, "
                f"beyond max_slippage_bps={req.max_slippage_bps}"
            )
        balance = setup.token_in.balanceOf(setup.payer)
        if balance < offer.amount_in:
            raise UserError(
                f"insufficient balance: {req.payer} holds {setup.amount(balance)} {setup.symbol_in}, "
                f"the invoice needs {setup.amount(offer.amount_in)} {setup.symbol_in} via {plan.record.choice}"
            )
        if req.redeem_to is not None:
            self.check_redemption(setup, balance - offer.amount_in)

    def check_fresh(self, plan: Plan) -> None:
        """Refuses an offer whose expiry is not after the next block's time (an RFQ quote: the venue
        requires block.timestamp <= expiry; an offer without expiry gets its deadline when sent)."""
        expiry = plan.offer.expiry
        if expiry is not None and self._next_timestamp() > expiry:
            raise self.expired()

    def expired(self) -> UserError:
        return UserError(
            f"the {self.request.invoice} quote expired before it could be filled "
            f"(ttl={self.request.ttl}s); nothing paid, run again for a fresh quote"
        )

    def _next_timestamp(self) -> int:
        from brownie import web3

        latest = int(web3.eth.get_block("latest")["timestamp"])
        try:
            pending = int(web3.eth.get_block("pending")["timestamp"])
        except Exception:  # noqa: BLE001 - a node without a pending block: the next is at least latest
            pending = latest
        return max(latest, pending)

    def check_redemption(self, setup: Setup, leftover: int) -> None:
        bridge, currency = setup.deployed.bridge, CURRENCIES[self.request.currency]
        if bridge.paused():
            raise UserError("the bridge is paused: redemptions to Bakong are not accepted now")
        cap = bridge.limitsOf(currency)[0]
        if leftover > cap:
            raise UserError(
                f"the leftover {setup.amount(leftover)} {setup.symbol_in} is above the bridge's per-message "
                f"cap {setup.amount(cap)}; redeem in parts with the bridge directly"
            )

    # ---------------------------------------------------------------- execution (transactions)

    def execute(self, plan: Plan) -> PaymentResult:
        result = self._pay(plan)
        if self.request.redeem_to is not None:
            self.redeem(plan.setup, result)
        return result

    def _approve(self, plan: Plan) -> None:
        """Approves the chosen venue's spender for exactly the offer's input, unless it already may."""
        setup, offer, client = plan.setup, plan.offer, plan.client
        if setup.token_in.allowance(setup.payer, client.spender) >= offer.amount_in:
            return
        tx = setup.token_in.approve(client.spender, offer.amount_in, {"from": setup.payer})
        self.log.add(
            self.request.payer,
            f"approves the {client.label} for {setup.amount(offer.amount_in)} {setup.symbol_in}",
            tx,
            "exactly the quoted input",
        )
        self.check_fresh(plan)  # the approval took a block

    def _pay(self, plan: Plan) -> PaymentResult:
        from brownie import chain

        from corridor.tx import TransactionReverted

        req, setup, offer = self.request, plan.setup, plan.offer
        before = {
            "payer": setup.token_in.balanceOf(setup.payer),
            "merchant": setup.jpy.balanceOf(setup.merchant),
        }
        self._approve(plan)
        try:
            txid = plan.client.execute(offer, str(setup.merchant), req.reference, setup.payer)
        except TransactionReverted as exc:
            if exc.error in plan.client.expired_errors:
                raise self.expired() from exc
            raise
        chosen = plan.record.chosen
        spread = "" if chosen.spread_bps is None else f", {chosen.spread_bps:+.1f} bps vs mid"
        self.log.add(
            req.payer,
            f"pays {req.invoice} {setup.yen(offer.amount_out)} via {plan.record.choice.upper()}",
            chain.get_transaction(txid),
            f"{setup.amount(chosen.amount_in)} {req.currency}{spread}",
        )
        paid = setup.jpy.balanceOf(setup.merchant) - before["merchant"]
        if paid != offer.amount_out:
            raise UserError(f"the merchant received {paid}, not the invoice amount {offer.amount_out}")
        return PaymentResult(self.log, plan.record, txid, chosen.amount_in, plan, before)

    def redeem(self, setup: Setup, result: PaymentResult) -> None:
        req, bridge = self.request, setup.deployed.bridge
        leftover = setup.token_in.balanceOf(setup.payer)
        currency = CURRENCIES[req.currency]
        fee = bridge.rejectionFeeOf(currency)[0]
        if leftover <= fee:
            # the bridge refuses a redemption not above its rejection fee (AmountNotAboveRejectionFee)
            left = f"only {setup.amount(leftover)} {setup.symbol_in} left" if leftover else "nothing left"
            self.log.add(req.payer, f"{left} to redeem to {req.redeem_to}", None, "")
            return
        setup.token_in.approve(bridge, leftover, {"from": setup.payer})
        tx = bridge.redeem(currency, leftover, req.redeem_to, {"from": setup.payer})
        result.redemption_tx, result.redeemed = tx.txid, leftover
        self.log.add(
            req.payer,
            f"redeems {setup.amount(leftover)} {setup.symbol_in} to {req.redeem_to}",
            tx,
            "escrowed on chain; the relayer pays out on Bakong",
        )


def balances_table(result: PaymentResult) -> str:
    """The payer's and the merchant's balances before the fill and now (whole units)."""
    assert result.plan is not None
    setup, req = result.plan.setup, result.plan.setup.request
    jpy_units = Decimal(10) ** setup.jpy.decimals()
    rows = [
        [
            req.payer,
            setup.symbol_in,
            setup.amount(result.before["payer"]),
            setup.amount(setup.token_in.balanceOf(setup.payer)),
        ],
        [
            req.merchant,
            setup.jpy.symbol(),
            f"{Decimal(result.before['merchant']) / jpy_units:,}",
            f"{Decimal(setup.jpy.balanceOf(setup.merchant)) / jpy_units:,}",
        ],
    ]
    return table(["party", "token", "before", "after"], rows, title="\nbalances (whole units)")


def main(args: Sequence[str], network: str, book_dir: Path | None = None) -> PaymentResult:
    """scripts/pay.py's body: parse, check, pay; a refusal raises UserError (the script prints it)."""
    request = parse_request(args)
    quotes = None
    if request.quote_url:
        from corridor.services.quotes import RemoteMaker

        quotes = RemoteMaker(request.quote_url)
    payment = InvoicePayment(network, request, book_dir, quotes=quotes)
    print(payment.log.header())
    result = payment.run()
    print(balances_table(result))
    return result
