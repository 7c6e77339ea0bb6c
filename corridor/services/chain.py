"""What every corridor process needs from the chain side: an RPC connection, the deployment book and
a signing key, each refused with one clear line (`UserError`) when it cannot be had.

    w3 = connect("http://127.0.0.1:8545")
    book = read_book(book_path("development"), w3)          # deployments/development.json
    maker = load_key("MAKER")                                # MAKER_PRIVATE_KEY or MAKER_KEYSTORE

Keys come from an environment variable (`<ROLE>_PRIVATE_KEY`) or from brownie's encrypted keystore
(`<ROLE>_KEYSTORE`: a brownie account id under ~/.brownie/accounts, or a keystore file path; password in
`<ROLE>_PASSWORD`, or asked on the terminal). A key is never printed: errors name the variable only.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from corridor.artifacts import ROOT
from corridor.ui import UserError

DEFAULT_RPC = "http://127.0.0.1:8545"
DEPLOYMENTS = ROOT / "deployments"
# Anvil's (and Hardhat's) development mnemonic: the sandbox's unlocked accounts
DEV_MNEMONIC = "test test test test test test test test test test test junk"


def connect(rpc: str, timeout: float = 10.0) -> Web3:
    """A web3 connection to `rpc` (http(s) URL); one line when nothing answers there."""
    if not rpc.startswith(("http://", "https://")):
        raise UserError(f"--rpc must be an http(s) URL, not {rpc!r}")
    w3 = Web3(HTTPProvider(rpc, request_kwargs={"timeout": timeout}))
    try:
        w3.eth.chain_id  # noqa: B018 - the first request proves the endpoint answers
    except Exception as exc:  # noqa: BLE001 - requests/urllib/JSON-RPC errors alike
        raise UserError(f"no RPC endpoint answers at {rpc} ({type(exc).__name__})") from exc
    return w3


def book_path(network: str, book: str | None = None) -> Path:
    """The deployment book of `network` (deployments/<network>.json), or the file `book` names."""
    if book:
        path = Path(book)
        if not path.is_file():
            raise UserError(f"--book {book}: no such file")
        return path
    if not network or "/" in network or network.startswith("."):
        raise UserError(f"{network!r} is not a network name")
    path = DEPLOYMENTS / f"{network}.json"
    if not path.is_file():
        known = sorted(p.stem for p in DEPLOYMENTS.glob("*.json") if not p.stem.endswith(".stale"))
        listed = ", ".join(known) if known else "none yet: deploy first (make sandbox, or scripts/deploy.py)"
        raise UserError(
            f"no deployment book for network '{network}' (deployments/{network}.json); known: {listed}"
        )
    return path


@dataclass(frozen=True)
class Book:
    """The named contracts and settings a deployment book records (read only)."""

    path: Path
    chain_id: int
    contracts: dict[str, str]  # name -> address
    config: dict[str, Any]

    def address(self, name: str) -> str:
        try:
            return Web3.to_checksum_address(self.contracts[name])
        except KeyError:
            raise UserError(f"{self.path.name} records no contract named {name!r}") from None

    def tokens(self) -> dict[str, str]:
        """Currency code -> token address (JPY, USD, KHR)."""
        names = {"JPY": "JPYStablecoin", "USD": "bUSD", "KHR": "bKHR"}
        return {code: self.address(name) for code, name in names.items() if name in self.contracts}

    def feeds(self) -> dict[str, str]:
        """Currency code -> its FXFeed (CODE/USD) address."""
        return {
            name.split()[1].split("/")[0]: Web3.to_checksum_address(addr)
            for name, addr in self.contracts.items()
            if name.startswith("FXFeed ")
        }


def read_book(path: Path, w3: Web3 | None = None) -> Book:
    """Loads a deployment book (corridor.deployment.Deployment.from_book reads it); refuses one of
    another chain than `w3`'s, or an unfinished one, with one line."""
    from corridor.deployment import Deployment, DeploymentError

    try:
        deployment = Deployment.from_book(path, w3)
        contracts = {name: deployment.address(name) for name in deployment.contracts}
    except DeploymentError as exc:
        raise UserError(str(exc)) from None
    if not contracts:
        raise UserError(f"{path} records no contracts: the deploy did not finish (re-run it)")
    return Book(path, deployment.chain_id, contracts, deployment.settings)


def dev_account(index: int) -> LocalAccount:
    """Unlocked development account `index` of Anvil's default mnemonic (sandbox only)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def load_key(role: str, environ: dict[str, str] | None = None) -> LocalAccount:
    """The signing key of `role` (e.g. "MAKER"): `<role>_PRIVATE_KEY`, or `<role>_KEYSTORE` (brownie
    account id or keystore path) unlocked with `<role>_PASSWORD` (asked when unset and on a terminal)."""
    env = os.environ if environ is None else environ
    keystore = env.get(f"{role}_KEYSTORE")
    if keystore:
        return _from_keystore(role, keystore, env.get(f"{role}_PASSWORD"))
    key = env.get(f"{role}_PRIVATE_KEY")
    if key:
        try:
            return Account.from_key(key)
        except Exception as exc:  # noqa: BLE001 - eth-keys raises several types for malformed keys
            raise UserError(f"{role}_PRIVATE_KEY is not a valid private key ({type(exc).__name__})") from None
    raise UserError(f"no {role.lower()} key: set {role}_KEYSTORE (brownie keystore id) or {role}_PRIVATE_KEY")


def _from_keystore(role: str, keystore: str, password: str | None) -> LocalAccount:
    path = Path(keystore)
    if not path.is_file():
        path = Path.home() / ".brownie" / "accounts" / f"{keystore}.json"
    if not path.is_file():
        raise UserError(
            f"{role}_KEYSTORE: keystore '{keystore}' not found (brownie accounts list; or give a file path)"
        )
    if password is None:
        if not os.isatty(0):
            raise UserError(f"{role}_PASSWORD is not set and there is no terminal to ask for it")
        password = getpass.getpass(f"password for keystore '{keystore}': ")
    try:
        return Account.from_key(Account.decrypt(json.loads(path.read_text()), password))
    except (ValueError, OSError) as exc:
        raise UserError(f"{role}_KEYSTORE: keystore '{keystore}' could not be unlocked ({exc})") from None


def add_chain_arguments(parser: Any) -> None:
    """--network / --book / --rpc, the same for every process that reads the chain."""
    parser.add_argument(
        "--network",
        default=os.environ.get("CORRIDOR_NETWORK", "development"),
        help="deployment book deployments/<network>.json (default development; env CORRIDOR_NETWORK)",
    )
    parser.add_argument(
        "--book", default=os.environ.get("CORRIDOR_BOOK"), help="a deployment book file instead"
    )
    parser.add_argument(
        "--rpc",
        default=os.environ.get("CORRIDOR_RPC", DEFAULT_RPC),
        help=f"JSON-RPC endpoint (default {DEFAULT_RPC}; env CORRIDOR_RPC)",
    )


def open_chain(args: Any, role: str | None = None) -> tuple[Web3, Book, LocalAccount | None]:
    """(web3, book, key of `role`) from add_chain_arguments' options; the key is checked first (no
    RPC round trip for a missing one)."""
    path = book_path(args.network, args.book)
    key = load_key(role) if role else None
    w3 = connect(args.rpc)
    return w3, read_book(path, w3), key


def dev_party(book: Book, name: str) -> LocalAccount:
    """The key of development party `name` of the book's settings (`parties:`): an index into Anvil's
    unlocked accounts or `dev:<label>`; a party given as an address has no key here (sandbox only)."""
    from corridor.suite import dev_party_key

    value = book.config.get("parties", {}).get(name, name)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return dev_account(int(value))
    if isinstance(value, str) and value.startswith("dev:"):
        return Account.from_key(dev_party_key(value[4:]))
    raise UserError(f"party {name!r} is {value!r} in {book.path.name}: not a development key")
