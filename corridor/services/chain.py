"""What the bridge services share about the chain: the RPC connection, the bridge read from the
project's deployment book, and the common command-line options.

    w3 = connect(args.rpc)
    book = bridge_book(args, w3)       # bridge address and omnibus account from deployments/<network>.json
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from eth_utils import is_address, to_checksum_address
from web3 import Web3

from corridor.artifacts import ROOT
from corridor.bridge.khqr import InvalidAccountId, validate_account_id

DEFAULT_RPC = "http://127.0.0.1:8545"
DEFAULT_BAKONG = "http://127.0.0.1:8600"
BRIDGE = "BakongBridge"
DEFAULT_OMNIBUS = "bridge@nbcq"


class ConfigError(Exception):
    """Bad configuration of a service: one line on stderr, exit status 2."""


@dataclass(frozen=True)
class BridgeBook:
    """What a bridge service needs from the deployment book."""

    path: Path
    chain_id: int
    bridge: str
    omnibus: str


def add_chain_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rpc", default=DEFAULT_RPC, help=f"JSON-RPC URL of the chain (default {DEFAULT_RPC})")
    p.add_argument(
        "--network",
        default="development",
        help="network name: the deployment book is deployments/<network>.json (default development)",
    )
    p.add_argument("--book", help="path of the deployment book (instead of deployments/<network>.json)")
    p.add_argument("--omnibus", help="the bridge's Bakong omnibus account (default: the book's settings)")


def add_bakong_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bakong-url",
        default=DEFAULT_BAKONG,
        help=f"base URL of the Bakong server; the Open API is under /v1 (default {DEFAULT_BAKONG}; "
        "a real Open API: https://api-bakong.nbc.gov.kh with --bakong-api-path /v1)",
    )
    p.add_argument("--bakong-api-path", default="/v1", help="path of the Open API under --bakong-url")
    p.add_argument(
        "--bakong-token-env", default="BAKONG_TOKEN", help="variable holding the Open API developer token"
    )


def connect(rpc: str, timeout: float = 10.0) -> Web3:
    """A web3 connection to `rpc` (not checked: services wait for an unreachable node)."""
    return Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": timeout}))


def bridge_book(args: argparse.Namespace, chain_id: int | None) -> BridgeBook:
    """The bridge and omnibus account of the book named by --book / --network, checked against the
    chain's id when known."""
    path = Path(args.book) if args.book else ROOT / "deployments" / f"{args.network}.json"
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ConfigError(f"no deployment book {path}: deploy first (or give --book)") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path} is not a readable deployment book: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} is not a deployment book (not a JSON object)")
    entry = raw.get("contracts", {}).get(BRIDGE, {})
    address = entry.get("address") if isinstance(entry, dict) else None
    if not isinstance(address, str) or not is_address(address):
        raise ConfigError(f"{path} records no {BRIDGE}: the deploy did not get that far")
    book_chain = raw.get("chainId")
    if chain_id is not None and book_chain != chain_id:
        raise ConfigError(f"{path} is of chain id {book_chain}, but {args.rpc} is chain id {chain_id}")
    settings = raw.get("config", {}).get("bridge", {})
    omnibus = args.omnibus or settings.get("omnibus_account") or DEFAULT_OMNIBUS
    try:
        validate_account_id(omnibus)
    except InvalidAccountId as exc:
        raise ConfigError(f"omnibus account: {exc}") from exc
    return BridgeBook(path, int(book_chain or 0), to_checksum_address(address), omnibus)
