"""Ctrl-C in the middle of `make demo` and `make sandbox`, as a terminal sends it (SIGINT to the foreground
process group): one line at the end, no traceback, and no service process or port left behind."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from corridor.artifacts import ROOT
from corridor.demo_side import PIDS, _alive
from corridor.services.config import load_config
from tests.cli.procs import free_port

ENV = {**os.environ, "SOLCX_BINARY_PATH": str(ROOT / ".solcx"), "PYTHONUNBUFFERED": "1"}  # lines as printed


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_text(path: Path, text: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        assert proc.poll() is None, f"exited ({proc.returncode}) before {text!r}:\n{path.read_text()}"
        assert time.monotonic() < deadline, f"no {text!r} within {timeout:.0f} s"
        time.sleep(0.2)


def interruptible() -> None:
    """In the child before exec: SIGINT as in a terminal's foreground job (a test run started in the
    background inherits it ignored, and Python keeps an ignored SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ctrl_c(proc: subprocess.Popen) -> int:
    os.killpg(proc.pid, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C
    return proc.wait(120)


def processes_under(folder: Path) -> list[int]:
    """Process ids whose command line names `folder` (the services and chain a run started there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(folder).encode() in cmdline and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_ctrl_c_during_the_demo_stops_its_services_and_says_so_in_one_line(tmp_path):
    """Interrupted once every service runs (after the feed reporter's fixing): the demo stops them all, the
    last line is the interruption (status 130), no report is written half-way."""
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    books, reports = tmp_path / "books", tmp_path / "reports"
    argv = [sys.executable, str(ROOT / "tools" / "brownie_cli.py"), "run", "scripts/demo.py", "main",
            str(books), str(reports), "--network", "development"]  # fmt: skip
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=ENV,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=interruptible,
        )
        try:
            wait_for_text(out, "JPY/USD fixing", proc)
            pids = [int(p) for p in (books / "development-services" / PIDS).read_text().split()]
            assert len(pids) == 9  # bakong, 5 validators, relayer, feed reporter, quote server
            assert all(_alive(pid) for pid in pids)
            rc = ctrl_c(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
    printed, errors = out.read_text(), err.read_text()
    assert rc == 130, printed + errors
    assert "Traceback" not in printed + errors
    assert errors.strip().splitlines()[-1] == "scripts/demo.py: interrupted (Ctrl-C), stopped"
    assert re.search(r"stopped bakong, validator-0, .*feed-reporter, quote-server", printed)
    assert [pid for pid in pids if _alive(pid)] == []
    config = load_config(ROOT / "config" / "services.yaml")
    ports = [s.port for s in config.services if s.name not in ("checkout", "dashboard")]
    assert [p for p in ports if listening(p)] == []
    assert not (books / "development-services" / PIDS).exists()
    assert not (reports / "demo.md").exists() and not list(reports.glob(".*.tmp*"))


def test_ctrl_c_during_the_sandbox_deploy_stops_the_chain_and_the_deploy(tmp_path):
    """`make sandbox` interrupted while the journaled deploy runs: the deploy ends with its one line (in the
    deploy log), the sandbox stops its chain and says so last; nothing of the run is left running."""
    cfg = tmp_path / "services.yaml"  # config/services.yaml with every port moved to a free one
    ports: dict[str, int] = {}
    cfg.write_text(re.sub(r"port: (\d+)", lambda m: f"port: {ports.setdefault(m[1], free_port())}",
                          (ROOT / "config" / "services.yaml").read_text()))  # fmt: skip
    state, log = tmp_path / "state", tmp_path / "sandbox.log"
    argv = [sys.executable, "-m", "corridor.cli", "sandbox", "--config", str(cfg), "--state", str(state)]
    with open(log, "w") as output:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=ENV,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=interruptible,
        )
        try:
            wait_for_text(log, "deploying the suite", proc, timeout=120)
            deploy_log = state / "logs" / "deploy.log"
            wait_for_text(deploy_log, "deployed ", proc, timeout=300)  # transactions are going out
            rc = ctrl_c(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    assert rc == 0 and "Traceback" not in text, text
    assert text.strip().splitlines()[-1].endswith(f"stopped; state kept in {state} (the next run resumes it)")
    deployed = deploy_log.read_text()
    assert "Traceback" not in deployed
    assert deployed.strip().splitlines()[-1] == "scripts/deploy.py: interrupted (Ctrl-C), stopped"
    assert not listening(ports["8545"]) and processes_under(state) == []
