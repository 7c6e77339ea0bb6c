"""The make targets' scripts as a new user meets them (tools/brownie_cli.py, what `make demo`, `make pay`,
`make console` and `make gas` run): a network brownie does not know ends in one line and status 2, before
anything connects or is written (brownie itself ends in a KeyError traceback)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from corridor.artifacts import ROOT


@pytest.mark.parametrize("script", ["scripts/demo.py", "scripts/pay.py"])
def test_unknown_network_is_one_line(script):
    before = sorted(p.name for p in (ROOT / "deployments").iterdir())
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "brownie_cli.py"), "run", script, "--network", "nosuch"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip() == (
        "error: unknown network 'nosuch' (the project plays on development or ganache-berlin; "
        "`brownie networks list` shows every network brownie knows)"
    )
    assert sorted(p.name for p in (ROOT / "deployments").iterdir()) == before
