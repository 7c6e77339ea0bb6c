"""`corridor`: the one command line of the corridor's off-chain side (installed by `make bootstrap`).

    corridor --help                    the commands
    corridor <command> --help          one command's options
    corridor sandbox                   Anvil + the suite + every service (make sandbox)
    corridor status                    every service's health in one table

Every command is a module with `build_parser()` and `main(argv) -> exit status` (COMMANDS below: add a
line to mount another). One style for every command: argparse options, keys from the environment or
brownie's keystore (never printed), bad input -> one line `error: …` on stderr and exit status 2 before
anything is written, Ctrl-C -> a clean stop (status 130 when it interrupts a command) and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from corridor.ui import UserError

# (command, module, one line of help); modules are imported only when their command runs
COMMANDS: list[tuple[str, str, str]] = [
    ("sandbox", "corridor.services.sandbox", "start Anvil, deploy, start every service (Ctrl-C stops them)"),
    ("status", "corridor.services.status", "every service's health (GET /health) in one table"),
    (
        "quote-server",
        "corridor.services.quotes",
        "the market maker's RFQ quote server (HTTP, signed EIP-712)",
    ),
    ("quote", "corridor.services.quote_cli", "ask a quote server for a firm quote and print it"),
    (
        "feed-reporter",
        "corridor.services.feeds",
        "push FX rates from a source to the feeds, alert when it cannot",
    ),
    ("book", "corridor.services.book_cli", "the contracts and settings a deployment book records"),
    (
        "bakong-server",
        "corridor.services.bakong_server",
        "the Bakong simulator over HTTP (Open API shape, payouts)",
    ),
    (
        "validator",
        "corridor.services.validator",
        "one bridge validator: checks and signs the relayer's requests",
    ),
    ("relayer", "corridor.services.relayer", "the bridge relayer: deposits in, redemptions out, kill-safe"),
    (
        "dashboard",
        "corridor.services.dashboard",
        "the read-only corridor dashboard: books, pools, feeds, alerts",
    ),
    (
        "checkout",
        "corridor.services.checkout",
        "the merchant checkout service: KHQR invoices and the checkout page",
    ),
]


def _one_line_error(prog: str) -> Any:
    def error(message: str) -> NoReturn:
        print(f"error: {prog}: {message} (see {prog} --help)", file=sys.stderr)
        raise SystemExit(2)

    return error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor",
        description="The JPY <-> USD/KHR corridor's off-chain services and tools. "
        "Run `corridor <command> --help` for a command's options; docs/operations.md for running them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="<command>", title="commands")
    for name, _, summary in COMMANDS:
        sub.add_parser(name, help=summary, add_help=False)
    parser.error = _one_line_error("corridor")  # type: ignore[method-assign]
    return parser


def run(name: str, module_name: str, argv: list[str]) -> int:
    module = importlib.import_module(module_name)
    parser = module.build_parser()
    parser.error = _one_line_error(parser.prog)
    parser.parse_args(argv)  # options checked here with the one-line style; main parses them again
    return int(module.main(argv) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {name: module for name, module, _ in COMMANDS}
    if not args or args[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if args else 2
    if args[0] not in commands:
        parser.error(f"unknown command {args[0]!r} (one of: {', '.join(commands)})")
    try:
        return run(args[0], commands[args[0]], args[1:])
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"corridor {args[0]}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `corridor status | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
