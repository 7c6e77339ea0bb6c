"""Contract errors in words: `MintingStopped(KHR)`, not `ContractCustomError('0x4b6f24b7…')`.

`describe(exc, abi)` turns whatever web3 raised for a reverted call or transaction into one line: a
custom error of the ABI decoded with its arguments (a `currency` argument as its ISO 4217 name, an enum
by its index, bytes as short hex), `Error(string)` as its message, `Panic(uint256)` as its code, and
anything else as `<type>: <message>`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

from corridor.bridge.khqr import Currency

_ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
_PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)


def _type_of(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_type_of(c) for c in item["components"])
        return f"({inner}){item['type'][5:]}"
    return item["type"]


@cache
def _errors(abi_key: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> dict[bytes, tuple[str, list]]:
    table: dict[bytes, tuple[str, list]] = {}
    for name, inputs in abi_key:
        signature = f"{name}({','.join(t for _, t in inputs)})"
        table[keccak(text=signature)[:4]] = (name, list(inputs))
    return table


def _key(abi: list[dict[str, Any]]) -> tuple:
    return tuple(
        (e["name"], tuple((i.get("name", ""), _type_of(i)) for i in e.get("inputs", [])))
        for e in abi
        if e.get("type") == "error"
    )


def _fmt(name: str, solidity_type: str, value: Any) -> str:
    if solidity_type.startswith("uint16") and "currency" in name.lower():
        try:
            return Currency.parse(int(value)).name
        except ValueError:
            return str(value)
    if solidity_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        text = value.rstrip(b"\0")
        if text and all(32 <= b < 127 for b in text):
            return repr(text.decode())
        return "0x" + value.hex()
    return str(value)


def decode_revert(data: bytes | str | None, abi: list[dict[str, Any]]) -> str | None:
    """The revert data as `Name(arg, …)`, or None when it is empty or not an error of `abi`."""
    if data is None:
        return None
    raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else bytes(data)
    if len(raw) < 4:
        return None
    selector, body = raw[:4], raw[4:]
    try:
        if selector == _ERROR_STRING:
            return f"Error({abi_decode(['string'], body)[0]!r})"
        if selector == _PANIC:
            return f"Panic(0x{abi_decode(['uint256'], body)[0]:02x})"
        found = _errors(_key(abi)).get(selector)
        if found is None:
            return None
        name, inputs = found
        values = abi_decode([t for _, t in inputs], body)
    except (DecodingError, ValueError, OverflowError):
        return None
    return f"{name}({', '.join(_fmt(n, t, v) for (n, t), v in zip(inputs, values, strict=True))})"


def revert_data(exc: BaseException) -> str | None:
    """The revert data web3 attached to `exc` (ContractCustomError, ContractLogicError), if any."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    if isinstance(data, dict):  # some nodes: {"data": "0x…", "message": …}
        inner = data.get("data")
        return inner if isinstance(inner, str) else None
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, str) and arg.startswith("0x") and len(arg) >= 10:
            return arg
    return None


def describe(exc: BaseException, abi: list[dict[str, Any]]) -> str:
    """One line for a failure: the decoded contract error when there is one."""
    decoded = decode_revert(revert_data(exc), abi)
    if decoded is not None:
        return f"reverted: {decoded}"
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
