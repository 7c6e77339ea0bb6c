"""The checkout API: every endpoint's bad input is a 4xx with a reason and writes nothing; the invoices
survive kill -9."""

from __future__ import annotations

import socket

import pytest

from corridor.services.http import HttpError, call
from tests.services.harness import wait_for

GOOD = {"number": "API-0001", "yen": 1000}


@pytest.fixture(scope="module")
def existing(checkout) -> dict:
    """One invoice on the books (a duplicate number must be refused)."""
    return call(f"{checkout.url}/api/invoices", GOOD)


def count(checkout) -> int:
    return len(call(f"{checkout.url}/api/invoices")["invoices"])


def raw_post(url: str, path: str, body: bytes, length: int | None = None) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"yen": 1000}, 400, "missing field 'number'"),
        ({"number": "X-1", "yen": "1000"}, 400, "field 'yen' must be int, got str"),
        ({"number": "X-1", "yen": True}, 400, "field 'yen' must be int, got bool"),
        ({"number": "X-1", "yen": 1000.5}, 400, "field 'yen' must be int, got Decimal"),
        ({"number": "X-1", "yen": 0}, 400, "field 'yen' must be 1..10,000,000 yen, got 0"),
        ({"number": "X-1", "yen": 1000, "currency": "EUR"}, 400, "field 'currency' must be one of KHR, USD"),
        ({"number": "X-1", "yen": 1000, "expirySeconds": 0}, 400, "field 'expirySeconds' must be 1..3600"),
        ({"number": "X-1", "yen": 1000, "webhookUrl": "ftp://x"}, 400, "must be an http(s) URL"),
        ({"number": "X-1", "yen": 1000, "tip": 5}, 400, "unknown field(s) tip"),
        ({"number": "N" * 26, "yen": 1000}, 400, "invoice number must be 1 to 25 bytes"),
        ({"number": "API-0001", "yen": 1000}, 409, "invoice 'API-0001' exists already"),
    ],
)
def test_bad_invoice_requests_are_refused_and_write_nothing(checkout, existing, body, status, reason):
    before = count(checkout)
    with pytest.raises(HttpError) as exc:
        call(f"{checkout.url}/api/invoices", body)
    assert exc.value.status == status and reason in exc.value.reason
    assert count(checkout) == before


def test_malformed_and_oversized_bodies_are_refused(checkout):
    before = count(checkout)
    status, body = raw_post(checkout.url, "/api/invoices", b'{"number": "X-2", "yen": ')
    assert status == 400 and b"body is not JSON" in body
    status, body = raw_post(checkout.url, "/api/invoices", b"[1, 2]")
    assert status == 400 and b"body must be a JSON object" in body
    status, body = raw_post(checkout.url, "/api/invoices", b"x" * 5000)
    assert status == 413 and b"above the limit of 4096" in body
    status, body = raw_post(checkout.url, "/sandbox/pay", b"{")
    assert status == 400
    assert count(checkout) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/invoice?number=NOPE",
        "/api/invoice/qr.png?number=NOPE",
        "/api/poll?number=NOPE",
        "/checkout?number=NOPE",
    ],
)
def test_unknown_invoices_are_404_on_every_read(checkout, path):
    with pytest.raises(HttpError) as exc:
        call(f"{checkout.url}{path}")
    assert (exc.value.status, exc.value.reason) == (404, "unknown invoice 'NOPE'")


@pytest.mark.parametrize("path", ["/api/invoice", "/api/invoice/qr.png", "/api/poll", "/checkout"])
def test_reads_without_a_number_are_400(checkout, path):
    with pytest.raises(HttpError) as exc:
        call(f"{checkout.url}{path}")
    assert exc.value.status == 400 and "parameter 'number'" in exc.value.reason


def test_sandbox_pay_refuses_bad_and_closed_invoices(checkout, existing):
    with pytest.raises(HttpError) as exc:
        call(f"{checkout.url}/sandbox/pay", {"number": 7})
    assert (exc.value.status, exc.value.reason) == (400, "field 'number' must be str, got int")
    with pytest.raises(HttpError) as exc:
        call(f"{checkout.url}/sandbox/pay", {"number": "NOPE"})
    assert exc.value.status == 404
    with pytest.raises(HttpError) as exc:
        call(f"{checkout.url}/api/poll?number=API-0001&wait=soon")
    assert (exc.value.status, exc.value.reason) == (400, "parameter 'wait' must be a number of seconds")


def test_invoices_survive_kill_9(checkout):
    inv = call(f"{checkout.url}/api/invoices", {"number": "API-KILL", "yen": 300, "currency": "USD"})
    assert (inv["price"], inv["priceDecimal"]) == (204, "2.04")  # 300 yen x 0.68 cents
    call(f"{checkout.url}/sandbox/pay", {"number": "API-KILL"})
    checkout.kill()
    checkout.start()
    after = call(f"{checkout.url}/api/invoice?number=API-KILL")
    assert (after["khqr"], after["price"], after["currency"]) == (inv["khqr"], 204, "USD")
    # paid just before the kill: the restarted service finds the payment
    wait_for(
        lambda: call(f"{checkout.url}/api/invoice?number=API-KILL")["status"] == "paid on Bakong",
        20,
        "the restarted service to see the payment",
    )
