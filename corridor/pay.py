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
redeem_to (a Bakong account id). Parties are names from the deployment's settings (`customer`,
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

from eth_utils import keccak, to_checksum_address

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
MAKER_MAX_QUOTE_USD = 400  # the market maker's own risk limit per quote (as in the demo)
MAKER_SPREAD_BPS, MAKER_SKEW_BPS = 3, 2
USAGE = (
    "usage: pay.py PAYER MERCHANT AMOUNT_JPY INVOICE [venue=auto|amm|rfq] [currency=KHR|USD] "
    f"[ttl=1..{MAX_TTL}] [max_slippage_bps=N] [redeem_to=name@bank]"
)
_OPTIONS = ("venue", "currency", "ttl", "max_slippage_bps", "redeem_to")
# reverts of a fill that mean "the price is gone": RfqVenue.QuoteExpired, FXRouter.DeadlinePassed
_EXPIRED = {
    "0x" + keccak(text=sig)[:4].hex(): name
    for sig, name in (("QuoteExpired(uint256,uint256)", "rfq"), ("DeadlinePassed(uint256)", "amm"))
}


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


# ------------------------------------------------------------------ the payment


@dataclass
class _Remembering:
    """A venue client that keeps its last offer, so the one chosen by `best_execution` (run without
    executing) can be checked and then executed exactly."""

    client: Any
    last: Any = None

    @property
    def name(self) -> str:
        return self.client.name

    def offer(self, *args: Any) -> Any:
        self.last = self.client.offer(*args)
        return self.last

    def execute(self, *args: Any) -> str:
        return self.client.execute(*args)


@dataclass(frozen=True)
class EarlierPayment:
    """Yen that reached the merchant under the invoice's reference before this run."""

    tx: str
    block: int
    amount: int  # JPY base units received by the merchant
    venue: str  # "amm" (router Swapped) or "rfq" (QuoteFilled)


@dataclass
class Plan:
    """The quotes and the chosen offer, before anything is sent."""

    record: Any  # corridor.exchange.best_execution.ExecutionRecord
    offer: Any  # the chosen Offer
    client: _Remembering
    mid: Decimal | None


@dataclass
class PaymentResult:
    steps: StepLog
    record: Any
    tx: str
    amount_in: int
    redemption_tx: str | None = None
    redeemed: int = 0


class InvoicePayment:
    """Checks, quotes, pays and (optionally) redeems; see the module docstring."""

    def __init__(self, network: str, request: PayRequest, book_dir: Path | None = None) -> None:
        self.network = network
        self.request = request
        self.book_dir = book_dir
        self.log = StepLog()
        self.due: int | None = None  # JPY base units still owed on the invoice (set by check_not_paid)

    def run(self) -> PaymentResult:
        self.load()
        self.check_parties()
        self.check_not_paid()
        plan = self.quote()
        self.check_plan(plan)
        return self.execute(plan)

    # ---------------------------------------------------------------- checks (no transaction)

    def load(self) -> None:
        self.deployed = open_suite(self.network, self.book_dir)
        if self.request.currency not in self.deployed.tokens:
            raise UserError(f"no {self.request.currency} bridge token in {self.deployed.deployment.path.name}")
        self.token_in = self.deployed.tokens[self.request.currency]
        self.symbol_in = self.token_in.symbol()
        self.payer = self._party(self.request.payer, "payer", signer=True)
        self.merchant = self._party(self.request.merchant, "merchant", signer=False)
        if str(self.payer).lower() == str(self.merchant).lower():
            raise UserError("the payer and the merchant are the same account")

    def _party(self, name: str, role: str, signer: bool) -> Any:
        from brownie import accounts

        known = self.deployed.parties
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

    def check_parties(self) -> None:
        jpy, req = self.deployed.jpy, self.request
        checks = (
            ("payer", req.payer, self.payer, self.token_in),
            ("merchant", req.merchant, self.merchant, jpy),
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

    @property
    def invoice_units(self) -> int:
        """The invoice in JPY base units."""
        return self.request.amount_jpy * 10 ** self.deployed.jpy.decimals()

    def _yen(self, units: int) -> str:
        return f"¥{Decimal(units) / 10 ** self.deployed.jpy.decimals():,}"

    def earlier_payments(self) -> list[EarlierPayment]:
        """The yen paid to the merchant under the invoice's reference since the suite was deployed, in
        block order: router `Swapped` and venue `QuoteFilled` events (payer, recipient and reference are
        indexed the same way in both) whose output token is JPY."""
        from brownie import web3

        start = self.deployed.deployment.first_block
        recipient = "0x" + "00" * 12 + str(self.merchant)[2:].lower()
        reference = "0x" + self.request.reference.hex()
        jpy = self.deployed.jpy.address.lower()
        found = []
        for venue, contract, event in (
            ("amm", self.deployed.router, "Swapped"),
            ("rfq", self.deployed.venue, "QuoteFilled"),
        ):
            decoder = getattr(web3.eth.contract(address=contract.address, abi=contract.abi).events, event)()
            logs = web3.eth.get_logs(
                {
                    "address": contract.address,
                    "fromBlock": start,
                    "toBlock": "latest",
                    "topics": [contract.topics[event], None, recipient, reference],
                }
            )
            for log in logs:
                args = decoder.process_log(log)["args"]
                if str(args["tokenOut"]).lower() == jpy:
                    tx = "0x" + bytes(log["transactionHash"]).hex()
                    found.append(EarlierPayment(tx, int(log["blockNumber"]), int(args["amountOut"]), venue))
        return sorted(found, key=lambda p: p.block)

    def check_not_paid(self) -> None:
        """Refuses an invoice whose earlier payments cover it (a re-run after a crash must not pay
        twice); after a partial payment, only the remainder is due (`self.due`)."""
        payments = self.earlier_payments()
        paid = sum(p.amount for p in payments)
        self.due = self.invoice_units - paid
        if not payments:
            return
        listed = "; ".join(
            f"tx {p.tx} {self._yen(p.amount)} via {p.venue} in block {p.block}" for p in payments
        )
        req = self.request
        if self.due <= 0:
            raise UserError(
                f"invoice {req.invoice} is already paid to {req.merchant}: {self._yen(paid)} of "
                f"{self._yen(self.invoice_units)} received ({listed}); nothing sent"
            )
        print(
            f"invoice {req.invoice} is partly paid to {req.merchant}: {self._yen(paid)} of "
            f"{self._yen(self.invoice_units)} received ({listed}); paying the remaining {self._yen(self.due)}"
        )

    def venues(self) -> list[_Remembering]:
        """The venue clients for the request's preference (RFQ needs a market maker whose key is here)."""
        from brownie import web3

        from corridor.exchange.best_execution import AmmClient, RfqClient

        d, req = self.deployed, self.request
        hub = d.tokens[HUB].address
        clients: list[_Remembering] = []
        if req.venue in ("auto", "amm"):
            clients.append(_Remembering(AmmClient(web3, d.router.address, hub, deadline_seconds=req.ttl)))
        if req.venue in ("auto", "rfq"):
            maker = self.market_maker()
            if maker is None and req.venue == "rfq":
                raise UserError(
                    f"no RFQ market maker on '{self.network}': its signing key is a development key"
                )
            if maker is not None:
                clients.append(_Remembering(RfqClient(web3, d.venue.address, maker, hub=hub)))
        return clients

    def mids(self) -> Any:
        from brownie import web3

        from corridor.exchange.market_maker import FeedMids

        d = self.deployed
        tokens = {"JPY": d.jpy, **d.tokens}
        feeds = {tokens[alpha].address: feed.address for alpha, feed in d.feeds.items() if alpha in tokens}
        # freshness is the feeds' own word: FeedMids refuses a price when the FXFeed says isStale() (its
        # heartbeat) or its market is closed, so the maker declines and no mid is shown
        return FeedMids(web3, feeds, max_age=10**9, usd_tokens=(d.tokens[HUB].address,))

    def market_maker(self) -> Any:
        """The corridor's market maker (development: its well-known key), or None without a key."""
        from brownie import web3

        from corridor.exchange.market_maker import MakerLimits, MarketMaker, QuotePolicy

        maker = self.deployed.parties.get("market_maker")
        key = getattr(maker, "private_key", None)
        if key is None:
            return None
        return MarketMaker(
            web3,
            self.deployed.venue.address,
            key,
            self.mids(),
            policy=QuotePolicy(spread_bps=MAKER_SPREAD_BPS, skew_bps=MAKER_SKEW_BPS, ttl=self.request.ttl),
            limits=MakerLimits(max_quote_usd=MAKER_MAX_QUOTE_USD),
        )

    def quote(self) -> Plan:
        """Best execution without executing: every venue's firm offer and the best one."""
        from corridor.exchange.best_execution import EXACT_OUT, best_execution, declines_text

        d, req = self.deployed, self.request
        clients = self.venues()
        mid = self._mid()
        amount_out = self.invoice_units if self.due is None else self.due
        record = best_execution(
            clients,
            EXACT_OUT,
            self.token_in.address,
            d.jpy.address,
            amount_out,
            recipient=str(self.merchant),
            reference=req.reference,
            sender=self.payer,
            mid=mid,
            execute=False,
        )
        print(self.offers_table(record, mid, [c.name for c in clients]))
        if record.choice is None:
            raise UserError(
                f"no venue offered {self._yen(amount_out)} for {self.symbol_in} ({declines_text(record)})"
            )
        client = next(c for c in clients if c.name == record.choice)
        return Plan(record, client.last, client, mid)

    def _mid(self) -> Decimal | None:
        """token_out base units per token_in base unit at the feeds' mid (None if a feed cannot say)."""
        from corridor.exchange.market_maker import QuoteRefused

        mids = self.mids()
        try:
            human = mids.usd_price(self.token_in.address) / mids.usd_price(self.deployed.jpy.address)
        except QuoteRefused:
            return None
        return human * Decimal(10) ** (self.deployed.jpy.decimals() - self.token_in.decimals())

    def offers_table(self, record: Any, mid: Decimal | None, asked: Sequence[str]) -> str:
        from corridor.exchange.best_execution import offer_rows

        dec_in, dec_out = self.token_in.decimals(), self.deployed.jpy.decimals()
        cur = self.request.currency

        def priced(o: Any) -> list[str]:
            return [
                f"{Decimal(o.amount_in) / 10**dec_in:,} {cur}",
                f"{Decimal(o.amount_out) / 10**dec_out:,} JPY",
                f"{float((Decimal(o.amount_in) / 10**dec_in) / (Decimal(o.amount_out) / 10**dec_out)):.6g}",
                f"{o.spread_bps:+.1f}" if o.spread_bps is not None else "—",
            ]

        per_jpy = (
            ""
            if mid is None
            else f"; mid {float((1 / mid) * Decimal(10) ** (dec_out - dec_in)):.6g} {cur} per JPY"
        )
        return table(
            ["venue", "payer pays", "merchant gets", f"{cur} per JPY", "bps vs mid", ""],
            offer_rows(record, asked, priced),
            title=f"best execution for {self.request.invoice} (exact out {self._yen(record.amount)}{per_jpy})",
        )

    def check_plan(self, plan: Plan) -> None:
        req, offer = self.request, plan.offer
        self.check_fresh(plan)
        spread = plan.record.chosen.spread_bps
        if spread is not None and spread > req.max_slippage_bps:
            raise UserError(
                f"the best price ({plan.record.choice}) is {spread:+.1f} bps from the mid, "
                f"beyond max_slippage_bps={req.max_slippage_bps}"
            )
        balance = self.token_in.balanceOf(self.payer)
        if balance < offer.amount_in:
            raise UserError(
                f"insufficient balance: {req.payer} holds {self._amount(balance)} {self.symbol_in}, "
                f"the invoice needs {self._amount(offer.amount_in)} {self.symbol_in} via {plan.record.choice}"
            )
        if req.redeem_to is not None:
            self.check_redemption(balance - offer.amount_in)

    def check_fresh(self, plan: Plan) -> None:
        """Refuses an RFQ quote whose expiry is not after the next block's time (the venue requires
        block.timestamp <= expiry)."""
        signed = plan.offer.payload if plan.record.choice == "rfq" else None
        if signed is None:
            return
        expiry = signed.quote.expiry
        if self._next_timestamp() > expiry:
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

    def check_redemption(self, leftover: int) -> None:
        bridge, currency = self.deployed.bridge, CURRENCIES[self.request.currency]
        if bridge.paused():
            raise UserError("the bridge is paused: redemptions to Bakong are not accepted now")
        cap = bridge.limitsOf(currency)[0]
        if leftover > cap:
            raise UserError(
                f"the leftover {self._amount(leftover)} {self.symbol_in} is above the bridge's per-message "
                f"cap {self._amount(cap)}; redeem in parts with the bridge directly"
            )

    def _amount(self, base_units: int) -> str:
        return f"{Decimal(base_units) / 10 ** self.token_in.decimals():,}"

    # ---------------------------------------------------------------- execution (transactions)

    def execute(self, plan: Plan) -> PaymentResult:
        result = self._pay(plan)
        if self.request.redeem_to is not None:
            self.redeem(result)
        print(self.balances_table())
        return result

    def balances_table(self) -> str:
        d, req = self.deployed, self.request
        rows = [
            [
                req.payer,
                self.symbol_in,
                self._amount(self._before["payer"]),
                self._amount(self.token_in.balanceOf(self.payer)),
            ],
            [
                req.merchant,
                d.jpy.symbol(),
                f"{Decimal(self._before['merchant']) / 10 ** d.jpy.decimals():,}",
                f"{Decimal(d.jpy.balanceOf(self.merchant)) / 10 ** d.jpy.decimals():,}",
            ],
        ]
        return table(["party", "token", "before", "after"], rows, title="\nbalances (whole units)")

    def _pay(self, plan: Plan) -> PaymentResult:
        from brownie import chain

        req, offer, d = self.request, plan.offer, self.deployed
        self._before = {
            "payer": self.token_in.balanceOf(self.payer),
            "merchant": d.jpy.balanceOf(self.merchant),
        }
        spender = d.router if plan.record.choice == "amm" else d.venue
        before = d.jpy.balanceOf(self.merchant)
        if self.token_in.allowance(self.payer, spender) < offer.amount_in:
            tx = self.token_in.approve(spender, offer.amount_in, {"from": self.payer})
            self.log.add(
                req.payer,
                f"approves the {plan.record.choice.upper()} {'router' if plan.record.choice == 'amm' else 'venue'} for {self._amount(offer.amount_in)} {self.symbol_in}",
                tx,
                "exactly the quoted input",
            )
            self.check_fresh(plan)  # the approval took a block
        try:
            txid = plan.client.execute(offer, str(self.merchant), req.reference, self.payer)
        except Exception as exc:  # noqa: BLE001 - mapped to one line below, or re-raised
            raise self._mapped(exc) from exc
        tx = chain.get_transaction(txid)
        chosen = plan.record.chosen
        spread = "" if chosen.spread_bps is None else f", {chosen.spread_bps:+.1f} bps vs mid"
        self.log.add(
            req.payer,
            f"pays {req.invoice} {self._yen(offer.amount_out)} via {plan.record.choice.upper()}",
            tx,
            f"{self._amount(chosen.amount_in)} {req.currency}{spread}",
        )
        paid = d.jpy.balanceOf(self.merchant) - before
        if paid != offer.amount_out:
            raise UserError(f"the merchant received {paid}, not the invoice amount {offer.amount_out}")
        return PaymentResult(self.log, plan.record, txid, chosen.amount_in)

    def _mapped(self, exc: Exception) -> Exception:
        data = getattr(exc, "data", None) or (exc.args[1] if len(exc.args) > 1 else None)
        text = str(data or exc)
        for selector in _EXPIRED:
            if selector in text:
                return self.expired()
        return exc

    def redeem(self, result: PaymentResult) -> None:
        req, bridge = self.request, self.deployed.bridge
        leftover = self.token_in.balanceOf(self.payer)
        currency = CURRENCIES[req.currency]
        fee = bridge.rejectionFeeOf(currency)[0]
        if leftover <= fee:
            # the bridge refuses a redemption not above its rejection fee (AmountNotAboveRejectionFee)
            left = f"only {self._amount(leftover)} {self.symbol_in} left" if leftover else "nothing left"
            self.log.add(req.payer, f"{left} to redeem to {req.redeem_to}", None, "")
            return
        self.token_in.approve(bridge, leftover, {"from": self.payer})
        tx = bridge.redeem(currency, leftover, req.redeem_to, {"from": self.payer})
        result.redemption_tx, result.redeemed = tx.txid, leftover
        self.log.add(
            req.payer,
            f"redeems {self._amount(leftover)} {self.symbol_in} to {req.redeem_to}",
            tx,
            "escrowed on chain; the relayer pays out on Bakong",
        )


def main(args: Sequence[str], network: str, book_dir: Path | None = None) -> PaymentResult:
    """scripts/pay.py's body: parse, check, pay; a refusal raises UserError (the script prints it)."""
    request = parse_request(args)
    payment = InvoicePayment(network, request, book_dir)
    print(payment.log.header())
    return payment.run()
