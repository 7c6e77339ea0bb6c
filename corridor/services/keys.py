"""Secrets of the services: private keys and API tokens, from an environment variable or (keys) brownie's
encrypted keystore. They are never taken from the command line (visible in `ps`) and never printed.

    key = load_key(env="VALIDATOR_KEY")                                  # 0x… hex in $VALIDATOR_KEY
    key = load_key(keystore="validator-1", password_env="VALIDATOR_PASSWORD")  # ~/.brownie/accounts/validator-1.json
    token = secret("BAKONG_TOKEN", "the Open API developer token")
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_account import Account


class SecretError(Exception):
    """A secret is missing or unusable; the message names the variable or file, never the value."""


def keystore_dir() -> Path:
    """Where brownie keeps encrypted accounts (`brownie accounts new <id>`)."""
    return Path(os.environ.get("BROWNIE_DATA_FOLDER", Path.home() / ".brownie")) / "accounts"


def secret(env: str, what: str) -> str:
    """The non-empty value of `$env`; SecretError naming `what` otherwise."""
    value = os.environ.get(env, "").strip()
    if not value:
        raise SecretError(f"{what} is not set: put it in the environment variable {env}")
    return value


def load_key(env: str | None = None, keystore: str | None = None, password_env: str | None = None) -> str:
    """A private key (0x-hex) from `$env`, or from brownie keystore `keystore` (an id or a path) unlocked
    with the password in `$password_env`. Exactly one source must be given."""
    if bool(env) == bool(keystore):
        raise SecretError("give exactly one key source: an environment variable or a keystore")
    if env:
        raw = secret(env, "the private key")
        try:
            return "0x" + bytes(Account.from_key(raw).key).hex()
        except (ValueError, TypeError) as exc:
            raise SecretError(f"${env} does not hold a private key (64 hex digits)") from exc
    assert keystore is not None
    path = Path(keystore) if keystore.endswith(".json") else keystore_dir() / f"{keystore}.json"
    try:
        encrypted = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SecretError(f"keystore {path} does not exist (`brownie accounts list` shows the ids)") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise SecretError(f"keystore {path} is not a readable keystore file") from exc
    if not password_env:
        raise SecretError(f"keystore {path} needs a password: name its environment variable")
    password = secret(password_env, f"the password of keystore {path.name}")
    try:
        return "0x" + bytes(Account.decrypt(encrypted, password)).hex()
    except (ValueError, KeyError, TypeError) as exc:
        raise SecretError(f"keystore {path} could not be unlocked with ${password_env}") from exc


def add_key_arguments(parser, role: str, default_env: str) -> None:  # noqa: ANN001 (argparse parser)
    """--key-env / --keystore / --password-env for a service holding a key."""
    parser.add_argument(
        "--key-env",
        default=None,
        metavar="VAR",
        help=f"environment variable holding the {role} private key (default {default_env} "
        "unless --keystore is given)",
    )
    parser.add_argument("--keystore", metavar="ID", help="brownie keystore id (or .json path) of the key")
    parser.add_argument(
        "--password-env",
        metavar="VAR",
        default=f"{default_env}_PASSWORD",
        help=f"environment variable holding the keystore password (default {default_env}_PASSWORD)",
    )


def key_from_args(args, default_env: str) -> str:  # noqa: ANN001 (argparse namespace)
    if args.keystore:
        return load_key(keystore=args.keystore, password_env=args.password_env)
    return load_key(env=args.key_env or default_env)
