"""Build artifacts (ABI + bytecode) and web3 contract objects, without brownie.

The off-chain services (relayer, market maker, Bakong client) use these so they run as standalone
processes against any RPC endpoint; inside brownie the same ABIs come from the project.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.contract import Contract

ROOT = Path(__file__).resolve().parent.parent


class ArtifactNotFound(FileNotFoundError):
    """No compiled artifact for a contract name (run `make compile`)."""


def build_dir(profile_dir: Path | None = None) -> Path:
    """The build folder of a brownie profile (the repo root by default)."""
    return (profile_dir or ROOT) / "build"


@cache
def load_artifact(name: str, profile_dir: Path | None = None) -> dict[str, Any]:
    """Returns the brownie build artifact of contract or interface `name`."""
    base = build_dir(profile_dir)
    for sub in ("contracts", "interfaces"):
        path = base / sub / f"{name}.json"
        if path.is_file():
            return json.loads(path.read_text())
    raise ArtifactNotFound(f"no build artifact for {name} under {base} (run `make compile`)")


def abi(name: str) -> list[dict[str, Any]]:
    """The ABI of contract or interface `name`."""
    return load_artifact(name)["abi"]


def at(w3: Web3, name: str, address: str) -> Contract:
    """A web3 contract object for `name` deployed at `address`."""
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi(name))
