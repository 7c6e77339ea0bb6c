"""`corridor quote`: ask a quote server for a firm quote, as a taker would, and print it.

corridor quote JPY KHR --amount-out 1000000 --taker 0x…         # exact out: the taker receives 1,000,000
corridor quote KHR JPY --amount-in 35000000 --url http://127.0.0.1:8610 --json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from corridor.services import http
from corridor.services.quotes import DEFAULT_PORT
from corridor.ui import UserError, table


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corridor quote", description="Request a firm RFQ quote over HTTP.")
    parser.add_argument("sell", help="token the taker pays (JPY, USD, KHR or an address)")
    parser.add_argument("buy", help="token the taker receives")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--amount-in", type=int, help="exact amount paid, in the token's base units")
    size.add_argument("--amount-out", type=int, help="exact amount received, in base units")
    parser.add_argument("--taker", help="the only address allowed to fill (default: anyone)")
    parser.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}", help="the quote server")
    parser.add_argument("--json", action="store_true", help="print the signed quote as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    body = {"sell": args.sell, "buy": args.buy}
    body.update(
        {"amountIn": args.amount_in} if args.amount_in is not None else {"amountOut": args.amount_out}
    )
    if args.taker:
        body["taker"] = args.taker
    try:
        answer = http.call(args.url.rstrip("/") + "/quote", body)
    except http.HttpError as exc:
        raise UserError(f"no quote: {exc}") from None
    if args.json:
        print(json.dumps(answer, indent=2, default=str))
        return 0
    q = answer["quote"]
    rows = [[k, v] for k, v in q.items()] + [["digest", answer["digest"]], ["fill with", answer["fill"]]]
    print(table(["field", "value"], rows, title="Firm quote (amounts in base units)"))
    return 0
