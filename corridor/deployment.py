"""The one way to load a deployed corridor: the book `deployments/<network>.json`.

    deployment = Deployment.from_book("development", w3)            # deployments/development.json
    deployment = Deployment.from_book("/srv/corridor/live.json", w3)  # or a path
    router = deployment.contract("FXRouter")                          # a web3 contract
    omnibus = deployment.omnibus_account                              # from the recorded settings

The book is written by the deploy (corridor.deploy.book, journaled by corridor.deploy.journal): every
named contract with its contract type and address, and the settings it was deployed with (the
`config/<network>.yaml` it read). This module only reads it. With a `w3` the book is checked to be of
that chain (its chain id), and `missing()` names the contracts that have no code there (a book left by
an earlier chain with the same id, e.g. a restarted Anvil).

Names in the book: "JPYStablecoin", "IssuerRegistry", "BakongBridge", "b<CUR>" (bUSD, bKHR), "FXRouter",
"FXFeed <SYM>/USD", "FXPool <SYM>/USD", "RfqVenue". Every failure is a `DeploymentError` with one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from corridor import artifacts

BOOK_DIR = artifacts.ROOT / "deployments"


class DeploymentError(Exception):
    """The deployment cannot be loaded; the message is one line."""


class BookNotFound(DeploymentError):
    """No book at the path (nothing deployed on that network yet)."""


@dataclass(frozen=True)
class Deployment:
    """A deployed suite as its book records it; see the module docstring."""

    path: Path
    network: str
    chain_id: int
    contracts: dict[str, dict[str, Any]]  # name -> {"contract": type, "address": 0x…}
    settings: dict[str, Any] = field(default_factory=dict)
    first_block: int = 0  # the block of the deploy's first transaction (where event scans start)
    w3: Any = field(default=None, repr=False, compare=False)

    # ---------------------------------------------------------------- loading

    @classmethod
    def from_book(cls, where: str | Path, w3: Any = None, book_dir: Path | None = None) -> Deployment:
        """The book at `where`: a path to a `.json` file, or a network name (`<book_dir>/<name>.json`,
        book_dir defaulting to deployments/). With `w3`, refuses a book of another chain id."""
        path = Path(where)
        if path.suffix != ".json":
            path = (book_dir or BOOK_DIR) / f"{where}.json"
        if not path.is_file():
            raise BookNotFound(f"deployment book {path} does not exist")
        try:
            raw = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise DeploymentError(
                f"deployment book {path} is not JSON: {exc.msg} at line {exc.lineno}"
            ) from exc
        except OSError as exc:
            raise DeploymentError(f"deployment book {path} cannot be read: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("contracts", {}), dict):
            raise DeploymentError(f"deployment book {path} must hold a JSON object with a contracts map")
        chain_id = raw.get("chainId")
        if w3 is not None and chain_id != w3.eth.chain_id:
            raise DeploymentError(
                f"{path} records chain id {chain_id}, but the network has chain id {w3.eth.chain_id}; "
                "the chain was reset or this is another network: move the file away to redeploy"
            )
        blocks = [
            int(t["block"]) for t in raw.get("transactions", []) if isinstance(t, dict) and "block" in t
        ]
        return cls(
            path=path,
            network=str(raw.get("network", path.stem)),
            chain_id=int(chain_id) if isinstance(chain_id, int) else 0,
            contracts=dict(raw.get("contracts", {})),
            settings=dict(raw.get("config") or {}),
            first_block=min(blocks, default=0),
            w3=w3,
        )

    # ---------------------------------------------------------------- what it holds

    def address(self, name: str) -> str:
        """The checksummed address of the named contract; DeploymentError if absent or malformed."""
        entry = self.contracts.get(name)
        address = entry.get("address") if isinstance(entry, dict) else None
        if not isinstance(address, str) or not is_address(address):
            raise DeploymentError(f"no {name} address in {self.path}")
        return to_checksum_address(address)

    def contract_type(self, name: str) -> str:
        """The contract (artifact) name the named entry was deployed from: "BridgeToken" for "bKHR"."""
        entry = self.contracts.get(name) or {}
        return str(entry.get("contract", name))

    def contract(self, name: str, abi: str | None = None) -> Any:
        """A web3 contract for the named entry (ABI of its contract type, or of `abi`)."""
        if self.w3 is None:
            raise DeploymentError("this deployment was loaded without a web3 connection")
        return artifacts.at(self.w3, abi or self.contract_type(name), self.address(name))

    def brownie_contract(self, name: str) -> Any:
        """The named entry as a brownie Contract (inside a brownie script or test). By ABI, not by
        brownie's deployment map: the address may be an ERC1967Proxy brownie knows as the proxy."""
        from brownie import Contract

        kind = self.contract_type(name)
        return Contract.from_abi(kind, self.address(name), artifacts.abi(kind))

    def missing(self, names: Iterable[str]) -> list[str]:
        """The names among `names` without code on the connected chain (or without an address)."""
        if self.w3 is None:
            raise DeploymentError("this deployment was loaded without a web3 connection")
        absent = []
        for name in names:
            try:
                has_code = bool(self.w3.eth.get_code(self.address(name)))
            except DeploymentError:
                has_code = False
            if not has_code:
                absent.append(name)
        return absent

    # ---------------------------------------------------------------- the corridor's names

    @staticmethod
    def token_name(currency: str) -> str:
        """The book name of a bridged currency's token ("KHR" -> "bKHR")."""
        return f"b{currency.upper()}"

    @staticmethod
    def feed_name(symbol: str) -> str:
        return f"FXFeed {symbol.upper()}/USD"

    @staticmethod
    def pool_name(symbol: str) -> str:
        return f"FXPool {symbol.upper()}/USD"

    @property
    def omnibus_account(self) -> str:
        """The bridge's Bakong omnibus account (settings `bridge.omnibus_account`)."""
        account = (self.settings.get("bridge") or {}).get("omnibus_account")
        if not isinstance(account, str):
            raise DeploymentError(f"no bridge.omnibus_account in the settings recorded in {self.path}")
        return account
