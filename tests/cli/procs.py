"""Starting the corridor's services as real processes (`python -m corridor.cli …`) in tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from corridor.artifacts import ROOT
from corridor.services import http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def corridor(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Runs `corridor ARGS` to completion (stdout, stderr captured as text)."""
    return subprocess.run(
        [sys.executable, "-m", "corridor.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class Service:
    """One service process: started, health-checked, stopped or killed -9, restarted with the same argv."""

    def __init__(self, command: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [sys.executable, "-m", "corridor.cli", command, "--port", str(self.port), *args]
        self.env = {**os.environ, **env}
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60, wait: bool = True) -> Service:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        if not wait:
            return self
        deadline = time.monotonic() + timeout
        while True:
            try:
                http.call(self.url + "/health", timeout=2)
                return self
            except http.HttpError:
                if self.proc.poll() is not None:
                    raise AssertionError(f"{self.argv[3]} exited: {self.log.read_text()[-2000:]}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def health(self) -> dict[str, Any]:
        return http.call(self.url + "/health")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            return self.proc.wait(20)
        return self.proc.returncode if self.proc else 0

    def wait_for(self, predicate: Any, timeout: float = 30, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; log: {self.log.read_text()[-1500:]}")
            time.sleep(0.2)


def raw_post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    """POSTs raw bytes (malformed JSON, oversized bodies); (status, decoded error body)."""
    import json
    from urllib import error, request

    req = request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with request.urlopen(req, timeout=10) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read() or b"null")
    except error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
