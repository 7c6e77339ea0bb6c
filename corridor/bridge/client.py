"""One Bakong client over two transports: the Open API over HTTP, and the ledger simulator in-process.

Bakong's Open API (https://api-bakong.nbc.gov.kh/v1) only verifies payments: POST
`check_transaction_by_md5 {"md5"}`, `check_transaction_by_hash {"hash"}`, `check_bakong_account
{"accountId"}`, each answering `{"responseCode": 0|1, "responseMessage", "errorCode", "data"}`; and, for
volume, `check_transaction_by_md5_list` / `check_transaction_by_hash_list` whose body is a JSON array of
up to 50 MD5s / hashes and whose `data` is one item per entry, `{"md5"|"hash", "status": "SUCCESS" |
"NOT_FOUND", "message", "data": transaction}` (a batch of 64 deposits is 2 requests, not 64).
A transport turns (endpoint, payload) into that response dict; `BakongClient` turns responses into
typed values. Amounts arrive as JSON numbers (dollars / riel): they are parsed as `Decimal`, never
`float`, and converted to integer minor units exactly or refused.

The omnibus balance is not part of the Open API (a bank statement gives it in production); the
simulator answers a `ledger/balance` endpoint so validators can attest reserves in tests and the demo.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from urllib import error as urlerror
from urllib import request as urlrequest

from corridor.bridge.khqr import Currency, KHQRError
from corridor.bridge.ledger import Ledger, Transfer
from corridor.codes import CodeError

CHECK_BY_MD5 = "check_transaction_by_md5"
CHECK_BY_HASH = "check_transaction_by_hash"
CHECK_ACCOUNT = "check_bakong_account"
CHECK_BY_MD5_LIST = "check_transaction_by_md5_list"
CHECK_BY_HASH_LIST = "check_transaction_by_hash_list"
MAX_LIST = 50  # the Open API answers at most 50 MD5s or hashes per list request
LEDGER_BALANCE = "ledger/balance"

# errorCode values of the Open API.
ERR_NOT_FOUND = 1
ERR_FAILED = 3
ERR_MISSING_FIELDS = 5
ERR_UNAUTHORIZED = 6
ERR_ACCOUNT_NOT_FOUND = 11
ERR_ACCOUNT_INVALID = 12

Response = dict[str, Any]


class BakongApiError(Exception):
    """The API refused the request or answered something this client cannot trust."""


class BakongUnavailable(BakongApiError):
    """Bakong cannot be reached or failed on its side (connection refused, timeout, HTTP 5xx, a body
    that is not the API's): an outage to wait out and retry, not an answer about the request."""


class Transport(Protocol):
    def __call__(self, endpoint: str, payload: Any) -> Response: ...


@dataclass(frozen=True)
class BakongTransaction:
    """A settled Bakong transaction as the Open API reports it, money in integer minor units."""

    hash: str
    from_account_id: str | None
    to_account_id: str
    currency: Currency
    amount: int
    description: str | None
    created_ms: int
    acknowledged_ms: int | None
    external_ref: str | None


def to_minor_units(amount: Any, currency: Currency) -> int:
    """Exact conversion of an API amount (Decimal/int/str, never float) to cents or riel (the registry's
    `CurrencyCode.to_minor`)."""
    if isinstance(amount, float | bool) or amount is None:
        raise BakongApiError(f"amount {amount!r} must be parsed as Decimal, not {type(amount).__name__}")
    try:
        value = currency.row.to_minor(amount)
    except CodeError as exc:
        raise BakongApiError(str(exc)) from exc
    if value <= 0:
        raise BakongApiError(f"amount {amount} is not a positive whole number of {currency.name} minor units")
    return value


def from_minor_units(amount: int, currency: Currency) -> Decimal:
    return currency.row.to_major(amount)


def parse_transaction(data: dict[str, Any]) -> BakongTransaction:
    """The `data` object of a successful check_transaction_* response."""
    try:
        currency = Currency.parse(data["currency"])
        tx_hash = str(data["hash"]).lower()
        if len(tx_hash) != 64 or any(c not in "0123456789abcdef" for c in tx_hash):
            raise BakongApiError(f"transaction hash {data['hash']!r} is not 32 bytes of hex")
        return BakongTransaction(
            hash=tx_hash,
            from_account_id=data.get("fromAccountId"),
            to_account_id=str(data["toAccountId"]),
            currency=currency,
            amount=to_minor_units(data["amount"], currency),
            description=data.get("description"),
            created_ms=int(data["createdDateMs"]),
            acknowledged_ms=int(data["acknowledgedDateMs"])
            if data.get("acknowledgedDateMs") is not None
            else None,
            external_ref=data.get("externalRef"),
        )
    except (KeyError, TypeError, ValueError, KHQRError) as exc:
        raise BakongApiError(f"malformed transaction data: {exc!r}") from exc


class BakongClient:
    """The Bakong interface every service uses, whatever the transport."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _call(self, endpoint: str, payload: Any) -> Response:
        response = self._transport(endpoint, payload)
        if not isinstance(response, dict) or "responseCode" not in response:
            raise BakongApiError(f"{endpoint}: response is not an Open API envelope: {response!r}")
        if response.get("errorCode") == ERR_UNAUTHORIZED:
            raise BakongApiError(f"{endpoint}: unauthorized ({response.get('responseMessage')})")
        return response

    def _transaction(self, endpoint: str, payload: dict[str, Any]) -> BakongTransaction | None:
        response = self._call(endpoint, payload)
        if response["responseCode"] == 0 and isinstance(response.get("data"), dict):
            return parse_transaction(response["data"])
        if response.get("errorCode") in (ERR_NOT_FOUND, ERR_FAILED):
            return None
        raise BakongApiError(
            f"{endpoint}: {response.get('responseMessage')} (errorCode {response.get('errorCode')})"
        )

    def transaction_by_md5(self, khqr_md5: str) -> BakongTransaction | None:
        """The settled payment of the KHQR whose MD5 is given, or None if unpaid/failed/unknown."""
        return self._transaction(CHECK_BY_MD5, {"md5": khqr_md5.lower()})

    def transaction_by_hash(self, tx_hash: str) -> BakongTransaction | None:
        """The settled transaction with that full hash, or None."""
        return self._transaction(CHECK_BY_HASH, {"hash": tx_hash.lower()})

    def transactions_by_md5_list(self, khqr_md5s: Sequence[str]) -> dict[str, BakongTransaction | None]:
        """The settled payment of each KHQR MD5 (None when unpaid/failed/unknown), asked `MAX_LIST` at a time."""
        return self._list(CHECK_BY_MD5_LIST, "md5", khqr_md5s)

    def transactions_by_hash_list(self, tx_hashes: Sequence[str]) -> dict[str, BakongTransaction | None]:
        """The settled transaction of each full hash (None when unknown), asked `MAX_LIST` at a time."""
        return self._list(CHECK_BY_HASH_LIST, "hash", tx_hashes)

    def _list(self, endpoint: str, key: str, values: Sequence[str]) -> dict[str, BakongTransaction | None]:
        wanted = list(dict.fromkeys(v.lower() for v in values))
        found: dict[str, BakongTransaction | None] = {}
        for start in range(0, len(wanted), MAX_LIST):
            chunk = wanted[start : start + MAX_LIST]
            response = self._call(endpoint, chunk)
            items = response.get("data")
            if response["responseCode"] != 0 or not isinstance(items, list):
                raise BakongApiError(
                    f"{endpoint}: {response.get('responseMessage')} (errorCode {response.get('errorCode')})"
                )
            for item in items:
                if not isinstance(item, dict) or str(item.get(key, "")).lower() not in chunk:
                    raise BakongApiError(f"{endpoint}: an answer for something not asked: {item!r}")
                paid = item.get("status") == "SUCCESS" and isinstance(item.get("data"), dict)
                found[str(item[key]).lower()] = parse_transaction(item["data"]) if paid else None
            missing = [v for v in chunk if v not in found]
            if missing:
                raise BakongApiError(f"{endpoint}: no answer for {', '.join(missing)}")
        return found

    def account_exists(self, account_id: str) -> bool:
        """Whether Bakong knows the account (False for unknown or invalid ids)."""
        response = self._call(CHECK_ACCOUNT, {"accountId": account_id})
        if response["responseCode"] == 0:
            return True
        if response.get("errorCode") in (ERR_ACCOUNT_NOT_FOUND, ERR_ACCOUNT_INVALID):
            return False
        raise BakongApiError(
            f"{CHECK_ACCOUNT}: {response.get('responseMessage')} (errorCode {response.get('errorCode')})"
        )

    def balance(self, account_id: str, currency: Currency) -> int:
        """Balance of an account the caller holds, in minor units (simulator extension, see module doc)."""
        response = self._call(LEDGER_BALANCE, {"accountId": account_id, "currency": currency.name})
        if response["responseCode"] != 0 or not isinstance(response.get("data"), dict):
            raise BakongApiError(f"{LEDGER_BALANCE}: {response.get('responseMessage')}")
        amount = response["data"]["balance"]
        if isinstance(amount, float | bool) or not isinstance(amount, int | Decimal | str):
            raise BakongApiError(f"balance {amount!r} must be an exact number")
        try:
            value = currency.row.to_minor(amount)
        except CodeError as exc:
            raise BakongApiError(f"balance {amount} is not a whole number of minor units") from exc
        if value < 0:
            raise BakongApiError(f"balance {amount} is not a whole number of minor units")
        return value


# ------------------------------------------------------------------ transports


def _ok(message: str, data: Any) -> Response:
    return {"responseCode": 0, "responseMessage": message, "errorCode": None, "data": data}


def _fail(message: str, code: int) -> Response:
    return {"responseCode": 1, "responseMessage": message, "errorCode": code, "data": None}


def transaction_data(t: Transfer) -> dict[str, Any]:
    """A simulator transfer in the Open API's `data` shape (amount in major units, as Decimal)."""
    return {
        "hash": t.hash,
        "fromAccountId": t.from_account,
        "toAccountId": t.to_account,
        "currency": t.currency.name,
        "amount": from_minor_units(t.amount, t.currency),
        "description": t.description,
        "createdDateMs": t.created_ms,
        "acknowledgedDateMs": t.created_ms,
        "externalRef": t.client_ref,
    }


class SimulatorTransport:
    """Answers Open API requests from a `Ledger`, with the real API's envelopes and error codes."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def __call__(self, endpoint: str, payload: Any) -> Response:
        if endpoint in (CHECK_BY_MD5_LIST, CHECK_BY_HASH_LIST):
            return self._list(endpoint, payload)
        if not isinstance(payload, dict):
            return _fail("Missing required fields.", ERR_MISSING_FIELDS)
        if endpoint in (CHECK_BY_MD5, CHECK_BY_HASH):
            key = payload.get("md5" if endpoint == CHECK_BY_MD5 else "hash")
            if not isinstance(key, str) or not key:
                return _fail("Missing required fields.", ERR_MISSING_FIELDS)
            found = self.ledger.by_md5(key) if endpoint == CHECK_BY_MD5 else self.ledger.by_hash(key)
            if found is None:
                return _fail("Transaction could not be found. Please check and try again.", ERR_NOT_FOUND)
            return _ok("Getting transaction successfully.", transaction_data(found))
        if endpoint == CHECK_ACCOUNT:
            account = payload.get("accountId")
            if not isinstance(account, str) or not account:
                return _fail("Missing required fields.", ERR_MISSING_FIELDS)
            if self.ledger.account_exists(account):
                return _ok("Account ID exists", None)
            return _fail("Account ID not found", ERR_ACCOUNT_NOT_FOUND)
        if endpoint == LEDGER_BALANCE:
            account, currency = payload.get("accountId"), payload.get("currency")
            if not self.ledger.account_exists(str(account)):
                return _fail("Account ID not found", ERR_ACCOUNT_NOT_FOUND)
            cur = Currency.parse(str(currency))
            return _ok("Balance", {"balance": from_minor_units(self.ledger.balance(str(account), cur), cur)})
        return _fail(f"unknown endpoint {endpoint}", ERR_MISSING_FIELDS)

    def _list(self, endpoint: str, payload: Any) -> Response:
        """A list request: one item per MD5 / hash, in the order asked (`list_problem` refuses bad bodies)."""
        problem = list_problem(endpoint, payload)
        if problem is not None:
            return _fail(problem, ERR_MISSING_FIELDS)
        key = "md5" if endpoint == CHECK_BY_MD5_LIST else "hash"
        lookup = self.ledger.by_md5 if endpoint == CHECK_BY_MD5_LIST else self.ledger.by_hash
        items = []
        for value in payload:
            found = lookup(value.lower())
            items.append(
                {
                    key: value,
                    "status": "SUCCESS",
                    "message": "Getting transaction successfully.",
                    "data": transaction_data(found),
                }
                if found is not None
                else {
                    key: value,
                    "status": "NOT_FOUND",
                    "message": "Transaction could not be found.",
                    "data": None,
                }
            )
        return _ok("Getting transaction successfully.", items)


def list_problem(endpoint: str, payload: Any) -> str | None:
    """Why `payload` is not a well-formed body of a list endpoint (None when it is): a JSON array of 1 to
    `MAX_LIST` MD5s (32 hex digits) or full hashes (64)."""
    length = 32 if endpoint == CHECK_BY_MD5_LIST else 64
    what = "MD5" if endpoint == CHECK_BY_MD5_LIST else "hash"
    if not isinstance(payload, list) or not payload:
        return f"the body must be a non-empty JSON array of {what}s"
    if len(payload) > MAX_LIST:
        return f"at most {MAX_LIST} {what}s per request, got {len(payload)}"
    for i, value in enumerate(payload):
        if (
            not isinstance(value, str)
            or len(value) != length
            or any(c not in "0123456789abcdefABCDEF" for c in value)
        ):
            return f"entry {i} must be a {what} of {length} hex digits, got {str(value)[:80]!r}"
    return None


Send = Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]


def urllib_send(url: str, body: bytes, headers: dict[str, str], timeout: float = 12.0) -> tuple[int, bytes]:
    """POSTs with the standard library; returns (status, body) for any HTTP status."""
    req = urlrequest.Request(url, data=body, headers=headers, method="POST")
    try:
        with urlrequest.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (https URL from config)
            return resp.status, resp.read()
    except urlerror.HTTPError as exc:
        return exc.code, exc.read()


class HttpTransport:
    """The Open API over HTTPS with a bearer token; `send` is injectable (tests replay recorded bodies)."""

    def __init__(self, base_url: str, token: str, send: Send = urllib_send) -> None:
        if not token:
            raise BakongApiError("the Open API needs a developer token")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._send = send

    def __call__(self, endpoint: str, payload: Any) -> Response:
        headers = {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"}
        try:
            status, body = self._send(f"{self.base_url}/{endpoint}", json.dumps(payload).encode(), headers)
        except OSError as exc:
            raise BakongUnavailable(f"{endpoint}: cannot reach Bakong: {exc}") from exc
        failure = BakongUnavailable if status >= 500 else BakongApiError
        try:
            response = json.loads(body.decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise failure(f"{endpoint}: HTTP {status} with a body that is not JSON") from exc
        if isinstance(response, dict) and "responseCode" in response:
            return response  # the API reports its own errors (not found, unauthorized) in the envelope
        raise failure(f"{endpoint}: HTTP {status}: {response!r}")


def simulator_client(ledger: Ledger) -> BakongClient:
    return BakongClient(SimulatorTransport(ledger))


def http_client(base_url: str, token: str, send: Send = urllib_send) -> BakongClient:
    return BakongClient(HttpTransport(base_url, token, send))
