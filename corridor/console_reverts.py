"""`make console`: a reverted transaction raises, with its error decoded, instead of returning a failed receipt.

brownie's console returns a status-0 receipt for a reverted transaction (and prints `MintingStopped: 0x…`
at best), which a user reads as a success. `install(names)` makes every transaction sent from the console
raise `Reverted` instead, its message the custom error with named arguments, role ids as role names
(`ISSUER_ADMIN_ROLE`), bytes32 references as text (`"INV-7"`) and known addresses as party names:

    Reverted: mint reverted: AccessControlUnauthorizedAccount(account=merchant, neededRole=ISSUER_ROLE(1))

The error ABIs and role names come from the project's build (every contract and interface).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak

from corridor.artifacts import build_dir


class Reverted(Exception):
    """A transaction sent from the console reverted; the message says why, decoded."""

    def __init__(self, message: str, receipt: Any = None) -> None:
        super().__init__(message)
        self.receipt = receipt


def _type(entry: Mapping[str, Any]) -> str:
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(_type(c) for c in entry["components"]) + ")" + entry["type"][5:]
    return str(entry["type"])


@cache
def _tables() -> tuple[dict[str, dict[str, Any]], dict[bytes, str]]:
    """(selector -> error or function ABI, role id -> role name) from every artifact of the build."""
    errors: dict[str, dict[str, Any]] = {}
    roles: dict[bytes, str] = {b"\x00" * 32: "DEFAULT_ADMIN_ROLE"}
    for sub in ("contracts", "interfaces"):
        for path in sorted((build_dir() / sub).glob("*.json")):
            for item in json.loads(path.read_text()).get("abi", []):
                if item.get("type") in ("error", "function"):
                    sig = f"{item['name']}({','.join(_type(i) for i in item['inputs'])})"
                    errors.setdefault("0x" + keccak(text=sig)[:4].hex(), item)
                if item.get("type") == "function" and item["name"].endswith("_ROLE") and not item["inputs"]:
                    roles[keccak(text=item["name"])] = item["name"]
    return errors, roles


def _shown(value: Any, kind: str, names: Mapping[str, str]) -> str:
    _, roles = _tables()
    if kind == "bytes32" and isinstance(value, bytes):
        if value in roles:
            return roles[value]
        if "0x" + value.hex() in names:  # roles computed per id (IssuerRegistry.issuerRole(id))
            return names["0x" + value.hex()]
        text = value.rstrip(b"\x00")
        if text and all(32 <= b < 127 for b in text):
            return json.dumps(text.decode())
        return "0x" + value.hex()
    if kind == "address":
        return names.get(str(value).lower(), str(value))
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def decode(data: str | bytes, names: Mapping[str, str] | None = None) -> str:
    """`Name(arg=value, …)` for revert data; `Error("text")`, `Panic(0x11)`, or the raw data if unknown."""
    names = {k.lower(): v for k, v in (names or {}).items()}
    raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else bytes(data)
    if len(raw) < 4:
        return "reverted without a reason"
    selector, body = "0x" + raw[:4].hex(), raw[4:]
    if selector == "0x08c379a0":
        return f"Error({json.dumps(abi_decode(['string'], body)[0])})"
    if selector == "0x4e487b71":
        return f"Panic({hex(abi_decode(['uint256'], body)[0])})"
    errors, _ = _tables()
    abi = errors.get(selector)
    if abi is None or abi["type"] != "error":
        return f"unknown error {'0x' + raw.hex()}"
    try:
        values = abi_decode([_type(i) for i in abi["inputs"]], body)
    except Exception:  # noqa: BLE001 - malformed data: show it raw
        return f"{abi['name']}(0x{body.hex()})"
    args = ", ".join(
        f"{i['name'] or f'arg{n}'}={_shown(v, i['type'], names)}"
        for n, (i, v) in enumerate(zip(abi["inputs"], values, strict=True))
    )
    return f"{abi['name']}({args})"


def revert_data(web3: Any, tx: Any) -> str | None:
    """The revert data of a mined, reverted transaction: its call replayed on the state before its block."""
    call = {"from": str(tx.sender), "to": str(tx.receiver), "data": tx.input, "value": int(tx.value)}
    try:
        web3.eth.call(call, tx.block_number - 1)
    except Exception as exc:  # noqa: BLE001 - web3 raises several types; all carry the data
        data = getattr(exc, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return data
        for arg in getattr(exc, "args", ()):
            if isinstance(arg, dict):  # brownie's web3: ValueError({"code", "message", "data"})
                arg = arg.get("data")
            if isinstance(arg, str) and arg.startswith("0x"):
                return arg
    return None


def function_name(tx: Any) -> str:
    """`Contract.function` of a receipt, or the function by its selector in the build."""
    if getattr(tx, "fn_name", None):
        return f"{tx.contract_name}.{tx.fn_name}" if getattr(tx, "contract_name", None) else tx.fn_name
    abi = _tables()[0].get(str(tx.input)[:10])
    return abi["name"] if abi and abi["type"] == "function" else "transaction"


def install(names: Mapping[str, str] | None = None) -> None:
    """Console transactions raise `Reverted` (decoded) instead of returning a failed receipt."""
    from brownie import web3
    from brownie._config import CONFIG
    from brownie.network.transaction import TransactionReceipt

    original = TransactionReceipt._raise_if_reverted

    def raise_if_reverted(self: TransactionReceipt, exc: Any) -> None:
        if self.status or CONFIG.mode != "console":
            return original(self, exc)
        data = revert_data(web3, self)
        reason = decode(data, names) if data else (self.revert_msg or "no reason given")
        raise Reverted(f"{function_name(self)} reverted in {self.txid}: {reason}", self)

    TransactionReceipt._raise_if_reverted = raise_if_reverted  # type: ignore[method-assign]
