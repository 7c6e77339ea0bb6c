"""The feed reporter as a process: pushes FX rates from a configurable source to the FXFeeds, within
their circuit breakers (corridor.exchange.reporter.FeedReporter holds the rules), and alerts — a log
line and a degraded `GET /health` naming the problem — whenever it cannot.

    corridor feed-reporter --network development --source schedule:config/sandbox-fixings.yaml
    corridor feed-reporter --source rates.json           # {"JPY": "0.0067", "KHR": "0.000245"}, re-read
    corridor feed-reporter --source https://fx.example/rates   # the same JSON from a URL

Each tick (every --interval s) it reads the source and, per feed: sends the rate when it differs from
the feed's answer, when the heartbeat is due within --heartbeat-margin s, or when a fixing window is
waiting for it; a move beyond the breaker is held (the window stays open, the pools stop) until the
admin's forceSubmit. The key is the feed's REPORTER_ROLE holder: REPORTER_PRIVATE_KEY or
REPORTER_KEYSTORE (+ REPORTER_PASSWORD).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

import yaml
from web3 import Web3

from corridor.exchange.reporter import Action, FeedReporter
from corridor.services import http
from corridor.services.chain import add_chain_arguments, open_chain
from corridor.ui import UserError

SERVICE = "feed-reporter"
DEFAULT_PORT = 8620
MAX_BACKOFF = 60.0


class SourceError(Exception):
    """The rate source could not be read or holds no usable rate (an alert, never a crash)."""


class RateSource(Protocol):
    def rates(self) -> dict[str, Decimal]: ...


def _parse_rates(raw: Any, where: str) -> dict[str, Decimal]:
    if isinstance(raw, Mapping) and isinstance(raw.get("rates"), Mapping):
        raw = raw["rates"]
    if not isinstance(raw, Mapping):
        raise SourceError(f"{where}: expected a mapping of currency -> USD rate")
    out = {}
    for code, value in raw.items():
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            raise SourceError(f"{where}: rate of {code} is not a number: {value!r}") from None
        if not rate.is_finite() or rate <= 0:
            raise SourceError(f"{where}: rate of {code} must be positive, got {value!r}")
        out[str(code).upper()] = rate
    return out


@dataclass
class FileSource:
    """A JSON or YAML file {CODE: rate}, re-read every tick (an operator or a job rewrites it)."""

    path: Path

    def rates(self) -> dict[str, Decimal]:
        try:
            return _parse_rates(yaml.safe_load(self.path.read_text()), str(self.path))
        except (OSError, yaml.YAMLError) as exc:
            raise SourceError(f"{self.path}: {type(exc).__name__}: {exc}".splitlines()[0]) from None


@dataclass
class UrlSource:
    """A URL answering the same JSON (GET)."""

    url: str

    def rates(self) -> dict[str, Decimal]:
        try:
            return _parse_rates(http.call(self.url, timeout=5.0), self.url)
        except http.HttpError as exc:
            raise SourceError(f"{self.url}: {exc}") from None


@dataclass
class ScheduleSource:
    """A scripted fixing schedule (the sandbox's): `interval` seconds per step, `steps` a list of
    {CODE: rate}; step i applies from `start` + i * interval, cycling. `start` defaults to when the
    process read the file."""

    steps: list[dict[str, Decimal]]
    interval: float
    start: float

    @classmethod
    def load(cls, path: Path, clock: Any = time.time) -> ScheduleSource:
        try:
            raw = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise UserError(f"fixing schedule {path}: {type(exc).__name__}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list) or not raw["steps"]:
            raise UserError(f"fixing schedule {path}: needs `interval:` and a non-empty `steps:` list")
        try:
            steps = [_parse_rates(s, f"{path} step {i}") for i, s in enumerate(raw["steps"])]
        except SourceError as exc:
            raise UserError(f"fixing schedule {exc}") from None
        interval = raw.get("interval")
        if not isinstance(interval, int | float) or isinstance(interval, bool) or interval <= 0:
            raise UserError(f"fixing schedule {path}: `interval` must be a positive number of seconds")
        return cls(steps, float(interval), float(raw.get("start") or clock()))

    def rates(self, now: float | None = None) -> dict[str, Decimal]:
        now = time.time() if now is None else now
        index = max(0, int((now - self.start) // self.interval)) % len(self.steps)
        return dict(self.steps[index])


def parse_source(spec: str) -> RateSource:
    """`schedule:PATH`, `http(s)://URL`, `file:PATH` or a plain path."""
    if spec.startswith(("http://", "https://")):
        return UrlSource(spec)
    if spec.startswith("schedule:"):
        return ScheduleSource.load(Path(spec.removeprefix("schedule:")))
    path = Path(spec.removeprefix("file:"))
    if not path.is_file():
        raise UserError(f"--source {spec}: no such file (give schedule:PATH, file:PATH or an http(s) URL)")
    return FileSource(path)


class ReporterService:
    """One reporter key, several feeds, one source; `tick()` is one pass (the tests drive it)."""

    def __init__(
        self, w3: Web3, reporters: Mapping[str, FeedReporter], source: RateSource, heartbeat_margin: int
    ) -> None:
        self.w3 = w3
        self.reporters = dict(reporters)
        self.source = source
        self.margin = heartbeat_margin
        self.app = http.JsonApp(SERVICE)
        self.failures = 0

    def tick(self) -> list[str]:
        """Reads the source, publishes what is due; returns the problems (each also alerted)."""
        health = self.app.health
        try:
            head = self.w3.eth.block_number
        except Exception as exc:  # noqa: BLE001 - any RPC failure
            return self._alert([f"RPC unreachable: {type(exc).__name__}"], down=True)
        health.saw_block(head, head)
        try:
            rates = self.source.rates()
        except SourceError as exc:
            return self._alert([f"source: {exc}"])
        problems, states = [], {}
        for code, reporter in self.reporters.items():
            try:
                states[code], problem = self._feed(code, reporter, rates.get(code))
            except Exception as exc:  # noqa: BLE001 - a revert, an RPC error mid-way: next tick retries
                states[code], problem = "error", f"{code}: {type(exc).__name__}: {exc}".splitlines()[0]
            if problem:
                problems.append(problem)
        health.set(feeds=states)
        return self._alert(problems)

    def _feed(
        self, code: str, reporter: FeedReporter, rate: Decimal | None
    ) -> tuple[dict[str, Any], str | None]:
        round_id, answer, updated_at = reporter.latest()
        state: dict[str, Any] = {"round": round_id, "answer": answer, "updatedAt": updated_at}
        if rate is None:
            return state, f"{code}: the source gives no rate"
        due = (
            reporter.to_answer(rate) != answer
            or reporter.window_open()
            or reporter.heartbeat_due(self.margin)
        )
        if not due:
            return state, None
        pub = reporter.publish(rate)
        state.update(action=pub.action.value, answer=pub.answer, round=pub.round_id or round_id)
        if pub.action is Action.HELD:
            return state, (
                f"{code}: {rate} is {pub.move_bps} bps from the feed's answer, beyond its breaker: held for "
                "the admin's forceSubmit (the fixing window stays open, the pools do not trade)"
            )
        http.log(
            SERVICE,
            f"{code}: {pub.action.value} {pub.answer} (round {pub.round_id}, move {pub.move_bps} bps)",
        )
        return state, None

    def _alert(self, problems: list[str], down: bool = False) -> list[str]:
        health = self.app.health
        if not problems:
            self.failures = 0
            health.ok()
            return problems
        self.failures += 1
        for problem in problems:
            if problem != health.last_error:
                http.log(SERVICE, f"ALERT {problem}")
        health.error(problems[0], down=down)
        return problems

    def run(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            self.tick()
            backoff = min(MAX_BACKOFF, interval * 2 ** min(self.failures, 6)) if self.failures else interval
            stop.wait(backoff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor feed-reporter",
        description="Push FX rates from a source to the FXFeeds within their breakers; alert when it cannot. "
        "Key: REPORTER_PRIVATE_KEY, or REPORTER_KEYSTORE (brownie keystore id or file) + REPORTER_PASSWORD.",
    )
    add_chain_arguments(parser)
    http.add_server_arguments(parser, DEFAULT_PORT)
    parser.add_argument(
        "--source",
        required=True,
        help="schedule:PATH (scripted fixings), file:PATH / PATH (JSON or YAML), or a URL",
    )
    parser.add_argument(
        "--feeds", default="", help="currencies to report, comma-separated (default: every feed)"
    )
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
    parser.add_argument(
        "--heartbeat-margin",
        type=int,
        default=3_600,
        help="re-confirm this many seconds before the heartbeat",
    )
    return parser


def make_service(args: argparse.Namespace) -> ReporterService:
    if args.interval <= 0 or args.heartbeat_margin < 0:
        raise UserError("--interval must be positive and --heartbeat-margin not negative")
    source = parse_source(args.source)
    w3, book, key = open_chain(args, "REPORTER")
    feeds = book.feeds()
    wanted = [c.strip().upper() for c in args.feeds.split(",") if c.strip()] or sorted(feeds)
    unknown = [c for c in wanted if c not in feeds]
    if unknown:
        raise UserError(
            f"--feeds: no feed for {', '.join(unknown)} in {book.path.name} (has {', '.join(feeds)})"
        )
    reporters = {code: FeedReporter(w3, feeds[code], key.key) for code in wanted}
    for code, reporter in reporters.items():
        feed = reporter._feed  # noqa: SLF001 - the role check needs the contract
        if not feed.functions.hasRole(feed.functions.REPORTER_ROLE().call(), key.address).call():
            raise UserError(f"{key.address} does not hold REPORTER_ROLE on the {code}/USD feed {feeds[code]}")
    return ReporterService(w3, reporters, source, args.heartbeat_margin)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    service = make_service(args)
    server = http.serve(service.app, args.host, args.port)
    http.log(SERVICE, f"reporting {', '.join(service.reporters)} from {args.source} on {http.url_of(server)}")
    return http.run_until_signal(server, lambda stop: service.run(stop, args.interval))
