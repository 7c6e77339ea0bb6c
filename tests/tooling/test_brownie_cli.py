"""tools/brownie_cli.py: `brownie run` from a clone under a folder with a dot in its name (`github.com`).

brownie imports a script under a module name made of its absolute path's folders, which a dot breaks; the
make targets run scripts through tools/brownie_cli.py, which imports the script from its file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import brownie.project.scripts as scripts
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "tools" / "brownie_cli.py"
sys.path.insert(0, str(CLI.parent))
import brownie_cli  # noqa: E402

SCRIPT = """
from dataclasses import dataclass

from brownie import network


@dataclass
class Answer:
    value: int


def main(value="41"):
    print(f"network={network.show_active()} answer={Answer(int(value) + 1).value}")
    return Answer(int(value) + 1)
"""


@pytest.fixture
def dotted_project(tmp_path: Path) -> Path:
    """A brownie project (this repo's config, no contracts) under `src/github.com/acme/corridor`."""
    root = tmp_path / "src" / "github.com" / "acme" / "corridor"
    (root / "contracts").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "scripts" / "answer.py").write_text(SCRIPT)
    (root / "brownie-config.yaml").write_text((ROOT / "brownie-config.yaml").read_text())
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    return root


def test_brownie_itself_cannot_import_a_script_under_a_dotted_folder(dotted_project):
    """Pins the cause: if brownie ever fixes it, this test says the wrapper can go."""
    with pytest.raises(ModuleNotFoundError):
        scripts._import_from_path(dotted_project / "scripts" / "answer.py")


def test_import_script_imports_from_the_file_under_a_name_without_folders(dotted_project):
    module = brownie_cli.import_script(dotted_project / "scripts" / "answer.py")
    assert module.__name__ == "brownie_script.answer"
    assert sys.modules["brownie_script.answer"] is module
    assert module.Answer(3).value == 3  # a dataclass finds its module


def test_import_script_of_a_broken_script_leaves_nothing_registered(tmp_path):
    path = tmp_path / "a.b" / "broken.py"
    path.parent.mkdir()
    path.write_text("raise RuntimeError('half-written')\n")
    with pytest.raises(RuntimeError, match="half-written"):
        brownie_cli.import_script(path)
    assert "brownie_script.broken" not in sys.modules


def test_run_with_the_console_frame_works_through_the_installed_import(dotted_project, monkeypatch):
    """`make console` is `brownie run … --interactive`: brownie re-reads the source through the loader."""
    monkeypatch.setattr(scripts, "_import_from_path", brownie_cli.import_script)
    monkeypatch.setattr(scripts, "_get_path", lambda path: (Path(path), None))  # not this suite's project
    value, frame = scripts.run(
        str(dotted_project / "scripts" / "answer.py"), args=("9",), _include_frame=True
    )
    assert value.value == 10
    assert frame.f_code.co_name == "main"


def test_cli_runs_a_script_of_a_project_under_a_dotted_folder(dotted_project):
    """End to end, as `make demo` runs a script: attaches to the suite's running development chain."""
    result = subprocess.run(
        [sys.executable, str(CLI), "run", "scripts/answer.py", "main", "1", "--network", "development"],
        cwd=dotted_project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "network=development answer=2" in result.stdout


def test_plain_brownie_run_fails_there(dotted_project):
    """The same command through `.venv/bin/brownie` fails: what the make targets no longer call."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "brownie"),
            "run",
            "scripts/answer.py",
            "--network",
            "development",
        ],
        cwd=dotted_project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stdout + result.stderr
