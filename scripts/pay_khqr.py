"""A yen holder pays a Cambodian merchant's KHQR (the scanned string), or sends a remittance to `name@bank`, in one
transaction through the deployed suite's KhqrPayer (corridor/khqr_send.py): JPYS -> the FX router exact out ->
the bridge's redemption escrow; the relayer pays the Bakong account out.

    python scripts/pay_khqr.py [OPTIONS] khqr KHQR_STRING MAX_JPY [AMOUNT]       # AMOUNT only for a static KHQR
    python scripts/pay_khqr.py [OPTIONS] remit NAME@BANK KHR|USD AMOUNT MAX_JPY REFERENCE

OPTIONS: --from ADDRESS (an account the node signs for; otherwise the key in PAYER_PRIVATE_KEY), --rpc URL
(default http://127.0.0.1:8545), --book NAME|PATH (default development: deployments/development.json),
--dry-run (check and print the payment, send nothing, no chain needed).

AMOUNT is in minor units (whole riel, USD cents), MAX_JPY in whole yen. Bad input (bad CRC, wrong length, unknown
currency, an expired KHQR, a malformed account id, a missing or mismatched amount, an unverified payer, a price
above MAX_JPY, no KhqrPayer in the book) ends with one line on stderr and exit status 2, before any transaction.
"""

from __future__ import annotations

import os
import sys
import time

from corridor.khqr_pay import Payment, PaymentError, payment_from_khqr, payment_nonce, remittance
from corridor.ui import UserError, fail, table

DEFAULT_RPC = "http://127.0.0.1:8545"
_OPTIONS = {"--from": "payer", "--rpc": "rpc", "--book": "book"}


def _int(text: str, what: str) -> int:
    if not text.isdigit():
        raise PaymentError(f"{what} must be a whole number of minor units, got {text!r}")
    return int(text)


def parse(argv: list[str], now_ms: int) -> Payment:
    """The payment `argv` (without options) describes (see the module docstring)."""
    if len(argv) in (3, 4) and argv[0] == "khqr":
        amount = _int(argv[3], "amount") if len(argv) == 4 else None
        return payment_from_khqr(argv[1], now_ms, _int(argv[2], "max JPY"), amount)
    if len(argv) == 6 and argv[0] == "remit":
        return remittance(argv[1], argv[2], _int(argv[3], "amount"), _int(argv[4], "max JPY"), argv[5])
    raise PaymentError(
        "usage: pay_khqr.py [--from ADDRESS] [--rpc URL] [--book NAME] [--dry-run] "
        "khqr KHQR MAX_JPY [AMOUNT] | remit NAME@BANK KHR|USD AMOUNT MAX_JPY REF"
    )


def split_options(argv: list[str]) -> tuple[dict[str, str], bool, list[str]]:
    """(options, dry run, the payment's words): options come first, each with its value."""
    options: dict[str, str] = {}
    dry_run = False
    rest = list(argv)
    while rest and rest[0].startswith("--"):
        flag = rest.pop(0)
        if flag == "--dry-run":
            dry_run = True
        elif flag in _OPTIONS and rest:
            options[_OPTIONS[flag]] = rest.pop(0)
        else:
            raise UserError(
                f"unknown option {flag!r} or missing value (options: --from, --rpc, --book, --dry-run)"
            )
    return options, dry_run, rest


def main(argv: list[str]) -> int:
    try:
        options, dry_run, words = split_options(argv)
        p = parse(words, int(time.time() * 1000))
        if dry_run:
            print(
                f"pay {p.amount} {p.currency.name} (minor units) to {p.account_id} ref 0x{p.bill_number.hex()} "
                f"for at most {p.max_jpy_in} JPYS; payment {p.as_tuple()!r}; gasless nonce(salt 0) "
                f"0x{payment_nonce(p, bytes(32)).hex()}"
            )
            return 0
        payer = _payer(options.get("payer"), os.environ.get("PAYER_PRIVATE_KEY"))
        sent = _send(p, payer, options.get("rpc", DEFAULT_RPC), options.get("book", "development"))
    except (PaymentError, UserError) as exc:
        fail(str(exc))
    print(table(["", "value"], sent.rows(p), title="KHQR payment escrowed on the bridge"))
    if sent.approve_tx:
        print(f"approval sent first: {sent.approve_tx}")
    print("the relayer pays the Bakong account out and finalizes the redemption")
    return 0


def _payer(address: str | None, key: str | None) -> str:
    """The payer: an address the node signs for, or a private key (never echoed)."""
    from eth_account import Account
    from eth_utils import is_address, to_checksum_address

    if address is not None:
        if not is_address(address):
            raise UserError(f"--from must be a 0x address, got {address!r}")
        return to_checksum_address(address)
    if not key:
        raise UserError("no payer: give --from ADDRESS (an unlocked account) or set PAYER_PRIVATE_KEY")
    try:
        Account.from_key(key)
    except (ValueError, TypeError):
        raise UserError("PAYER_PRIVATE_KEY is not a private key (32 bytes, hex)") from None
    return key


def _send(p: Payment, payer: str, rpc: str, book: str):
    from web3 import Web3

    from corridor.khqr_send import open_deployment, pay

    w3 = Web3(Web3.HTTPProvider(rpc, request_kwargs={"timeout": 30}))
    if not w3.is_connected():
        raise UserError(f"no node answers at {rpc} (--rpc)")
    return pay(w3, open_deployment(book, w3), p, payer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
