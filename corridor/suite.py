"""The whole corridor, deployed and wired: one function used by scripts/deploy.py, the demo, the
console, the gas benchmark and the integration tests (so none of them wires anything itself).

`deploy_suite(project, admin, settings)` calls each family's `corridor/<family>/deploy.py` in
dependency order (stablecoin and bridge tokens first, then the exchange whose pools hold them, then
the RFQ venue) and makes the contracts that hold tokens allowed holders of the compliant tokens.
It is deterministic for given settings, so a `JournaledAccount` as `admin` makes it resumable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.artifacts import ROOT
from corridor.deploy import BookError, DeploymentBook, JournaledAccount
from corridor.deploy.settings import deployer_account, load_settings, require_funds
from corridor.ui import UserError


@dataclass
class Suite:
    """Every deployed family, plus the named contracts for records and the console."""

    stablecoin: Any
    bridge: Any
    exchange: Any
    rfq: Any
    contracts: dict[str, Any] = field(default_factory=dict)


@dataclass
class DeployResult:
    suite: Suite
    book: DeploymentBook
    journal: JournaledAccount
    role_problems: list[str]
    root: Path = ROOT


def deploy_suite(project: Any, admin: Any, settings: dict[str, Any]) -> Suite:
    """Deploys and wires the corridor (see the module docstring)."""
    raise NotImplementedError("filled in when the families land")


def verify_roles(suite: Suite, admin: Any, settings: dict[str, Any]) -> list[str]:
    """Every role the settings grant, checked on chain; returns the problems (empty when all hold)."""
    raise NotImplementedError


def _book_for(network: str, chain_id: int, deployer: str, development: bool) -> DeploymentBook:
    path = ROOT / "deployments" / f"{network}.json"
    try:
        return DeploymentBook.open(path, network, chain_id, deployer)
    except BookError:
        if not development:
            raise
    # a development chain is ephemeral: a book of an earlier chain is kept aside, not reused
    path.rename(path.with_suffix(".stale.json"))
    return DeploymentBook.open(path, network, chain_id, deployer)


def deploy_from_brownie(network: str, log: Any = print) -> DeployResult:
    """scripts/deploy.py's body: settings, account, journal, deploy, records, role check."""
    from brownie import accounts, web3
    from brownie import project as brownie_project
    from brownie._config import CONFIG

    development = CONFIG.network_type == "development"
    settings = load_settings(network, development)
    account = deployer_account(accounts, development)
    require_funds(web3, account, int(settings.get("min_deployer_balance_wei", 0)))
    try:
        book = _book_for(network, web3.eth.chain_id, account.address, development)
        first = next((t for t in book.txs if t.address), None)
        if development and first is not None and not web3.eth.get_code(first.address):
            # the same chain id, but a fresh development chain: the recorded contracts are gone
            book.path.rename(book.path.with_suffix(".stale.json"))
            book = DeploymentBook.open(book.path, network, web3.eth.chain_id, account.address)
    except BookError as exc:
        raise UserError(str(exc)) from exc
    book.config = {k: v for k, v in settings.items() if not k.startswith("_")}
    journal = JournaledAccount(account, book, web3, log=log)
    project = brownie_project.get_loaded_projects()[0]
    try:
        suite = deploy_suite(project, journal, settings)
    except BookError as exc:
        raise UserError(str(exc)) from exc
    book.contracts = {
        name: {"contract": c._name, "address": c.address} for name, c in suite.contracts.items()
    }
    book.save()
    return DeployResult(
        suite=suite, book=book, journal=journal, role_problems=verify_roles(suite, account, settings)
    )
