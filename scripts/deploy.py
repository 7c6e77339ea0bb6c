"""Deploy and wire the whole corridor on the active network.

    brownie run scripts/deploy.py --network <network>
    brownie run scripts/deploy.py main <book name> <book folder> --network <network>   (make sandbox's book)

Settings come from config/<network>.yaml (development networks fall back to config/development.yaml);
the deployer from DEPLOYER_KEYSTORE (+ DEPLOYER_PASSWORD), DEPLOYER_PRIVATE_KEY, or the first unlocked
account on a development network. Every transaction is journaled in deployments/<network>.json: a
re-run sends nothing, and a run killed at any step resumes without duplicating anything. Every role
ends with its configured holder (`roles:` in the settings, `parties.admin` by default); the deployer
keeps none, except the default admin of each contract until the configured admin accepts the transfer
begun here (printed at the end; scripts/accept_admin.py). Roles are verified on chain at the end: one
line per wrong role and a non-zero exit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from brownie import network

from corridor.deploy.roles import ACCEPT_CALLDATA, PendingTransfer
from corridor.dev.receipts import install_receipt_grace
from corridor.suite import deploy_from_brownie
from corridor.ui import UserError, fail, quiet_receipts, table


def main(book_name: str = "", book_dir: str = "") -> None:
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/dev/receipts.py)
    where = {"book_dir": Path(book_dir).resolve()} if book_dir else {}
    try:
        with quiet_receipts():  # the journal logs each deploy; brownie's receipts would repeat it
            result = deploy_from_brownie(book_name or network.show_active(), **where)
    except UserError as exc:
        fail(str(exc))
    print()
    print(table(["contract", "address"], sorted(result.book.contracts_table()), title="Deployed contracts"))
    print(
        f"\n{result.journal.sent} transaction(s) sent in this run, {result.journal.gas_used:,} gas; "
        f"book: {os.path.relpath(result.book.path, result.root)}"
    )
    if result.role_problems:
        for problem in result.role_problems:
            print(f"role: {problem}", file=sys.stderr)
        fail(f"role check failed: {len(result.role_problems)} role(s) not as configured", status=1)
    print("roles verified")
    if result.pending_admin_transfers:
        _print_pending(result.pending_admin_transfers, network.show_active())


def _print_pending(pending: list[PendingTransfer], network_name: str) -> None:
    rows = [(t.contract, t.address, t.new_admin, t.when) for t in pending]
    print()
    print(
        table(
            ["contract", "address", "new admin", "acceptable after (UTC)"],
            rows,
            title="Default-admin transfers pending",
        )
    )
    print(
        "\nThe deploy key stays default admin of these contracts (and can cancel the transfers) until the new\n"
        "admin accepts each after the time shown. From the admin's key:\n"
        f"  ADMIN_KEYSTORE=<id> brownie run scripts/accept_admin.py --network {network_name}\n"
        f"From a multisig or timelock: send {ACCEPT_CALLDATA} (acceptDefaultAdminTransfer()) to each address."
    )
