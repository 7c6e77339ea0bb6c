"""The deployment book: `deployments/<network>.json`, the record of every contract and wiring step.

Written atomically (temp file + rename) after every change, so a deploy killed at any instant leaves
either the previous book or the next one, never a half-written file. A contract is recorded as
`pending` with the deployer's nonce and the CREATE address it will have *before* its transaction is
sent; on resume a pending entry is settled by looking at the chain (code at the predicted address,
or the deployer's nonce still unused), so a kill between "sent" and "recorded" never duplicates a
contract.
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
class ContractRecord:
    """One deployed (or pending) contract."""

    key: str
    contract: str
    address: str
    args: list[Any]
    status: str  # "pending" | "deployed"
    nonce: int
    tx: str | None = None
    block: int | None = None
    initializer: dict[str, Any] | None = None  # {"function": ..., "args": [...]} for proxies

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "key"}


@dataclass
class StepRecord:
    """One wiring transaction (a role grant, a limit, a registration)."""

    key: str
    status: str  # "done"
    tx: str | None = None


@dataclass
class DeploymentBook:
    """Everything recorded for one network; see the module docstring."""

    path: Path
    network: str
    chain_id: int
    deployer: str
    contracts: dict[str, ContractRecord] = field(default_factory=dict)
    steps: dict[str, StepRecord] = field(default_factory=dict)
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
        for key, rec in raw.get("contracts", {}).items():
            book.contracts[key] = ContractRecord(key=key, **rec)
        for key, rec in raw.get("steps", {}).items():
            book.steps[key] = StepRecord(key=key, **rec)
        return book

    def save(self) -> None:
        """Writes the book atomically."""
        data = {
            "format": FORMAT_VERSION,
            "network": self.network,
            "chainId": self.chain_id,
            "deployer": self.deployer,
            "config": self.config,
            "contracts": {k: r.as_json() for k, r in self.contracts.items()},
            "steps": {k: {"status": s.status, "tx": s.tx} for k, s in self.steps.items()},
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

    def addresses(self) -> dict[str, str]:
        """key -> address of every deployed contract."""
        return {k: r.address for k, r in self.contracts.items() if r.status == "deployed"}
