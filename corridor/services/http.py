"""The tiny JSON-over-HTTP layer every corridor service shares (standard library only).

A service is a `JsonApp`: a name, a `Health` record and routes `(method, path) -> handler`. A handler
takes a `Request` (its JSON body already parsed and size-checked) and returns a JSON-able value (the
200 response), a `Reply(status, body)`, a `Raw(content_type, bytes)` (a page, an image), or raises `HttpError(status, reason)`; anything else it raises is a 500 whose reason is
the exception's one line (and is recorded as the service's last error). Every app answers

    GET /health  ->  {"service", "status": "ok"|"degraded"|"down", "lastBlock", "lag", "lastError",
                      "lastErrorAt", "startedAt", "details"}

`lastBlock` is the last chain block the service saw (None when it reads no chain), `lag` how many blocks
it is behind the head (None when it does not know), `lastError` the last failure (cleared by `ok()`).
An error response is always `{"error": "<reason>"}` with a 4xx/5xx status; a request body above
`max_body` bytes is refused with 413 before it is read, a body that is not a JSON object with 400.

    app = JsonApp("validator", max_body=64_000)
    app.route("POST", "/sign/mint", handler)
    server = serve(app, "127.0.0.1", 8601)       # ThreadingHTTPServer in a daemon thread
    run_until_signal(server)                     # blocks; SIGINT/SIGTERM shut it down cleanly

`call(url, payload)` is the matching client: POST (or GET without payload) JSON, returns the decoded
body or raises `HttpError` with the server's reason (status 0 when the service cannot be reached).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib import error as urlerror
from urllib import parse as urlparse
from urllib import request as urlrequest

DEFAULT_MAX_BODY = 64 * 1024
_DRAIN_LIMIT = 8 * 1024 * 1024  # a larger refused body is not read: the connection is closed
OK, DEGRADED, DOWN = "ok", "degraded", "down"


class HttpError(Exception):
    """A refusal with an HTTP status and a one-line reason (the body of the error response)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.reason}" if self.status else self.reason


def utc_now() -> str:
    """ISO-8601 UTC timestamp with milliseconds (log lines, health)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def log(service: str, message: str) -> None:
    """One timestamped log line on stderr, flushed (services run under supervisors that read it)."""
    print(f"{utc_now()} {service}: {message}", file=sys.stderr, flush=True)


@dataclass
class Health:
    """What `GET /health` reports; services update it as they run (thread-safe)."""

    service: str
    started_at: str = field(default_factory=utc_now)
    last_block: int | None = None
    lag: int | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    down: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def saw_block(self, block: int, head: int | None = None) -> None:
        with self._lock:
            self.last_block = int(block)
            self.lag = None if head is None else max(0, int(head) - int(block))

    def error(self, message: str, down: bool = False) -> None:
        """Records a failure (the status becomes degraded, or down when the service cannot work)."""
        with self._lock:
            self.last_error = message.splitlines()[0] if message else "error"
            self.last_error_at = utc_now()
            self.down = down

    def ok(self) -> None:
        """A step went through: the last error is cleared."""
        with self._lock:
            self.last_error = self.last_error_at = None
            self.down = False

    def set(self, **details: Any) -> None:
        with self._lock:
            self.details.update(details)

    @property
    def status(self) -> str:
        return DOWN if self.down else DEGRADED if self.last_error else OK

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "service": self.service,
                "status": DOWN if self.down else DEGRADED if self.last_error else OK,
                "lastBlock": self.last_block,
                "lag": self.lag,
                "lastError": self.last_error,
                "lastErrorAt": self.last_error_at,
                "startedAt": self.started_at,
                "details": dict(self.details),
            }


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    items: list[Any] | None = None  # a JSON array body, on a route registered with `array_body=True`

    def value(self, name: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
        """`body[name]` checked against `kind` (bool is never accepted as int); 400 with a reason otherwise."""
        if name not in self.body:
            if required:
                raise HttpError(400, f"missing field {name!r}")
            return None
        value = self.body[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = "/".join(k.__name__ for k in kinds)
            raise HttpError(400, f"field {name!r} must be {names}, got {type(value).__name__}")
        return value


@dataclass(frozen=True)
class Reply:
    """A handler's answer with a status other than 200 (e.g. an Open API envelope sent with 401)."""

    status: int
    body: Any


@dataclass(frozen=True)
class Raw:
    """A handler's answer that is not JSON (an HTML page, a PNG): bytes sent with their content type."""

    content_type: str
    body: bytes
    status: int = 200


Handler = Callable[[Request], Any]


def bearer(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (header names are case-insensitive)."""
    for name, value in request.headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            return value[len("Bearer ") :].strip() or None
    return None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # a JSON number, as the Open API sends amounts; never rounded
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise TypeError(f"{value} has no exact JSON number form")
        return as_float
    if isinstance(value, bytes):
        return "0x" + value.hex()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    return json.dumps(value, default=_json_default, separators=(",", ":")).encode()


class JsonApp:
    """Routes and limits of one service. `auth(request)` (optional) raises HttpError(401/403) to refuse;
    `GET /health` is always open."""

    def __init__(
        self,
        name: str,
        max_body: int = DEFAULT_MAX_BODY,
        auth: Callable[[Request], None] | None = None,
        health: Health | None = None,
    ) -> None:
        self.name = name
        self.max_body = max_body
        self.auth = auth
        self.health = health or Health(name)
        self.routes: dict[tuple[str, str], Handler] = {}
        self.array_routes: set[str] = set()  # paths whose body may be a JSON array (Request.items)
        self.route("GET", "/health", lambda _req: self.health.snapshot())

    def route(self, method: str, path: str, handler: Handler, array_body: bool = False) -> None:
        self.routes[(method.upper(), path.rstrip("/") or "/")] = handler
        if array_body:
            self.array_routes.add(path.rstrip("/") or "/")

    def dispatch(self, request: Request) -> tuple[int, Any]:
        """(status, body) for `request`: the handler's result, or the refusal as {"error": reason}."""
        handler = self.routes.get((request.method, request.path))
        try:
            if handler is None:
                known = any(path == request.path for _, path in self.routes)
                raise HttpError(405 if known else 404, f"no route {request.method} {request.path}")
            if self.auth is not None and request.path != "/health":
                self.auth(request)
            result = handler(request)
            if isinstance(result, Raw):
                return result.status, result
            return (result.status, result.body) if isinstance(result, Reply) else (200, result)
        except HttpError as exc:
            return exc.status, {"error": exc.reason}
        except Exception as exc:  # noqa: BLE001 (one bad request must not kill the service)
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            self.health.error(f"{request.method} {request.path}: {reason}")
            log(self.name, f"{request.method} {request.path} failed: {reason}")
            return 500, {"error": reason}


def _handler_class(app: JsonApp) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        server_version = f"corridor-{app.name}"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
            pass  # services log what they do, not every request

        def _reply(self, status: int, body: Any) -> None:
            raw = body.body if isinstance(body, Raw) else dumps(body)
            self.send_response(status)
            self.send_header(
                "Content-Type", body.content_type if isinstance(body, Raw) else "application/json"
            )
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _refuse(self, status: int, reason: str) -> None:
            self.close_connection = True  # the unread body must not be taken for the next request
            self._reply(status, {"error": reason})

        def _drain(self, length: int) -> None:
            """Reads and drops a refused body (up to _DRAIN_LIMIT) so the client sees the answer rather
            than a reset connection."""
            left = min(length, _DRAIN_LIMIT)
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

        def _handle(self, method: str) -> None:
            url = urlparse.urlsplit(self.path)
            query = dict(urlparse.parse_qsl(url.query))
            body: dict[str, Any] = {}
            items: list[Any] | None = None
            length_header = self.headers.get("Content-Length")
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self._refuse(411, "chunked bodies are not accepted; send Content-Length")
            try:
                length = int(length_header or 0)
            except ValueError:
                return self._refuse(400, "Content-Length is not a number")
            if length < 0:
                return self._refuse(400, "Content-Length is negative")
            if length > app.max_body:
                self._drain(length)
                return self._refuse(413, f"body of {length} bytes is above the limit of {app.max_body}")
            if length:
                raw = self.rfile.read(length)
                try:
                    parsed = json.loads(raw.decode("utf-8"), parse_float=Decimal)
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    return self._reply(400, {"error": f"body is not JSON: {exc}"})
                path = url.path.rstrip("/") or "/"
                if isinstance(parsed, list) and path in app.array_routes:
                    items = parsed
                elif not isinstance(parsed, dict):
                    return self._reply(400, {"error": "body must be a JSON object"})
                else:
                    body = parsed
            request = Request(
                method, url.path.rstrip("/") or "/", query, dict(self.headers.items()), body, items
            )
            self._reply(*app.dispatch(request))

        def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._refuse(405, "method PUT is not allowed")

        def do_DELETE(self) -> None:  # noqa: N802
            self._refuse(405, "method DELETE is not allowed")

    return _Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(app: JsonApp, host: str, port: int) -> ThreadingHTTPServer:
    """Starts serving `app` on (host, port) in a daemon thread; port 0 picks a free one
    (`server.server_address[1]`)."""
    server = _Server((host, port), _handler_class(app))
    threading.Thread(target=server.serve_forever, name=f"{app.name}-http", daemon=True).start()
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def run_until_signal(
    server: ThreadingHTTPServer | None, work: Callable[[threading.Event], None] | None = None
) -> int:
    """Blocks until SIGINT/SIGTERM (or until `work(stop)` returns), then shuts `server` down; returns 0.
    `work` runs in the main thread and must return soon after `stop` is set."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if work is not None:
            work(stop)
        else:
            while not stop.wait(3600):
                pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if server is not None:
            server.shutdown()
            server.server_close()
    return 0


def call(
    url: str,
    payload: dict[str, Any] | None = None,
    timeout: float = 10.0,
    headers: dict[str, str] | None = None,
) -> Any:
    """POSTs `payload` as JSON (GET when None) and returns the decoded body (floats as Decimal).
    A non-2xx answer raises HttpError(status, the server's reason); an unreachable service
    HttpError(0, why)."""
    data = None if payload is None else dumps(payload)
    req = urlrequest.Request(
        url,
        data=data,
        method="GET" if payload is None else "POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urlrequest.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured service URL)
            status, raw = resp.status, resp.read()
    except urlerror.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urlerror.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HttpError(0, f"cannot reach {url}: {reason}") from exc
    try:
        body = json.loads(raw.decode("utf-8"), parse_float=Decimal) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HttpError(status or 502, f"{url} answered HTTP {status} with a body that is not JSON") from exc
    if not 200 <= status < 300:
        reason = body.get("error") if isinstance(body, dict) else None
        raise HttpError(status, str(reason or f"HTTP {status} from {url}"))
    return body


def wait_healthy(url: str, timeout: float = 20.0) -> dict[str, Any]:
    """Polls `url`/health until it answers (any status field); raises HttpError when it never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call(url.rstrip("/") + "/health", timeout=2.0)
        except HttpError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def add_server_arguments(parser: Any, default_port: int) -> None:
    """--host / --port, the same for every service."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=default_port, help=f"port to listen on (default {default_port}; 0 = any)"
    )
