"""Accept the default-admin transfers a live deploy began (see docs/usage.md, Deploying elsewhere).

    ADMIN_KEYSTORE=admin brownie run scripts/accept_admin.py --network <network>

scripts/deploy.py ends with the deployer still default admin of every contract and a transfer to the
configured admin (`parties.admin`, or `roles.<contract>.admin`) pending; the new admin accepts each
once the contract's `defaultAdminDelay()` has passed. This script does it from the admin's key
(`ADMIN_KEYSTORE` + `ADMIN_PASSWORD`, or `ADMIN_PRIVATE_KEY`), for every contract recorded in
deployments/<network>.json, and lists those still waiting. A multisig or timelock admin sends
`acceptDefaultAdminTransfer()` (calldata printed below) to each address instead.
"""

from __future__ import annotations

from brownie import Contract, accounts, chain, network, project, web3
from brownie._config import CONFIG

from corridor.artifacts import ROOT
from corridor.deploy import BookError, DeploymentBook
from corridor.deploy.roles import ACCEPT_CALLDATA, accept_transfers
from corridor.deploy.settings import deployer_account
from corridor.dev.receipts import install_receipt_grace
from corridor.ui import UserError, fail, quiet_receipts, table


def main() -> None:
    install_receipt_grace()
    name = network.show_active()
    path = ROOT / "deployments" / f"{name}.json"
    try:
        if not path.exists():
            raise UserError(f"no deployment book {path.relative_to(ROOT)}: deploy first (scripts/deploy.py)")
        book = DeploymentBook.open(path, name, web3.eth.chain_id, "")
        admin = deployer_account(accounts, CONFIG.network_type == "development", prefix="ADMIN")
    except (UserError, BookError) as exc:
        fail(str(exc))
    loaded = project.get_loaded_projects()[0]
    contracts = {
        label: Contract.from_abi(entry["contract"], entry["address"], getattr(loaded, entry["contract"]).abi)
        for label, entry in book.contracts.items()
    }
    with quiet_receipts():
        accepted, waiting = accept_transfers(contracts, admin, chain[-1].timestamp)
    if not accepted and not waiting:
        fail(f"no default-admin transfer to {admin.address} is pending on {name}")
    for transfer in accepted:
        print(f"accepted: {transfer.contract} {transfer.address} -> {admin.address}")
    if waiting:
        rows = [(t.contract, t.address, t.when) for t in waiting]
        print(table(["contract", "address", "acceptable after (UTC)"], rows, title="Still waiting"))
        print(f"re-run after that time (or send {ACCEPT_CALLDATA} = acceptDefaultAdminTransfer() to each)")
    print(f"{len(accepted)} accepted, {len(waiting)} waiting")
