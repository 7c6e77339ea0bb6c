"""The deployment book: `deployments/<network>.json`.

It holds every transaction the deployer sent, by position (written by corridor.deploy.journal), and
the named contracts of the suite with their addresses and constructor/initializer arguments. It is
written atomically (temp file + rename) after every change, so a deploy killed at any instant leaves
either the previous book or the next one, never a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.faults import checkpoint

FORMAT_VERSION = 1


class BookError(RuntimeError):
    """The deployment book cannot be used (another chain, unreadable file)."""


@dataclass
class TxRecord:
    """One transaction of the deployer, by position in the run (see corridor.deploy.journal)."""

    what: dict[str, Any]  # {"kind": "deploy", "contract", "args"} or {"kind": "call", "to", "value", "data"}
    status: str  # "pending" (written before the send) | "done"
    nonce: int
    block: int  # the chain height when it was recorded pending (where a resume searches from)
    address: str | None = None  # deploys: the CREATE address
    tx: str | None = None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DeploymentBook:
    """Everything recorded for one network; see the module docstring."""

    path: Path
    network: str
    chain_id: int
    deployer: str
    txs: list[TxRecord] = field(default_factory=list)
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {contract, address}
    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, network: str, chain_id: int, deployer: str) -> DeploymentBook:
        """Loads the book at `path` or starts a new one; refuses a book of another chain."""
        if not path.exists():
            return cls(path=path, network=network, chain_id=chain_id, deployer=deployer)
        try:
            raw = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise BookError(
                f"{path} is not a readable deployment book ({exc}); move it away to redeploy"
            ) from exc
        if raw.get("chainId") != chain_id:
            raise BookError(
                f"{path} records chain id {raw.get('chainId')}, but the network has chain id {chain_id}; "
                "the chain was reset or this is another network: move the file away to redeploy"
            )
        book = cls(path=path, network=network, chain_id=chain_id, deployer=raw.get("deployer", deployer))
        book.config = raw.get("config", {})
        book.txs = [TxRecord(**rec) for rec in raw.get("transactions", [])]
        book.contracts = raw.get("contracts", {})
        return book

    def save(self) -> None:
        """Writes the book atomically."""
        data = {
            "format": FORMAT_VERSION,
            "network": self.network,
            "chainId": self.chain_id,
            "deployer": self.deployer,
            "config": self.config,
            "contracts": self.contracts,
            "transactions": [r.as_json() for r in self.txs],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh, indent=2, sort_keys=False)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        checkpoint("deploy.recorded")

    def contracts_table(self) -> list[tuple[str, str]]:
        """(name, address) of every named contract."""
        return [(name, entry["address"]) for name, entry in self.contracts.items()]

    @property
    def complete(self) -> bool:
        """True when every recorded transaction is done."""
        return all(r.status == "done" for r in self.txs)
