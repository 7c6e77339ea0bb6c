"""`make demo`: the corridor end to end on a development chain (see corridor/demo.py).

brownie run scripts/demo.py --network development        # Anvil (default)
brownie run scripts/demo.py --network ganache-berlin     # from profiles/ganache (make demo CHAIN=ganache)
brownie run scripts/demo.py main BOOK_DIR REPORTS --network development   # books and report elsewhere

Ctrl-C stops the service processes it started and ends with one line (tools/brownie_cli.py), status 130.
"""

from __future__ import annotations

from pathlib import Path

from brownie import network
from brownie._config import CONFIG

from corridor.demo import CorridorDemo
from corridor.dev.receipts import install_receipt_grace
from corridor.ui import UserError, fail, quiet_receipts


def main(book_dir: str = "", reports: str = "") -> None:
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/dev/receipts.py)
    if CONFIG.network_type != "development":
        fail(
            f"the demo plays on a development network (time travel, unlocked parties), not '{network.show_active()}'"
        )
    try:
        with quiet_receipts():  # one line per step instead of brownie's receipts
            folders = {"book_dir": Path(book_dir).resolve()} if book_dir else {}
            if reports:
                folders["reports"] = Path(reports).resolve()
            CorridorDemo(network.show_active(), **folders).run()
    except UserError as exc:
        fail(str(exc))
