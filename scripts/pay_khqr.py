"""Read what a yen payer is asked to pay: a merchant's KHQR (scanned string) or a remittance to `name@bank`,
checked the way KhqrPayer and the bridge will check it, and print the one payment (the `Payment` tuple
KhqrPayer takes, and the EIP-3009 nonce a gasless payer signs for it).

    python scripts/pay_khqr.py khqr KHQR_STRING MAX_JPY [AMOUNT]        # AMOUNT only for a static KHQR
    python scripts/pay_khqr.py remit NAME@BANK KHR|USD AMOUNT MAX_JPY REFERENCE

AMOUNT is in minor units (whole riel, USD cents). Bad input (bad CRC, wrong length, unknown currency, an expired
KHQR, a malformed account id, a missing or mismatched amount) ends with one line and exit status 2.
Not done yet: sending the transaction (KhqrPayer is not in the deployment book; tests/outbound and
corridor/demo_outbound.py send it).
"""

from __future__ import annotations

import sys
import time

from corridor.khqr_pay import Payment, PaymentError, payment_from_khqr, payment_nonce, remittance
from corridor.ui import fail


def _int(text: str, what: str) -> int:
    if not text.isdigit():
        raise PaymentError(f"{what} must be a whole number of minor units, got {text!r}")
    return int(text)


def parse(argv: list[str], now_ms: int) -> Payment:
    """The payment `argv` describes (see the module docstring)."""
    if len(argv) in (3, 4) and argv[0] == "khqr":
        amount = _int(argv[3], "amount") if len(argv) == 4 else None
        return payment_from_khqr(argv[1], now_ms, _int(argv[2], "max JPY"), amount)
    if len(argv) == 6 and argv[0] == "remit":
        return remittance(argv[1], argv[2], _int(argv[3], "amount"), _int(argv[4], "max JPY"), argv[5])
    raise PaymentError(
        "usage: pay_khqr.py khqr KHQR MAX_JPY [AMOUNT] | remit NAME@BANK KHR|USD AMOUNT MAX_JPY REF"
    )


def main(argv: list[str]) -> int:
    try:
        p = parse(argv, int(time.time() * 1000))
    except PaymentError as exc:
        fail(str(exc))
    salt = bytes(32)
    print(
        f"pay {p.amount} {p.currency.name} (minor units) to {p.account_id} ref 0x{p.bill_number.hex()} "
        f"for at most {p.max_jpy_in} JPYS; payment {p.as_tuple()!r}; gasless nonce(salt 0) "
        f"0x{payment_nonce(p, salt).hex()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
