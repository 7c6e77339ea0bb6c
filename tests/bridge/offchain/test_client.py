"""The Bakong client: the same interface over the simulator and over recorded Open API responses."""

import json
from pathlib import Path

import pytest

from corridor.bridge.client import (
    BakongApiError,
    BakongClient,
    HttpTransport,
    http_client,
    to_minor_units,
)
from corridor.bridge.khqr import KHQR, Currency, md5

from .bridge_model import CUSTOMER, OMNIBUS

RECORDED = Path(__file__).parent / "fixtures" / "openapi"
BASE = "https://api-bakong.nbc.gov.kh/v1"


class Replay:
    """An injected `send` that answers from one recorded response and remembers the requests."""

    def __init__(self, name: str) -> None:
        self.recorded = json.loads((RECORDED / f"{name}.json").read_text())
        self.requests: list[tuple[str, dict, dict]] = []

    def __call__(self, url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        self.requests.append((url, json.loads(body), headers))
        raw = self.recorded.get("raw")
        return self.recorded["status"], (
            raw if raw is not None else json.dumps(self.recorded["body"])
        ).encode()


def replayed(name: str) -> tuple[BakongClient, Replay]:
    send = Replay(name)
    return http_client(BASE, "test-token", send), send


# ------------------------------------------------------------ HTTP (recorded)


def test_http_check_by_md5_posts_md5_with_bearer_token():
    client, send = replayed("check_transaction_by_md5.success")
    client.transaction_by_md5("D2B1FE2D3C6EFA5A7A0F0C1A2B3C4D5E")
    url, body, headers = send.requests[0]
    assert url == f"{BASE}/check_transaction_by_md5"
    assert body == {"md5": "d2b1fe2d3c6efa5a7a0f0c1a2b3c4d5e"}
    assert headers["Authorization"] == "Bearer test-token"


def test_http_usd_amount_becomes_exact_cents():
    client, _ = replayed("check_transaction_by_md5.success")
    tx = client.transaction_by_md5("00" * 16)
    assert (tx.currency, tx.amount) == (Currency.USD, 12_34)
    assert (tx.from_account_id, tx.to_account_id) == ("sokha@wing", "bridge@nbcq")
    assert tx.hash == "8465d722d7d5065f2886b0c4e2a5c9ee6f0fef0b9fbec6ac0dfbf7a7ed0b1d5a"
    assert tx.acknowledged_ms == 1763769601456


def test_http_khr_amount_with_decimal_point_becomes_whole_riel():
    client, _ = replayed("check_transaction_by_md5.khr")
    assert client.transaction_by_md5("00" * 16).amount == 40_000


def test_http_fractional_riel_is_refused():
    client, _ = replayed("check_transaction_by_md5.fractional_riel")
    with pytest.raises(BakongApiError, match="whole number"):
        client.transaction_by_md5("00" * 16)


def test_http_not_found_is_none():
    client, _ = replayed("check_transaction_by_md5.not_found")
    assert client.transaction_by_md5("00" * 16) is None


def test_http_failed_transaction_is_none():
    client, _ = replayed("check_transaction_by_md5.failed")
    assert client.transaction_by_hash("00" * 32) is None


def test_http_unauthorized_raises():
    client, _ = replayed("unauthorized")
    with pytest.raises(BakongApiError, match="unauthorized"):
        client.transaction_by_md5("00" * 16)


def test_http_non_json_error_page_raises():
    client, _ = replayed("forbidden_outside_cambodia")
    with pytest.raises(BakongApiError, match="HTTP 403"):
        client.transaction_by_md5("00" * 16)


def test_http_account_exists():
    client, send = replayed("check_bakong_account.exists")
    assert client.account_exists("sokha@wing") is True
    assert send.requests[0][1] == {"accountId": "sokha@wing"}


def test_http_unknown_account_does_not_exist():
    client, _ = replayed("check_bakong_account.not_found")
    assert client.account_exists("ghost@nowhere") is False


def test_http_unreachable_host_raises():
    def down(url, body, headers):
        raise ConnectionRefusedError("connection refused")

    with pytest.raises(BakongApiError, match="cannot reach"):
        http_client(BASE, "t", down).transaction_by_md5("00" * 16)


def test_http_transport_needs_a_token():
    with pytest.raises(BakongApiError, match="token"):
        HttpTransport(BASE, "")


def test_float_amount_is_refused():
    with pytest.raises(BakongApiError, match="Decimal"):
        to_minor_units(12.34, Currency.USD)


# ------------------------------------------------------------ simulator


@pytest.fixture
def paid(ledger):
    khqr = KHQR(OMNIBUS, "Bridge", Currency.USD, 12_34, bill_number="BR-1", created_ms=1).encode()
    return khqr, ledger.pay_khqr(CUSTOMER, khqr)


def test_simulator_finds_payment_by_md5(bakong, paid):
    khqr, transfer = paid
    tx = bakong.transaction_by_md5(md5(khqr))
    assert (tx.hash, tx.amount, tx.currency, tx.to_account_id) == (
        transfer.hash,
        12_34,
        Currency.USD,
        OMNIBUS,
    )


def test_simulator_finds_payment_by_hash(bakong, paid):
    khqr, transfer = paid
    assert bakong.transaction_by_hash(transfer.hash) == bakong.transaction_by_md5(md5(khqr))


def test_simulator_unknown_md5_is_none(bakong):
    assert bakong.transaction_by_md5("ab" * 16) is None


def test_simulator_account_existence(bakong):
    assert bakong.account_exists(CUSTOMER) and not bakong.account_exists("ghost@nowhere")


def test_simulator_balance_in_minor_units(bakong, paid):
    assert bakong.balance(OMNIBUS, Currency.USD) == 12_34


def test_simulator_and_http_parse_the_same_envelope(bakong, paid, ledger):
    """The simulator's responses survive the HTTP path (JSON numbers, Decimal parsing) unchanged."""
    from corridor.bridge.client import SimulatorTransport

    khqr, _ = paid
    sim = SimulatorTransport(ledger)

    def send(url, body, headers):
        response = sim(url.rsplit("/", 1)[1], json.loads(body))
        return 200, json.dumps(response, default=str).replace('"12.34"', "12.34").encode()

    assert http_client(BASE, "t", send).transaction_by_md5(md5(khqr)) == bakong.transaction_by_md5(md5(khqr))


# ------------------------------------------------------------ urllib over loopback


@pytest.fixture
def loopback():
    """A local HTTP server that answers every POST with one recorded response (no outside network)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    served = {"name": "check_transaction_by_md5.success", "seen": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server API)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            served["seen"].append((self.path, self.headers["Authorization"], json.loads(body)))
            recorded = json.loads((RECORDED / f"{served['name']}.json").read_text())
            raw = recorded.get("raw") or json.dumps(recorded["body"])
            self.send_response(recorded["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(raw.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", served
    server.shutdown()
    server.server_close()


def test_urllib_transport_posts_and_parses(loopback):
    base, served = loopback
    tx = http_client(base, "tok").transaction_by_md5("ab" * 16)
    assert tx.amount == 12_34
    assert served["seen"] == [("/v1/check_transaction_by_md5", "Bearer tok", {"md5": "ab" * 16})]


def test_urllib_transport_reads_error_envelope_of_http_401(loopback):
    base, served = loopback
    served["name"] = "unauthorized"
    with pytest.raises(BakongApiError, match="unauthorized"):
        http_client(base, "expired").transaction_by_md5("ab" * 16)


# ------------------------------------------------------------ list endpoints


def test_md5_list_answers_each_md5_paid_or_not_in_chunks_of_50(ledger):
    from corridor.bridge.client import MAX_LIST, SimulatorTransport

    calls = []
    inner = SimulatorTransport(ledger)

    def counting(endpoint, payload):
        calls.append((endpoint, len(payload)))
        return inner(endpoint, payload)

    client = BakongClient(counting)
    paid = [
        ledger.pay_khqr(
            CUSTOMER,
            KHQR(
                account_id=OMNIBUS,
                merchant_name="B",
                merchant_city="PP",
                currency=Currency.KHR,
                amount=1_000 + i,
                bill_number=f"L{i}",
            ).encode(),
        )
        for i in range(60)
    ]
    unknown = "ab" * 16
    found = client.transactions_by_md5_list([t.md5 for t in paid] + [unknown])
    assert [c[1] for c in calls] == [MAX_LIST, 11]  # 61 MD5s: two requests, not 61
    assert [found[t.md5].amount for t in paid] == [1_000 + i for i in range(60)]
    assert found[unknown] is None
    by_hash = client.transactions_by_hash_list([t.hash for t in paid[:3]])
    assert [by_hash[t.hash] for t in paid[:3]] == [found[t.md5] for t in paid[:3]]


def test_md5_list_answer_for_something_not_asked_is_refused():
    def lying(endpoint, payload):
        return {
            "responseCode": 0,
            "responseMessage": "ok",
            "errorCode": None,
            "data": [{"md5": "cd" * 16, "status": "NOT_FOUND", "data": None}],
        }

    with pytest.raises(BakongApiError, match="something not asked"):
        BakongClient(lying).transactions_by_md5_list(["ab" * 16])


def test_md5_list_missing_answer_is_refused():
    def silent(endpoint, payload):
        return {"responseCode": 0, "responseMessage": "ok", "errorCode": None, "data": []}

    with pytest.raises(BakongApiError, match="no answer for"):
        BakongClient(silent).transactions_by_md5_list(["ab" * 16])


def test_md5_list_over_http_posts_a_json_array():
    sent = []

    def send(url, body, headers):
        sent.append((url, json.loads(body)))
        return 400, json.dumps(
            {
                "responseCode": 1,
                "responseMessage": "at most 50 MD5s per request, got 51",
                "errorCode": 5,
                "data": None,
            }
        ).encode()

    client = http_client(BASE, "t", send)
    with pytest.raises(BakongApiError, match="at most 50 MD5s"):
        client.transactions_by_md5_list(["ab" * 16])
    assert sent == [(f"{BASE}/check_transaction_by_md5_list", ["ab" * 16])]
