"""Fixtures for the toolchain tests (the solc wrapper, the Slither lint driver): no chain needed."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "tools" / "solc" / "solc.js"


@pytest.fixture(scope="session")
def wrapper() -> Path:
    """tools/solc/solc.js, an executable with a node shebang (what `--solc` and py-solc-x are given)."""
    return WRAPPER


@pytest.fixture(scope="session")
def run_solc(wrapper: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run the wrapper with arguments (and stdin), in `cwd` (the repo root by default)."""

    def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(wrapper), *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throw-away project root: this repo's brownie-config.yaml and node_modules, an empty contracts/."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "brownie-config.yaml").write_text((ROOT / "brownie-config.yaml").read_text())
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    return tmp_path
