"""Deployers: the one interface every family's `deploy.py` uses to create and wire contracts.

- `DirectDeployer` deploys straight away (tests, the gas benchmark).
- `RecordedDeployer` keeps a `DeploymentBook`: a re-run reuses what exists, and a run killed at any
  step resumes without duplicating a contract or repeating a wiring transaction (scripts/deploy.py).

Wiring transactions are `transact(key, done, send)`: `done()` reads the chain (hasRole, a limit, a
registration), so a step whose transaction was mined just before a kill is recognised on resume.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address

from corridor.deploy.book import ContractRecord, DeploymentBook, StepRecord
from corridor.faults import checkpoint


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from `sender` at `nonce` produces."""
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


class Deployer(Protocol):
    """What a family's deploy function needs."""

    sender: Any

    def deploy(self, key: str, container: Any, *args: Any) -> Any: ...

    def deploy_proxy(
        self, key: str, implementation: Any, proxy: Any, initializer: str, *init_args: Any
    ) -> Any: ...

    def transact(self, key: str, done: Callable[[], bool], send: Callable[[dict], Any]) -> Any: ...


class DirectDeployer:
    """Deploys and wires immediately, keeping nothing (tests, benchmarks)."""

    def __init__(self, sender: Any, required_confs: int = 1) -> None:
        self.sender = sender
        self.required_confs = required_confs

    def tx_params(self) -> dict[str, Any]:
        return {"from": self.sender, "required_confs": self.required_confs}

    def deploy(self, key: str, container: Any, *args: Any) -> Any:
        return container.deploy(*args, self.tx_params())

    def deploy_proxy(
        self, key: str, implementation: Any, proxy: Any, initializer: str, *init_args: Any
    ) -> Any:
        impl = self.deploy(f"{key}.implementation", implementation)
        data = getattr(impl, initializer).encode_input(*init_args)
        prx = self.deploy(key, proxy, impl.address, data)
        return _as_implementation(proxy, prx, implementation)

    def transact(self, key: str, done: Callable[[], bool], send: Callable[[dict], Any]) -> Any:
        if done():
            return None
        return send(self.tx_params())


class RecordedDeployer(DirectDeployer):
    """A deployer that records everything in a `DeploymentBook` and resumes from it."""

    def __init__(
        self,
        book: DeploymentBook,
        sender: Any,
        web3: Any,
        required_confs: int = 1,
        log: Callable[[str], None] = print,
        pending_wait_seconds: float = 120.0,
    ) -> None:
        super().__init__(sender, required_confs)
        self.book = book
        self.web3 = web3
        self.log = log
        self.pending_wait_seconds = pending_wait_seconds

    # -- contracts -------------------------------------------------------------------------------

    def _has_code(self, address: str) -> bool:
        return len(self.web3.eth.get_code(address)) > 0

    def _settle_pending(self, rec: ContractRecord) -> bool:
        """True when a pending record turns out deployed; False when it must be deployed again."""
        deadline = time.monotonic() + self.pending_wait_seconds
        sender = self.sender.address
        while True:
            if self._has_code(rec.address):
                return True
            if self.web3.eth.get_transaction_count(sender) > rec.nonce:
                return False  # the nonce was mined without creating this contract (reverted or replaced)
            if self.web3.eth.get_transaction_count(sender, "pending") <= rec.nonce:
                return False  # killed before the transaction was sent
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{rec.key}: its deploy (nonce {rec.nonce}) is still pending; re-run later"
                )
            time.sleep(1.0)

    def _existing(self, key: str, contract_name: str) -> str | None:
        rec = self.book.contracts.get(key)
        if rec is None:
            return None
        if rec.contract != contract_name:
            raise RuntimeError(f"{key} is recorded as {rec.contract}, not {contract_name}")
        if rec.status == "deployed":
            if not self._has_code(rec.address):
                raise RuntimeError(
                    f"{key} is recorded at {rec.address} but there is no code there: the chain was reset; "
                    f"move {self.book.path} away to redeploy"
                )
            return rec.address
        if self._settle_pending(rec):
            rec.status = "deployed"
            self.book.save()
            self.log(f"  {key}: found the deploy that was in flight at {rec.address}")
            return rec.address
        return None

    def deploy(self, key: str, container: Any, *args: Any, initializer: dict | None = None) -> Any:
        name = container._name
        address = self._existing(key, name)
        if address is not None:
            self.log(f"  {key}: reusing {name} at {address}")
            return container.at(address)
        nonce = self.web3.eth.get_transaction_count(self.sender.address, "pending")
        rec = ContractRecord(
            key=key,
            contract=name,
            address=create_address(self.sender.address, nonce),
            args=[_jsonable(a) for a in args],
            status="pending",
            nonce=nonce,
            initializer=initializer,
        )
        self.book.contracts[key] = rec
        self.book.save()
        contract = container.deploy(*args, {**self.tx_params(), "nonce": nonce})
        checkpoint("deploy.sent")
        if contract.address != rec.address:  # defensive: the nonce moved under us
            rec.address = contract.address
        rec.status = "deployed"
        rec.tx = str(contract.tx.txid) if contract.tx else None
        rec.block = contract.tx.block_number if contract.tx else None
        self.book.save()
        self.log(f"  {key}: deployed {name} at {contract.address}")
        return contract

    def deploy_proxy(
        self, key: str, implementation: Any, proxy: Any, initializer: str, *init_args: Any
    ) -> Any:
        impl = self.deploy(f"{key}.implementation", implementation)
        data = getattr(impl, initializer).encode_input(*init_args)
        record = {"function": initializer, "args": [_jsonable(a) for a in init_args]}
        prx = self.deploy(key, proxy, impl.address, data, initializer=record)
        return _as_implementation(proxy, prx, implementation)

    # -- wiring ----------------------------------------------------------------------------------

    def transact(self, key: str, done: Callable[[], bool], send: Callable[[dict], Any]) -> Any:
        if done():
            if key not in self.book.steps:
                self.book.steps[key] = StepRecord(key=key, status="done")
                self.book.save()
            return None
        tx = send(self.tx_params())
        checkpoint("deploy.sent")
        self.book.steps[key] = StepRecord(key=key, status="done", tx=str(tx.txid))
        self.book.save()
        self.log(f"  {key}: done ({tx.txid})")
        return tx


def _as_implementation(proxy_container: Any, proxy: Any, implementation: Any) -> Any:
    """The proxy as an object of the implementation's container (brownie maps an address to one
    container, so the proxy container lets go of it first)."""
    if proxy in proxy_container:
        proxy_container.remove(proxy)
    return implementation.at(proxy.address)


def _jsonable(value: Any) -> Any:
    """Constructor/initializer arguments as JSON (addresses and bytes as hex, tuples as lists)."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "address"):
        return str(value.address)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)
