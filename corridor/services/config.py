"""The service list (config/services.yaml): which processes the sandbox starts, on which ports, with which
development keys and arguments; `corridor status` reads the same list for their URLs.

    chain: {port: 8545}
    services:
      - name: quote-server               # also the log file's name
        command: quote-server            # a `corridor` subcommand
        port: 8610
        keys: {MAKER: "party:market-maker"}
        args: ["--state", "{state}/quote-server.json"]

Placeholders in `args`: {state} (the sandbox's state folder), {rpc}, {book}, {url:NAME} (another
service's URL: list that service first). Keys (development only; a real deployment sets
`<ROLE>_KEYSTORE` itself): `anvil:N` (Anvil's unlocked account N), `party:LABEL` (the settings'
`dev:LABEL` party key), `validator:N` (development validator key N).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corridor.artifacts import ROOT
from corridor.ui import UserError

DEFAULT_CONFIG = ROOT / "config" / "services.yaml"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: str
    port: int
    host: str = "127.0.0.1"
    keys: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class SandboxConfig:
    path: Path
    rpc_port: int
    services: list[ServiceSpec]

    @property
    def rpc(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"


def _port(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        raise UserError(f"{where}: port must be a number from 1 to 65535, got {value!r}")
    return value


def load_config(path: Path) -> SandboxConfig:
    """Reads and checks the service list; one line for what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read the service list {path}: {type(exc).__name__}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("services"), list):
        raise UserError(f"{path}: needs a `services:` list (see config/services.yaml)")
    chain = raw.get("chain") or {}
    services, names, ports = [], set(), set()
    for i, entry in enumerate(raw["services"]):
        where = f"{path.name} services[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise UserError(f"{where}: needs a `name:`")
        unknown = set(entry) - {"name", "command", "port", "host", "keys", "args"}
        if unknown:
            raise UserError(f"{where} ({entry['name']}): unknown key(s) {', '.join(sorted(unknown))}")
        spec = ServiceSpec(
            name=entry["name"],
            command=str(entry.get("command", entry["name"])),
            port=_port(entry.get("port"), f"{where} ({entry['name']})"),
            host=str(entry.get("host", "127.0.0.1")),
            keys={str(k): str(v) for k, v in (entry.get("keys") or {}).items()},
            args=[str(a) for a in (entry.get("args") or [])],
        )
        if spec.name in names or spec.port in ports:
            raise UserError(f"{where}: name {spec.name!r} or port {spec.port} used twice")
        names.add(spec.name)
        ports.add(spec.port)
        services.append(spec)
    return SandboxConfig(path, _port(chain.get("port", 8545), f"{path.name} chain"), services)
