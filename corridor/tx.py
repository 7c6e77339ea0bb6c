"""The one way the off-chain code sends a transaction (web3.py + eth-account).

    receipt = tx.send(w3, token.functions.approve(venue, amount), sender, label="approve")

`send` builds the call, signs it locally when the sender holds a key (an eth-account `LocalAccount`,
a brownie `LocalAccount`, a hex or 32-byte key) or asks the node to sign for an unlocked address
(Anvil's accounts, brownie's test accounts), sends it, and waits for a mined receipt. Anvil raises
the sender's nonce a moment before the receipt can be read (foundry issue #10944): the wait polls
until the receipt has a block hash instead of trusting the first answer.

A revert becomes one `TransactionReverted`, whether the node refused the call in its gas estimate
(nothing was sent, `tx_hash` is None) or the transaction was mined with status 0 (the call is
replayed on the state before its block to learn why). Its text names the custom error with its
arguments, decoded from the contract's ABI (or any ABI of the project's build):
`fillExactOut reverted: QuoteExpired(expiry=1767225600, timestamp=1767225601)`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3

RECEIPT_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.02
_ERROR_STRING = "0x08c379a0"  # Error(string)
_PANIC = "0x4e487b71"  # Panic(uint256)


def address(value: object) -> str:
    """A checksummed address from a string, bytes, or anything whose str() is one (brownie accounts
    and contracts, web3 contracts expose `.address`)."""
    value = getattr(value, "address", value)
    return to_checksum_address(value if isinstance(value, bytes | bytearray) else str(value))


def key_of(sender: Any) -> str | bytes | None:
    """The private key of a key-holding sender, or None for an address the node signs for."""
    key = getattr(sender, "key", None) or getattr(sender, "private_key", None)
    if key is not None:
        return key
    if isinstance(sender, bytes) and len(sender) == 32:
        return sender
    if isinstance(sender, str) and len(sender.removeprefix("0x")) == 64:
        return sender
    return None


def address_of(sender: Any) -> str:
    """The address a sender sends from."""
    key = key_of(sender)
    return Account.from_key(key).address if key is not None else address(sender)


# ------------------------------------------------------------------ reverts


@dataclass(frozen=True)
class RevertReason:
    """Why a call reverted: a custom error (`name`, `args`), `Error(string)` (name "Error"), a
    `Panic(uint256)`, or undecoded `data` (name None)."""

    name: str | None
    args: Mapping[str, Any] = field(default_factory=dict)
    data: str = "0x"

    def __str__(self) -> str:
        if self.name is None:
            return f"unknown error {self.data}" if self.data not in ("", "0x") else "no reason given"
        return f"{self.name}({', '.join(f'{k}={_shown(v)}' for k, v in self.args.items())})"


class TransactionReverted(RuntimeError):
    """A transaction the chain refused. `reason` is the decoded revert, `tx_hash` the mined
    transaction (None when the node refused it in the gas estimate: nothing was sent)."""

    def __init__(self, label: str, reason: RevertReason, tx_hash: str | None = None) -> None:
        where = f" in {tx_hash}" if tx_hash else ""
        super().__init__(f"{label} reverted{where}: {reason}")
        self.label = label
        self.reason = reason
        self.tx_hash = tx_hash

    @property
    def error(self) -> str | None:
        """The custom error's name ("QuoteExpired"), "Error", "Panic", or None."""
        return self.reason.name

    @property
    def data(self) -> str:
        """The raw revert data (selector + arguments), hex."""
        return self.reason.data


class TransactionNotMined(RuntimeError):
    """No receipt for a sent transaction within the timeout."""


def _shown(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_shown(v) for v in value) + ")"
    return str(value)


def _selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


def _abi_type(entry: Mapping[str, Any]) -> str:
    """The canonical ABI type of an input (tuples spelled out)."""
    kind = str(entry["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")" + kind[len("tuple") :]
    return kind


def error_index(abi: list[Mapping[str, Any]]) -> dict[str, tuple[str, list[str], list[str]]]:
    """selector -> (error name, input names, input types) of the custom errors in `abi`."""
    index = {}
    for entry in abi:
        if entry.get("type") != "error":
            continue
        types = [_abi_type(i) for i in entry.get("inputs", [])]
        names = [i.get("name") or f"arg{n}" for n, i in enumerate(entry.get("inputs", []))]
        index[_selector(f"{entry['name']}({','.join(types)})")] = (str(entry["name"]), names, types)
    return index


@cache
def _project_errors() -> dict[str, tuple[str, list[str], list[str]]]:
    """Every custom error of the project's build (an error may come from a contract called in turn:
    the token's ERC20InsufficientAllowance under the venue's fill). Empty without a build."""
    import json

    from corridor.artifacts import build_dir

    index: dict[str, tuple[str, list[str], list[str]]] = {}
    for sub in ("interfaces", "contracts"):
        for path in sorted((build_dir() / sub).glob("**/*.json")):
            try:
                index.update(error_index(json.loads(path.read_text()).get("abi", [])))
            except (OSError, ValueError, AttributeError):
                continue
    return index


def decode_revert(data: str | bytes | None, abi: list[Mapping[str, Any]] | None = None) -> RevertReason:
    """The revert `data` as a `RevertReason`, by the errors of `abi` first, then the project's."""
    raw = data if isinstance(data, str) else "0x" + bytes(data or b"").hex()
    raw = raw if raw.startswith("0x") else "0x" + raw
    selector, body = raw[:10].lower(), bytes.fromhex(raw[10:])
    try:
        if selector == _ERROR_STRING:
            return RevertReason("Error", {"message": abi_decode(["string"], body)[0]}, raw)
        if selector == _PANIC:
            return RevertReason("Panic", {"code": hex(abi_decode(["uint256"], body)[0])}, raw)
        known = error_index(abi or []).get(selector) or _project_errors().get(selector)
        if known is None:
            return RevertReason(None, {}, raw)
        name, names, types = known
        values = abi_decode(types, body)
    except Exception:  # noqa: BLE001 - malformed data: shown raw
        return RevertReason(None, {}, raw)
    shown = [to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)]
    return RevertReason(name, dict(zip(names, shown, strict=True)), raw)


def _rpc_error(exc: Exception) -> Mapping[str, Any] | None:
    """The JSON-RPC error object under a web3 exception: web3's own `Web3RPCError`, or the
    `ValueError({code, message, data})` that brownie's web3 raises."""
    response = getattr(exc, "rpc_response", None)
    if isinstance(response, Mapping) and isinstance(response.get("error"), Mapping):
        return response["error"]
    if exc.args and isinstance(exc.args[0], Mapping):
        return exc.args[0]
    return None


def _reason(exc: Exception, abi: list[Mapping[str, Any]] | None) -> RevertReason | None:
    """The decoded revert of a web3 exception, or None when it is not a revert (a node error: nonce,
    funds, connection)."""
    from web3.exceptions import ContractLogicError

    if isinstance(exc, ContractLogicError):
        data = exc.data if isinstance(exc.data, str) else None
        message = getattr(exc, "message", None) or str(exc)
    else:
        error = _rpc_error(exc)
        if error is None:
            return None
        data = error.get("data") if isinstance(error.get("data"), str) else None
        message = str(error.get("message", ""))
        if data is None and "revert" not in message:
            return None
    if data is None or data in ("0x", ""):
        return RevertReason("Error", {"message": message}) if message else RevertReason(None)
    return decode_revert(data, abi)


# ------------------------------------------------------------------ sending


def wait_for_receipt(
    w3: Web3, tx_hash: str | bytes, timeout: float = RECEIPT_TIMEOUT_SECONDS
) -> dict[str, Any] | None:
    """The mined receipt of `tx_hash`, polled until it has a block hash; None after `timeout` s."""
    from web3.exceptions import TransactionNotFound

    deadline = time.monotonic() + timeout
    while True:
        try:
            receipt = w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            receipt = None
        if receipt is not None and receipt.get("blockHash") is not None:
            return receipt
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def send(
    w3: Web3,
    fn: Any,
    sender: Any,
    *,
    label: str | None = None,
    params: Mapping[str, Any] | None = None,
    timeout: float = RECEIPT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Sends the contract call `fn` (a web3 `ContractFunction` with its arguments) from `sender`
    (see the module docstring) and returns its mined receipt. `params` adds transaction fields
    (`gasPrice`, `value`, `gas`, ...). Raises `TransactionReverted` (decoded) on a revert."""
    label = label or getattr(fn, "fn_name", "transaction")
    abi = getattr(fn, "contract_abi", None)
    key = key_of(sender)
    fields = dict(params or {})
    if not {"gasPrice", "maxFeePerGas"} & set(fields) and "baseFeePerGas" not in w3.eth.get_block("latest"):
        fields["gasPrice"] = w3.eth.gas_price  # a pre-London chain (Ganache berlin): a legacy transaction
    try:
        if key is not None:
            account = Account.from_key(key)
            tx = fn.build_transaction(
                {
                    "from": account.address,
                    "nonce": w3.eth.get_transaction_count(account.address, "pending"),
                    "chainId": w3.eth.chain_id,
                    **fields,
                }
            )
            tx_hash = w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
        else:
            tx_hash = fn.transact({"from": address(sender), **fields})
    except Exception as exc:
        reason = _reason(exc, abi)
        if reason is None:
            raise
        raise TransactionReverted(label, reason) from exc
    receipt = wait_for_receipt(w3, tx_hash, timeout)
    shown = Web3.to_hex(tx_hash)
    if receipt is None:
        raise TransactionNotMined(f"{label}: no receipt for {shown} within {timeout:g} s")
    if receipt["status"] != 1:
        raise TransactionReverted(label, _replayed_reason(w3, shown, receipt, abi), shown)
    return receipt


def hash_of(receipt: Mapping[str, Any]) -> str:
    """The 0x-hex hash of a receipt's transaction."""
    return Web3.to_hex(receipt["transactionHash"])


def _replayed_reason(
    w3: Web3, shown: str, receipt: Mapping[str, Any], abi: list[Mapping[str, Any]] | None
) -> RevertReason:
    """Why a mined transaction reverted: its call replayed on the state before its block."""
    try:
        sent = w3.eth.get_transaction(shown)
        w3.eth.call(
            {
                "from": sent["from"],
                "to": sent["to"],
                "data": sent["input"],
                "value": sent.get("value", 0),
                "gas": sent["gas"],
            },
            max(int(receipt["blockNumber"]) - 1, 0),
        )
    except Exception as exc:  # noqa: BLE001 - the replay is best effort
        return _reason(exc, abi) or RevertReason(None)
    return RevertReason(None)
