"""brownie's own command line, importing `brownie run`'s script from its file instead of by a dotted name.

brownie 1.22.2 (`brownie.project.scripts._import_from_path`) imports the script under a module name made of
its absolute path's folders: `/home/me/src/github.com/acme/corridor/scripts/demo.py` becomes
`home.me.src.github.com.acme.corridor.scripts.demo`, so any folder above the project with a dot in its name
(`github.com`, `mktemp -d`'s `tmp.XXXX`) ends in `ModuleNotFoundError: No module named 'home.me.src.github'`.
The make targets that run scripts (demo, console, pay, gas, bench) call this instead of `.venv/bin/brownie`:

    .venv/bin/python tools/brownie_cli.py run scripts/demo.py --network development

It installs `import_script` in brownie's place, then hands over to brownie's `main` (same commands, flags and
exit codes; Ctrl-C ends with one line on stderr and status 130 instead of a traceback). Tested in
tests/tooling/test_brownie_cli.py and tests/cli/test_interrupt.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_PREFIX = "brownie_script"
INTERRUPTED = 130  # the shell's status for a command ended by SIGINT


def module_name(path: Path) -> str:
    """The name a script is imported under: `brownie_script.<stem>` (no folder of the path in it)."""
    return f"{_PREFIX}.{path.stem}"


def import_script(path: Path) -> ModuleType:
    """Import (or re-import) the script at `path` from its file; registered in `sys.modules` before it runs,
    as a normal import would, so dataclasses and `inspect` can find it."""
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python source file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def install() -> None:
    """Make `brownie run` (and `brownie.project.scripts.run`) import scripts with `import_script`."""
    import brownie.project.scripts as scripts

    scripts._import_from_path = import_script


def unknown_network(argv: list[str]) -> str | None:
    """The one-line refusal of a `--network` brownie does not know (brownie itself ends in a KeyError
    traceback), or None."""
    from brownie._config import CONFIG

    if "--network" not in argv[:-1]:
        return None
    name = argv[argv.index("--network") + 1]
    if name in CONFIG.networks:
        return None
    return (
        f"error: unknown network '{name}' (the project plays on development or ganache-berlin; "
        "`brownie networks list` shows every network brownie knows)"
    )


def main() -> int:
    install()
    from brownie._cli.__main__ import main as brownie_main

    sys.argv[0] = "brownie"
    refusal = unknown_network(sys.argv)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    try:
        return brownie_main()
    except KeyboardInterrupt:  # Ctrl-C: one line instead of brownie's traceback (the script's `finally`s ran)
        script = next((a for a in sys.argv[2:] if a.endswith(".py")), "brownie")
        print(f"{script}: interrupted (Ctrl-C), stopped", file=sys.stderr, flush=True)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
