"""The relayer's durable progress (SQLite). Every step writes its outcome here before the next step
starts, and every step can be repeated safely (it first looks at what Bakong and the chain already
hold), so a crash anywhere resumes without a double mint or a lost redemption.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deposits (
    md5          TEXT PRIMARY KEY,
    khqr         TEXT NOT NULL,
    currency     INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    recipient    TEXT NOT NULL,
    reference    TEXT NOT NULL UNIQUE,
    expires_ms   INTEGER NOT NULL,
    status       TEXT NOT NULL,
    bakong_hash  TEXT,
    payer        TEXT,
    attestation  TEXT,
    signatures   TEXT,
    chain_tx     TEXT
);
CREATE TABLE IF NOT EXISTS redemptions (
    id           INTEGER PRIMARY KEY,
    currency     INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    holder       TEXT NOT NULL,
    account      TEXT NOT NULL,
    deadline     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    payout_hash  TEXT,
    chain_tx     TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Deposit states: issued -> paid -> signed -> minted | queued -> minted; issued -> expired; queued -> vetoed.
ISSUED, PAID, SIGNED, MINTED, QUEUED, VETOED, EXPIRED = (
    "issued",
    "paid",
    "signed",
    "minted",
    "queued",
    "vetoed",
    "expired",
)
# Redemption states: requested -> paid_out -> finalized; requested -> rejected; any open -> reclaimed.
REQUESTED, PAID_OUT, FINALIZED, REJECTED, RECLAIMED = (
    "requested",
    "paid_out",
    "finalized",
    "rejected",
    "reclaimed",
)
OPEN_DEPOSITS = (ISSUED, PAID, SIGNED, QUEUED)
OPEN_REDEMPTIONS = (REQUESTED, PAID_OUT)


@dataclass
class DepositRow:
    md5: str
    khqr: str
    currency: int
    amount: int
    recipient: str
    reference: str
    expires_ms: int
    status: str
    bakong_hash: str | None = None
    payer: str | None = None
    attestation: dict[str, Any] | None = None
    signatures: str | None = None
    chain_tx: str | None = None


@dataclass
class RedemptionRow:
    id: int
    currency: int
    amount: int
    holder: str
    account: str
    deadline: int
    status: str
    payout_hash: str | None = None
    chain_tx: str | None = None


class RelayerStore:
    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    # ---------------------------------------------------------------- meta

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def next_sequence(self, key: str) -> int:
        with self._lock:
            value = int(self.get(key, "0") or "0") + 1
            self.put(key, str(value))
            return value

    # ------------------------------------------------------------ deposits

    def add_deposit(self, row: DepositRow) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO deposits (md5, khqr, currency, amount, recipient, reference, expires_ms, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.md5,
                    row.khqr,
                    row.currency,
                    row.amount,
                    row.recipient,
                    row.reference,
                    row.expires_ms,
                    row.status,
                ),
            )

    def update_deposit(self, md5: str, **fields: Any) -> None:
        if "attestation" in fields and fields["attestation"] is not None:
            fields["attestation"] = json.dumps(fields["attestation"])
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE deposits SET {cols} WHERE md5 = ?", (*fields.values(), md5))

    @staticmethod
    def _deposit(row: sqlite3.Row) -> DepositRow:
        d = dict(row)
        if d["attestation"]:
            d["attestation"] = json.loads(d["attestation"])
        return DepositRow(**d)

    def deposit(self, md5: str) -> DepositRow | None:
        row = self._db.execute("SELECT * FROM deposits WHERE md5 = ?", (md5,)).fetchone()
        return self._deposit(row) if row else None

    def deposits(self, *statuses: str) -> list[DepositRow]:
        sql = "SELECT * FROM deposits"
        args: tuple = ()
        if statuses:
            sql += f" WHERE status IN ({','.join('?' * len(statuses))})"
            args = statuses
        return [self._deposit(r) for r in self._db.execute(sql + " ORDER BY rowid", args).fetchall()]

    # --------------------------------------------------------- redemptions

    def add_redemption(self, row: RedemptionRow) -> bool:
        """Inserts a newly seen redemption; False when it was already known (re-scanned block)."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO redemptions (id, currency, amount, holder, account, deadline, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row.id, row.currency, row.amount, row.holder, row.account, row.deadline, row.status),
            )
            return cur.rowcount == 1

    def update_redemption(self, redemption_id: int, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE redemptions SET {cols} WHERE id = ?", (*fields.values(), redemption_id))

    def redemption(self, redemption_id: int) -> RedemptionRow | None:
        row = self._db.execute("SELECT * FROM redemptions WHERE id = ?", (redemption_id,)).fetchone()
        return RedemptionRow(**dict(row)) if row else None

    def redemptions(self, *statuses: str) -> list[RedemptionRow]:
        sql = "SELECT * FROM redemptions"
        args: tuple = ()
        if statuses:
            sql += f" WHERE status IN ({','.join('?' * len(statuses))})"
            args = statuses
        return [RedemptionRow(**dict(r)) for r in self._db.execute(sql + " ORDER BY id", args).fetchall()]
