"""Deploys and wires the Bakong bridge family: one BridgeToken per currency (bUSD, bKHR) and one BakongBridge.

Called by tests/bridge/conftest.py, tests/smoke/test_bridge_smoke.py and the lead's scripts/deploy.py::

    from corridor.bridge.deploy import deploy_bridge, default_config
    cfg = default_config(validators=[v.address for v in validator_accounts], threshold=3)
    d = deploy_bridge(project, admin, cfg)      # project: the loaded brownie project (or None)
    d.bridge, d.tokens[KHR], d.token("USD")

`config` is a plain dict (every key optional except `validators` and `threshold`; see default_config):

    validators         list of validator addresses (any order; sorted here)
    threshold          signatures per attestation (strict majority of validators)
    admin_delay        seconds a default-admin transfer waits (bridge and tokens)
    timings            {"max_reserve_age", "mint_delay", "redemption_timeout"} seconds
    pauser, guardian   addresses granted PAUSER_ROLE / GUARDIAN_ROLE on the bridge (default: deployer)
    compliance         address granted the tokens' COMPLIANCE_ROLE (default: deployer, who keeps it)
    token_pauser       address granted the tokens' PAUSER_ROLE (default: `pauser`)
    currencies         {"USD": {...}, "KHR": {...}} keyed by ISO 4217 alpha code (a bridged row of
                       corridor.codes), each with the bridge limits
                       max_per_message, large_mint_threshold, max_drift, inbound_capacity,
                       inbound_refill_per_second, outbound_capacity, outbound_refill_per_second,
                       rejection_fee (kept from each rejected redemption; 0 = none)
                       and tier_limits: [(perTransfer, daily)] for KYC tiers 1..3 in base units
                       (None = unlimited);
                       name, symbol and decimals default to the registry row's token_name, token, decimals
    token              "compliant" (BridgeToken behind an ERC-1967 proxy; default) or "mock"
                       (MockBridgeToken, plain ERC-20, for isolated bridge tests)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address

from corridor import codes
from corridor.bridge.attest import bridge_domain
from corridor.codes import CAMBODIA, Tier
from corridor.deploy.proxy import deploy_behind_proxy
from corridor.eip712 import Domain

MAX_UINT = 2**256 - 1
INSTITUTIONAL_TIER = int(Tier.INSTITUTIONAL)
# CAMBODIA (corridor.codes): the jurisdiction recorded for the bridge's own KYC entry on its tokens.

DEFAULT_TIMINGS = {"max_reserve_age": 6 * 3600, "mint_delay": 3600, "redemption_timeout": 3 * 24 * 3600}

DEFAULT_CURRENCIES: dict[str, dict[str, Any]] = {
    # USD in cents: per message $100k, queue above $20k, $10k drift, $1M/day each way.
    "USD": {
        "max_per_message": 10_000_000,
        "large_mint_threshold": 2_000_000,
        "max_drift": 1_000_000,
        "inbound_capacity": 100_000_000,
        "inbound_refill_per_second": 100_000_000 // 86_400,
        "outbound_capacity": 100_000_000,
        "outbound_refill_per_second": 100_000_000 // 86_400,
        # kept from a rejected redemption; off by default (a live deployment sets it above the gas of
        # rejectRedemption at its chain's gas price: docs/security.md, finding 4)
        "rejection_fee": 0,
        # CompliantToken tiers 1..3 (perTransfer, daily) in cents; tier 4 (institutional) is unlimited.
        "tier_limits": [(1_000_00, 2_000_00), (10_000_00, 20_000_00), (MAX_UINT, MAX_UINT)],
    },
    # KHR in whole riel (~4,100 KHR per USD): the same dollar figures.
    "KHR": {
        "max_per_message": 410_000_000,
        "large_mint_threshold": 82_000_000,
        "max_drift": 41_000_000,
        "inbound_capacity": 4_100_000_000,
        "inbound_refill_per_second": 4_100_000_000 // 86_400,
        "outbound_capacity": 4_100_000_000,
        "outbound_refill_per_second": 4_100_000_000 // 86_400,
        "rejection_fee": 0,
        "tier_limits": [(4_100_000, 8_200_000), (41_000_000, 82_000_000), (MAX_UINT, MAX_UINT)],
    },
}

LIMIT_KEYS = (
    "max_per_message",
    "large_mint_threshold",
    "max_drift",
    "inbound_capacity",
    "inbound_refill_per_second",
    "outbound_capacity",
    "outbound_refill_per_second",
)


@dataclass
class BridgeDeployment:
    """What deploy_bridge returns."""

    bridge: Any
    tokens: dict[int, Any] = field(default_factory=dict)
    """ISO 4217 numeric code -> token contract (the proxy, with the token ABI)."""
    implementation: Any = None
    """The BridgeToken implementation shared by every proxy (None for mock tokens)."""
    administration: Any = None
    """The bridge's configuration half (BakongBridgeAdmin), which the bridge created and runs by delegatecall;
    loaded so brownie knows its code (traces, coverage). Never called directly (it reverts NotDelegated)."""

    def token(self, currency: int | str) -> Any:
        """The token of `currency` (numeric code or alpha code: 840, "USD")."""
        return self.tokens[codes.currency(currency).number]

    def domain(self, chain_id: int) -> Domain:
        """The bridge's EIP-712 domain on `chain_id` (what validators sign under)."""
        return bridge_domain(chain_id, self.bridge.address)

    def verify_holders(
        self, compliance: Any, holders: list[Any], tier: int = 2, jurisdiction: int = CAMBODIA
    ) -> None:
        """KYC-verifies `holders` on every bridge token (mint recipients and redeemers must be verified).

        `compliance` must hold the tokens' COMPLIANCE_ROLE (the deployer does after deploy_bridge).
        """
        for token in self.tokens.values():
            for holder in holders:
                token.setKyc(holder, tier, jurisdiction, {"from": compliance})


def default_config(validators: list[str], threshold: int, **overrides: Any) -> dict[str, Any]:
    """A complete config with the defaults above; `overrides` replace top-level keys."""
    cfg: dict[str, Any] = {
        "validators": list(validators),
        "threshold": threshold,
        "admin_delay": 0,
        "timings": dict(DEFAULT_TIMINGS),
        "currencies": copy.deepcopy(DEFAULT_CURRENCIES),
        "token": "compliant",
    }
    cfg.update(overrides)
    return cfg


def limits_tuple(spec: dict[str, Any]) -> tuple[int, ...]:
    """A currency spec's limits as the bridge's `CurrencyLimits` tuple."""
    return tuple(int(spec[k]) for k in LIMIT_KEYS)


def token_spec(alpha: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A currency's config entry with the token's name, symbol and decimals from the registry row
    (corridor.codes) unless the entry gives them; refuses a currency the bridge cannot carry."""
    row = codes.currency(alpha)
    if not row.bridged:
        raise codes.CodeError(f"{row.alpha} is not a Bakong currency (bridged=False in corridor.codes)")
    out = {"name": row.token_name, "symbol": row.token, "decimals": row.decimals, **spec}
    if "tier_limits" in out:  # null (YAML) = unlimited
        out["tier_limits"] = [tuple(MAX_UINT if v is None else int(v) for v in t) for t in out["tier_limits"]]
    return out


def administration_address(bridge_address: str) -> str:
    """The address of the BakongBridgeAdmin a bridge's constructor created: the bridge's first CREATE (nonce 1,
    EIP-161), keccak256(rlp([bridge, 1]))[12:]."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(str(bridge_address)[2:]), 1]))[12:])


def deploy_bridge(project: Any, deployer: Any, config: dict[str, Any]) -> BridgeDeployment:
    """Deploys one token per currency and the bridge, registers the currencies and wires every role.

    `project` is anything with the contract containers as attributes (the loaded brownie project; None
    picks the first loaded project). `deployer` sends every transaction and becomes the admin.
    """
    if project is None:
        from brownie import project as brownie_project

        project = brownie_project.get_loaded_projects()[0]
    tx = {"from": deployer}
    timings = {**DEFAULT_TIMINGS, **config.get("timings", {})}
    validators = sorted(config["validators"], key=lambda a: int(str(a), 16))
    admin_delay = int(config.get("admin_delay", 0))

    bridge = project.BakongBridge.deploy(
        deployer,
        admin_delay,
        validators,
        int(config["threshold"]),
        (timings["max_reserve_age"], timings["mint_delay"], timings["redemption_timeout"]),
        tx,
    )
    bridge.grantRole(bridge.PAUSER_ROLE(), config.get("pauser", deployer), tx)
    bridge.grantRole(bridge.GUARDIAN_ROLE(), config.get("guardian", deployer), tx)

    deployment = BridgeDeployment(bridge=bridge)
    deployment.administration = project.BakongBridgeAdmin.at(administration_address(bridge.address))
    kind = config.get("token", "compliant")
    for alpha, given in config.get("currencies", DEFAULT_CURRENCIES).items():
        spec = token_spec(alpha, given)
        code = codes.currency(alpha).number
        if kind == "mock":
            token = project.MockBridgeToken.deploy(spec["name"], spec["symbol"], spec["decimals"], tx)
            token.setBridge(bridge, tx)
        else:
            token = _deploy_compliant_token(project, deployer, deployment, spec, bridge, admin_delay, config)
        bridge.addCurrency(code, token, limits_tuple(spec), tx)
        if int(spec.get("rejection_fee", 0)):
            bridge.setRejectionFee(code, int(spec["rejection_fee"]), tx)
        deployment.tokens[code] = token
    return deployment


def _deploy_compliant_token(
    project: Any,
    deployer: Any,
    deployment: BridgeDeployment,
    spec: dict[str, Any],
    bridge: Any,
    admin_delay: int,
    config: dict[str, Any],
) -> Any:
    """A BridgeToken proxy (one shared implementation) minted by `bridge`, which is verified as an
    institutional (tier 4) holder so it can escrow and burn redemptions."""
    tx = {"from": deployer}
    if deployment.implementation is None:
        deployment.implementation = project.BridgeToken.deploy(tx)
    token = deploy_behind_proxy(
        project.BridgeToken,
        project.CorridorProxy,
        deployer,
        args=(
            spec["name"],
            spec["symbol"],
            spec["decimals"],
            deployer,
            admin_delay,
            bridge,
            [tuple(t) for t in spec["tier_limits"]],
        ),
        implementation=deployment.implementation,
    )
    token.grantRole(token.COMPLIANCE_ROLE(), deployer, tx)
    token.setKyc(bridge, INSTITUTIONAL_TIER, CAMBODIA, tx)
    compliance = config.get("compliance", deployer)
    if str(compliance) != str(deployer):
        token.grantRole(token.COMPLIANCE_ROLE(), compliance, tx)
    token.grantRole(token.PAUSER_ROLE(), config.get("token_pauser", config.get("pauser", deployer)), tx)
    return token
