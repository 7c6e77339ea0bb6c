"""Terminal output for scripts: step tables, progress lines, and one-line errors.

Scripts print through these so every step of the demo and the deploy looks the same, and so bad
input ends with one clear line and a non-zero exit.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn


class UserError(Exception):
    """Bad input or a refused precondition: shown as one line, exit status 2."""


def fail(message: str, status: int = 2) -> NoReturn:
    """Prints `error: message` on stderr and exits."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(status)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BROWNIE_RECEIPT = re.compile(
    r"^\s*(mnemonic:|Transaction sent:|Gas price:|Waiting for confirmation|\S+ confirmed|Transaction confirmed|\S+ deployed at:)"
)


class _ReceiptFilter:
    """A stdout that drops brownie's per-transaction receipt lines (scripts print their own tables)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            plain = _ANSI.sub("", line).replace("\r", "")
            if not _BROWNIE_RECEIPT.match(plain) and not (plain == "" and self._last_dropped):
                self._stream.write(line + "\n")
                self._last_dropped = False
            else:
                self._last_dropped = True
        return len(text)

    _last_dropped = False

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def quiet_receipts() -> Iterator[None]:
    """Within the block, brownie's transaction receipts are not printed (everything else is)."""
    original = sys.stdout
    sys.stdout = _ReceiptFilter(original)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stdout = original


def progress(message: str) -> None:
    """A progress line, flushed at once (long steps stay visible)."""
    print(f"… {message}", flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> str:
    """A plain-text table with aligned columns (numbers right-aligned)."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    numeric = [all(_is_num(row[i]) for row in rows) and rows for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    out = []
    if title:
        out.append(title)
    out.append(line(list(headers)))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The same rows as a Markdown table (for reports)."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out.extend("| " + " | ".join(_fmt(c).replace("|", "\\|") for c in row) + " |" for row in rows)
    return "\n".join(out)


@dataclass
class StepLog:
    """The demo's steps, printed as they happen in fixed-width columns: who, what, tx, gas, detail
    (rates, spreads). `rows` keeps them for the report."""

    widths: tuple[int, ...] = (3, 14, 54, 12, 9)
    headers: tuple[str, ...] = ("#", "who", "what", "tx", "gas", "detail")
    rows: list[list[Any]] = field(default_factory=list)

    def _line(self, values: Sequence[Any]) -> str:
        parts = []
        for i, v in enumerate(values):
            text = _fmt(v)
            if i < len(self.widths):  # a longer cell is printed whole (never cut), the row runs longer
                w = self.widths[i]
                text = text.rjust(w) if i in (0, 4) else text.ljust(w)
            parts.append(text)
        return "  ".join(parts).rstrip()

    def header(self) -> str:
        return self._line(self.headers) + "\n" + "  ".join("-" * w for w in self.widths) + "  ------"

    def add(self, who: str, what: str, tx: Any = None, detail: str = "") -> None:
        txid = getattr(tx, "txid", None) or ""
        gas = getattr(tx, "gas_used", None)
        row = [len(self.rows) + 1, who, what, _short(txid), gas if gas is not None else "", detail]
        self.rows.append(row)
        print(self._line(row), flush=True)


def _short(txid: str) -> str:
    return f"{txid[:10]}…" if len(txid) > 12 else txid


def _is_num(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _fmt(value: Any) -> str:
    if _is_num(value):
        return f"{value:,}"
    return str(value)


def banker(amount: int, decimals: int) -> Decimal:
    """Base units as banker units (cents -> dollars: 123456, 2 -> Decimal("1234.56")); tables print it
    with thousands separators and every decimal, right-aligned. Put the unit in the column header."""
    return Decimal(int(amount)).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def ratio(value: int, decimals: int = 18, places: int = 6) -> Decimal:
    """A fixed-point ratio (a pool's virtual price, 1e18 = 1) as a readable number: 1.000412."""
    return Decimal(int(value)).scaleb(-decimals).quantize(Decimal(1).scaleb(-places))
