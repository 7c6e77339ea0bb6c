"""Runs the services as real processes for the process-level tests: the Bakong server, validator
processes and the relayer, each `python -m corridor.services.<name>` with its own port, secrets in its
environment, its log in a file, started, SIGKILLed and restarted by the tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.artifacts import ROOT
from corridor.services.http import HttpError, call

TOKENS = {"BAKONG_TOKEN": "dev-token", "BAKONG_BANK_TOKEN": "bank-token", "BAKONG_ADMIN_TOKEN": "admin-token"}
ADMIN = {"Authorization": "Bearer admin-token"}
OMNIBUS = "corridor@abab"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(
    check: Callable[[], Any], timeout: float = 60.0, what: str = "condition", every: float = 0.2
) -> Any:
    """Polls `check()` until it returns a truthy value; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


@dataclass
class Process:
    """One service process; `start()` again after `kill()` is a restart over the same state."""

    name: str
    module: str
    args: list[str]
    port: int
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self, extra_env: dict[str, str] | None = None, wait: bool = True) -> Process:
        assert self.proc is None or self.proc.poll() is not None, f"{self.name} is running"
        self.starts += 1
        env = {**os.environ, **TOKENS, **self.env, **(extra_env or {})}
        log = self.log_path.open("a")
        log.write(f"---- start #{self.starts}\n")
        log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module, "--port", str(self.port), *self.args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_up()
        return self

    def wait_up(self, timeout: float = 60.0) -> dict:
        def up() -> dict | None:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                return call(f"{self.url}/health", timeout=2)
            except HttpError:
                return None

        return wait_for(up, timeout, f"{self.name} to answer /health")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush; what a crash or an OOM kill does."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int | None:
        """SIGTERM and wait: the clean shutdown."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def health(self) -> dict:
        return call(f"{self.url}/health", timeout=5)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Services:
    """The Bakong server, N validator processes and the relayer over one deployment book."""

    def __init__(self, tmp: Path, rpc: str, book: Path, validator_keys: list[str], relayer_key: str) -> None:
        self.tmp = tmp
        common = ["--rpc", rpc, "--book", str(book)]
        self.bakong = Process(
            "bakong-server",
            "corridor.services.bakong_server",
            ["--db", str(tmp / "bakong.sqlite"), "--omnibus", OMNIBUS],
            free_port(),
            tmp,
        )
        bakong = ["--bakong-url", self.bakong.url]
        self.validators = [
            Process(
                f"validator-{i}",
                "corridor.services.validator",
                [*common, *bakong, "--name", f"validator-{i}", "--poll", "0.5"],
                free_port(),
                tmp,
                env={"VALIDATOR_PRIVATE_KEY": key},
            )
            for i, key in enumerate(validator_keys)
        ]
        validator_args = [a for v in self.validators for a in ("--validator", v.url)]
        self.relayer = Process(
            "relayer",
            "corridor.services.relayer",
            [
                *common,
                *bakong,
                *validator_args,
                "--state",
                str(tmp / "relayer.sqlite"),
                "--interval",
                "0.5",
                "--max-backoff",
                "2",
            ],
            free_port(),
            tmp,
            env={"RELAYER_PRIVATE_KEY": relayer_key},
        )

    @property
    def all(self) -> list[Process]:
        return [self.bakong, *self.validators, self.relayer]

    def start(self) -> Services:
        self.bakong.start()
        for v in self.validators:
            v.start(wait=False)
        for v in self.validators:
            v.wait_up()
        self.relayer.start()
        return self

    def stop(self) -> None:
        for p in reversed(self.all):
            p.stop()

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.tail(15)}" for p in self.all)

    # ------------------------------------------------------------- Bakong side

    def admin(self, path: str, payload: dict[str, Any]) -> Any:
        return call(f"{self.bakong.url}{path}", payload, headers=ADMIN)

    def open_funded(self, account: str, currency: str, amount: int) -> None:
        self.admin("/admin/open_account", {"accountId": account})
        self.admin("/admin/cash_in", {"accountId": account, "currency": currency, "amount": amount})

    def balance(self, account: str, currency: str) -> int:
        return int(self.admin("/sim/balance", {"accountId": account, "currency": currency})["balance"])

    def transfers(self) -> list[dict]:
        return self.admin("/sim/transfers", {})["transfers"]

    # ----------------------------------------------------------------- relayer

    def deposit(self, currency: str, amount: int, recipient: str) -> dict:
        return call(
            f"{self.relayer.url}/deposits",
            {"currency": currency, "amount": amount, "recipient": recipient},
        )

    def deposit_status(self, md5: str) -> dict:
        return call(f"{self.relayer.url}/deposits/status", {"md5": md5})

    def pay(self, payer: str, khqr: str) -> dict:
        return self.admin("/sim/pay_khqr", {"payer": payer, "khqr": khqr})


def write_book(path: Path, chain_id: int, bridge: str, omnibus: str = OMNIBUS, deploy_block: int = 0) -> Path:
    """A deployment book holding the bridge (the shape scripts/deploy.py writes, reduced to the bridge)."""
    path.write_text(
        json.dumps(
            {
                "format": 1,
                "network": "development",
                "chainId": chain_id,
                "deployer": "",
                "config": {"bridge": {"omnibus_account": omnibus}},
                "contracts": {"BakongBridge": {"contract": "BakongBridge", "address": bridge}},
                "transactions": [
                    {
                        "what": {"kind": "deploy"},
                        "status": "done",
                        "nonce": 0,
                        "block": deploy_block,
                        "address": bridge,
                        "tx": None,
                    }
                ],
            },
            indent=2,
        )
    )
    return path
