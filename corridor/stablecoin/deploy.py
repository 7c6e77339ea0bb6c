"""Deploys and wires the JPY stablecoin family: JPYStablecoin and IssuerRegistry behind ERC-1967 (UUPS) proxies,
operational roles, tier limits, issuers (with allowance and an initial reserve attestation) and KYC of the parties.

    from corridor.stablecoin.deploy import deploy_stablecoin
    d = deploy_stablecoin(project, admin, {"issuers": [{"name": "Trust Bank A", "operator": bank_a}]})
    d.token, d.registry, d.issuer_ids["Trust Bank A"]

The same function is used by tests/stablecoin fixtures, the smoke test and the lead's scripts/deploy.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from brownie import chain
from brownie.network.account import Account
from eth_utils import keccak

from corridor.codes import CAMBODIA as CAMBODIA
from corridor.codes import JAPAN as JAPAN
from corridor.codes import UNITED_STATES as UNITED_STATES
from corridor.codes import Tier, currency
from corridor.deploy.proxy import deploy_behind_proxy

UNLIMITED = 2**256 - 1

# ISO 3166-1 numeric codes and KYC tiers: the registry's (corridor.codes), re-exported for the callers
# of this module. Tier 0 = not verified; limits of tiers 1..3 are configurable; tier 4 has none.
TIER_RETAIL = int(Tier.RETAIL)
TIER_BUSINESS = int(Tier.BUSINESS)
TIER_CORPORATE = int(Tier.CORPORATE)
TIER_INSTITUTIONAL = int(Tier.INSTITUTIONAL)
_JPY = currency("JPY")

DEFAULT_CONFIG: dict[str, Any] = {
    "name": _JPY.token_name,
    "symbol": _JPY.token,
    # JPY has no minor unit (ISO 4217): one base unit is one yen, every unit is redeemable at par.
    "decimals": _JPY.decimals,
    # Seconds before a new default admin can accept (OZ AccessControlDefaultAdminRules); 2 days in production.
    "admin_delay": 0,
    # Whole tokens (yen) per tier: (per transfer, daily); None = unlimited.
    # Tier 1 follows the ¥1,000,000 per-transfer cap of funds-transfer-type instruments.
    "tier_limits": {
        TIER_RETAIL: (1_000_000, 3_000_000),
        TIER_BUSINESS: (10_000_000, 50_000_000),
        TIER_CORPORATE: (None, None),
    },
    "max_attestation_age": 86_400,
    # Role -> account; missing roles go to the admin.
    "roles": {},
    # [{"name", "trust_account" (str), "operator" (account), "allowance" (whole), "reserve" (whole)}]
    "issuers": [],
    # [(account, tier, jurisdiction)]
    "kyc": [],
}

TOKEN_ROLES = ("compliance", "pauser", "upgrader", "rescuer")
REGISTRY_ROLES = ("issuer_admin", "attestor", "registry_upgrader")


@dataclass
class StablecoinDeployment:
    """The deployed family (proxies typed with their implementation's ABI)."""

    token: Any
    registry: Any
    token_implementation: Any
    registry_implementation: Any
    decimals: int
    issuer_ids: dict[str, int] = field(default_factory=dict)

    def units(self, whole: int) -> int:
        """Base units of `whole` tokens."""
        return whole * 10**self.decimals


def _containers(containers: Any) -> Any:
    if containers is not None:
        return containers
    from brownie import project

    return project.get_loaded_projects()[0]


def trust_account_hash(reference: str) -> bytes:
    """keccak256 of the issuer's trust-account reference (the account number never goes on-chain)."""
    return keccak(text=reference)


def tier_limits_arg(
    tier_limits: dict[int, tuple[int | None, int | None]], decimals: int
) -> list[tuple[int, int]]:
    """The initializer's TierLimits[3] (base units) from whole-token limits (None = unlimited)."""

    def to_base(whole: int | None) -> int:
        return UNLIMITED if whole is None else whole * 10**decimals

    return [tuple(to_base(x) for x in tier_limits[tier]) for tier in (1, 2, 3)]


def deploy_stablecoin(
    containers: Any, admin: Account, config: dict[str, Any] | None = None
) -> StablecoinDeployment:
    """Deploys registry + token proxies, binds them, grants roles, registers issuers and verifies parties.

    `containers` is anything with JPYStablecoin, IssuerRegistry and CorridorProxy attributes (the brownie project;
    None = the loaded project). `config` overrides DEFAULT_CONFIG keys. Every transaction is sent by `admin`.
    """
    c = _containers(containers)
    cfg = {**DEFAULT_CONFIG, **(config or {})}
    tx = {"from": admin}
    decimals = cfg["decimals"]

    registry_impl = c.IssuerRegistry.deploy(tx)
    registry = deploy_behind_proxy(
        c.IssuerRegistry,
        c.CorridorProxy,
        admin,
        "initialize",
        (admin, cfg["admin_delay"], cfg["max_attestation_age"]),
        implementation=registry_impl,
    )
    token_impl = c.JPYStablecoin.deploy(tx)
    token = deploy_behind_proxy(
        c.JPYStablecoin,
        c.CorridorProxy,
        admin,
        "initialize",
        (
            cfg["name"],
            cfg["symbol"],
            decimals,
            admin,
            cfg["admin_delay"],
            tier_limits_arg(cfg["tier_limits"], decimals),
            registry.address,
        ),
        implementation=token_impl,
    )
    registry.bindToken(token, tx)

    roles = cfg["roles"]
    role_ids = {
        "compliance": (token, token.COMPLIANCE_ROLE()),
        "pauser": (token, token.PAUSER_ROLE()),
        "upgrader": (token, token.UPGRADER_ROLE()),
        "rescuer": (token, token.RESCUER_ROLE()),
        "issuer_admin": (registry, registry.ISSUER_ADMIN_ROLE()),
        "attestor": (registry, registry.ATTESTOR_ROLE()),
        "registry_upgrader": (registry, registry.UPGRADER_ROLE()),
    }
    for role, (contract, role_id) in role_ids.items():
        contract.grantRole(role_id, roles.get(role, admin), tx)

    deployment = StablecoinDeployment(token, registry, token_impl, registry_impl, decimals)
    compliance = roles.get("compliance", admin)
    issuer_admin = roles.get("issuer_admin", admin)
    attestor = roles.get("attestor", admin)
    for spec in cfg["issuers"]:
        operator = spec.get("operator", admin)
        add = registry.addIssuer(
            spec["name"],
            trust_account_hash(spec.get("trust_account", spec["name"])),
            operator,
            {"from": issuer_admin},
        )
        issuer_id = add.events["IssuerAdded"]["issuerId"]
        deployment.issuer_ids[spec["name"]] = issuer_id
        if spec.get("allowance"):
            registry.setMintAllowance(issuer_id, deployment.units(spec["allowance"]), {"from": issuer_admin})
        if spec.get("reserve") is not None:
            registry.attestReserve(issuer_id, deployment.units(spec["reserve"]), _now(), {"from": attestor})
        # Operators hold tokens they redeem: verified, institutional tier (no limits). Unconditional (not
        # "if not yet verified"): a deploy sends the same transactions for the same settings, whatever the
        # chain already holds, so a journaled re-run or resume replays it exactly (corridor.deploy.journal).
        token.setKyc(operator, TIER_INSTITUTIONAL, spec.get("jurisdiction", JAPAN), {"from": compliance})
    for account, tier, jurisdiction in cfg["kyc"]:
        token.setKyc(account, tier, jurisdiction, {"from": compliance})
    return deployment


def _now() -> int:
    """The latest block's timestamp: never in the future of the block that includes the attestation."""
    return chain[-1].timestamp
