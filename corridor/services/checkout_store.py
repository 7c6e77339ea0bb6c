"""The checkout service's books: one SQLite row per invoice, written in one transaction per change, so a
SIGKILL leaves either the old row or the new one (WAL journal, synchronous=FULL).

Statuses (corridor.invoices.Status plus one that needs no money movement):

    quoted --(KHQR paid on Bakong in time)--> paid on Bakong
    quoted --(quote window over, nothing paid)--> expired
    settling (an invoice with a `serial`, handed to the relayer; corridor.services.checkout_settle):
        paid on Bakong --(hooked mint: merchant paid in JPYS)--> settled (the yen received, the tx hash)
        paid on Bakong --(hooked mint refunded the deposit)--> refunded (the reason, the tx hash)
    following Bakong only (no relayer):
        quoted --(KHQR paid too late to settle)--> refunded (the payout back to the payer, with the reason)

Amounts are integers: `yen` in yen, `price` in minor units of `currency` (riel for KHR, cents for USD).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from corridor.bridge.khqr import Currency
from corridor.invoices import Invoice, Status

EXPIRED = "expired"  # the quote window ended with nothing paid: nothing to refund

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkout_invoices (
    number TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS checkout_serials (serial INTEGER PRIMARY KEY AUTOINCREMENT, taken_at REAL NOT NULL);
"""


@dataclass
class Record:
    """One invoice as the checkout service keeps it (the JSON the API answers, less the derived fields)."""

    number: str
    merchant: str
    yen: int
    currency: str
    price: int
    window_start: int
    window_end: int
    khqr: str
    md5: str
    status: str = Status.QUOTED.value
    history: list[dict[str, Any]] = field(default_factory=list)  # [{status, txHash, at}]
    bakong_hash: str | None = None
    payer: str | None = None
    paid_at: int | None = None  # unix seconds of the Bakong payment
    refund_hash: str | None = None
    reason: str | None = None
    webhook_url: str | None = None
    webhook_delivered: list[str] = field(default_factory=list)  # statuses whose webhook was accepted
    serial: int | None = None  # its paid bit in InvoiceSettlement; None: not settled on chain (Bakong only)
    from_block: int = 0  # the chain's head when it was handed to the relayer (the outcome is after it)
    settlement_hash: str | None = None  # the hooked mint that settled or refunded it
    yen_received: int = 0  # JPYS the merchant received (from InvoiceSettled)
    spent: int = 0  # deposit minor units that paid for the yen

    @property
    def open(self) -> bool:
        return self.status == Status.QUOTED.value

    def invoice(self) -> Invoice:
        """The corridor.invoices value (for its PNG and MD5)."""
        return Invoice(
            self.number,
            self.merchant,
            self.yen,
            Currency.parse(self.currency),
            self.price,
            self.window_end,
            self.khqr,
        )

    def moved(self, status: str, tx_hash: str | None, at: int) -> None:
        self.status = status
        self.history.append({"status": status, "txHash": tx_hash, "at": at})


class Store:
    """Invoices by number; every method is one SQLite transaction (thread-safe)."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def add(self, record: Record, now: float) -> bool:
        """Records a new invoice; False (nothing written) when the number is taken."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO checkout_invoices (number, body, created_at) VALUES (?, ?, ?)",
                (record.number, json.dumps(asdict(record)), now),
            )
        return cur.rowcount == 1

    def next_serial(self, now: float) -> int:
        """A serial never handed out before (a crash after taking one only skips it)."""
        with self._lock:
            return int(
                self._db.execute("INSERT INTO checkout_serials (taken_at) VALUES (?)", (now,)).lastrowid
            )

    def save(self, record: Record) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE checkout_invoices SET body = ? WHERE number = ?",
                (json.dumps(asdict(record)), record.number),
            )

    def get(self, number: str) -> Record | None:
        row = self._db.execute("SELECT body FROM checkout_invoices WHERE number = ?", (number,)).fetchone()
        return None if row is None else Record(**json.loads(row[0]))

    def all(self) -> list[Record]:
        rows = self._db.execute("SELECT body FROM checkout_invoices ORDER BY created_at").fetchall()
        return [Record(**json.loads(r[0])) for r in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM checkout_invoices").fetchone()[0])
