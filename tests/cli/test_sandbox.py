"""`corridor sandbox` (make sandbox): Anvil + the journaled deploy + every service of the service list, URLs
printed, all healthy; SIGINT stops everything cleanly; a second run resumes the same chain and book without
sending a deploy transaction."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

from corridor.artifacts import ROOT
from tests.cli.procs import corridor, free_port


def start(cfg, state, log, env=None):
    out = open(log, "w")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "corridor.cli", "sandbox", "--config", str(cfg), "--state", str(state)],
                            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})  # fmt: skip


def wait_running(proc, log, timeout=600):
    deadline = time.monotonic() + timeout
    while "Sandbox running" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.5)


def test_sandbox_starts_reports_stops_and_resumes(tmp_path):
    cfg = tmp_path / "services.yaml"  # config/services.yaml with every port moved to a free one
    ports: dict[str, int] = {}
    text = re.sub(r"port: (\d+)", lambda m: f"port: {ports.setdefault(m[1], free_port())}",
                  (ROOT / "config" / "services.yaml").read_text())  # fmt: skip
    cfg.write_text(text)
    chain_port, qs, fr = ports["8545"], ports["8610"], ports["8620"]
    names = set(re.findall(r"- name: (\S+)", text))
    assert {"quote-server", "feed-reporter", "bakong", "relayer", "validator-0"} <= names
    state, log = tmp_path / "state", tmp_path / "sandbox.log"
    proc = start(cfg, state, log)
    try:
        wait_running(proc, log)
        text = log.read_text()
        for url in (f"http://127.0.0.1:{chain_port}", f"http://127.0.0.1:{qs}", f"http://127.0.0.1:{fr}"):
            assert url in text
        status = corridor("status", "--config", str(cfg), "--json")
        assert status.returncode == 0, status.stdout
        assert {h["service"]: h["status"] for h in json.loads(status.stdout)} == dict.fromkeys(names, "ok")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    assert "stopped; state kept in" in log.read_text() and "Traceback" not in log.read_text()
    assert corridor("status", "--config", str(cfg)).returncode == 1  # everything is down
    book = json.loads((state / "deployments" / "sandbox.json").read_text())
    sent = len(book["transactions"])

    proc = start(cfg, state, log)
    try:
        wait_running(proc, log, timeout=120)
        text = log.read_text()
        assert "resumed from" in text and "suite already deployed" in text
        assert corridor("status", "--config", str(cfg)).returncode == 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    assert len(json.loads((state / "deployments" / "sandbox.json").read_text())["transactions"]) == sent
