"""The Bakong simulator as an HTTP server: the Open API's shape plus the simulator's own endpoints.

State is the ledger simulator's SQLite file (corridor.bridge.ledger, wrapped, not changed) plus one
table of developer tokens in the same file, so a restart resumes on the same books.

Open API (https://api-bakong.nbc.gov.kh/v1 shape; `Authorization: Bearer <developer token>`; answers
the Open API envelope `{"responseCode", "responseMessage", "errorCode", "data"}`, amounts as JSON
numbers in major units):

    POST /v1/renew_token                {"email"}       -> data.token (registered developers only)
    POST /v1/check_transaction_by_md5   {"md5"}
    POST /v1/check_transaction_by_hash  {"hash"}
    POST /v1/check_bakong_account       {"accountId"}
    POST /v1/check_transaction_by_md5_list   ["<md5>", …]   (1..50 MD5s; data: one item per MD5,
    POST /v1/check_transaction_by_hash_list  ["<hash>", …]  {"md5"|"hash", "status", "message", "data"})
    POST /v1/ledger/balance             {"accountId", "currency"}   (simulator extension: a bank
                                        statement gives the omnibus balance in production)

Bank payments (what a bank's payment API does for the bridge's omnibus account; `Bearer <bank token>`;
amounts in integer minor units, riel / cents):

    POST /bank/payout         {"toAccount", "currency", "amount", "reference"}  -> transaction (idempotent
                              by reference: a retry returns the first payout; another payout under the
                              same reference is 409)
    POST /bank/payout_status  {"reference"}  -> transaction, or 404

Simulator control (`Bearer <admin token>`; minor units): a wallet paying a KHQR, a transfer, funding:

    POST /admin/open_account         {"accountId", "name"?}
    POST /admin/cash_in              {"accountId", "currency", "amount", "reference"?}
    POST /admin/register_developer   {"email"}
    POST /sim/pay_khqr               {"payer", "khqr"}
    POST /sim/transfer               {"from", "to", "currency", "amount", "reference"?, "description"?}
    POST /sim/balance                {"accountId", "currency"}   -> {"balance": minor units}
    POST /sim/transfers              {"accountId"?, "afterSeq"?}  -> {"transfers": [...]}

Every refusal is a 4xx with a reason and changes nothing (the ledger refuses inside one SQLite
transaction). Tokens come from the environment variables BAKONG_TOKEN, BAKONG_BANK_TOKEN and
BAKONG_ADMIN_TOKEN, never from the command line (`--dev-tokens`: development values for unset ones).
"""

from __future__ import annotations

import argparse
import secrets
import sqlite3
import sys
import threading
from collections.abc import Sequence
from typing import Any

from corridor.bridge import client as openapi
from corridor.bridge.khqr import Currency, InvalidAccountId, KHQRError, validate_account_id
from corridor.bridge.ledger import (
    AlreadyPaid,
    ConflictingReference,
    DuplicateAccount,
    ExpiredKHQR,
    InsufficientFunds,
    Ledger,
    LedgerError,
    Transfer,
    UnknownAccount,
)
from corridor.services.bakong_config import (
    ADMIN_TOKEN,
    BANK_TOKEN,
    OPEN_API_TOKEN,
    add_bakong_arguments,
    token,
)
from corridor.services.http import (
    HttpError,
    JsonApp,
    Reply,
    Request,
    add_server_arguments,
    bearer,
    log,
    run_until_signal,
    serve,
    url_of,
)
from corridor.ui import UserError

SERVICE = "bakong-server"
DEFAULT_PORT = 8600
DEFAULT_OMNIBUS = "corridor@abab"
MAX_BODY = 16 * 1024  # the largest request (a KHQR, or a list of 50 hashes: 3.4 KB) is well under it

_TOKENS_SCHEMA = "CREATE TABLE IF NOT EXISTS api_developers (email TEXT PRIMARY KEY, token TEXT UNIQUE)"

OPEN_API = {
    "check_transaction_by_md5": openapi.CHECK_BY_MD5,
    "check_transaction_by_hash": openapi.CHECK_BY_HASH,
    "check_bakong_account": openapi.CHECK_ACCOUNT,
    "ledger/balance": openapi.LEDGER_BALANCE,
}
LIST_API = (openapi.CHECK_BY_MD5_LIST, openapi.CHECK_BY_HASH_LIST)  # the body is a JSON array

# HTTP status of each ledger refusal (all leave the ledger unchanged).
_LEDGER_STATUS: tuple[tuple[type[LedgerError], int], ...] = (
    (UnknownAccount, 404),
    (DuplicateAccount, 409),
    (InsufficientFunds, 409),
    (AlreadyPaid, 409),
    (ConflictingReference, 409),
    (ExpiredKHQR, 410),
)


class Developers:
    """Registered Open API developers and their current tokens (a table next to the ledger's)."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute(_TOKENS_SCHEMA)
        self._lock = threading.Lock()

    def register(self, email: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO api_developers (email) VALUES (?)", (email,))

    def renew(self, email: str) -> str | None:
        """A fresh token for a registered developer (the previous one stops working); None otherwise."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            cur = self._db.execute("UPDATE api_developers SET token = ? WHERE email = ?", (token, email))
        return token if cur.rowcount == 1 else None

    def valid(self, token: str) -> bool:
        row = self._db.execute("SELECT 1 FROM api_developers WHERE token = ?", (token,)).fetchone()
        return row is not None


def _envelope_error(status: int, message: str, code: int) -> Reply:
    return Reply(status, {**openapi._fail(message, code), "error": message})


def _currency(req: Request, name: str = "currency") -> Currency:
    value = req.value(name, (str, int))
    try:
        return Currency.parse(value)
    except (KHQRError, ValueError) as exc:
        raise HttpError(400, f"field {name!r}: {exc}") from exc


def _account(req: Request, name: str, required: bool = True) -> str | None:
    value = req.value(name, str, required)
    if value is None:
        return None
    try:
        return validate_account_id(value)
    except InvalidAccountId as exc:
        raise HttpError(400, f"field {name!r}: {exc}") from exc


def _amount(req: Request) -> int:
    value = req.value("amount", int)
    if value <= 0:
        raise HttpError(400, f"field 'amount' must be a positive whole number of minor units, got {value}")
    return value


def _optional_text(req: Request, name: str, limit: int = 128) -> str | None:
    value = req.value(name, str, required=False)
    if value is not None and not 0 < len(value) <= limit:
        raise HttpError(400, f"field {name!r} must be 1..{limit} characters")
    return value


def transfer_json(t: Transfer) -> dict[str, Any]:
    """A simulator transfer with its amount in minor units (the simulator endpoints' unit)."""
    return {
        "seq": t.seq,
        "hash": t.hash,
        "fromAccountId": t.from_account,
        "toAccountId": t.to_account,
        "currency": t.currency.name,
        "amount": t.amount,
        "md5": t.md5,
        "reference": t.client_ref,
        "description": t.description,
        "createdDateMs": t.created_ms,
    }


class BakongServer:
    """The routes over one ledger. `token`, `bank_token`, `admin_token`: the accepted static secrets."""

    def __init__(
        self,
        ledger: Ledger,
        developers: Developers,
        token: str,
        bank_token: str,
        admin_token: str,
        omnibus: str,
    ) -> None:
        self.ledger = ledger
        self.developers = developers
        self._token, self._bank_token, self._admin_token = token, bank_token, admin_token
        self.omnibus = omnibus
        self._transport = openapi.SimulatorTransport(ledger)
        self.app = JsonApp(SERVICE, max_body=MAX_BODY)
        self.app.health.set(omnibus=omnibus)
        self.app.route("POST", "/v1/renew_token", self.renew_token)
        for path, endpoint in OPEN_API.items():
            self.app.route("POST", f"/v1/{path}", lambda req, e=endpoint: self.open_api(e, req))
        for path in LIST_API:
            self.app.route(
                "POST", f"/v1/{path}", lambda req, e=path: self.open_api_list(e, req), array_body=True
            )
        routes = {
            "/bank/payout": (self._bank, self.payout),
            "/bank/payout_status": (self._bank, self.payout_status),
            "/admin/open_account": (self._admin, self.open_account),
            "/admin/cash_in": (self._admin, self.cash_in),
            "/admin/register_developer": (self._admin, self.register_developer),
            "/sim/pay_khqr": (self._admin, self.pay_khqr),
            "/sim/transfer": (self._admin, self.transfer),
            "/sim/balance": (self._admin, self.balance),
            "/sim/transfers": (self._admin, self.transfers),
        }
        for path, (guard, handler) in routes.items():
            self.app.route("POST", path, lambda req, g=guard, h=handler: self._guarded(req, g, h))

    # ------------------------------------------------------------ guards

    def _bank(self, req: Request) -> None:
        if not secrets.compare_digest(bearer(req) or "", self._bank_token):
            raise HttpError(401, "bank payments need the bank token (Authorization: Bearer …)")

    def _admin(self, req: Request) -> None:
        if not secrets.compare_digest(bearer(req) or "", self._admin_token):
            raise HttpError(401, "simulator control needs the admin token (Authorization: Bearer …)")

    def _guarded(self, req: Request, guard: Any, handler: Any) -> Any:
        guard(req)
        try:
            return handler(req)
        except LedgerError as exc:
            status = next((s for kind, s in _LEDGER_STATUS if isinstance(exc, kind)), 400)
            name = type(exc).__name__
            raise HttpError(status, f"{name}: {exc}" if name != "LedgerError" else str(exc)) from exc

    def _developer(self, req: Request) -> bool:
        token = bearer(req) or ""
        return secrets.compare_digest(token, self._token) or self.developers.valid(token)

    # ----------------------------------------------------------- Open API

    def renew_token(self, req: Request) -> Any:
        email = req.body.get("email")
        if not isinstance(email, str) or "@" not in email or len(email) > 254:
            return _envelope_error(400, "Missing required fields.", openapi.ERR_MISSING_FIELDS)
        token = self.developers.renew(email)
        if token is None:
            return _envelope_error(401, "Not registered.", openapi.ERR_UNAUTHORIZED)
        return openapi._ok("Token has been issued", {"token": token})

    def open_api(self, endpoint: str, req: Request) -> Any:
        if not self._developer(req):
            return _envelope_error(
                401, "Unauthorized, not yet requested for token or code invalid", openapi.ERR_UNAUTHORIZED
            )
        problem = self._open_api_fields(endpoint, req.body)
        if problem is not None:
            return _envelope_error(400, problem, openapi.ERR_MISSING_FIELDS)
        return self._transport(endpoint, req.body)

    def open_api_list(self, endpoint: str, req: Request) -> Any:
        """A list endpoint: the body is a JSON array of 1..50 MD5s or hashes; anything else is a 400 that
        says what is wrong (in the Open API envelope)."""
        if not self._developer(req):
            return _envelope_error(
                401, "Unauthorized, not yet requested for token or code invalid", openapi.ERR_UNAUTHORIZED
            )
        problem = openapi.list_problem(endpoint, req.items)
        if problem is not None:
            return _envelope_error(400, problem, openapi.ERR_MISSING_FIELDS)
        return self._transport(endpoint, req.items)

    @staticmethod
    def _open_api_fields(endpoint: str, body: dict[str, Any]) -> str | None:
        """Why `body` is not a well-formed request of `endpoint` (None when it is)."""
        needed = {
            openapi.CHECK_BY_MD5: (("md5", 32),),
            openapi.CHECK_BY_HASH: (("hash", 64),),
            openapi.CHECK_ACCOUNT: (("accountId", 0),),
            openapi.LEDGER_BALANCE: (("accountId", 0), ("currency", 0)),
        }[endpoint]
        for name, hex_length in needed:
            value = body.get(name)
            if not isinstance(value, str) or not value:
                return f"Missing required fields: {name} must be a non-empty string"
            if hex_length and (
                len(value) != hex_length or any(c not in "0123456789abcdefABCDEF" for c in value)
            ):
                return f"{name} must be {hex_length} hex digits"
        if endpoint == openapi.LEDGER_BALANCE:
            try:
                Currency.parse(body["currency"])
            except KHQRError as exc:
                return str(exc)
        return None

    # ------------------------------------------------------ bank payments

    def payout(self, req: Request) -> Any:
        to = _account(req, "toAccount")
        currency, amount = _currency(req), _amount(req)
        reference = req.value("reference", str)
        if not 0 < len(reference) <= 128:
            raise HttpError(400, "field 'reference' must be 1..128 characters")
        t = self.ledger.transfer(
            self.omnibus, to, currency, amount, client_ref=reference, description=reference
        )
        log(SERVICE, f"payout {reference}: {amount} {currency.name} minor units to {to} ({t.hash[:12]}…)")
        return transfer_json(t)

    def payout_status(self, req: Request) -> Any:
        reference = req.value("reference", str)
        t = self.ledger.by_client_ref(reference)
        if t is None or t.from_account != self.omnibus:
            raise HttpError(404, f"no payout under reference {reference!r}")
        return transfer_json(t)

    # --------------------------------------------------- simulator control

    def open_account(self, req: Request) -> Any:
        account = _account(req, "accountId")
        assert account is not None
        self.ledger.open_account(account, _optional_text(req, "name"))
        return {"accountId": account}

    def cash_in(self, req: Request) -> Any:
        account = _account(req, "accountId")
        assert account is not None
        return transfer_json(
            self.ledger.cash_in(account, _currency(req), _amount(req), _optional_text(req, "reference"))
        )

    def register_developer(self, req: Request) -> Any:
        email = req.value("email", str)
        if "@" not in email or len(email) > 254:
            raise HttpError(400, "field 'email' must be an e-mail address")
        self.developers.register(email)
        return {"email": email}

    def pay_khqr(self, req: Request) -> Any:
        payer = _account(req, "payer")
        khqr = req.value("khqr", str)
        assert payer is not None
        return transfer_json(self.ledger.pay_khqr(payer, khqr))

    def transfer(self, req: Request) -> Any:
        src, dst = _account(req, "from"), _account(req, "to")
        assert src is not None and dst is not None
        t = self.ledger.transfer(
            src,
            dst,
            _currency(req),
            _amount(req),
            client_ref=_optional_text(req, "reference"),
            description=_optional_text(req, "description"),
        )
        return transfer_json(t)

    def balance(self, req: Request) -> Any:
        account = _account(req, "accountId")
        assert account is not None
        return {"accountId": account, "balance": self.ledger.balance(account, _currency(req))}

    def transfers(self, req: Request) -> Any:
        account = _account(req, "accountId", required=False)
        after = req.value("afterSeq", int, required=False) or 0
        if after < 0:
            raise HttpError(400, "field 'afterSeq' must not be negative")
        return {"transfers": [transfer_json(t) for t in self.ledger.transfers(account, after)]}


# ------------------------------------------------------------------ process


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="corridor bakong-server",
        description="Serve the Bakong simulator over HTTP: the Open API (check transactions, accounts), "
        "bank payouts from the omnibus account, and the simulator's admin. State persists in --db; tokens "
        "in BAKONG_TOKEN (Open API), BAKONG_BANK_TOKEN (payouts), BAKONG_ADMIN_TOKEN (admin).",
    )
    p.add_argument("--db", required=True, help="SQLite file of the simulated ledger (created if missing)")
    p.add_argument(
        "--omnibus",
        default=DEFAULT_OMNIBUS,
        help=f"the bridge's omnibus account, opened if missing; bank payouts debit it (default {DEFAULT_OMNIBUS})",
    )
    add_bakong_arguments(p, client=False)
    add_server_arguments(p, DEFAULT_PORT)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        tokens = (
            token(args, OPEN_API_TOKEN, "the Open API developer token"),
            token(args, BANK_TOKEN, "the bank-payment token"),
            token(args, ADMIN_TOKEN, "the simulator's admin token"),
        )
        validate_account_id(args.omnibus)
        ledger = Ledger(args.db)
    except (UserError, KHQRError, sqlite3.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not ledger.account_exists(args.omnibus):
        ledger.open_account(args.omnibus, "Corridor bridge omnibus")
    server = BakongServer(ledger, Developers(args.db), *tokens, args.omnibus)
    try:
        http = serve(server.app, args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    log(SERVICE, f"serving {url_of(http)} (ledger {args.db}, omnibus {args.omnibus})")
    run_until_signal(http)
    ledger.close()
    log(SERVICE, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
