"""The whole corridor, deployed and wired: one function used by scripts/deploy.py, the demo, the
console, the gas benchmark and the integration tests (so none of them wires anything itself).

`deploy_suite(project, admin, settings)` calls each family's `corridor/<family>/deploy.py` in
dependency order (stablecoin and bridge tokens first, then the exchange whose pools hold them, then
the RFQ venue) and makes the contracts that hold tokens allowed holders of the compliant tokens.
It is deterministic for given settings, so a `JournaledAccount` as `admin` makes it resumable.
Last, it hands every role to its configured holder (`roles:` in the settings, `parties.admin` by
default; corridor/deploy/roles.py): the deployer renounces what it is not configured for and begins
the default-admin transfers the configured admin accepts after the delay (scripts/accept_admin.py).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_utils import keccak

from corridor.artifacts import ROOT
from corridor.codes import HUB, CodeError, currency, jurisdiction, tier
from corridor.deploy import BookError, DeploymentBook, JournaledAccount
from corridor.deploy.roles import PendingTransfer, Plan, address_of, check_roles, hand_over, role_plan
from corridor.deploy.settings import deployer_account, load_settings, require_funds
from corridor.stablecoin.deploy import JAPAN, TIER_INSTITUTIONAL  # contracts holding tokens: tier 4
from corridor.ui import UserError


@dataclass
class Suite:
    """Every deployed family, plus the named contracts for records and the console."""

    stablecoin: Any
    bridge: Any
    exchange: Any
    rfq: Any
    settlement: Any = None  # InvoiceSettlement: the bridge's mint hook for invoices paid by KHQR
    contracts: dict[str, Any] = field(default_factory=dict)
    roles: Plan = field(default_factory=dict)  # contract name -> role -> configured holders


@dataclass
class DeployResult:
    suite: Suite
    book: DeploymentBook
    journal: JournaledAccount
    role_problems: list[str]  # one line per wrong role (empty when every role is as configured)
    pending_admin_transfers: list[PendingTransfer] = field(default_factory=list)
    root: Path = ROOT


def dev_key(seed: str) -> str:
    """A well-known private key derived from `seed` (development chains and benchmarks only)."""
    return "0x" + keccak(text=seed).hex()


def dev_validator_keys(count: int) -> list[str]:
    """Well-known validator keys for development chains (the demo and tests sign with them)."""
    return [dev_key(f"corridor development validator {i}") for i in range(count)]


def dev_party_key(label: str) -> str:
    """A well-known key for a development party that signs off-chain (the market maker)."""
    return dev_key(f"corridor development party {label}")


def resolve_party(value: Any, accounts: Any) -> Any:
    """A party from the settings: an index into the development accounts, `dev:<label>` (a
    development key, for parties that sign off-chain), or an address."""
    if isinstance(value, int):
        return accounts[value]
    if isinstance(value, str) and value.startswith("dev:"):
        return accounts.add(dev_party_key(value[4:]))
    return str(value)


def parties(settings: dict[str, Any], accounts: Any) -> dict[str, Any]:
    """name -> account/address of every party in the settings."""
    return {name: resolve_party(v, accounts) for name, v in settings.get("parties", {}).items()}


def validator_addresses(settings: dict[str, Any]) -> list[str]:
    spec = settings["validators"]
    if "dev_keys" in spec:
        return [Account.from_key(k).address for k in dev_validator_keys(int(spec["dev_keys"]))]
    return [str(a) for a in spec["addresses"]]


def kyc_entries(entries: Any, who: dict[str, Any]) -> list[tuple[Any, int, int]]:
    """`kyc:` settings rows `[party, tier, jurisdiction]` as (account, tier, ISO 3166-1 numeric); a tier
    is its number or name (`retail`), a jurisdiction its number or alpha-2 code (`KH`): corridor.codes."""
    try:
        return [(who[p], int(tier(t)), jurisdiction(j)) for p, t, j in entries]
    except CodeError as exc:
        raise UserError(f"kyc: {exc}") from exc


def merge_entries(defaults: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """Per-currency settings (`bridge.currencies`, `exchange.pairs`) over the defaults: a currency the
    settings name is added or has its keys replaced (a nested mapping merged one level down)."""
    merged = copy.deepcopy(defaults)
    for alpha, spec in (given or {}).items():
        try:
            currency(alpha)  # an unknown code is refused here, by name
        except CodeError as exc:
            raise UserError(str(exc)) from exc
        own = merged.setdefault(alpha, {})
        for key, value in spec.items():
            both = isinstance(value, dict) and isinstance(own.get(key), dict)
            own[key] = {**own[key], **value} if both else value
    return merged


def deploy_suite(project: Any, admin: Any, settings: dict[str, Any], accounts: Any = None) -> Suite:
    """Deploys and wires the corridor (see the module docstring)."""
    from corridor.bridge.deploy import default_config as bridge_defaults
    from corridor.bridge.deploy import deploy_bridge
    from corridor.exchange.deploy import DEFAULT_CONFIG as EXCHANGE_DEFAULTS
    from corridor.exchange.deploy import deploy_exchange
    from corridor.exchange.rfq_deploy import deploy_rfq
    from corridor.stablecoin.deploy import deploy_stablecoin

    if accounts is None:
        from brownie import accounts
    who = parties(settings, accounts)

    sc = dict(settings["stablecoin"])
    sc["tier_limits"] = {int(t): tuple(v) for t, v in sc.get("tier_limits", {}).items()} or None
    if sc["tier_limits"] is None:
        del sc["tier_limits"]
    sc["issuers"] = [{**i, "operator": who[i["operator"]]} for i in sc.get("issuers", [])]
    sc["kyc"] = kyc_entries(sc.get("kyc", []), who)
    stablecoin = deploy_stablecoin(project, admin, sc)

    bc = settings["bridge"]
    bridge_cfg = bridge_defaults(
        validators=validator_addresses(settings),
        threshold=int(settings["validators"]["threshold"]),
        admin_delay=int(bc.get("admin_delay", 0)),
    )
    if "timings" in bc:
        bridge_cfg["timings"] = {**bridge_cfg["timings"], **bc["timings"]}
    bridge_cfg["currencies"] = merge_entries(bridge_cfg["currencies"], bc.get("currencies"))
    bridge = deploy_bridge(project, admin, bridge_cfg)
    # alpha code -> bridge token, in the settings' order (the hub, USD, first by default)
    bridged = {alpha: bridge.token(alpha) for alpha in bridge_cfg["currencies"]}
    for party, level, jur in kyc_entries(bc.get("kyc", []), who):
        for token in bridged.values():
            token.setKyc(party, level, jur, {"from": admin})

    compliant = (stablecoin.token, *bridged.values())

    def allow_holder(address: str) -> None:
        for token in compliant:
            token.setKyc(address, TIER_INSTITUTIONAL, JAPAN, {"from": admin})

    given = settings.get("exchange") or {}
    ex = {**EXCHANGE_DEFAULTS, **{k: v for k, v in given.items() if v is not None}}
    ex["pairs"] = merge_entries(EXCHANGE_DEFAULTS["pairs"], given.get("pairs"))
    # every currency but the hub that has a pair in the settings trades against the hub
    traded = {"JPY": stablecoin.token, **{a: t for a, t in bridged.items() if not currency(a).is_hub}}
    exchange = deploy_exchange(
        project,
        admin,
        ex,
        tokens={a: t for a, t in traded.items() if a in ex["pairs"]},
        hub=bridged[HUB],
        allow_holder=allow_holder,
    )
    rc = dict(settings.get("rfq", {}))
    rc["treasury"] = who.get("treasury", admin)
    rc["makers"] = [who["market_maker"]] if "market_maker" in who else []
    rfq = deploy_rfq(project.RfqVenue, admin, rc)
    allow_holder(rfq.venue.address)
    from corridor.settlement import deploy_settlement

    settlement = deploy_settlement(
        project, admin, bridge.bridge, rfq.venue, exchange.router, stablecoin.token, bridge.tokens
    )
    allow_holder(settlement.address)

    suite = Suite(stablecoin=stablecoin, bridge=bridge, exchange=exchange, rfq=rfq, settlement=settlement)
    suite.contracts = {
        "JPYStablecoin": stablecoin.token,
        "IssuerRegistry": stablecoin.registry,
        "BakongBridge": bridge.bridge,
        **{currency(alpha).book_name: token for alpha, token in bridged.items()},
        "FXRouter": exchange.router,
        **{currency(sym).feed: f for sym, f in exchange.feeds.items()},
        **{currency(sym).pool: p for sym, p in exchange.pools.items()},
        "RfqVenue": rfq.venue,
    }
    suite.roles = role_plan(settings, who, admin)
    hand_over(suite.contracts, suite.roles, admin)
    return suite


def verify_roles(
    suite: Suite, deployer: Any, settings: dict[str, Any], web3: Any, from_block: int, accounts: Any
) -> tuple[list[str], list[PendingTransfer]]:
    """Checks on chain that every role of every contract is held by exactly its configured holders
    (the deployer by nothing it is not configured for; a default admin still on the deployer only
    with a transfer to the configured admin pending), each issuer's role by its operator, the
    validator set and the pools' KYC; returns (one line per problem, the pending admin transfers)."""
    who = parties(settings, accounts)
    registry = suite.stablecoin.registry
    issuer_roles = {
        "0x" + bytes(registry.issuerRole(suite.stablecoin.issuer_ids[spec["name"]])).hex(): (
            address_of(who[spec["operator"]]),
        )
        for spec in settings["stablecoin"].get("issuers", [])
    }
    plan = role_plan(settings, who, deployer)
    report = check_roles(
        suite.contracts, plan, deployer, web3, from_block, extra={"IssuerRegistry": issuer_roles}
    )
    problems = report.problems
    bridge, token = suite.bridge.bridge, suite.stablecoin.token
    validators = {v.lower() for v in validator_addresses(settings)}
    onchain = {str(v).lower() for v in bridge.validators()}
    if onchain != validators:
        problems.append("BakongBridge: validator set differs from the settings")
    held = [c for c in (suite.exchange.pools.values()) if token.kycOf(c)[0] != TIER_INSTITUTIONAL]
    problems.extend(f"pool {c.address} is not an allowed holder of JPYS" for c in held)
    return problems, report.pending


def _book_for(
    network: str, chain_id: int, deployer: str, development: bool, book_dir: Path
) -> DeploymentBook:
    path = book_dir / f"{network}.json"
    try:
        return DeploymentBook.open(path, network, chain_id, deployer)
    except BookError:
        if not development:
            raise
    # a development chain is ephemeral: a book of an earlier chain is kept aside, not reused
    path.rename(path.with_suffix(".stale.json"))
    return DeploymentBook.open(path, network, chain_id, deployer)


def deploy_from_brownie(
    network: str, log: Any = print, book_dir: Path = ROOT / "deployments"
) -> DeployResult:
    """scripts/deploy.py's body: settings, account, journal, deploy, records, role check."""
    from brownie import accounts, web3
    from brownie import project as brownie_project
    from brownie._config import CONFIG

    development = CONFIG.network_type == "development"
    settings = load_settings(network, development)
    account = deployer_account(accounts, development)
    # the whole suite takes about 41.5M gas (make demo prints it), 43.8M with the role handover of
    # config/live.example.yaml (53 transactions); refuse to start what cannot finish
    require_funds(web3, account, int(settings.get("deploy_gas_estimate", 48_000_000)))
    try:
        book = _book_for(network, web3.eth.chain_id, account.address, development, book_dir)
        first = next((t for t in book.txs if t.address), None)
        if development and first is not None and not web3.eth.get_code(first.address):
            # the same chain id, but a fresh development chain: the recorded contracts are gone
            book.path.rename(book.path.with_suffix(".stale.json"))
            book = DeploymentBook.open(book.path, network, web3.eth.chain_id, account.address)
    except BookError as exc:
        raise UserError(str(exc)) from exc
    # as JSON: the book stores it that way (int keys become strings, tuples lists)
    recorded = json.loads(json.dumps({k: v for k, v in settings.items() if not k.startswith("_")}))
    if book.txs and book.config and book.config != recorded:
        raise UserError(
            f"{settings['_path']} changed since {book.path.name} was written; a deployment is not re-wired "
            f"in place: move {book.path.name} away to deploy afresh with the new settings"
        )
    book.config = recorded
    journal = JournaledAccount(
        account, book, web3, log=log, required_confs=int(settings.get("required_confs", 1))
    )
    project = brownie_project.get_loaded_projects()[0]
    try:
        suite = deploy_suite(project, journal, settings)
    except BookError as exc:
        raise UserError(str(exc)) from exc
    recorded_contracts = dict(suite.contracts)
    if suite.settlement is not None:  # no roles of its own (not in the role plan), but services read it
        recorded_contracts["InvoiceSettlement"] = suite.settlement
    book.contracts = {
        name: {"contract": c._name, "address": c.address} for name, c in recorded_contracts.items()
    }
    book.save()
    from_block = book.txs[0].block if book.txs else 0
    problems, pending = verify_roles(suite, account, settings, web3, from_block, accounts)
    return DeployResult(
        suite=suite, book=book, journal=journal, role_problems=problems, pending_admin_transfers=pending
    )
