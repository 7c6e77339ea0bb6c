"""Issue the dynamic KHQR of a yen invoice (string and PNG), offline:

    python scripts/checkout.py INV-2026-0100 0xMerchant 10000 KHR 275000 [--window 600] [--png invoice.png]

PRICE is the quoted KHQR amount (riel, or USD cents) for the yen; the payee is the bridge's omnibus account of
config/development.yaml. Bad input: one line on stderr, exit 2, nothing written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from corridor.deploy.settings import load_settings
from corridor.invoices import DEFAULT_WINDOW_SECONDS, InvoiceError, create_invoice


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Issue a yen invoice's dynamic KHQR")
    p.add_argument("number")
    p.add_argument("merchant")
    p.add_argument("yen", type=int)
    p.add_argument("currency")
    p.add_argument("price", type=int)
    p.add_argument("--window", type=int, default=DEFAULT_WINDOW_SECONDS)
    p.add_argument("--png", type=Path)
    try:
        args = p.parse_args(argv)
    except SystemExit:
        return 2
    omnibus = load_settings("development", development=True)["bridge"].get("omnibus_account", "bridge@nbcq")
    try:
        inv = create_invoice(
            args.number,
            args.merchant,
            args.yen,
            args.currency,
            args.price,
            int(time.time()),
            omnibus,
            args.window,
        )
    except InvoiceError as exc:
        print(f"checkout: {exc}", file=sys.stderr)
        return 2
    if args.png:
        args.png.write_bytes(inv.png())
    print(f"invoice {inv.number}: {inv.yen} JPY for {inv.price} {inv.currency.name} until {inv.window_end}")
    print(inv.khqr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
