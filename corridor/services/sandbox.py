"""`make sandbox` (`corridor sandbox`): a local corridor running as a pilot runs it.

Starts Anvil (its state in <state>/anvil-state.json), deploys the suite with scripts/deploy.py (journaled,
book <state>/deployments/sandbox.json; skipped when that book is complete on this chain), gives the market
maker yen to quote with (corridor.services.sandbox_seed; nothing when it has some), starts every
service of config/services.yaml as its own process (logs in <state>/logs/), prints their URLs and
supervises them (a service that dies is restarted, with a back-off). Ctrl-C (or SIGTERM) stops the
services, then Anvil, which writes its state: the next run resumes on the same chain, book and service
state. `rm -rf .sandbox` starts afresh.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from corridor.artifacts import ROOT
from corridor.services import http
from corridor.services.chain import connect, dev_account, read_book
from corridor.services.config import DEFAULT_CONFIG, SandboxConfig, ServiceSpec, load_config
from corridor.ui import UserError, table

SERVICE = "sandbox"
BOOK_NAME = "sandbox"
STOP_GRACE = 10.0  # seconds a process has to exit after SIGTERM before SIGKILL
MAX_RESTARTS = 5


def log(message: str) -> None:
    http.log(SERVICE, message)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def dev_key(spec: str) -> str:
    """The private key a development key spec names (config/services.yaml `keys:`)."""
    from corridor.suite import dev_party_key, dev_validator_keys

    kind, _, value = spec.partition(":")
    if kind == "anvil" and value.isdigit():
        return "0x" + dev_account(int(value)).key.hex().removeprefix("0x")
    if kind == "party" and value:
        return dev_party_key(value)
    if kind == "validator" and value.isdigit():
        return dev_validator_keys(int(value) + 1)[int(value)]
    raise UserError(f"key spec {spec!r}: expected anvil:N, party:LABEL or validator:N")


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    url: str | None = None
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open while the child runs
        # its own session: Ctrl-C reaches the launcher only, which stops the children in order
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop within {STOP_GRACE:.0f} s: killed")
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class Sandbox:
    def __init__(self, config: SandboxConfig, state: Path, book: Path | None = None) -> None:
        """`book`: the deployment book the services read (default the sandbox's own, which it deploys;
        the demo passes the book of the suite it deployed and starts the services alone)."""
        self.config = config
        self.state = state.resolve()
        self.book = (book or self.state / "deployments" / f"{BOOK_NAME}.json").resolve()
        self.anvil: Child | None = None
        self.children: list[Child] = []
        self.stopping = False

    # ---------------------------------------------------------------- chain

    def start_chain(self) -> None:
        port = self.config.rpc_port
        if port_in_use(port):
            raise UserError(f"port {port} is in use (another chain or sandbox?): stop it first")
        anvil = ROOT / "node_modules" / ".bin" / "anvil"
        argv = [
            str(anvil), "--port", str(port), "--accounts", "10", "--gas-limit", "30000000", "--base-fee", "0",
            "--state", str(self.state / "anvil-state.json"), "--state-interval", "5",
        ]  # fmt: skip
        self.anvil = Child("anvil", argv, dict(os.environ), self.state / "logs" / "anvil.log")
        resumed = (self.state / "anvil-state.json").is_file()
        self.anvil.start()
        deadline = time.monotonic() + 30
        while not port_in_use(port):
            if not self.anvil.running or time.monotonic() > deadline:
                raise UserError(f"anvil did not start (see {self.anvil.log_path})")
            time.sleep(0.1)
        log(
            f"anvil on {self.config.rpc} ({'resumed from' if resumed else 'state in'} {self.state / 'anvil-state.json'})"
        )

    def keep_chain_clock(self) -> None:
        """The chain's clock follows the wall clock as a live chain's does: the next block is set to now (a
        resumed Anvil goes on from its saved block time) and from then on a block is mined every second
        (Anvil otherwise mines only on a transaction, and an idle chain's `latest` time stands still). The KHQR
        expiry Bakong checks and the quote window the settlement checks are then one instant."""
        w3 = connect(self.config.rpc)
        now, last = int(time.time()), int(w3.eth.get_block("latest")["timestamp"])
        if now > last:
            w3.provider.make_request("evm_setNextBlockTimestamp", [now])
            w3.provider.make_request("evm_mine", [])
            log(f"chain clock moved {now - last} s forward to the wall clock")
        w3.provider.make_request("evm_setIntervalMining", [1])

    def deploy(self) -> None:
        w3 = connect(self.config.rpc)
        if self.book.is_file():
            try:
                book = read_book(self.book, w3)
                if "InvoiceSettlement" in book.contracts and w3.eth.get_code(book.address("RfqVenue")):
                    log(f"suite already deployed ({self.book}); nothing to send")
                    return
            except UserError:
                pass  # unfinished or of another chain: the journaled deploy resumes or refuses
        log("deploying the suite (journaled: a re-run sends only what is missing)")
        argv = [
            sys.executable, "-m", "corridor.services.sandbox_deploy", str(self.config.rpc_port),
            "run", "scripts/deploy.py", "main", BOOK_NAME, str(self.book.parent), "--network", "development",
        ]  # fmt: skip
        env = {**os.environ, "CORRIDOR_ROOT": str(ROOT), "SOLCX_BINARY_PATH": str(ROOT / ".solcx")}
        env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
        log_path = self.state / "logs" / "deploy.log"
        with open(log_path, "ab") as out:
            rc = subprocess.run(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
            ).returncode
        if rc != 0 and not self.stopping:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise UserError(f"the deploy failed (exit {rc}; log {log_path}): {tail[0]}")

    def seed(self) -> None:
        """The market maker's yen inventory (corridor.services.sandbox_seed; nothing sent on a resume)."""
        from corridor.services.sandbox_seed import seed_market_maker

        w3 = connect(self.config.rpc)
        seed_market_maker(w3, read_book(self.book, w3), log)
        self.keep_chain_clock()

    # ---------------------------------------------------------------- services

    def child_for(self, spec: ServiceSpec) -> Child:
        urls = {s.name: s.url for s in self.config.services}
        values = {
            "state": str(self.state),
            "rpc": self.config.rpc,
            "book": str(self.book),
            "config": str(self.config.path),
        }
        args = []
        for arg in spec.args:
            for name, url in urls.items():
                arg = arg.replace(f"{{url:{name}}}", url)
            args.append(arg.format(**values))
        env = {**os.environ, "CORRIDOR_RPC": self.config.rpc, "CORRIDOR_BOOK": str(self.book)}
        env.update({f"{role}_PRIVATE_KEY": dev_key(key) for role, key in spec.keys.items()})
        argv = [
            sys.executable,
            "-m",
            "corridor.cli",
            spec.command,
            "--host",
            spec.host,
            "--port",
            str(spec.port),
            *args,
        ]
        return Child(spec.name, argv, env, self.state / "logs" / f"{spec.name}.log", url=spec.url)

    def start_services(self, together: bool = False) -> None:
        """Starts the services in list order, each answering /health before the next starts; `together`:
        starts them all, then waits for each (for services that wait out each other's absence themselves,
        as the Bakong side and the quote server do)."""
        for spec in self.config.services:
            if port_in_use(spec.port, spec.host):
                raise UserError(f"port {spec.port} of {spec.name} is in use: stop what listens there first")
            child = self.child_for(spec)
            child.start()
            self.children.append(child)
            if not together:
                self.wait_up(child)
        for child in self.children if together else ():
            self.wait_up(child)

    def wait_up(self, child: Child, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                http.call(f"{child.url}/health", timeout=2.0)
                return
            except http.HttpError:
                if not child.running:
                    raise UserError(f"{child.name} exited at start (see {child.log_path})") from None
                if time.monotonic() > deadline:
                    raise UserError(
                        f"{child.name} does not answer on {child.url} (see {child.log_path})"
                    ) from None
                time.sleep(0.2)

    def supervise_once(self) -> None:
        """Restarts a service that exited, at most MAX_RESTARTS times in a row, with a growing pause."""
        now = time.monotonic()
        for child in self.children:
            if child.running or self.stopping or now < child.next_start:
                continue
            if child.restarts >= MAX_RESTARTS:
                continue
            rc = child.proc.returncode if child.proc else None
            child.stop()
            child.restarts += 1
            log(
                f"{child.name} exited (status {rc}); restart {child.restarts}/{MAX_RESTARTS} (log {child.log_path})"
            )
            child.start()
            child.next_start = now + 2**child.restarts
        if self.anvil is not None and not self.anvil.running and not self.stopping:
            raise UserError(f"anvil exited (see {self.anvil.log_path}); stopping the sandbox")

    def stop(self) -> None:
        self.stopping = True
        for child in reversed(self.children):
            child.stop()
        if self.anvil is not None:
            self.anvil.stop()  # SIGTERM: anvil writes its state file on the way out

    def urls(self) -> str:
        rows = [["chain (anvil)", self.config.rpc, "-"]]
        rows += [
            [c.name, c.url or "-", str(c.log_path.relative_to(self.state.parent))] for c in self.children
        ]
        return table(["service", "url", "log"], rows, title="Sandbox running")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor sandbox",
        description="Start Anvil, deploy the suite (journaled) and every service of the service list; "
        "Ctrl-C stops them all; a second run resumes on the same state.",
    )
    parser.add_argument(
        "--config", default=str(DEFAULT_CONFIG), help="service list (default config/services.yaml)"
    )
    parser.add_argument("--state", default=str(ROOT / ".sandbox"), help="state folder (default .sandbox/)")
    parser.add_argument("--no-wait", action="store_true", help=argparse.SUPPRESS)  # tests: start, print, stop
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sandbox = Sandbox(load_config(Path(args.config)), Path(args.state))
    sandbox.state.mkdir(parents=True, exist_ok=True)
    stop_requested = False

    def request_stop(_signum: int, _frame: Any) -> None:
        nonlocal stop_requested
        stop_requested = sandbox.stopping = True  # a deploy in progress is interrupted, not reported

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        steps = (sandbox.start_chain, sandbox.deploy, sandbox.seed, sandbox.start_services)
        for step in steps:
            if stop_requested:
                break
            step()
        if not stop_requested:
            print(sandbox.urls(), flush=True)
            pages = {
                "checkout": "/checkout?number=<invoice> (POST /api/invoices first)",
                "dashboard": "/dashboard",
            }
            for child in sandbox.children:
                if child.name in pages:
                    print(f"{child.name} page: {child.url}{pages[child.name]}", flush=True)
            print(
                f"\n`corridor status` shows their health; Ctrl-C stops everything (state kept in {sandbox.state}).",
                flush=True,
            )
        while not stop_requested and not args.no_wait:
            sandbox.supervise_once()
            time.sleep(0.5)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        log("stopping the services and the chain")
        sandbox.stop()
        log(f"stopped; state kept in {sandbox.state} (the next run resumes it)")
    return 0
