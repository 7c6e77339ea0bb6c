"""`corridor checkout`: the merchant checkout service (JSON API + the checkout page), a process like the others.

    POST /api/invoices        {"number", "yen", "currency"?: "KHR"|"USD", "expirySeconds"?, "webhookUrl"?}
                              -> the invoice: KHQR string, quoted price (minor units and banker units),
                                 quote window, status; 409 when the number is taken
    GET  /api/invoice?number=N            the invoice and its status history (tx hashes)
    GET  /api/invoice/qr.png?number=N     the KHQR as a PNG (the qrcode library, corridor.invoices)
    GET  /api/poll?number=N&status=S&wait=W   answers when the status is no longer S (long poll, W <= 25 s)
    GET  /api/invoices                    every invoice (newest last)
    GET  /checkout?number=N               the merchant's checkout page (HTML, corridor.services.checkout_page)
    POST /sandbox/pay         {"number"}  (--sandbox only) the simulator's customer pays the KHQR on Bakong

Settling (with --relayer-url and --quote-url; what `make sandbox` runs): an invoice is priced from a firm RFQ
quote reserved for the InvoiceSettlement contract and handed to the relayer service
(corridor.services.checkout_settle). A watcher thread looks up each open invoice's KHQR on Bakong by MD5
(`check_transaction_by_md5`): paid -> "paid on Bakong" (the Bakong hash); then it watches the chain for the
settlement's event: "settled" (the JPYS the merchant received, the tx hash) or "refunded" (the reason, the tx
hash; the deposit goes back to the payer's Bakong account through the bridge's redemption escrow). Nothing
paid by the window's end -> "expired".

Following Bakong only (no --relayer-url): prices are yen x the configured rate (--khr-per-jpy,
--usd-cents-per-jpy); paid in time -> "paid on Bakong" and no further; paid less than --settle-margin seconds
before the window closes -> refunded by the checkout through the bank-payment API. Each status change is POSTed to the invoice's webhook with `X-Corridor-Signature: sha256=<hex
HMAC-SHA256 of the body>` (secret CHECKOUT_WEBHOOK_SECRET), retried on the next passes until accepted.

State: SQLite (--db), survives kill -9. Bad input -> 4xx with the reason, nothing written.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import sys
import threading
import time
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any
from urllib import error as urlerror
from urllib import request as urlrequest

from corridor.bridge.client import BakongApiError, BakongClient, http_client
from corridor.bridge.khqr import Currency, KHQRError, validate_account_id
from corridor.invoices import InvoiceError, Status, create_invoice
from corridor.services import checkout_page
from corridor.services.bakong_config import (
    ADMIN_TOKEN,
    BANK_TOKEN,
    OPEN_API_TOKEN,
    add_bakong_arguments,
    open_api_url,
    token,
)
from corridor.services.chain import add_chain_arguments, open_chain
from corridor.services.checkout_settle import ChainSettlement, refund_reason, resolve_merchant
from corridor.services.checkout_store import EXPIRED, Record, Store
from corridor.services.http import (
    HttpError,
    JsonApp,
    Raw,
    Request,
    add_server_arguments,
    call,
    dumps,
    log,
    run_until_signal,
    serve,
    url_of,
)
from corridor.services.payments import SimulatorBank
from corridor.ui import UserError, banker

SERVICE = "checkout"
DEFAULT_PORT = 8650
MAX_BODY = 4 * 1024  # an invoice request is a few hundred bytes
MAX_YEN = 10_000_000  # the sandbox's largest invoice (a merchant's limit in production)
MAX_EXPIRY = 3_600
WEBHOOK_SECRET = "CHECKOUT_WEBHOOK_SECRET"
DEV_WEBHOOK_SECRET = "dev-webhook-secret"
SANDBOX_PAYER = "sokha@wing"
MAX_POLL_WAIT = 25.0


def sign_body(secret: str, body: bytes) -> str:
    """The webhook signature header value: `sha256=` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def invoice_json(r: Record, now: float) -> dict[str, Any]:
    """What the API answers for an invoice: integers in minor units plus the banker-unit strings."""
    decimals = Currency.parse(r.currency).row.decimals
    return {
        "number": r.number,
        "merchant": r.merchant,
        "yen": r.yen,
        "currency": r.currency,
        "price": r.price,  # minor units of currency
        "priceDecimal": str(banker(r.price, decimals)),  # banker units (KHR riel, USD dollars)
        "khqr": r.khqr,
        "md5": r.md5,
        "windowStart": r.window_start,
        "windowEnd": r.window_end,
        "secondsLeft": max(0, int(r.window_end - now)) if r.open else 0,
        "status": r.status,
        "history": r.history,
        "bakongHash": r.bakong_hash,
        "payer": r.payer,
        "paidAt": r.paid_at,
        "settles": r.serial is not None,  # handed to the relayer: "paid on Bakong" is not final
        "yenReceived": r.yen_received
        if r.serial is not None
        else (r.yen if r.status == Status.PAID.value else 0),
        "settlementHash": r.settlement_hash,
        "refundHash": r.refund_hash,
        "reason": r.reason,
        "webhookUrl": r.webhook_url,
        "qrUrl": f"/api/invoice/qr.png?number={r.number}",
        "pageUrl": f"/checkout?number={r.number}",
    }


class Checkout:
    """The routes and the watcher over one store."""

    def __init__(
        self,
        store: Store,
        bakong: BakongClient,
        bank: SimulatorBank,
        omnibus: str,
        rates: dict[str, Decimal],
        merchant: str,
        settle_margin: int,
        webhook_secret: str,
        sandbox: tuple[str, str] | None = None,  # (simulator URL, admin token) when --sandbox
        settlement: ChainSettlement | None = None,  # settles on chain (priced by RFQ quotes) when given
    ) -> None:
        self.settlement = settlement
        self.store, self.bakong, self.bank = store, bakong, bank
        self.omnibus, self.rates, self.merchant = omnibus, rates, merchant
        self.settle_margin = settle_margin
        self.webhook_secret = webhook_secret
        self.sandbox = sandbox
        self.changed = threading.Condition()
        self.app = JsonApp(SERVICE, max_body=MAX_BODY)
        self.app.health.set(omnibus=omnibus, sandbox=sandbox is not None)
        self.app.route("POST", "/api/invoices", self.create)
        self.app.route("GET", "/api/invoices", self.list)
        self.app.route("GET", "/api/invoice", self.show)
        self.app.route("GET", "/api/invoice/qr.png", self.qr)
        self.app.route("GET", "/api/poll", self.poll)
        self.app.route("GET", "/checkout", self.page)
        if sandbox is not None:
            self.app.route("POST", "/sandbox/pay", self.sandbox_pay)

    # ------------------------------------------------------------ requests

    def _record(self, number: Any) -> Record:
        if not isinstance(number, str) or not number:
            raise HttpError(400, "parameter 'number' (the invoice number) is required")
        record = self.store.get(number)
        if record is None:
            raise HttpError(404, f"unknown invoice {number!r}")
        return record

    def create(self, req: Request) -> Any:
        number = req.value("number", str)
        yen = req.value("yen", int)
        currency = req.value("currency", str, required=False) or "KHR"
        expiry = req.value("expirySeconds", int, required=False)
        webhook = req.value("webhookUrl", str, required=False)
        unknown = set(req.body) - {"number", "yen", "currency", "expirySeconds", "webhookUrl"}
        if unknown:
            raise HttpError(400, f"unknown field(s) {', '.join(sorted(unknown))}")
        if not 0 < yen <= MAX_YEN:
            raise HttpError(400, f"field 'yen' must be 1..{MAX_YEN:,} yen, got {yen}")
        requested, expiry = expiry, 600 if expiry is None else expiry
        if not 1 <= expiry <= MAX_EXPIRY:
            raise HttpError(400, f"field 'expirySeconds' must be 1..{MAX_EXPIRY}, got {expiry}")
        if currency.upper() not in self.rates:
            raise HttpError(400, f"field 'currency' must be one of {', '.join(self.rates)}, got {currency!r}")
        if webhook is not None and not webhook.startswith(("http://", "https://")):
            raise HttpError(400, "field 'webhookUrl' must be an http(s) URL")
        cur = currency.upper()
        if self.store.get(number) is not None:
            raise HttpError(409, f"invoice {number!r} exists already")
        if self.settlement is None:
            price = int((Decimal(yen) * self.rates[cur]).to_integral_value(ROUND_CEILING))
            now, serial, priced = int(time.time()), None, None
        else:
            serial = self.store.next_serial(time.time())
            priced = self.settlement.price(number, serial, yen, cur, requested)
            price, now, expiry = priced.price, priced.now, priced.window_end - priced.now
        try:
            inv = create_invoice(number, self.merchant, yen, cur, price, now, self.omnibus, expiry)
        except InvoiceError as exc:
            raise HttpError(400, str(exc)) from exc
        record = Record(number, self.merchant, yen, cur, price, now, inv.window_end, inv.khqr, inv.md5)
        record.moved(Status.QUOTED.value, priced.quote_digest if priced else None, now)
        record.webhook_url = webhook
        if self.settlement is not None and priced is not None:
            record.serial, record.from_block = serial, self.settlement.block()
            self.settlement.hand_over(inv.khqr, priced.hook_data)  # before the KHQR is shown to anyone
        if not self.store.add(record, time.time()):
            raise HttpError(409, f"invoice {number!r} exists already")
        log(
            SERVICE, f"invoice {number}: {yen} JPY quoted at {price} {cur} minor units until {inv.window_end}"
        )
        return invoice_json(record, time.time())

    def list(self, _req: Request) -> Any:
        now = time.time()
        return {"invoices": [invoice_json(r, now) for r in self.store.all()]}

    def show(self, req: Request) -> Any:
        return invoice_json(self._record(req.query.get("number")), time.time())

    def qr(self, req: Request) -> Any:
        return Raw("image/png", self._record(req.query.get("number")).invoice().png())

    def poll(self, req: Request) -> Any:
        record = self._record(req.query.get("number"))
        seen = req.query.get("status", record.status)
        try:
            wait = min(float(req.query.get("wait", "20")), MAX_POLL_WAIT)
        except ValueError:
            raise HttpError(400, "parameter 'wait' must be a number of seconds") from None
        deadline = time.monotonic() + max(0.0, wait)
        with self.changed:
            while record.status == seen and time.monotonic() < deadline:
                self.changed.wait(min(1.0, max(0.0, deadline - time.monotonic())))
                record = self.store.get(record.number) or record
        return invoice_json(record, time.time())

    def page(self, req: Request) -> Any:
        record = self._record(req.query.get("number"))
        html = checkout_page.render(invoice_json(record, time.time()), sandbox=self.sandbox is not None)
        return Raw("text/html; charset=utf-8", html.encode())

    def sandbox_pay(self, req: Request) -> Any:
        """Plays the customer's Bakong app: opens and funds the simulator payer, then pays the KHQR."""
        assert self.sandbox is not None
        record = self._record(req.value("number", str))
        if not record.open:
            raise HttpError(409, f"invoice {record.number} is {record.status}: nothing to pay")
        url, admin = self.sandbox
        headers = {"Authorization": f"Bearer {admin}"}
        try:
            call(f"{url}/admin/open_account", {"accountId": SANDBOX_PAYER, "name": "Sokha"}, headers=headers)
        except HttpError as exc:
            if exc.status != 409:  # 409: opened by an earlier payment
                raise HttpError(502, f"Bakong simulator: {exc.reason}") from exc
        try:
            call(
                f"{url}/admin/cash_in",
                {"accountId": SANDBOX_PAYER, "currency": record.currency, "amount": record.price},
                headers=headers,
            )
            paid = call(f"{url}/sim/pay_khqr", {"payer": SANDBOX_PAYER, "khqr": record.khqr}, headers=headers)
        except HttpError as exc:
            raise HttpError(exc.status if 400 <= exc.status < 500 else 502, f"Bakong: {exc.reason}") from exc
        log(SERVICE, f"sandbox: {SANDBOX_PAYER} paid invoice {record.number} ({paid['hash'][:12]}…)")
        return {"number": record.number, "bakongHash": paid["hash"], "payer": SANDBOX_PAYER}

    # ------------------------------------------------------------ watcher

    def _changed(self, record: Record) -> None:
        self.store.save(record)
        with self.changed:
            self.changed.notify_all()
        log(
            SERVICE,
            f"invoice {record.number}: {record.status}" + (f" ({record.reason})" if record.reason else ""),
        )

    def check(self, record: Record, now: float) -> None:
        """One look at an open invoice's payment on Bakong; at most one status change."""
        paid = self.bakong.transaction_by_md5(record.md5)
        if paid is None:
            if now > record.window_end:
                record.moved(EXPIRED, None, int(now))
                self._changed(record)
            return
        record.bakong_hash, record.payer = paid.hash, paid.from_account_id
        record.paid_at = paid.created_ms // 1000
        left = record.window_end - paid.created_ms / 1000
        if record.serial is not None or left >= self.settle_margin:  # settling: the chain decides
            record.moved(Status.PAID.value, paid.hash, int(now))
            self._changed(record)
            return
        # too late to settle inside the quote window: the payment goes back to the payer
        record.reason = (
            f"paid {max(0.0, left):.0f} s before the quote window closed; the settlement needs "
            f"{self.settle_margin} s: the payment is returned"
        )
        if not paid.from_account_id:
            raise BakongApiError(f"invoice {record.number}: the payment {paid.hash} names no payer to refund")
        refund = self.bank.pay(
            paid.from_account_id, Currency.parse(record.currency), paid.amount, f"refund-{record.number}"
        )
        record.refund_hash = refund
        record.moved(Status.REFUNDED.value, refund, int(now))
        self._changed(record)

    def follow_chain(self, record: Record) -> None:
        """One look for the settlement's outcome of a paid invoice; at most one status change."""
        assert self.settlement is not None
        found = self.settlement.outcome(record.number, record.from_block)
        if found is None:
            return
        result, record.settlement_hash = found.result, found.tx_hash
        if result.settled:
            record.yen_received, record.spent = result.amount_out, result.spent
            record.moved(Status.SETTLED.value, found.tx_hash, int(time.time()))
        else:
            record.reason = refund_reason(result, record.currency)
            record.moved(Status.REFUNDED.value, found.tx_hash, int(time.time()))
        self._changed(record)

    def deliver(self, record: Record) -> None:
        """Sends the webhook of every status not yet accepted by the merchant's URL."""
        if not record.webhook_url:
            return
        for entry in record.history:
            status = entry["status"]
            if status in record.webhook_delivered:
                continue
            body = dumps_event(record, status)
            try:
                call_raw(record.webhook_url, body, sign_body(self.webhook_secret, body))
            except HttpError as exc:
                log(SERVICE, f"webhook {record.number} {status}: {exc} (retried on the next pass)")
                return
            record.webhook_delivered.append(status)
            self.store.save(record)

    def run_pass(self) -> None:
        now = time.time()
        for record in self.store.all():
            if record.open:
                self.check(record, now)
            if (
                record.status == Status.PAID.value
                and record.serial is not None
                and self.settlement is not None
            ):
                self.follow_chain(record)
            self.deliver(record)
        self.app.health.ok()

    def loop(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                self.run_pass()
            except (BakongApiError, HttpError, KHQRError) as exc:
                self.app.health.error(str(exc))
                log(SERVICE, f"pass failed: {exc}")
            stop.wait(interval)


def dumps_event(record: Record, status: str) -> bytes:
    return dumps({"event": "invoice.status", "status": status, "invoice": invoice_json(record, time.time())})


def call_raw(url: str, body: bytes, signature: str) -> None:
    """POSTs a signed webhook body; HttpError when the receiver does not answer 2xx."""
    req = urlrequest.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Corridor-Signature": signature},
    )
    try:
        with urlrequest.urlopen(req, timeout=5) as resp:  # noqa: S310 (the merchant's URL)
            status = resp.status
    except urlerror.HTTPError as exc:
        status = exc.code
    except (urlerror.URLError, OSError) as exc:
        raise HttpError(0, f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from exc
    if not 200 <= status < 300:
        raise HttpError(status, f"HTTP {status} from {url}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="corridor checkout",
        description="The merchant checkout service: invoices as KHQR, their status followed on Bakong, "
        "the checkout page at /checkout?number=N. Tokens from BAKONG_* and CHECKOUT_WEBHOOK_SECRET.",
    )
    add_server_arguments(p, DEFAULT_PORT)
    add_bakong_arguments(p)
    p.add_argument("--db", required=True, help="SQLite file of the invoices (survives kill -9)")
    p.add_argument(
        "--omnibus", default="corridor@abab", help="the bridge's Bakong omnibus account (KHQR payee)"
    )
    p.add_argument(
        "--merchant",
        help="the merchant paid: its JPYS address when settling (default: the book's parties.merchant), "
        "a name otherwise (default sandbox-merchant)",
    )
    p.add_argument(
        "--relayer-url",
        help="settle on chain: hand each invoice to this relayer service (needs --quote-url and the chain options)",
    )
    p.add_argument("--quote-url", help="the RFQ quote server that prices the invoices when settling")
    add_chain_arguments(p)
    p.add_argument("--khr-per-jpy", default="27.5", help="quoted riel per yen (default 27.5)")
    p.add_argument("--usd-cents-per-jpy", default="0.68", help="quoted US cents per yen (default 0.68)")
    p.add_argument(
        "--settle-margin",
        type=int,
        default=5,
        help="seconds the settlement needs before the quote window closes; a later payment is refunded",
    )
    p.add_argument("--interval", type=float, default=1.0, help="seconds between Bakong look-ups (default 1)")
    p.add_argument("--sandbox", action="store_true", help="serve POST /sandbox/pay (the simulator pays)")
    return p


def _rate(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise UserError(f"--{name} must be a decimal number, got {text!r}") from None
    if not value > 0:
        raise UserError(f"--{name} must be positive, got {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        omnibus = validate_account_id(args.omnibus)
    except KHQRError as exc:
        raise UserError(f"--omnibus: {exc}") from None
    rates = {
        "KHR": _rate(args.khr_per_jpy, "khr-per-jpy"),
        "USD": _rate(args.usd_cents_per_jpy, "usd-cents-per-jpy"),
    }
    secret = os.environ.get(WEBHOOK_SECRET, "").strip() or (DEV_WEBHOOK_SECRET if args.dev_tokens else "")
    if not secret:
        raise UserError(f"the webhook secret is not set: put it in {WEBHOOK_SECRET}")
    bakong = http_client(open_api_url(args), token(args, OPEN_API_TOKEN, "the Open API developer token"))
    bank = SimulatorBank(args.bakong_url, token(args, BANK_TOKEN, "the bank-payment token"))
    sandbox = (
        (args.bakong_url.rstrip("/"), token(args, ADMIN_TOKEN, "the simulator admin token"))
        if args.sandbox
        else None
    )
    settlement, merchant = None, args.merchant or "sandbox-merchant"
    if args.relayer_url or args.quote_url:
        if not (args.relayer_url and args.quote_url):
            raise UserError("settling needs both --relayer-url and --quote-url")
        w3, book, _ = open_chain(args)
        merchant = resolve_merchant(args.merchant, book)
        settlement = ChainSettlement(w3, book, args.quote_url, args.relayer_url, merchant)
    service = Checkout(
        Store(args.db),
        bakong,
        bank,
        omnibus,
        rates,
        merchant,
        args.settle_margin,
        secret,
        sandbox,
        settlement,
    )
    server = serve(service.app, args.host, args.port)
    log(SERVICE, f"listening on {url_of(server)} (invoices in {args.db}; Bakong {args.bakong_url})")
    return run_until_signal(server, lambda stop: service.loop(stop, args.interval))


if __name__ == "__main__":
    sys.exit(main())
