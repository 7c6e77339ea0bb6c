"""`corridor status`: every service's `GET /health` in one table.

    corridor status                                  # the services of config/services.yaml
    corridor status --url relayer=http://10.0.0.5:8630 --url quote-server=http://10.0.0.6:8610

Exit status 0 when every service answers "ok", 1 otherwise (a monitoring probe can run it as is).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corridor.services import http
from corridor.services.config import DEFAULT_CONFIG, load_config
from corridor.ui import UserError, table

HEADERS = ["service", "url", "status", "last block", "lag (blocks)", "last error"]
MAX_ERROR = 90  # characters of the last error shown in the table (--json has it whole)
NONE_RUNNING = (
    "no service answers: start them all with `make sandbox` (or each with `corridor <service>`; "
    "docs/operations.md)"
)


def probe(name: str, url: str) -> dict[str, Any]:
    """The health of one service; an unreachable one is `down` with the reason."""
    try:
        health = http.call(url.rstrip("/") + "/health", timeout=3.0)
    except http.HttpError as exc:
        return {"service": name, "url": url, "status": "down", "lastError": str(exc)}
    if not isinstance(health, dict) or "status" not in health:
        return {"service": name, "url": url, "status": "down", "lastError": "no health record in the answer"}
    return {**health, "service": name, "url": url}


def rows(healths: Sequence[dict[str, Any]]) -> list[list[Any]]:
    def shown(value: Any) -> Any:
        return "-" if value is None else value

    out = []
    for h in healths:
        error = h.get("lastError") or ""
        if len(error) > MAX_ERROR:
            error = error[: MAX_ERROR - 1] + "…"
        out.append(
            [h["service"], h["url"], h["status"], shown(h.get("lastBlock")), shown(h.get("lag")), error]
        )
    return out


def targets(args: argparse.Namespace) -> list[tuple[str, str]]:
    if args.url:
        pairs = []
        for spec in args.url:
            name, sep, url = spec.partition("=")
            if not sep or not name or not url.startswith(("http://", "https://")):
                raise UserError(f"--url {spec!r}: expected NAME=http(s)://HOST:PORT")
            pairs.append((name, url))
        return pairs
    config = load_config(Path(args.config))
    return [(s.name, s.url) for s in config.services]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor status", description="Show every service's health (GET /health) in one table."
    )
    parser.add_argument(
        "--config", default=str(DEFAULT_CONFIG), help="service list (default config/services.yaml)"
    )
    parser.add_argument(
        "--url", action="append", help="NAME=URL of a service (repeatable; replaces --config)"
    )
    parser.add_argument("--json", action="store_true", help="print the health records as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    healths = [probe(name, url) for name, url in targets(args)]
    if args.json:
        print(json.dumps(healths, indent=2, default=str))
    else:
        print(table(HEADERS, rows(healths), title="Corridor services"))
        if healths and all(h["status"] == "down" and h.get("lastBlock") is None for h in healths):
            print(NONE_RUNNING, file=sys.stderr)
    return 0 if all(h["status"] == "ok" for h in healths) else 1
