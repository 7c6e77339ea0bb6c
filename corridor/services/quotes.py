"""The market maker as an RFQ quote server: outside takers ask for a firm quote over HTTP and get the
signed EIP-712 quote the RfqVenue fills (docs/rfq.md). The pricing and limits are
corridor.exchange.market_maker's; this module adds the process around it.

    corridor quote-server --network development --port 8610        # key: MAKER_PRIVATE_KEY / MAKER_KEYSTORE

    POST /quote   {"sell": "JPY", "buy": "KHR", "amountOut": 1000000, "taker": "0x…"}
                  (`amountIn` instead of `amountOut` for exact-in; tokens by code or address; optional
                  "hub": "USD" for a cross quote)      -> {"quote": {…}, "signature", "digest", "domain", "fill"}
    POST /quote/status  {"digest": "0x…"}              -> {"nonce", "expiry", "filled", "expired"}
    GET  /health                                        -> status, last block, lag, last error, feed states

Every feed's state is reported on its own, whatever else holds (`details.feeds.JPY.state`: "fresh", or every
refusal that holds, e.g. "fixing pending, stale feed since 2026-12-07T05:00:00Z"); `lastError` names every
feed that is not fresh. Refusals say why: 409 with the maker's reason (`stale feed: …`, `market closed: …`,
`fixing pending: …`, `maker limit: …`) in `error` and the feeds' states in `feeds`; 429 past the per-taker
rate limit, 400/404 for bad input; nothing is signed and no nonce is spent then. Every nonce handed out is written to the state file (atomically) before the quote
leaves the process, so a restart (even after kill -9) never signs two quotes with one nonce.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3 import Web3

from corridor.exchange import rfq
from corridor.exchange.market_maker import (
    FeedMids,
    FeedReading,
    MakerLimits,
    MarketClosed,
    MarketMaker,
    QuotePolicy,
    QuoteRefused,
    StaleFeed,
)
from corridor.faults import checkpoint
from corridor.services import http
from corridor.services.chain import Book, add_chain_arguments, open_chain
from corridor.ui import UserError

SERVICE = "quote-server"
DEFAULT_PORT = 8610
KEEP_QUOTES = 10_000  # issued quotes remembered for /quote/status (oldest dropped first)


class RateLimiter:
    """At most `per_minute` requests per key in any 60 s window (a sliding log; thread-safe)."""

    def __init__(self, per_minute: int, clock: Any = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> float:
        """0 when admitted (and counted), else the seconds until the key may ask again."""
        now = self.clock()
        with self._lock:
            log = self._seen.setdefault(key, deque())
            while log and now - log[0] >= 60:
                log.popleft()
            if len(log) >= self.per_minute:
                return 60 - (now - log[0])
            log.append(now)
            return 0.0


class MakerState:
    """The nonces handed out and the quotes issued, in one JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.next_nonce = 0
        self.quotes: dict[str, dict[str, Any]] = {}
        if path.is_file():
            try:
                raw = json.loads(path.read_text())
                self.next_nonce = int(raw["next_nonce"])
                self.quotes = dict(raw.get("quotes", {}))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise UserError(f"{path} is not a quote-server state file ({exc}); move it away") from None

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump({"next_nonce": self.next_nonce, "quotes": self.quotes}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class QuoteService:
    """The HTTP face of one MarketMaker: request checks, rate limit, refusals, persisted nonces."""

    def __init__(self, w3: Web3, book: Book, maker: MarketMaker, state: MakerState, limiter: RateLimiter):
        self.w3 = w3
        self.maker = maker
        self.state = state
        self.limiter = limiter
        self.tokens = book.tokens()
        self._by_address = {addr: code for code, addr in self.tokens.items()}
        self._lock = threading.Lock()  # one signer: nonces are taken one at a time
        maker.nonces.next_nonce = state.next_nonce
        self.app = http.JsonApp(SERVICE, max_body=4_096)
        self.app.route("POST", "/quote", self.quote)
        self.app.route("POST", "/quote/status", self.status)
        self.app.health.set(maker=maker.maker, venue=maker.venue.address)

    # ------------------------------------------------------------ request parsing

    def _token(self, request: http.Request, name: str) -> str:
        value = request.value(name, str)
        if value.upper() in self.tokens:
            return self.tokens[value.upper()]
        if Web3.is_address(value) and Web3.to_checksum_address(value) in self._by_address:
            return Web3.to_checksum_address(value)
        raise http.HttpError(400, f"{name!r}: unknown token {value!r} (one of {', '.join(self.tokens)})")

    @staticmethod
    def _amount(request: http.Request, name: str) -> int | None:
        value = request.value(name, (int, str), required=False)
        if value is None:
            return None
        if isinstance(value, str) and not value.isdigit():
            raise http.HttpError(400, f"{name!r} must be a whole number of base units, got {value!r}")
        amount = int(value)
        if not 0 < amount < 2**128:
            raise http.HttpError(400, f"{name!r} must be between 1 and 2**128 - 1")
        return amount

    @staticmethod
    def _taker(request: http.Request) -> str:
        value = request.value("taker", str, required=False) or rfq.ZERO_ADDRESS
        if not Web3.is_address(value):
            raise http.HttpError(400, f"'taker' is not an address: {value!r}")
        return Web3.to_checksum_address(value)

    # ------------------------------------------------------------ routes

    def quote(self, request: http.Request) -> dict[str, Any] | http.Reply:
        unknown = set(request.body) - {"sell", "buy", "amountIn", "amountOut", "taker", "hub"}
        if unknown:
            raise http.HttpError(400, f"unknown field(s): {', '.join(sorted(unknown))}")
        sell, buy = self._token(request, "sell"), self._token(request, "buy")
        if sell == buy:
            raise http.HttpError(400, "'sell' and 'buy' are the same token")
        amount_in, amount_out = self._amount(request, "amountIn"), self._amount(request, "amountOut")
        if (amount_in is None) == (amount_out is None):
            raise http.HttpError(400, "give exactly one of 'amountIn' (exact in) and 'amountOut' (exact out)")
        taker = self._taker(request)
        hub = self._token(request, "hub") if "hub" in request.body else None
        wait = self.limiter.admit(taker if taker != rfq.ZERO_ADDRESS else request.headers.get("Host", "?"))
        if wait:
            raise http.HttpError(
                429,
                f"rate limit: at most {self.limiter.per_minute} quotes a minute per taker; retry in {wait:.0f} s",
            )
        with self._lock:
            try:
                if amount_in is not None:
                    signed = self.maker.quote_exact_in(sell, buy, amount_in, taker=taker, hub=hub)
                else:
                    signed = self.maker.quote_exact_out(sell, buy, amount_out, taker=taker, hub=hub)
            except QuoteRefused as exc:
                return http.Reply(409, {"error": f"{exc.reason.value}: {exc}", "feeds": self.feed_states()})
            self._record(signed)
            checkpoint("quote.recorded")  # crash tests: the nonce is on disk, the quote not sent yet
        return quote_json(signed, "fillExactIn" if amount_in is not None else "fillExactOut")

    def _record(self, signed: rfq.SignedQuote) -> None:
        """Persists the nonce before the quote leaves (a crash after this only wastes the nonce)."""
        self.state.next_nonce = self.maker.nonces.next_nonce
        digest = "0x" + signed.digest.hex()
        self.state.quotes[digest] = {
            "nonce": signed.quote.nonce,
            "expiry": signed.quote.expiry,
            "taker": signed.quote.taker,
        }
        while len(self.state.quotes) > KEEP_QUOTES:
            self.state.quotes.pop(next(iter(self.state.quotes)))
        self.state.save()

    def status(self, request: http.Request) -> dict[str, Any]:
        digest = request.value("digest", str).lower()
        if not (digest.startswith("0x") and len(digest) == 66):
            raise http.HttpError(400, "'digest' must be a 32-byte hex string (0x + 64 digits)")
        issued = self.state.quotes.get(digest)
        if issued is None:
            raise http.HttpError(404, f"unknown quote {digest}")
        used = self.maker.venue.functions.isNonceUsed(self.maker.maker, issued["nonce"]).call()
        return {**issued, "filled": bool(used), "expired": self.maker.now() > issued["expiry"]}

    # ------------------------------------------------------------ health

    def watch(self, stop: threading.Event, every: float) -> None:
        """Until `stop`: reads the head and every feed's mid; a feed the maker would refuse makes the
        service degraded with the reason (the alert), an RPC failure down."""
        while not stop.is_set():
            self.check()
            stop.wait(every)

    def check(self) -> None:
        health = self.app.health
        try:
            head = self.w3.eth.block_number
        except Exception as exc:  # noqa: BLE001 - any RPC failure
            health.error(f"RPC unreachable: {type(exc).__name__}", down=True)
            return
        feeds = self.feed_states()
        health.set(feeds=feeds, nextNonce=self.state.next_nonce)
        problems = [f"{code}: {feed['state']}" for code, feed in feeds.items() if feed["state"] != FRESH]
        if problems:
            report = "refusing quotes: " + "; ".join(problems)  # every feed, in the book's order
            if health.last_error != report:
                http.log(SERVICE, report)
            health.error(report)
        else:
            health.ok()
        health.saw_block(head, head)  # last: a reader that sees this block sees the status read at it

    def feed_states(self) -> dict[str, dict[str, Any]]:
        """Each token's feed as the maker sees it now (`GET /health` details and every 409 refusal):
        `state` is "fresh" or every refusal that holds, in the maker's order (e.g. "fixing pending, stale
        feed since 2026-12-07T05:00:00Z"), with the answer's price, age and when it goes (went) stale."""
        out: dict[str, dict[str, Any]] = {}
        usd = {rfq.address(t) for t in self.maker.mids.usd_tokens}
        for code, token in self.tokens.items():
            if token in usd:
                out[code] = {"state": FRESH, "price": "1"}
                continue
            try:
                out[code] = feed_state(self.maker.mids.reading(token))
            except QuoteRefused as exc:
                out[code] = {"state": f"{exc.reason.value}: {exc}"}
            except Exception as exc:  # noqa: BLE001 - an RPC failure mid-way: the next check reads again
                out[code] = {"state": f"unreadable: {type(exc).__name__}"}
        return out


FRESH = "fresh"


def feed_state(reading: FeedReading) -> dict[str, Any]:
    """The health report of one feed reading (see QuoteService.feed_states)."""
    labels = []
    for problem in reading.problems():
        if isinstance(problem, StaleFeed):
            labels.append(f"{problem.reason.value} since {chain_time(reading.stale_since)}")
        elif isinstance(problem, MarketClosed):
            labels.append(f"{problem.reason.value} until {chain_time(reading.reopens_at or 0)}")
        else:
            labels.append(problem.reason.value)
    fresh = not labels
    return {
        "state": ", ".join(labels) or FRESH,
        "price": str(Decimal(reading.answer) / Decimal(10) ** reading.decimals),
        "updatedAt": chain_time(reading.updated_at),
        "age": reading.age,
        ("staleAt" if fresh else "staleSince"): chain_time(reading.stale_since),
    }


def chain_time(seconds: int) -> str:
    """A chain timestamp as ISO-8601 UTC (a dev chain's clock may run days ahead of the wall clock)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def quote_json(signed: rfq.SignedQuote, fill: str) -> dict[str, Any]:
    """The wire form of a signed quote (amounts as decimal strings: JavaScript takers lose precision
    on numbers above 2**53)."""
    message = {k: (str(v) if isinstance(v, int) else v) for k, v in signed.quote.message().items()}
    return {
        "primaryType": signed.quote.primary_type,
        "quote": message,
        "signature": "0x" + signed.signature.hex(),
        "digest": "0x" + signed.digest.hex(),
        "domain": signed.domain.as_dict(),
        "fill": fill.replace("fill", "fillCross") if signed.is_cross else fill,
    }


def quote_from_json(body: dict[str, Any], domain_check: Any = None) -> rfq.SignedQuote:
    """A SignedQuote from `quote_json`'s form (what a taker's client does with the answer)."""
    from corridor import eip712

    q, d = body["quote"], body["domain"]
    fields = dict(
        maker=q["maker"],
        taker=q["taker"],
        token_in=q["tokenIn"],
        token_out=q["tokenOut"],
        amount_in=int(q["amountIn"]),
        amount_out=int(q["amountOut"]),
        nonce=int(q["nonce"]),
        expiry=int(q["expiry"]),
    )
    if body["primaryType"] == rfq.CROSS_QUOTE_TYPE:
        quote: rfq.Quote = rfq.CrossQuote(**fields, hub=q["hub"], hub_amount=int(q["hubAmount"]))
    else:
        quote = rfq.Quote(**fields)
    domain = eip712.Domain(d["name"], d["version"], int(d["chainId"]), d["verifyingContract"])
    return rfq.SignedQuote(quote, bytes.fromhex(body["signature"].removeprefix("0x")), domain)


class RemoteMaker:
    """A QuoteProvider (corridor.exchange.best_execution) backed by a quote server over HTTP: a
    refusal comes back as the same `QuoteRefused`/`Declined` reason the in-process maker raises."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _ask(self, body: dict[str, Any]) -> rfq.SignedQuote:
        from corridor.exchange.best_execution import Declined, DeclineReason

        try:
            return quote_from_json(http.call(f"{self.url}/quote", body, timeout=self.timeout))
        except http.HttpError as exc:
            reason = next((r for r in DeclineReason if exc.reason.startswith(r.value + ":")), None)
            if reason is None:
                raise Declined(exc.reason, DeclineReason.NO_OFFER) from None
            raise Declined(exc.reason.removeprefix(reason.value + ":").strip(), reason) from None

    def quote_exact_in(
        self,
        token_in: str,
        token_out: str,
        amount_in: int,
        taker: str = rfq.ZERO_ADDRESS,
        hub: str | None = None,
    ) -> rfq.SignedQuote:
        return self._ask_for(token_in, token_out, "amountIn", amount_in, taker, hub)

    def quote_exact_out(
        self,
        token_in: str,
        token_out: str,
        amount_out: int,
        taker: str = rfq.ZERO_ADDRESS,
        hub: str | None = None,
    ) -> rfq.SignedQuote:
        return self._ask_for(token_in, token_out, "amountOut", amount_out, taker, hub)

    def _ask_for(
        self, token_in: str, token_out: str, side: str, amount: int, taker: str, hub: str | None
    ) -> rfq.SignedQuote:
        """The request body of a firm quote (`side`: "amountIn" or "amountOut"), asked of the server."""
        body = {
            "sell": rfq.address(token_in),
            "buy": rfq.address(token_out),
            side: str(amount),
            "taker": rfq.address(taker),
        }
        return self._ask({**body, "hub": rfq.address(hub)} if hub else body)


# ------------------------------------------------------------ process


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor quote-server",
        description="Serve the market maker's firm RFQ quotes over HTTP (signed EIP-712, per docs/rfq.md). "
        "Key: MAKER_PRIVATE_KEY, or MAKER_KEYSTORE (brownie keystore id or file) + MAKER_PASSWORD.",
    )
    add_chain_arguments(parser)
    http.add_server_arguments(parser, DEFAULT_PORT)
    parser.add_argument("--state", default="quote-server.json", help="state file: nonces and issued quotes")
    parser.add_argument("--spread-bps", type=int, default=20, help="spread over mid charged on every quote")
    parser.add_argument("--skew-bps", type=int, default=10, help="most inventory skew added or taken off")
    parser.add_argument("--ttl", type=int, default=60, help="seconds a quote stays valid")
    parser.add_argument(
        "--max-quote-usd", type=Decimal, default=Decimal(50_000), help="largest quote, in USD"
    )
    parser.add_argument(
        "--max-feed-age", type=int, default=26 * 3600, help="oldest feed answer quoted on (s)"
    )
    parser.add_argument("--rate-limit", type=int, default=30, help="quotes a minute per taker")
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between health checks of the feeds")
    return parser


def make_service(args: argparse.Namespace) -> QuoteService:
    if args.rate_limit <= 0 or args.poll <= 0:
        raise UserError("--rate-limit and --poll must be positive")
    w3, book, key = open_chain(args, "MAKER")
    try:
        policy = QuotePolicy(spread_bps=args.spread_bps, skew_bps=args.skew_bps, ttl=args.ttl)
    except ValueError as exc:
        raise UserError(f"quote policy: {exc}") from None
    tokens, feeds = book.tokens(), book.feeds()
    mids = FeedMids(
        w3,
        {tokens[c]: feeds[c] for c in feeds if c in tokens},
        max_age=args.max_feed_age,
        usd_tokens=tuple(a for c, a in tokens.items() if c == "USD"),
    )
    maker = MarketMaker(
        w3, book.address("RfqVenue"), key.key, mids, policy, MakerLimits(max_quote_usd=args.max_quote_usd)
    )
    if not maker.venue.functions.isMaker(maker.maker).call():
        raise UserError(f"{maker.maker} is not a registered maker of the RfqVenue {maker.venue.address}")
    return QuoteService(w3, book, maker, MakerState(Path(args.state)), RateLimiter(args.rate_limit))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    service = make_service(args)
    service.check()
    server = http.serve(service.app, args.host, args.port)
    http.log(
        SERVICE,
        f"maker {service.maker.maker} quoting on {http.url_of(server)} (nonce {service.state.next_nonce})",
    )
    return http.run_until_signal(server, lambda stop: service.watch(stop, args.poll))
