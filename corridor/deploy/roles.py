"""Who holds which role once the corridor is deployed: the plan from the settings, the handover, the check.

The deployer needs every operational role while it wires the suite (issuers, KYC, limits, validators,
pools, makers). `hand_over` then gives each role to its configured holders, renounces the deployer's
own, and starts the two-step default-admin transfer of every contract to the configured admin (OZ
`AccessControlDefaultAdminRules`: the new admin calls `acceptDefaultAdminTransfer()` once the
contract's `defaultAdminDelay()` has passed; `scripts/accept_admin.py` does it from a key). When a
configured holder is the deployer (development), nothing is sent for that role.

Settings (`roles:` in config/<network>.yaml, every key optional):

    roles:
      defaults:                 # by role, on every contract that has the role
        pauser: ops_bot         # a party name (`parties:`), an address, or a list of them ([] = nobody)
      BakongBridge:             # by contract (the names of the deployed-contracts table), over `defaults`
        guardian: "0x…"

A role named nowhere goes to `parties.admin`, except the bridge tokens' `upgrader` and `rescuer`,
which nobody holds (the admin grants them for an upgrade or a rescue). `admin` (DEFAULT_ADMIN_ROLE)
has exactly one holder.

Every transaction `hand_over` sends is decided by the settings and the deployer's address alone,
never by what the chain holds, so the journal (corridor.deploy.journal) replays it exactly on a
re-run or after a kill.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak, to_checksum_address

from corridor import codes
from corridor.ui import UserError

ADMIN = "admin"

#: The contracts of the suite (the names of its deployed-contracts table) and the roles each has: one
#: bridge token per bridged currency and one feed and pool per non-hub currency of corridor.codes (a
#: deployment holds those its settings configure).
_TOKEN_ROLES = (ADMIN, "compliance", "pauser", "upgrader", "rescuer")
_FEED_ROLES = (ADMIN, "reporter", "market_hours")
_POOL_ROLES = (ADMIN, "guardian")
CONTRACT_ROLES: dict[str, tuple[str, ...]] = {
    "JPYStablecoin": _TOKEN_ROLES,
    "IssuerRegistry": (ADMIN, "issuer_admin", "attestor", "upgrader"),
    "BakongBridge": (ADMIN, "pauser", "guardian"),
    **{c.book_name: _TOKEN_ROLES for c in codes.bridged()},
    "FXRouter": (ADMIN,),
    **{c.feed: _FEED_ROLES for c in codes.CURRENCIES if not c.is_hub},
    **{c.pool: _POOL_ROLES for c in codes.CURRENCIES if not c.is_hub},
    "RfqVenue": (ADMIN, "maker_manager", "pauser"),
}
#: Roles nobody holds unless the settings name a holder (the family deploys grant them to no one).
NOBODY_BY_DEFAULT = frozenset(
    (c.book_name, role) for c in codes.bridged() for role in ("upgrader", "rescuer")
)
ALL_ROLES = frozenset(r for roles in CONTRACT_ROLES.values() for r in roles)

#: Settings the family deploys would read as role holders; the suite takes them from `roles:` only.
_IGNORED_HOLDER_KEYS = {
    "stablecoin": ("roles",),
    "bridge": ("pauser", "guardian", "compliance", "token_pauser"),
    "exchange": ("reporter", "guardian", "market_hours"),
    "rfq": ("maker_manager", "pauser"),
}

#: Where each family's admin_delay is read, and its default (corridor.suite.deploy_suite).
_DELAY_DEFAULTS = {"stablecoin": 0, "bridge": 0, "exchange": 0, "rfq": 86_400}
MAX_ADMIN_DELAY = 2**48 - 1

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_ROLE_GRANTED = "0x" + keccak(text="RoleGranted(bytes32,address,address)").hex().removeprefix("0x")
_ROLE_REVOKED = "0x" + keccak(text="RoleRevoked(bytes32,address,address)").hex().removeprefix("0x")
#: calldata of `acceptDefaultAdminTransfer()` (for a multisig or timelock that accepts)
ACCEPT_CALLDATA = "0x" + keccak(text="acceptDefaultAdminTransfer()")[:4].hex().removeprefix("0x")

Plan = dict[str, dict[str, tuple[str, ...]]]
"""contract name -> role name -> holder addresses (checksummed; `admin` has exactly one)."""


def role_constant(role: str) -> str:
    """The contract's getter of `role`: `admin` -> DEFAULT_ADMIN_ROLE, `pauser` -> PAUSER_ROLE."""
    return "DEFAULT_ADMIN_ROLE" if role == ADMIN else f"{role.upper()}_ROLE"


# -- settings ------------------------------------------------------------------------------------


def check_settings(data: Mapping[str, Any], path: str, development: bool) -> None:
    """Refuses, with one line, a `roles:` section that names an unknown contract, role or party, holder
    keys the suite would not read, and (on a live network) a zero admin delay unless
    `allow_zero_admin_delay: true`."""
    _check_roles_section(data, path)
    for section, keys in _IGNORED_HOLDER_KEYS.items():
        for key in keys:
            if isinstance(data.get(section), Mapping) and key in data[section]:
                raise UserError(
                    f"{path}: {section}.{key} is not read by the suite deploy; name role holders in the "
                    "top-level roles: section (see config/live.example.yaml)"
                )
    delays = admin_delays(data, path)
    zero = [section for section, delay in delays.items() if delay == 0]
    if zero and not development and data.get("allow_zero_admin_delay") is not True:
        raise UserError(
            f"{path}: admin_delay is 0 for {', '.join(zero)} on a live network (a default-admin transfer would "
            "take effect at once); set a delay (e.g. 172800 = 2 days) or allow_zero_admin_delay: true"
        )


def admin_delays(data: Mapping[str, Any], path: str) -> dict[str, int]:
    """section -> the admin_delay the suite deploys it with (checked to fit a uint48)."""
    delays = {}
    for section, default in _DELAY_DEFAULTS.items():
        spec = data.get(section) or {}
        value = spec.get("admin_delay") if isinstance(spec, Mapping) else None
        value = default if value is None else value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ADMIN_DELAY:
            raise UserError(f"{path}: {section}.admin_delay must be a whole number of seconds, not {value!r}")
        delays[section] = value
    return delays


def _is_zero(value: Any) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.match(value)) and int(value, 16) == 0


def _check_roles_section(data: Mapping[str, Any], path: str) -> None:
    parties = data.get("parties") or {}
    if _is_zero(parties.get("admin")):
        raise UserError(f"{path}: parties.admin: the zero address holds no role")
    roles = data.get("roles")
    if roles is None:
        return
    if not isinstance(roles, Mapping):
        raise UserError(f"{path}: roles must map contract names (or defaults) to {{role: holder}}")
    party_is_zero = {name: _is_zero(value) for name, value in parties.items()}
    for contract, spec in roles.items():
        known = ALL_ROLES if contract == "defaults" else CONTRACT_ROLES.get(contract)
        if known is None:
            raise UserError(
                f"{path}: roles.{contract}: no such contract (one of defaults, {', '.join(CONTRACT_ROLES)})"
            )
        if not isinstance(spec, Mapping):
            raise UserError(f"{path}: roles.{contract} must map role names to holders")
        for role, holders in spec.items():
            where = f"{path}: roles.{contract}.{role}"
            if role not in known:
                raise UserError(f"{where}: no such role here (one of {', '.join(sorted(known))})")
            _check_holders(holders, role, party_is_zero, where)


def _check_holders(holders: Any, role: str, party_is_zero: Mapping[str, bool], where: str) -> None:
    if role == ADMIN and (isinstance(holders, list) or holders is None):
        raise UserError(f"{where}: the default admin is exactly one party or address")
    items = _as_list(holders)
    for item in items:
        if _is_zero(item) or (isinstance(item, str) and party_is_zero.get(item)):
            # beginDefaultAdminTransfer(0) would start renouncing the admin; granting 0 is a lost role
            raise UserError(f"{where}: the zero address holds no role")
        if isinstance(item, str) and (_ADDRESS.match(item) or item in party_is_zero):
            continue
        raise UserError(f"{where}: {item!r} is neither a party (parties:) nor a 0x address")


# -- the plan ------------------------------------------------------------------------------------


def _as_list(holders: Any) -> list[Any]:
    """A holder spec as a list: one holder, a list of them, or nothing (None / [])."""
    if holders is None:
        return []
    return list(holders) if isinstance(holders, list) else [holders]


def address_of(party: Any) -> str:
    """The checksummed address of an account, a contract or an address string."""
    return to_checksum_address(str(getattr(party, "address", party)))


def role_plan(settings: Mapping[str, Any], who: Mapping[str, Any], deployer: Any) -> Plan:
    """Every contract's roles and their configured holders (see the module docstring); the default
    holder is `parties.admin`, or the deployer when the settings name no admin."""
    roles = settings.get("roles") or {}
    default_holder = address_of(who.get("admin", deployer))
    defaults = roles.get("defaults") or {}

    def holders(value: Any) -> tuple[str, ...]:
        return tuple(dict.fromkeys(address_of(who.get(v, v)) for v in _as_list(value)))

    plan: Plan = {}
    for contract, names in CONTRACT_ROLES.items():
        own = roles.get(contract) or {}
        plan[contract] = {}
        for role in names:
            if role in own:
                plan[contract][role] = holders(own[role])
            elif role in defaults:
                plan[contract][role] = holders(defaults[role])
            elif (contract, role) in NOBODY_BY_DEFAULT:
                plan[contract][role] = ()
            else:
                plan[contract][role] = (default_holder,)
    return plan


# -- the handover --------------------------------------------------------------------------------


def hand_over(contracts: Mapping[str, Any], plan: Plan, deployer: Any) -> int:
    """Grants every role to its configured holders, renounces the deployer's, and begins the
    default-admin transfer to the configured admin; returns the transactions sent (or replayed).

    The deployer holds every role the family deploys gave it (all but NOBODY_BY_DEFAULT), and stays
    default admin until the configured admin accepts, so it can grant until the very end.
    """
    me = address_of(deployer)
    tx = {"from": deployer}
    count = 0
    for name, contract in contracts.items():
        for role, holders in plan[name].items():
            if role == ADMIN or holders == (me,):
                continue  # the deployer is the one configured holder: it keeps the role, nothing to send
            role_id = getattr(contract, role_constant(role))()
            for holder in holders:
                if holder != me:
                    contract.grantRole(role_id, holder, tx)
                    count += 1
            if me not in holders and (name, role) not in NOBODY_BY_DEFAULT:
                contract.renounceRole(role_id, me, tx)
                count += 1
        (admin,) = plan[name][ADMIN]
        if admin != me:
            contract.beginDefaultAdminTransfer(admin, tx)
            count += 1
    return count


# -- the check -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingTransfer:
    """A default-admin transfer begun and not yet accepted."""

    contract: str
    address: str
    new_admin: str
    acceptable_after: int  # unix time; `acceptDefaultAdminTransfer` succeeds in a block later than it

    @property
    def when(self) -> str:
        """`acceptable_after` as UTC date and time."""
        return datetime.datetime.fromtimestamp(self.acceptable_after, datetime.UTC).strftime(
            "%Y-%m-%d %H:%M:%S"
        )


@dataclass
class RoleReport:
    problems: list[str] = field(default_factory=list)  # one line per wrong (contract, role)
    pending: list[PendingTransfer] = field(default_factory=list)


def granted_accounts(
    web3: Any, addresses: Iterable[str], from_block: int, chunk: int = 5_000
) -> dict[str, dict[str, set[str]]]:
    """contract address -> role id (hex) -> every account a RoleGranted event of it ever named (read
    from `from_block` on, `chunk` blocks per query: public RPCs cap a query's range)."""
    addresses = [to_checksum_address(a) for a in addresses]
    seen: dict[str, dict[str, set[str]]] = {a: {} for a in addresses}
    latest = web3.eth.block_number
    for start in range(max(from_block, 0), latest + 1, chunk):
        logs = web3.eth.get_logs(
            {
                "address": addresses,
                "fromBlock": start,
                "toBlock": min(start + chunk - 1, latest),
                "topics": [[_ROLE_GRANTED, _ROLE_REVOKED]],
            }
        )
        for log in logs:
            role = "0x" + bytes(log["topics"][1]).hex()
            account = to_checksum_address(bytes(log["topics"][2])[-20:])
            seen[to_checksum_address(log["address"])].setdefault(role, set()).add(account)
    return seen


def _label(address: str, me: str) -> str:
    return f"{address} (deployer)" if address == me else address


def check_roles(
    contracts: Mapping[str, Any],
    plan: Plan,
    deployer: Any,
    web3: Any,
    from_block: int,
    extra: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
) -> RoleReport:
    """For every contract and role: exactly the configured holders hold it and the deployer holds
    nothing it is not configured for; the default admin is the configured one, or the deployer with a
    transfer to the configured one pending (listed in `pending`). `extra` adds roles outside the
    catalogue (contract name -> role id hex -> holders: the registry's per-issuer roles); any other role
    someone was granted is a problem too."""
    me = address_of(deployer)
    report = RoleReport()
    seen = granted_accounts(web3, [c.address for c in contracts.values()], from_block)
    for name, contract in contracts.items():
        events = seen[to_checksum_address(contract.address)]
        expected: dict[str, tuple[str, tuple[str, ...]]] = {}  # role id -> (label, holders)
        for role, holders in plan[name].items():
            role_id = "0x" + bytes(getattr(contract, role_constant(role))()).hex()
            expected[role_id] = (role_constant(role), holders)
        for role_id, holders in (extra or {}).get(name, {}).items():
            expected[role_id] = (f"role {role_id}", holders)
        for role_id, (label, holders) in expected.items():
            if label == "DEFAULT_ADMIN_ROLE":
                _check_admin(name, contract, holders[0], me, report)
                continue
            candidates = events.get(role_id, set()) | set(holders) | {me}
            held = sorted(a for a in candidates if contract.hasRole(role_id, a))
            if set(held) != set(holders):
                report.problems.append(
                    f"{name} {label}: held by {', '.join(_label(a, me) for a in held) or 'nobody'}; "
                    f"configured: {', '.join(_label(a, me) for a in holders) or 'nobody'}"
                )
        for role_id in sorted(set(events) - set(expected)):
            held = sorted(a for a in events[role_id] if contract.hasRole(role_id, a))
            if held:
                report.problems.append(
                    f"{name} role {role_id}: held by {', '.join(_label(a, me) for a in held)}; not in the settings"
                )
    return report


def _check_admin(name: str, contract: Any, configured: str, me: str, report: RoleReport) -> None:
    current = to_checksum_address(str(contract.defaultAdmin()))
    pending, schedule = contract.pendingDefaultAdmin()
    pending = to_checksum_address(str(pending))
    if current == configured and int(pending, 16) == 0:
        return
    if current == me and pending == configured:
        report.pending.append(PendingTransfer(name, str(contract.address), configured, int(schedule)))
        return
    state = f"pending transfer to {pending}" if int(pending, 16) else "no transfer pending"
    report.problems.append(
        f"{name} DEFAULT_ADMIN_ROLE: held by {_label(current, me)} ({state}); configured: {_label(configured, me)}"
    )


# -- acceptance ----------------------------------------------------------------------------------


def pending_for(contracts: Mapping[str, Any], new_admin: Any) -> list[PendingTransfer]:
    """The default-admin transfers to `new_admin` begun on `contracts` and not yet accepted (a contract with no
    admin, such as InvoiceSettlement, has none)."""
    me = address_of(new_admin)
    found = []
    for name, contract in contracts.items():
        if not any(item.get("name") == "pendingDefaultAdmin" for item in contract.abi):
            continue
        pending, schedule = contract.pendingDefaultAdmin()
        if address_of(pending) == me:
            found.append(PendingTransfer(name, address_of(contract), me, int(schedule)))
    return found


def accept_transfers(
    contracts: Mapping[str, Any], new_admin: Any, now: int
) -> tuple[list[PendingTransfer], list[PendingTransfer]]:
    """Accepts, from `new_admin`, every transfer to it whose delay has passed by `now` (the latest
    block's time: the accepting block is later); returns (accepted, still waiting)."""
    accepted, waiting = [], []
    for transfer in pending_for(contracts, new_admin):
        if transfer.acceptable_after < now:
            contracts[transfer.contract].acceptDefaultAdminTransfer({"from": new_admin})
            accepted.append(transfer)
        else:
            waiting.append(transfer)
    return accepted, waiting
