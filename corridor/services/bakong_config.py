"""What the Bakong-side services (Bakong server, validators, relayer) share beyond corridor.services.chain:
where Bakong is, its secrets, and the bridge's omnibus account from the deployment book.

Secrets (API tokens) come from environment variables, never from the command line; `--dev-tokens`
(sandbox and tests only) falls back to well-known development tokens for the ones that are unset.
"""

from __future__ import annotations

import argparse
import os

from eth_utils import is_address, to_checksum_address

from corridor.bridge.khqr import InvalidAccountId, validate_account_id
from corridor.services.chain import Book
from corridor.ui import UserError

DEFAULT_BAKONG = "http://127.0.0.1:8600"
BRIDGE = "BakongBridge"
KHQR_PAYER = "KhqrPayer"  # its rejected redemptions are refunded to the payer in JPYS by the relayer
SETTLEMENT = "InvoiceSettlement"  # the bridge's mint hook for invoices paid by KHQR (a book may lack it)
DEFAULT_OMNIBUS = "bridge@nbcq"
OPEN_API_TOKEN, BANK_TOKEN, ADMIN_TOKEN = "BAKONG_TOKEN", "BAKONG_BANK_TOKEN", "BAKONG_ADMIN_TOKEN"
DEV_TOKENS = {
    OPEN_API_TOKEN: "dev-open-api-token",
    BANK_TOKEN: "dev-bank-token",
    ADMIN_TOKEN: "dev-admin-token",
}


def add_bakong_arguments(p: argparse.ArgumentParser, client: bool = True) -> None:
    if client:
        p.add_argument(
            "--bakong-url",
            default=os.environ.get("CORRIDOR_BAKONG_URL", DEFAULT_BAKONG),
            help=f"base URL of Bakong (default {DEFAULT_BAKONG}, the simulator; env CORRIDOR_BAKONG_URL); "
            "a real Open API: https://api-bakong.nbc.gov.kh",
        )
        p.add_argument(
            "--bakong-api-path", default="/v1", help="path of the Open API under --bakong-url (/v1)"
        )
    p.add_argument(
        "--dev-tokens",
        action="store_true",
        help="use the well-known development tokens for unset BAKONG_* variables (sandbox only)",
    )


def add_invoice_arguments(p: argparse.ArgumentParser) -> None:
    """What the validators and the relayer need to know of invoices paid by KHQR (hooked mints)."""
    p.add_argument(
        "--hook",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a mint hook (the InvoiceSettlement contract) invoice payments may be minted to (repeat)",
    )
    p.add_argument(
        "--linked-origin",
        action="append",
        default=[],
        metavar="ACCOUNT=ORIGIN",
        help="a linked scheme's settlement account on Bakong and its origin, e.g. "
        "promptpay@hub=TH:PROMPTPAY (repeat)",
    )


def hooks_of(args: argparse.Namespace) -> list[str]:
    for hook in args.hook:
        if not is_address(hook):
            raise UserError(f"--hook {hook!r}: expected a 0x address")
    return [to_checksum_address(h) for h in args.hook]


def linked_origins_of(args: argparse.Namespace) -> dict[str, str]:
    origins = {}
    for spec in args.linked_origin:
        account, sep, origin = spec.partition("=")
        if not sep or not origin or len(origin.encode()) > 32:
            raise UserError(f"--linked-origin {spec!r}: expected ACCOUNT=ORIGIN (origin up to 32 bytes)")
        try:
            origins[validate_account_id(account)] = origin
        except InvalidAccountId as exc:
            raise UserError(f"--linked-origin {spec!r}: {exc}") from None
    return origins


def token(args: argparse.Namespace, env: str, what: str) -> str:
    """The secret in `$env`; with --dev-tokens the development value when unset."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    if getattr(args, "dev_tokens", False):
        return DEV_TOKENS[env]
    raise UserError(f"{what} is not set: put it in the environment variable {env}")


def open_api_url(args: argparse.Namespace) -> str:
    return args.bakong_url.rstrip("/") + args.bakong_api_path


def omnibus_of(book: Book, override: str | None = None) -> str:
    """The bridge's Bakong omnibus account: `override`, else the book's `bridge.omnibus_account`."""
    omnibus = override or book.config.get("bridge", {}).get("omnibus_account") or DEFAULT_OMNIBUS
    try:
        return validate_account_id(omnibus)
    except InvalidAccountId as exc:
        raise UserError(f"omnibus account: {exc}") from None


def deploy_block(book: Book, address: str) -> int:
    """The block `address` was deployed in, from the book's journal (0 when not recorded)."""
    import json

    try:
        raw = json.loads(book.path.read_text())
    except (OSError, ValueError):
        return 0
    for tx in raw.get("transactions", []):
        if str(tx.get("address", "")).lower() == address.lower():
            return int(tx.get("block", 0))
    return 0
