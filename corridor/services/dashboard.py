"""`corridor dashboard`: the read-only corridor dashboard (HTML page and JSON), a process like the others.

    GET /dashboard          the page (corridor.services.dashboard_page): every section, alerts on top
    GET /api/dashboard      the same figures as JSON (minor units as integers, banker units as strings)
    GET /api/alerts         the alerts only: [{"kind", "subject", "detail"}]

Only GET routes: nothing here changes state (a POST to any path is 405). Sources, each optional:

- payments by invoice: the checkout service (`--checkout-url`, its `/api/invoices`);
- bridge books: the relayer's `/reconciliation` (`--relayer-url`; corridor.bridge.reconcile.report, the
  figures the CLI and the demo print) and, from the chain (`--rpc`, `--book`), paused, minting stopped
  (the drift stop), the attested reserve and its age, the inbound/outbound bucket levels, queued mints
  with their release time (MintQueued events still queued) and pending redemptions;
- issuer books: outstanding JPY, attested reserve, its age and freshness, claims owed (IssuerRegistry);
- pools: balances, fee, protocol fees owed, virtual price as a decimal; feeds: answer, age, staleness,
  market hours and the next fixing (chain, from the book's FXPool / FXFeed entries);
- RFQ: the venue's fills (QuoteFilled since the deploy, by currency pair) and the fees each maker owes the
  treasury per currency (`feesOwed`, booked at fills, not yet collected), with the treasury's address;
- service health: `GET /health` of every service of the service list (`--config`) or of `--service NAME=URL`.

Alerts (docs/security.md): drift (a reconciliation line not zero, or minting stopped), a queued large
mint, paused contract,
stale feed, a service down or degraded, the relayer behind the chain by more than --max-lag blocks.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from corridor import codes
from corridor.deployment import Deployment, DeploymentError
from corridor.services import dashboard_page
from corridor.services.chain import connect
from corridor.services.config import DEFAULT_CONFIG, load_config
from corridor.services.http import (
    HttpError,
    JsonApp,
    Raw,
    Request,
    add_server_arguments,
    call,
    log,
    run_until_signal,
    serve,
    url_of,
)
from corridor.ui import UserError, banker, ratio

SERVICE = "dashboard"
DEFAULT_PORT = 8660
MAX_BODY = 1024  # GET only: no request has a body
MAX_REDEMPTIONS = 500  # the newest redemption ids scanned for pending ones
MINT_QUEUED, REDEMPTION_PENDING = 2, 1  # IBakongBridge MintStatus.Queued, RedemptionStatus.Pending


def _alert(kind: str, subject: str, detail: str) -> dict[str, str]:
    return {"kind": kind, "subject": subject, "detail": detail}


def _money(amount: int, currency: str) -> dict[str, Any]:
    """An amount in minor units with its banker-unit string (the unit goes in the column header)."""
    return {"minor": int(amount), "banker": str(banker(int(amount), codes.by_alpha(currency).decimals))}


@dataclass
class Sources:
    checkout_url: str | None
    relayer_url: str | None
    services: dict[str, str]  # name -> base URL
    deployment: Deployment | None
    max_lag: int


def payments(src: Sources) -> dict[str, Any]:
    if not src.checkout_url:
        return {"source": None, "rows": []}
    rows = []
    for inv in call(f"{src.checkout_url}/api/invoices", timeout=5)["invoices"]:
        rows.append(
            {
                "number": inv["number"],
                "status": inv["status"],
                "yen": inv["yen"],
                "currency": inv["currency"],
                "price": _money(inv["price"], inv["currency"]),
                "bakongHash": inv["bakongHash"],
                "refundHash": inv["refundHash"],
                "reason": inv["reason"],
            }
        )
    return {"source": src.checkout_url, "rows": rows}


def reconciliation(src: Sources, alerts: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The relayer's reconciliation lines (corridor.bridge.reconcile.report) in banker units."""
    lines = []
    if src.relayer_url:
        for line in call(f"{src.relayer_url}/reconciliation", timeout=10)["lines"]:
            cur = line["currency"]
            row = {"currency": cur}
            for key in ("supply", "omnibus", "unmintedDeposits", "unfinalizedPayouts", "drift"):
                row[key] = _money(line[key], cur)
            lines.append(row)
            if line["drift"] != 0:
                detail = f"reconciliation drift {Decimal(row['drift']['banker']):,} {cur}"
                alerts.append(_alert("drift", f"bridge {cur}", detail))
    return lines


def bridge(src: Sources, alerts: list[dict[str, str]]) -> dict[str, Any]:
    """The bridge as the chain has it: pause, per-currency reserve and buckets, queued mints, pending
    redemptions (the last MAX_REDEMPTIONS ids)."""
    chain: dict[str, Any] = {}
    d = src.deployment
    if d is not None and "BakongBridge" in d.contracts:
        b = d.contract("BakongBridge")
        now = d.w3.eth.get_block("latest")["timestamp"]
        chain["paused"] = bool(b.functions.paused().call())
        if chain["paused"]:
            alerts.append(_alert("paused", "BakongBridge", "the bridge is paused"))
        chain["currencies"] = []
        for row in codes.bridged():
            if int(b.functions.tokenOf(row.number).call(), 16) == 0:
                continue
            reserve, as_of = b.functions.reserveOf(row.number).call()
            stopped = bool(b.functions.mintingStopped(row.number).call())
            if stopped:
                alerts.append(_alert("drift", f"bridge {row.alpha}", "minting stopped (drift stop)"))
            chain["currencies"].append(
                {
                    "currency": row.alpha,
                    "reserve": _money(reserve, row.alpha),
                    "reserveAge": None if as_of == 0 else now - as_of,
                    "mintingStopped": stopped,
                    "inboundAvailable": _money(b.functions.inboundAvailable(row.number).call(), row.alpha),
                    "outboundAvailable": _money(b.functions.outboundAvailable(row.number).call(), row.alpha),
                }
            )
        chain["queuedMints"] = queued_mints(d, b, now, alerts)
        chain["pendingRedemptions"] = pending_redemptions(b)
    return chain


def queued_mints(d: Deployment, b: Any, now: int, alerts: list[dict[str, str]]) -> list[dict[str, Any]]:
    rows = []
    for event in b.events.MintQueued.get_logs(from_block=d.first_block):
        tx_hash = event["args"]["bakongTxHash"]
        if b.functions.mintStatus(tx_hash).call() != MINT_QUEUED:
            continue  # executed or vetoed since
        _recipient, currency, executable_at, amount = b.functions.queuedMint(tx_hash).call()
        alpha = codes.by_number(currency).alpha
        row = {
            "bakongTxHash": "0x" + bytes(tx_hash).hex(),
            "currency": alpha,
            "amount": _money(amount, alpha),
            "executableAt": executable_at,
            "releaseIn": max(0, executable_at - now),
        }
        rows.append(row)
        detail = f"{Decimal(row['amount']['banker']):,} {alpha} released in {row['releaseIn']} s"
        alerts.append(_alert("queued large mint", f"bridge {alpha}", detail))
    return rows


def pending_redemptions(b: Any) -> list[dict[str, Any]]:
    count = b.functions.redemptionCount().call()
    rows = []
    for rid in range(max(1, count - MAX_REDEMPTIONS + 1), count + 1):
        _holder, currency, status, deadline, amount, _beneficiary, account = b.functions.redemption(
            rid
        ).call()
        if status != REDEMPTION_PENDING:
            continue
        alpha = codes.by_number(currency).alpha
        rows.append(
            {
                "id": rid,
                "currency": alpha,
                "amount": _money(amount, alpha),
                "account": bytes(account).rstrip(b"\0").decode(errors="replace"),
                "deadline": deadline,
            }
        )
    return rows


def issuers(src: Sources, alerts: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The JPY issuers' books (IssuerRegistry): outstanding, attested reserve and its age, claims owed."""
    d = src.deployment
    if d is None or "IssuerRegistry" not in d.contracts:
        return []
    registry = d.contract("IssuerRegistry")
    now = d.w3.eth.get_block("latest")["timestamp"]
    rows = []
    for issuer_id in registry.functions.issuerIds().call():
        name, _trust, allowance, outstanding, reserve, as_of, suspended, _reg, claims = (
            registry.functions.issuer(issuer_id).call()
        )
        fresh = bool(registry.functions.isReserveFresh(issuer_id).call())
        if suspended:
            alerts.append(_alert("paused", f"issuer {name}", "the issuer is suspended"))
        rows.append(
            {
                "id": issuer_id,
                "name": name,
                "outstanding": _money(outstanding, "JPY"),
                "reserve": _money(reserve, "JPY"),
                "reserveAge": None if as_of == 0 else now - as_of,
                "reserveFresh": fresh,
                "mintAllowance": _money(allowance, "JPY"),
                "claimsOwed": _money(claims, "JPY"),
                "suspended": bool(suspended),
            }
        )
    return rows


def pools_and_feeds(src: Sources, alerts: list[dict[str, str]]) -> tuple[list[Any], list[Any]]:
    d = src.deployment
    if d is None:
        return [], []
    now = d.w3.eth.get_block("latest")["timestamp"]
    pools, feeds = [], []
    for name in sorted(d.contracts):
        if name.startswith("FXPool "):
            p = d.contract(name)
            b0, b1 = p.functions.balances().call()
            f0, f1 = p.functions.protocolFees().call()
            fee_bps, share_bps = p.functions.fee().call()
            paused = bool(p.functions.paused().call())
            if paused:
                alerts.append(_alert("paused", name, "the pool is paused"))
            base, quote = name.removeprefix("FXPool ").split("/")
            pools.append(
                {
                    "pool": name,
                    "symbols": [base, quote],
                    "balances": [_money(b0, base), _money(b1, quote)],
                    "protocolFees": [_money(f0, base), _money(f1, quote)],
                    "feeBps": fee_bps,
                    "protocolShareBps": share_bps,
                    "virtualPrice": str(ratio(p.functions.virtualPrice().call())),
                    "paused": paused,
                }
            )
        elif name.startswith("FXFeed "):
            f = d.contract(name)
            _, answer, _, updated, _ = f.functions.latestRoundData().call()
            stale = bool(f.functions.isStale().call())
            decimals = f.functions.decimals().call()
            if stale:
                alerts.append(_alert("stale feed", name, f"last answer {now - updated} s old"))
            feeds.append(
                {
                    "feed": name,
                    "answer": str(banker(answer, decimals)),
                    "age": now - updated,
                    "heartbeat": f.functions.heartbeat().call(),
                    "stale": stale,
                    "marketOpen": bool(f.functions.marketOpen().call()),
                    "nextFixing": f.functions.fixingAt().call(),
                }
            )
    return pools, feeds


def rfq(src: Sources) -> dict[str, Any]:
    """The RFQ venue's fills by currency pair (in -> out) and the fees the makers owe the treasury."""
    d = src.deployment
    if d is None or "RfqVenue" not in d.contracts:
        return {"treasury": None, "fills": [], "feesOwed": []}
    venue = d.contract("RfqVenue")
    alpha = {d.address(c.book_name).lower(): c.alpha for c in codes.CURRENCIES if c.book_name in d.contracts}
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    owing: set[tuple[str, str]] = set()
    for event in venue.events.QuoteFilled.get_logs(from_block=d.first_block):
        a = event["args"]
        cur_in, cur_out = alpha[a["tokenIn"].lower()], alpha[a["tokenOut"].lower()]
        row = pairs.setdefault((cur_in, cur_out), {"fills": 0, "paid": 0, "received": 0, "fee": 0})
        row["fills"] += 1
        row["paid"] += a["amountIn"]
        row["received"] += a["amountOut"]
        row["fee"] += a["fee"]
        owing.add((a["maker"], a["tokenOut"]))
    fills = [
        {
            "in": cur_in,
            "out": cur_out,
            "fills": row["fills"],
            "paid": _money(row["paid"], cur_in),
            "received": _money(row["received"], cur_out),
            "fees": _money(row["fee"], cur_out),
        }
        for (cur_in, cur_out), row in sorted(pairs.items())
    ]
    owed = [
        {
            "maker": maker,
            "currency": alpha[token.lower()],
            "owed": _money(venue.functions.feesOwed(maker, token).call(), alpha[token.lower()]),
        }
        for maker, token in sorted(owing)
    ]
    return {"treasury": venue.functions.treasury().call(), "fills": fills, "feesOwed": owed}


def health(src: Sources, alerts: list[dict[str, str]]) -> list[dict[str, Any]]:
    rows = []
    for name, url in src.services.items():
        try:
            h = call(f"{url}/health", timeout=3)
            row = {
                "service": name,
                "url": url,
                "status": h["status"],
                "lag": h["lag"],
                "lastError": h["lastError"],
            }
        except HttpError as exc:
            row = {"service": name, "url": url, "status": "down", "lag": None, "lastError": exc.reason}
        if row["status"] != "ok":
            alerts.append(_alert("service", name, f"{row['status']}: {row['lastError']}"))
        if name.startswith("relayer") and row["lag"] is not None and row["lag"] > src.max_lag:
            alerts.append(_alert("relayer behind", name, f"{row['lag']} blocks behind the chain"))
        rows.append(row)
    return rows


def snapshot(src: Sources) -> dict[str, Any]:
    """Every section; a source that cannot be read is reported in `errors` (and as an alert)."""
    alerts: list[dict[str, str]] = []
    errors: dict[str, str] = {}

    def section(name: str, fn: Callable[[], Any], empty: Any) -> Any:
        try:
            return fn()
        except (HttpError, DeploymentError, OSError, ValueError) as exc:
            errors[name] = str(exc).splitlines()[0]
            alerts.append(_alert("source", name, errors[name]))
            return empty

    out: dict[str, Any] = {"asOf": int(time.time())}
    out["payments"] = section("payments", lambda: payments(src), {"source": None, "rows": []})
    out["bridge"] = {
        "reconciliation": section("reconciliation", lambda: reconciliation(src, alerts), []),
        "chain": section("bridge", lambda: bridge(src, alerts), {}),
    }
    out["issuers"] = section("issuers", lambda: issuers(src, alerts), [])
    out["pools"], out["feeds"] = section("chain", lambda: pools_and_feeds(src, alerts), ([], []))
    out["rfq"] = section("rfq", lambda: rfq(src), {"treasury": None, "fills": [], "feesOwed": []})
    out["services"] = health(src, alerts)
    out["alerts"], out["errors"] = alerts, errors
    return out


class Dashboard:
    def __init__(self, src: Sources) -> None:
        self.src = src
        self.app = JsonApp(SERVICE, max_body=MAX_BODY)
        self.app.route("GET", "/api/dashboard", lambda _r: snapshot(self.src))
        self.app.route("GET", "/api/alerts", lambda _r: {"alerts": snapshot(self.src)["alerts"]})
        self.app.route("GET", "/dashboard", self.page)

    def page(self, _req: Request) -> Any:
        return Raw("text/html; charset=utf-8", dashboard_page.render(snapshot(self.src)).encode())


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="corridor dashboard",
        description="The read-only corridor dashboard: payments, bridge books, pools, feeds, service health "
        "and alerts, at /dashboard (HTML) and /api/dashboard, /api/alerts (JSON).",
    )
    add_server_arguments(p, DEFAULT_PORT)
    p.add_argument("--checkout-url", help="the checkout service (payments by invoice)")
    p.add_argument("--relayer-url", help="the relayer (the bridge reconciliation)")
    p.add_argument("--rpc", help="the chain's RPC URL (bridge, pools, feeds)")
    p.add_argument("--book", help="the deployment book (with --rpc)")
    p.add_argument("--config", help=f"service list whose /health is shown (e.g. {DEFAULT_CONFIG.name})")
    p.add_argument("--service", action="append", default=[], metavar="NAME=URL", help="a service to watch")
    p.add_argument("--max-lag", type=int, default=5, help="relayer lag (blocks) that raises an alert")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    services: dict[str, str] = {}
    if args.config:
        services.update({s.name: s.url for s in load_config(Path(args.config)).services if s.name != SERVICE})
    for item in args.service:
        name, _, url = item.partition("=")
        if not name or not url.startswith("http"):
            raise UserError(f"--service must be NAME=http://host:port, got {item!r}")
        services[name] = url.rstrip("/")
    deployment = None
    if args.book:
        if not args.rpc:
            raise UserError("--book needs --rpc")
        try:
            deployment = Deployment.from_book(args.book, connect(args.rpc))
        except DeploymentError as exc:
            raise UserError(str(exc)) from None
    src = Sources(args.checkout_url, args.relayer_url, services, deployment, args.max_lag)
    server = serve(Dashboard(src).app, args.host, args.port)
    log(SERVICE, f"listening on {url_of(server)}/dashboard (read-only)")
    return run_until_signal(server)


if __name__ == "__main__":
    sys.exit(main())
