"""The demo's off-chain side as the services a pilot runs (issue #19): the Bakong Open-API server, the validator
processes, the relayer and the quote server of config/services.yaml, started by corridor.services.sandbox's
process management on the demo's chain and deployment book, and the demo's view of them over HTTP.

    side = start_side(rpc, book, state, hooks=[settlement], linked_origins={"promptpay@hub": "TH:PROMPTPAY"})
    side.ledger.open_account("sokha@aclb", "Sokha Chan"); side.ledger.cash_in("sokha@aclb", "KHR", 5_000_000)
    intent = side.relayer.request_deposit("KHR", 40_000, customer)   # POST /deposits to the relayer
    side.ledger.pay_khqr("sokha@aclb", intent.khqr)                  # the customer's wallet pays it on Bakong
    side.relayer.wait_minted([intent.md5])                           # the relayer process mints it
    side.stop()                                                      # every process, in reverse order

`ledger` is the Bakong server seen by a wallet and an auditor (the simulator's payment and admin endpoints,
the Open API's account lookup through `BakongClient`); after `stop()` it is the books the server left in its
SQLite file. Nothing here signs or sends a chain transaction: the relayer process does, with its own key.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from eth_account import Account

from corridor.bridge.client import BakongClient, http_client
from corridor.bridge.khqr import Currency
from corridor.bridge.ledger import Ledger, Transfer
from corridor.bridge.reconcile import ReconciliationLine
from corridor.bridge.relayer import DepositIntent
from corridor.services.bakong_config import ADMIN_TOKEN, DEV_TOKENS, OPEN_API_TOKEN
from corridor.services.config import DEFAULT_CONFIG, SandboxConfig, ServiceSpec, load_config
from corridor.services.http import HttpError, call
from corridor.services.quotes import RemoteMaker
from corridor.services.sandbox import Sandbox, dev_key
from corridor.ui import UserError

SERVICES = ("bakong", "validator", "relayer", "feed-reporter", "quote-server")  # config/services.yaml names
WAIT_SECONDS = 120.0  # longest the demo waits for the relayer to finish what it asked for
DONE = ("minted", "queued")  # a deposit the relayer has taken as far as it goes for now
PIDS = "pids"  # the process ids of the running services (a demo killed with kill -9 leaves them behind)
FIXINGS = "fixings.json"  # the demo's feed-reporter source (config/services.yaml's is the sandbox schedule)


class BakongWallets:
    """The Bakong server as the demo's parties see it: wallets paying KHQRs, the simulator's admin opening and
    funding accounts, balances and the transfer list (the simulator's endpoints, minor units)."""

    def __init__(self, url: str, admin_token: str, client: BakongClient) -> None:
        self.url = url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {admin_token}"}
        self.client = client  # the Open API client (check_bakong_account, check_transaction_by_md5)

    def _post(self, path: str, payload: dict[str, Any]) -> Any:
        try:
            return call(f"{self.url}{path}", payload, headers=self._auth)
        except HttpError as exc:
            raise UserError(f"Bakong server {path}: {exc.reason}") from exc

    def account_exists(self, account: str) -> bool:
        return self.client.account_exists(account)

    def open_account(self, account: str, name: str) -> None:
        self._post("/admin/open_account", {"accountId": account, "name": name})

    def cash_in(self, account: str, currency: str, amount: int) -> None:
        self._post("/admin/cash_in", {"accountId": account, "currency": currency, "amount": amount})

    def pay_khqr(self, payer: str, khqr: str) -> Transfer:
        return _transfer(self._post("/sim/pay_khqr", {"payer": payer, "khqr": khqr}))

    def balance(self, account: str, currency: str | Currency) -> int:
        cur = currency.name if isinstance(currency, Currency) else currency
        return int(self._post("/sim/balance", {"accountId": account, "currency": cur})["balance"])

    def transfers(self) -> list[Transfer]:
        return [_transfer(t) for t in self._post("/sim/transfers", {})["transfers"]]

    def by_client_ref(self, reference: str) -> Transfer | None:
        return next((t for t in self.transfers() if t.client_ref == reference), None)


def _transfer(t: Mapping[str, Any]) -> Transfer:
    return Transfer(
        int(t["seq"]),
        str(t["hash"]),
        t["fromAccountId"],
        str(t["toAccountId"]),
        Currency.parse(str(t["currency"])),
        int(t["amount"]),
        t["md5"],
        t["reference"],
        t["description"],
        int(t["createdDateMs"]),
    )


class RelayerApi:
    """The relayer process's HTTP interface: deposit KHQRs, invoices to track, progress, reconciliation."""

    def __init__(self, url: str, address: str) -> None:
        self.url = url.rstrip("/")
        self.address = address  # the key the relayer sends its transactions with

    def _post(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        try:
            return call(f"{self.url}{path}", payload)
        except HttpError as exc:
            raise UserError(f"relayer {path}: {exc.reason}") from exc

    def request_deposit(self, currency: str, amount: int, recipient: str) -> DepositIntent:
        d = self._post("/deposits", {"currency": currency, "amount": amount, "recipient": recipient})
        return DepositIntent(
            d["khqr"],
            d["md5"],
            d["reference"],
            Currency.parse(d["currency"]),
            int(d["amount"]),
            d["recipient"],
        )

    def expect_invoice(self, khqr: str, hook: str, hook_data: bytes) -> None:
        self._post("/invoices", {"khqr": khqr, "hook": hook, "hookData": "0x" + bytes(hook_data).hex()})

    def deposit(self, md5: str) -> dict[str, Any]:
        return self._post("/deposits/status", {"md5": md5})

    def reconciliation(self) -> list[ReconciliationLine]:
        return [
            ReconciliationLine(
                Currency.parse(line["currency"]),
                int(line["supply"]),
                int(line["omnibus"]),
                int(line["unmintedDeposits"]),
                int(line["unfinalizedPayouts"]),
            )
            for line in self._post("/reconciliation")["lines"]
        ]

    def why_stuck(self) -> str:
        """The relayer's last error and dead letters, for a demo that waited in vain."""
        try:
            health = call(f"{self.url}/health", timeout=5)
            dead = call(f"{self.url}/dead-letters", timeout=5)["deadLetters"]
        except HttpError as exc:
            return f"the relayer does not answer ({exc.reason})"
        parts = [f"last error: {health.get('lastError') or 'none'}"]
        parts += [f"dead letter {d['item']}: {d['reason']}" for d in dead[:2]]
        return "; ".join(parts)

    def wait_done(
        self,
        md5s: Sequence[str],
        timeout: float = WAIT_SECONDS,
        tick: Any = None,
        until: Sequence[str] | None = None,
    ) -> list[dict]:
        """Waits until every deposit of `md5s` is in one of `until` (default: minted, or queued behind the
        large-mint timelock); returns their status rows. `tick()` runs between polls (the demo mines there)."""
        done = tuple(until or DONE)
        return _wait(
            lambda: [self.deposit(m) for m in md5s],
            lambda rows: all(r["status"] in done for r in rows),
            timeout,
            tick,
            self.why_stuck,
        )


def _wait(read: Any, done: Any, timeout: float, tick: Any, why: Any) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise UserError(f"the relayer service did not finish within {timeout:.0f} s: {why()}")
        if tick is not None:
            tick()
        time.sleep(0.25)


@dataclass
class ServiceSide:
    """The running processes and the demo's clients of them."""

    sandbox: Sandbox
    ledger: BakongWallets | Ledger
    relayer: RelayerApi
    quotes: RemoteMaker  # the quote server (the market maker's firm RFQ quotes over HTTP)
    omnibus: str
    db: Path  # the Bakong server's SQLite file
    reporter_url: str  # the feed reporter (its /health: each feed's round and answer, its last alert)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.sandbox.children]

    @property
    def running(self) -> bool:
        return any(c.running for c in self.sandbox.children)

    def wait(self, check: Any, what: str, timeout: float = WAIT_SECONDS, tick: Any = None) -> None:
        """Waits until `check()` is true (a redemption finalized on chain, …)."""
        _wait(check, bool, timeout, tick, lambda: f"{what}; {self.relayer.why_stuck()}")

    def url(self, name: str) -> str:
        return str(next(c.url for c in self.sandbox.children if c.name == name))

    def publish_fixings(self, rates: Mapping[str, str]) -> None:
        """Writes the feed reporter's source (atomically: the reporter re-reads it every pass)."""
        write_fixings(self.sandbox.state / FIXINGS, rates)

    def wait_reporter(self, check: Any, what: str, timeout: float = WAIT_SECONDS) -> None:
        """Waits until `check()` is true (a fixing on chain); a timeout names the reporter's last alert."""

        def why() -> str:
            try:
                return f"feed reporter: {call(self.reporter_url + '/health', timeout=5).get('lastError') or 'no alert'}"
            except HttpError as exc:
                return f"the feed reporter does not answer ({exc.reason})"

        _wait(check, bool, timeout, None, lambda: f"{what}; {why()}")

    def stop_service(self, name: str) -> None:
        """Stops one process, the others keep running (e.g. the feed reporter, to let the feeds go stale)."""
        next(c for c in self.sandbox.children if c.name == name).stop()

    def stop(self) -> None:
        """Stops every process (SIGTERM, then SIGKILL after the grace); `ledger` becomes the server's books."""
        self.sandbox.stop()
        (self.sandbox.state / PIDS).unlink(missing_ok=True)
        self.ledger = Ledger(str(self.db))


def _stop_leftovers(pids: Path) -> None:
    """SIGTERMs the service processes a demo killed with `kill -9` left running (their ids in `pids`; only a
    process that is still a `corridor` service is signalled), so their ports are free again."""
    if not pids.is_file():
        return
    for line in pids.read_text().split():
        pid = int(line) if line.isdigit() else 0
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone (or no /proc): nothing to stop
        if pid and b"corridor.cli" in cmdline:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
    pids.unlink()


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (exited, not yet reaped by its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def service_address(name: str, role: str, config_path: Path = DEFAULT_CONFIG) -> str:
    """The address of the development key service `name` signs with as `role` (config/services.yaml `keys:`)."""
    spec = next((s for s in load_config(config_path).services if s.name == name), None)
    if spec is None or role not in spec.keys:
        raise UserError(f"{config_path.name} gives {name} no {role} key")
    return str(Account.from_key(dev_key(spec.keys[role])).address)


def write_fixings(path: Path, rates: Mapping[str, str]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(rates)))
    os.replace(tmp, path)


def _specs(config: SandboxConfig, validators: int, extra: Mapping[str, Sequence[str]]) -> list[ServiceSpec]:
    chosen = []
    for spec in config.services:
        kind = spec.name.rsplit("-", 1)[0] if spec.name.startswith("validator-") else spec.name
        if kind not in SERVICES:
            continue
        if kind == "validator" and int(spec.name.rsplit("-", 1)[1]) >= validators:
            continue
        chosen.append(replace(spec, args=[*spec.args, *extra.get(kind, ())]))
    if len([s for s in chosen if s.name.startswith("validator-")]) < validators:
        raise UserError(f"{config.path.name} lists fewer than the {validators} validators the settings name")
    return chosen


def start_side(
    rpc: str,
    book: Path,
    state: Path,
    omnibus: str,
    validators: int,
    hooks: Sequence[str] = (),
    linked_origins: Mapping[str, str] | None = None,
    config_path: Path = DEFAULT_CONFIG,
    fixings: Mapping[str, str] | None = None,
) -> ServiceSide:
    """Starts the Bakong server, `validators` validator processes, the relayer, the feed reporter and the quote
    server of `config_path` against the chain at `rpc` and the deployment `book`, their state (fresh) and logs
    in `state`; the validators and the relayer serve invoices minted to `hooks`, from `linked_origins`. The
    feed reporter reads `fixings` ({CODE: USD rate}, the feeds' answers: nothing to send) from a file the demo
    rewrites when it publishes a fixing (`ServiceSide.publish_fixings`), instead of the sandbox's schedule,
    whose clock would move the rates at a different step on every run."""
    port = urlparse(rpc).port
    if port is None:
        raise UserError(f"the chain's RPC {rpc} names no port")
    config = load_config(config_path)
    invoices = [a for h in hooks for a in ("--hook", h)]
    invoices += [
        a for acc, origin in (linked_origins or {}).items() for a in ("--linked-origin", f"{acc}={origin}")
    ]
    extra = {
        "bakong": ["--omnibus", omnibus],
        "validator": ["--omnibus", omnibus, "--poll", "0.5", *invoices],
        "relayer": ["--omnibus", omnibus, "--interval", "0.5", "--max-backoff", "2", *invoices],
        "feed-reporter": ["--source", str(state / FIXINGS), "--interval", "0.5"],  # argparse: the last wins
    }
    specs = _specs(config, validators, extra)
    state.mkdir(parents=True, exist_ok=True)
    _stop_leftovers(state / PIDS)  # first: they write to the files below
    for old in ("bakong.sqlite*", "relayer.sqlite*", "quote-server.json*", "logs/*.log"):  # a fresh suite:
        for f in state.glob(old):  # fresh books and logs
            f.unlink()
    write_fixings(state / FIXINGS, fixings or {})
    sandbox = Sandbox(SandboxConfig(config.path, port, specs), state, book=book)
    try:
        sandbox.start_services(together=True)  # each of them waits out the others' absence
    except BaseException:
        sandbox.stop()
        raise
    finally:
        (state / PIDS).write_text("".join(f"{c.proc.pid}\n" for c in sandbox.children if c.proc is not None))
    urls = {c.name: c.url for c in sandbox.children}
    relayer_spec = next(s for s in specs if s.name == "relayer")
    relayer_address = Account.from_key(dev_key(relayer_spec.keys["RELAYER"])).address
    bakong_url = str(urls["bakong"])
    client = http_client(bakong_url + "/v1", DEV_TOKENS[OPEN_API_TOKEN])
    return ServiceSide(
        sandbox,
        BakongWallets(bakong_url, DEV_TOKENS[ADMIN_TOKEN], client),
        RelayerApi(str(urls["relayer"]), relayer_address),
        RemoteMaker(str(urls["quote-server"])),
        omnibus,
        sandbox.state / "bakong.sqlite",
        str(urls["feed-reporter"]),
    )
