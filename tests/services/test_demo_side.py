"""The demo's service side without a chain: the services a `kill -9`-ed demo left running are stopped by the
next run from their recorded process ids, and nothing else is signalled."""

from __future__ import annotations

import subprocess
import sys

from corridor.demo_side import PIDS, _stop_leftovers


def _sleeper(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *argv])


def test_leftover_services_are_stopped_and_other_processes_left_alone(tmp_path):
    service = _sleeper("-m", "corridor.cli", "relayer")  # what the launcher's command line looks like
    other = _sleeper("unrelated")
    try:
        (tmp_path / PIDS).write_text(f"{service.pid}\n{other.pid}\n999999999\nnot-a-pid\n")
        _stop_leftovers(tmp_path / PIDS)
        assert service.wait(5) == -15  # SIGTERM
        assert other.poll() is None
        assert not (tmp_path / PIDS).exists()
    finally:
        for proc in (service, other):
            proc.kill()
            proc.wait()


def test_no_pid_file_is_nothing_to_do(tmp_path):
    _stop_leftovers(tmp_path / PIDS)
    assert not (tmp_path / PIDS).exists()
