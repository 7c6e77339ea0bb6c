"""Deploys and wires the RFQ venue (brownie containers and accounts, a plain config dict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RfqDeployment:
    venue: Any  # brownie ProjectContract of RfqVenue


def deploy_rfq(RfqVenue: Any, admin: Any, config: dict[str, Any]) -> RfqDeployment:
    """Deploys RfqVenue from `admin` and wires its roles.

    config keys:
      treasury (address, required)      receives the fees
      fee_bps (int, default 0)          fee in bps of the gross output, at most 100
      admin_delay (int, default 86400)  AccessControlDefaultAdminRules delay for admin transfers
      maker_manager (address, default admin)  gets MAKER_MANAGER_ROLE
      pauser (address, default admin)         gets PAUSER_ROLE
      makers (list of addresses, default [])  registered at once (needs maker_manager == admin)
    """
    treasury = config["treasury"]
    venue = RfqVenue.deploy(
        admin,
        int(config.get("admin_delay", 86_400)),
        treasury,
        int(config.get("fee_bps", 0)),
        {"from": admin},
    )
    manager = config.get("maker_manager", admin)
    venue.grantRole(venue.MAKER_MANAGER_ROLE(), manager, {"from": admin})
    venue.grantRole(venue.PAUSER_ROLE(), config.get("pauser", admin), {"from": admin})
    for maker in config.get("makers", []):
        venue.registerMaker(maker, {"from": manager})
    return RfqDeployment(venue=venue)
