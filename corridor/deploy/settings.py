"""Per-network deployment settings: `config/<network>.yaml`, and the account that deploys.

Development networks (Anvil, Ganache) fall back to `config/development.yaml`; a live network must
have its own file (start from `config/live.example.yaml`), or `CORRIDOR_SETTINGS` names one. The deployer account comes from, in order: `DEPLOYER_KEYSTORE` (a brownie
keystore id, password in `DEPLOYER_PASSWORD` or asked for), `DEPLOYER_PRIVATE_KEY`, or on a
development network the first unlocked account.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from corridor.artifacts import ROOT
from corridor.deploy.roles import check_settings
from corridor.ui import UserError

CONFIG_DIR = ROOT / "config"


def config_path(network: str, development: bool) -> Path:
    """The settings file for `network` (`CORRIDOR_SETTINGS` names another file explicitly)."""
    explicit = os.environ.get("CORRIDOR_SETTINGS")
    if explicit:
        if not Path(explicit).is_file():
            raise UserError(f"CORRIDOR_SETTINGS names {explicit}, which is not a file")
        return Path(explicit)
    own = CONFIG_DIR / f"{network}.yaml"
    if own.is_file():
        return own
    if development:
        return CONFIG_DIR / "development.yaml"
    raise UserError(
        f"no deployment settings for network '{network}': create config/{network}.yaml "
        "(start from config/development.yaml)"
    )


def load_settings(network: str, development: bool) -> dict[str, Any]:
    """Reads and sanity-checks the settings for `network`."""
    path = config_path(network, development)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"{path} must be a mapping of sections")
    missing = [k for k in ("parties", "validators", "stablecoin", "bridge") if k not in data]
    if missing:
        raise UserError(f"{path} lacks the section(s) {', '.join(missing)} (see config/development.yaml)")
    data.setdefault("required_confs", 1)
    data["_path"] = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    check_settings(data, data["_path"], development)
    _check_market_maker(data)
    _check_linked_schemes(data)
    return data


def _check_linked_schemes(data: dict[str, Any]) -> None:
    """The `linked_schemes:` section (the simulator's links to Bakong, their rates and per-origin limits), when
    present, in one line."""
    from corridor.bridge.linked_scheme import LinkedSchemeError, scheme_from_config

    section = data.get("linked_schemes")
    if section is None:
        return
    if not isinstance(section, list) or not all(isinstance(s, dict) for s in section):
        raise UserError(
            f"{data['_path']}: linked_schemes must be a list of mappings (see config/development.yaml)"
        )
    try:
        origins = [scheme_from_config(s).origin for s in section]
    except LinkedSchemeError as exc:
        raise UserError(f"{data['_path']}: {exc}") from exc
    if len(set(origins)) != len(origins):
        raise UserError(f"{data['_path']}: linked_schemes names an origin twice ({', '.join(origins)})")


def _check_market_maker(data: dict[str, Any]) -> None:
    """The `market_maker:` section (the RFQ maker's policy and limits), when present, in one line."""
    from corridor.exchange.market_maker import maker_settings

    section = data.get("market_maker")
    if section is None:
        return
    if not isinstance(section, dict):
        raise UserError(f"{data['_path']}: market_maker must be a mapping (see config/development.yaml)")
    try:
        maker_settings(section)
    except (ValueError, TypeError) as exc:
        raise UserError(f"{data['_path']}: {exc}") from exc


def deployer_account(accounts: Any, development: bool, prefix: str = "DEPLOYER") -> Any:
    """The deploying account (see the module docstring); one clear error when none can be had.
    `prefix` reads another signer from the same variables (`ADMIN_KEYSTORE`, `ADMIN_PRIVATE_KEY`, ...)."""
    keystore = os.environ.get(f"{prefix}_KEYSTORE")
    if keystore:
        if keystore not in accounts.load():
            raise UserError(
                f"keystore '{keystore}' not found: list them with `brownie accounts list`, "
                "add one with `brownie accounts new <id>`"
            )
        password = os.environ.get(f"{prefix}_PASSWORD")
        try:
            return accounts.load(keystore, password=password) if password else accounts.load(keystore)
        except ValueError as exc:
            raise UserError(f"keystore '{keystore}' could not be unlocked: {exc}") from exc
    key = os.environ.get(f"{prefix}_PRIVATE_KEY")
    if key:
        try:
            return accounts.add(key)
        except Exception as exc:  # brownie raises several types for malformed keys
            raise UserError(
                f"{prefix}_PRIVATE_KEY is not a valid private key ({type(exc).__name__})"
            ) from exc
    if development and len(accounts) > 0:
        return accounts[0]
    raise UserError(
        f"no {prefix.lower()} account: set {prefix}_KEYSTORE (brownie keystore id) or {prefix}_PRIVATE_KEY"
    )


def require_funds(web3: Any, account: Any, gas_estimate: int) -> None:
    """Refuses to start a deploy that cannot finish for lack of gas money (nothing is written)."""
    gas_price = web3.eth.gas_price
    needed = gas_estimate * gas_price
    balance = web3.eth.get_balance(account.address)
    if balance < needed:
        raise UserError(
            f"deployer {account.address} has {balance / 1e18:.6f} ETH; the deploy needs about "
            f"{needed / 1e18:.6f} ETH ({gas_estimate:,} gas at {gas_price / 1e9:.2f} gwei)"
        )
