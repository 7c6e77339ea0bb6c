"""`corridor book`: what a deployment book records — chain, contracts, the settings it was deployed with.

corridor book                      # deployments/development.json
corridor book --network sepolia    # deployments/sepolia.json
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence

from corridor.services.chain import DEPLOYMENTS, book_path, read_book
from corridor.ui import table


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corridor book", description="Print a deployment book's contracts.")
    parser.add_argument(
        "--network",
        default=os.environ.get("CORRIDOR_NETWORK", "development"),
        help="deployments/<network>.json (default development)",
    )
    parser.add_argument(
        "--book", default=os.environ.get("CORRIDOR_BOOK"), help="a deployment book file instead"
    )
    parser.add_argument("--settings", action="store_true", help="also print the settings recorded (JSON)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    book = read_book(book_path(args.network, args.book))  # reads the file only: no RPC needed
    where = os.path.relpath(book.path, DEPLOYMENTS.parent)
    print(
        table(
            ["contract", "address"],
            sorted(book.contracts.items()),
            title=f"{where} (chain id {book.chain_id})",
        )
    )
    if args.settings:
        print(json.dumps(book.config, indent=2))
    return 0
