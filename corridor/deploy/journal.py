"""A journaled deployer account: every transaction it sends is written to the deployment book by
sequence number, so any deterministic deploy procedure becomes idempotent and kill-safe without
changing it.

Brownie routes every contract deployment through `account.deploy(...)` and every state-changing
call through `account.transfer(...)`; `JournaledAccount` wraps a brownie account and intercepts
exactly those two. For the n-th transaction of a run:

- the book already holds n as `done`: nothing is sent; the recorded contract (or receipt) is
  returned, so a re-run walks the whole procedure and sends nothing;
- the book holds n as `pending` (written with its nonce *before* the send, then killed): the chain
  decides — the nonce is still unused, so it is sent now with that nonce; or it was mined, so the
  mined transaction is found by nonce and recorded;
- otherwise it is recorded `pending`, sent with that explicit nonce, and recorded `done`.

Each record carries what the transaction was (a deploy's contract and constructor arguments, a
call's target and function selector); if a resumed run asks for something else at position n, the
procedure changed since the book was written, and the run stops with that message instead of
guessing. (Changed settings are refused earlier, by comparing them with the book's.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import rlp
from eth_utils import keccak, to_canonical_address, to_checksum_address

from corridor.deploy.book import BookError, DeploymentBook, TxRecord
from corridor.faults import checkpoint


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from `sender` at `nonce` produces."""
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


def jsonable(value: Any) -> Any:
    """Constructor arguments as JSON (bytes as hex, contracts/accounts as addresses, tuples as lists)."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "address"):
        return str(value.address)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)


class JournalMismatch(RuntimeError):
    """A resumed run asked for a different transaction than the book recorded at that position."""


class JournaledAccount:
    """Wraps a brownie account (see the module docstring). Anything else is delegated to it."""

    def __init__(
        self,
        account: Any,
        book: DeploymentBook,
        web3: Any,
        log: Callable[[str], None] = print,
        pending_wait_seconds: float = 120.0,
        required_confs: int = 1,
    ) -> None:
        self._account = account
        self._confs = required_confs
        self._book = book
        self._web3 = web3
        self._log = log
        self._wait = pending_wait_seconds
        self._seq = 0
        self.sent = 0  # transactions actually sent by this run
        self.gas_used = 0

    # -- identity: behaves as the wrapped account wherever brownie expects an address ----------

    @property
    def address(self) -> str:
        return self._account.address

    def __str__(self) -> str:
        return self._account.address

    def __repr__(self) -> str:
        return f"<JournaledAccount {self._account.address}>"

    def __eq__(self, other: object) -> bool:
        return str(other).lower() == self._account.address.lower()

    def __hash__(self) -> int:
        return hash(self._account.address.lower())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._account, name)

    # -- the two choke points -------------------------------------------------------------------

    def deploy(self, contract: Any, *args: Any, **kwargs: Any) -> Any:
        """`account.deploy(container, *args, ...)`, journaled; returns the contract."""
        what = {"kind": "deploy", "contract": contract._name, "args": jsonable(list(args))}
        rec = self._position(what)
        if rec is not None and rec.status == "done":
            if not self._web3.eth.get_code(rec.address):
                raise BookError(
                    f"{self._book.path.name} records {contract._name} at {rec.address}, but there is no code "
                    "there: the chain was reset; move the book away to deploy afresh"
                )
            return contract.at(rec.address)
        nonce = self._nonce_for(rec, what)
        if nonce is None:  # mined before the kill
            return contract.at(self._book.txs[self._seq - 1].address)
        kwargs["nonce"] = nonce
        kwargs["required_confs"] = self._confs
        deployed = self._account.deploy(contract, *args, **kwargs)
        checkpoint("deploy.sent")
        tx = deployed.tx
        self._finish(address=deployed.address, txid=tx.txid if tx else None, gas=tx.gas_used if tx else 0)
        self._log(f"  deployed {contract._name} at {deployed.address}")
        return deployed

    def transfer(self, to: Any = None, amount: Any = 0, **kwargs: Any) -> Any:
        """`account.transfer(...)` (every contract call goes through it), journaled; returns the receipt."""
        data = kwargs.get("data") or "0x"
        # the selector, not the whole calldata: a procedure may pass a value read from the chain
        # (a timestamp) that differs between runs; settings changes are caught by the book instead
        what = {"kind": "call", "to": str(to), "value": int(amount or 0), "selector": str(data)[:10]}
        rec = self._position(what)
        if rec is not None and rec.status == "done":
            return _receipt(rec.tx) if rec.tx else None
        nonce = self._nonce_for(rec, what)
        if nonce is None:
            return _receipt(self._book.txs[self._seq - 1].tx)
        kwargs["nonce"] = nonce
        kwargs["required_confs"] = self._confs
        receipt = self._account.transfer(to, amount, **kwargs)
        checkpoint("deploy.sent")
        self._finish(address=None, txid=receipt.txid, gas=receipt.gas_used or 0)
        return receipt

    # -- journal --------------------------------------------------------------------------------

    def _position(self, what: dict[str, Any]) -> TxRecord | None:
        """The record at the next position (checked against `what`), or None when new."""
        seq = self._seq
        self._seq += 1
        if seq >= len(self._book.txs):
            return None
        rec = self._book.txs[seq]
        if rec.what != what:
            raise JournalMismatch(
                f"transaction #{seq} is recorded as {rec.what}, but this run asks for {what}: the deploy "
                f"procedure or its settings changed since {self._book.path.name} was written; move it away "
                "to deploy afresh"
            )
        return rec

    def _nonce_for(self, rec: TxRecord | None, what: dict[str, Any]) -> int | None:
        """The nonce to send position `seq` with, or None when its pending transaction was mined."""
        sender = self._account.address
        if rec is not None:  # pending: settle it against the chain
            if self._settle(rec):
                return None
            nonce = self._web3.eth.get_transaction_count(sender, "pending")
            rec.nonce = nonce
        else:
            nonce = self._web3.eth.get_transaction_count(sender, "pending")
            rec = TxRecord(
                what=what,
                status="pending",
                nonce=nonce,
                block=self._web3.eth.block_number,
                address=create_address(sender, nonce) if what["kind"] == "deploy" else None,
            )
            self._book.txs.append(rec)
        self._book.save()
        return nonce

    def _settle(self, rec: TxRecord) -> bool:
        """True (and the record completed) when the pending transaction of `rec` was mined."""
        sender = self._account.address
        deadline = time.monotonic() + self._wait
        while True:
            mined_nonce = self._web3.eth.get_transaction_count(sender)
            if mined_nonce > rec.nonce:
                txid = _find_by_nonce(self._web3, sender, rec.nonce, rec.block)
                if rec.what["kind"] == "deploy" and not self._web3.eth.get_code(rec.address):
                    return False  # its nonce went to something else or the deploy reverted: send again
                rec.status, rec.tx = "done", txid
                self._book.save()
                self._log(f"  found transaction #{self._book.txs.index(rec)} mined before the interruption")
                return True
            if self._web3.eth.get_transaction_count(sender, "pending") <= rec.nonce:
                return False  # never left this machine
            if time.monotonic() > deadline:
                raise RuntimeError(f"transaction with nonce {rec.nonce} is still pending; re-run later")
            time.sleep(1.0)

    def _finish(self, address: str | None, txid: str | None, gas: int) -> None:
        rec = self._book.txs[self._seq - 1]
        rec.status, rec.tx = "done", str(txid) if txid else None
        if address is not None:
            rec.address = address
        self._book.save()
        self.sent += 1
        self.gas_used += gas


def _find_by_nonce(web3: Any, sender: str, nonce: int, from_block: int) -> str | None:
    """The hash of `sender`'s transaction with `nonce`, searched from `from_block` on."""
    for number in range(max(from_block, 0), web3.eth.block_number + 1):
        for tx in web3.eth.get_block(number, full_transactions=True).transactions:
            if tx["from"].lower() == sender.lower() and tx["nonce"] == nonce:
                return tx["hash"].hex() if hasattr(tx["hash"], "hex") else str(tx["hash"])
    return None


def _receipt(txid: str | None) -> Any:
    if not txid:
        return None
    from brownie import chain

    return chain.get_transaction(txid)
