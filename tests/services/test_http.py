"""The shared HTTP layer (corridor/services/http.py): JSON in and out, refusals as 4xx with a reason,
the body limit, /health, and the matching client."""

from __future__ import annotations

import socket
import urllib.request
from decimal import Decimal

import pytest

from corridor.services.http import HttpError, JsonApp, call, dumps, serve, url_of


@pytest.fixture
def app_url():
    app = JsonApp("echo", max_body=200)
    seen: list[dict] = []

    def echo(req):
        seen.append(req.body)
        return {"n": req.value("n", int), "note": req.value("note", str, required=False)}

    def boom(_req):
        raise RuntimeError("disk full\nsecond line")

    app.route("POST", "/echo", echo)
    app.route("POST", "/boom", boom)
    server = serve(app, "127.0.0.1", 0)
    yield app, url_of(server), seen
    server.shutdown()
    server.server_close()


def _raw(url: str, body: bytes, headers: dict | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_json_round_trip_and_health(app_url):
    app, url, seen = app_url
    assert call(f"{url}/echo", {"n": 7, "note": "hi"}) == {"n": 7, "note": "hi"}
    health = call(f"{url}/health")
    assert health["service"] == "echo" and health["status"] == "ok" and health["lastError"] is None
    app.health.saw_block(10, head=14)
    assert call(f"{url}/health")["lastBlock"] == 10 and call(f"{url}/health")["lag"] == 4


@pytest.mark.parametrize(
    "payload, reason",
    [
        ({}, "missing field 'n'"),
        ({"n": "7"}, "field 'n' must be int, got str"),
        ({"n": True}, "field 'n' must be int, got bool"),
        ({"n": 1.5}, "field 'n' must be int, got Decimal"),
        ({"n": 1, "note": 3}, "field 'note' must be str, got int"),
    ],
)
def test_wrong_types_are_400_with_reason(app_url, payload, reason):
    _, url, _ = app_url
    with pytest.raises(HttpError) as exc:
        call(f"{url}/echo", payload)
    assert (exc.value.status, exc.value.reason) == (400, reason)


@pytest.mark.parametrize(
    "body, status, reason",
    [
        (b"{not json", 400, "body is not JSON"),
        (b"[1, 2]", 400, "body must be a JSON object"),
        (b"\xff\xfe", 400, "body is not JSON"),
        (b'{"n": "' + b"x" * 300 + b'"}', 413, "above the limit of 200"),
    ],
)
def test_malformed_and_oversized_bodies_reach_no_handler(app_url, body, status, reason):
    _, url, seen = app_url
    got_status, got_body = _raw(f"{url}/echo", body, {"Content-Type": "application/json"})
    assert got_status == status and reason.encode() in got_body
    assert seen == []


def test_unknown_route_method_and_handler_failure(app_url):
    app, url, _ = app_url
    for target, payload, status in ((f"{url}/nope", {}, 404), (f"{url}/echo", None, 405)):
        with pytest.raises(HttpError) as exc:
            call(target, payload)
        assert exc.value.status == status
    with pytest.raises(HttpError) as exc:
        call(f"{url}/boom", {})
    assert (exc.value.status, exc.value.reason) == (500, "RuntimeError: disk full")
    health = call(f"{url}/health")
    assert health["status"] == "degraded" and health["lastError"] == "POST /boom: RuntimeError: disk full"
    app.health.ok()
    assert call(f"{url}/health")["status"] == "ok"


def test_unreachable_service_is_status_0():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(HttpError) as exc:
        call(f"http://127.0.0.1:{port}/health", timeout=2)
    assert exc.value.status == 0 and "cannot reach" in exc.value.reason


def test_decimals_are_exact_json_numbers():
    assert (
        dumps({"a": Decimal("12.34"), "b": Decimal("100"), "c": b"\x01"}) == b'{"a":12.34,"b":100,"c":"0x01"}'
    )
    with pytest.raises(TypeError):
        dumps({"a": Decimal("0.1000000000000000000001")})
