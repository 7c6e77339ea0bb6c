"""Deploy and wire the whole corridor on the active network.

    brownie run scripts/deploy.py --network <network>

Settings come from config/<network>.yaml (development networks fall back to config/development.yaml);
the deployer from DEPLOYER_KEYSTORE (+ DEPLOYER_PASSWORD), DEPLOYER_PRIVATE_KEY, or the first unlocked
account on a development network. Every transaction is journaled in deployments/<network>.json: a
re-run sends nothing, and a run killed at any step resumes without duplicating anything. Roles are
verified on chain at the end.
"""

from __future__ import annotations

from brownie import network

from corridor.receipts import install_receipt_grace
from corridor.suite import deploy_from_brownie
from corridor.ui import UserError, fail, quiet_receipts, table


def main() -> None:
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/receipts.py)
    try:
        with quiet_receipts():  # the journal logs each deploy; brownie's receipts would repeat it
            result = deploy_from_brownie(network.show_active())
    except UserError as exc:
        fail(str(exc))
    print()
    print(table(["contract", "address"], sorted(result.book.contracts_table()), title="Deployed contracts"))
    print(
        f"\n{result.journal.sent} transaction(s) sent in this run, {result.journal.gas_used:,} gas; "
        f"book: {result.book.path.relative_to(result.root)}"
    )
    if result.role_problems:
        fail("role check failed: " + "; ".join(result.role_problems), status=1)
    print("roles verified")
