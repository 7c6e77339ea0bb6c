"""make sandbox's deploy step: `brownie run scripts/deploy.py` (through tools/brownie_cli.py, so a clone under a
dotted path works) attached to the sandbox's chain, whatever its port (brownie's `development` network has a
fixed one). Run by corridor.services.sandbox as a subprocess:

    python -m corridor.services.sandbox_deploy PORT run scripts/deploy.py main sandbox BOOK_DIR --network development
"""

from __future__ import annotations

import importlib.util
import sys

from corridor.artifacts import ROOT


def main(argv: list[str]) -> int:
    port, rest = int(argv[0]), argv[1:]
    from brownie._config import CONFIG

    CONFIG.networks["development"].setdefault("cmd_settings", {})["port"] = port  # attach there
    spec = importlib.util.spec_from_file_location("brownie_cli", ROOT / "tools" / "brownie_cli.py")
    assert spec is not None and spec.loader is not None
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    sys.argv = ["brownie", *rest]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
