"""The relayer's durable progress (SQLite). Every step writes its outcome here before the next step
starts, and every step can be repeated safely (it first looks at what Bakong and the chain already
hold), so a crash anywhere resumes without a double mint or a lost redemption.

A redemption is journaled `paying` before its Bakong payout is sent, so a restart knows a payout may
exist and settles it before anything else. The `dead_letters` table holds what the relayer could not
process: events it cannot decode (parked at once) and deposits or redemptions whose step failed
(counted; parked after `max_attempts` failures in a row, then skipped until an operator requeues them).
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
    chain_tx     TEXT,
    source       TEXT
);
CREATE TABLE IF NOT EXISTS dead_letters (
    item         TEXT PRIMARY KEY,
    reason       TEXT NOT NULL,
    source       TEXT,
    attempts     INTEGER NOT NULL,
    parked       INTEGER NOT NULL,
    first_ms     INTEGER NOT NULL,
    last_ms      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    currency     INTEGER NOT NULL,
    md5s         TEXT NOT NULL,
    expiry       INTEGER NOT NULL,
    epoch        INTEGER NOT NULL,
    signatures   TEXT NOT NULL,
    status       TEXT NOT NULL,
    chain_tx     TEXT
);
"""
# Columns added after the first release (a state file written before them gets them, NULL / 0).
_DEPOSIT_COLUMNS = {"paid_ms": "INTEGER", "batch_id": "INTEGER", "single": "INTEGER NOT NULL DEFAULT 0"}

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
# Batch states: signed (signatures stored; the mint may have been sent) -> closed (every deposit's outcome
# recorded, or the batch given up: its deposits back to `paid`, to be batched again or minted singly).
BATCH_SIGNED, BATCH_CLOSED = "signed", "closed"
# Redemption states: requested -> paying -> paid_out -> finalized; requested -> rejected;
# requested -> lapsed (too close to the reclaim deadline to pay) -> reclaimed; any open -> reclaimed.
# `paying` is written before the payout is sent: the payout may exist (look it up by its reference).
REQUESTED, PAYING, PAID_OUT, FINALIZED, REJECTED, RECLAIMED, LAPSED = (
    "requested",
    "paying",
    "paid_out",
    "finalized",
    "rejected",
    "reclaimed",
    "lapsed",
)
OPEN_DEPOSITS = (ISSUED, PAID, SIGNED, QUEUED)
IN_FLIGHT_PAYOUTS = (PAYING, PAID_OUT)  # a payout may have been sent: settle before anything else
OPEN_REDEMPTIONS = (REQUESTED, PAYING, PAID_OUT, LAPSED)


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
    paid_ms: int | None = None  # when the relayer saw the payment (the batch latency bound counts from it)
    batch_id: int | None = None  # the signed batch it waits in (status `signed`)
    single: int = 0  # 1: mint it alone (a batch holding it would fail, or the validators refused one)


@dataclass
class BatchRow:
    """A signed batch: the deposits (`md5s`, in batch order), the attestation's expiry and epoch, the packed
    signatures. Written in one SQLite transaction with its deposits' `signed` status."""

    id: int
    currency: int
    md5s: list[str]
    expiry: int
    epoch: int
    signatures: str
    status: str
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
    source: str | None = None  # "<tx hash>:<log index>" of its RedemptionRequested event


@dataclass(frozen=True)
class DeadLetter:
    """Something the relayer could not process: `item` names it (`log:<tx>:<index>`, `deposit:<md5>`,
    `redemption:<id>`), `source` says where it came from (tx hash and log index, or the Bakong payment).
    A parked item is skipped until requeued; an unparked one is still retried every pass."""

    item: str
    reason: str
    source: str | None
    attempts: int
    parked: bool
    first_ms: int
    last_ms: int

    def __str__(self) -> str:
        state = "parked" if self.parked else "retrying"
        return (
            f"{self.item}  {state} after {self.attempts} attempt(s)  from {self.source or '-'}: {self.reason}"
        )


class RelayerStore:
    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._migrate()

    def _migrate(self) -> None:
        """State files written before the `source` column get it (NULL for the redemptions they hold)."""
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(redemptions)")}
        if "source" not in columns:
            self._db.execute("ALTER TABLE redemptions ADD COLUMN source TEXT")
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(deposits)")}
        for name, kind in _DEPOSIT_COLUMNS.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE deposits ADD COLUMN {name} {kind}")

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

    # ------------------------------------------------------------- batches

    def add_batch(self, currency: int, md5s: list[str], expiry: int, epoch: int, signatures: str) -> BatchRow:
        """Stores a signed batch and marks its deposits `signed` in it, atomically (a crash leaves both or
        neither)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    "INSERT INTO batches (currency, md5s, expiry, epoch, signatures, status)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (currency, json.dumps(md5s), expiry, epoch, signatures, BATCH_SIGNED),
                )
                batch_id = cur.lastrowid
                self._db.executemany(
                    "UPDATE deposits SET status = ?, batch_id = ? WHERE md5 = ?",
                    [(SIGNED, batch_id, m) for m in md5s],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        assert batch_id is not None
        return BatchRow(batch_id, currency, md5s, expiry, epoch, signatures, BATCH_SIGNED)

    def close_batch(self, batch_id: int, chain_tx: str | None, requeue: list[str], single: bool) -> None:
        """Closes a batch; its deposits in `requeue` (not minted by it) go back to `paid`, out of the batch,
        flagged to be minted alone when `single`. Atomic."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "UPDATE batches SET status = ?, chain_tx = ? WHERE id = ?",
                    (BATCH_CLOSED, chain_tx, batch_id),
                )
                self._db.executemany(
                    "UPDATE deposits SET status = ?, batch_id = NULL, single = MAX(single, ?)"
                    " WHERE md5 = ? AND batch_id = ?",
                    [(PAID, int(single), m, batch_id) for m in requeue],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def record_minted(self, md5s: list[str], chain_tx: str | None) -> None:
        """Marks deposits minted (by one mintBatch) in one SQLite transaction, not one write each."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE deposits SET status = ?, chain_tx = COALESCE(?, chain_tx) WHERE md5 = ?",
                    [(MINTED, chain_tx, m) for m in md5s],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @staticmethod
    def _batch(row: sqlite3.Row) -> BatchRow:
        d = dict(row)
        d["md5s"] = json.loads(d["md5s"])
        return BatchRow(**d)

    def batch(self, batch_id: int) -> BatchRow | None:
        row = self._db.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return self._batch(row) if row else None

    def batches(self, *statuses: str) -> list[BatchRow]:
        sql = "SELECT * FROM batches"
        args: tuple = ()
        if statuses:
            sql += f" WHERE status IN ({','.join('?' * len(statuses))})"
            args = statuses
        return [self._batch(r) for r in self._db.execute(sql + " ORDER BY id", args).fetchall()]

    # --------------------------------------------------------- redemptions

    def add_redemption(self, row: RedemptionRow) -> bool:
        """Inserts a newly seen redemption; False when it was already known (re-scanned block)."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO redemptions"
                " (id, currency, amount, holder, account, deadline, status, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.currency,
                    row.amount,
                    row.holder,
                    row.account,
                    row.deadline,
                    row.status,
                    row.source,
                ),
            )
            return cur.rowcount == 1

    def update_redemption(self, redemption_id: int, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE redemptions SET {cols} WHERE id = ?", (*fields.values(), redemption_id))

    def record_finalized(self, ids: list[int], chain_tx: str) -> None:
        """Marks redemptions finalized (by one finalizeRedemptionBatch) in one SQLite transaction: a crash
        leaves all of them recorded or none (the chain then says they are finalized)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE redemptions SET status = ?, chain_tx = ? WHERE id = ?",
                    [(FINALIZED, chain_tx, i) for i in ids],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

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

    # -------------------------------------------------------- dead letters

    def record_failure(
        self, item: str, reason: str, source: str | None, now_ms: int, park_after: int
    ) -> DeadLetter:
        """Counts one more failure of `item` in a row; parks it once it reached `park_after` failures
        (`park_after` <= 1 parks at once). Returns the entry as stored."""
        with self._lock:
            prior = self.dead_letter(item)
            attempts = (prior.attempts if prior else 0) + 1
            self._db.execute(
                "INSERT INTO dead_letters (item, reason, source, attempts, parked, first_ms, last_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(item) DO UPDATE SET reason = excluded.reason,"
                " source = COALESCE(excluded.source, source), attempts = excluded.attempts,"
                " parked = excluded.parked, last_ms = excluded.last_ms",
                (item, reason, source, attempts, int(attempts >= park_after), now_ms, now_ms),
            )
            entry = self.dead_letter(item)
            assert entry is not None
            return entry

    def clear_failures(self, item: str) -> None:
        """The item went through: it is no longer a dead letter (no-op when it never failed)."""
        with self._lock:
            self._db.execute("DELETE FROM dead_letters WHERE item = ? AND parked = 0", (item,))

    def requeue(self, item: str) -> bool:
        """An operator's retry: forgets the item's failures so the next pass processes it again (an
        undecodable event stays parked: nothing can process it). False when `item` is not listed."""
        with self._lock:
            if item.startswith("log:"):
                return False
            cur = self._db.execute("DELETE FROM dead_letters WHERE item = ?", (item,))
            return cur.rowcount == 1

    def dead_letter(self, item: str) -> DeadLetter | None:
        row = self._db.execute("SELECT * FROM dead_letters WHERE item = ?", (item,)).fetchone()
        return self._dead_letter(row) if row else None

    def is_parked(self, item: str) -> bool:
        entry = self.dead_letter(item)
        return entry is not None and entry.parked

    def dead_letters(self) -> list[DeadLetter]:
        rows = self._db.execute("SELECT * FROM dead_letters ORDER BY first_ms, item").fetchall()
        return [self._dead_letter(r) for r in rows]

    @staticmethod
    def _dead_letter(row: sqlite3.Row) -> DeadLetter:
        d = dict(row)
        d["parked"] = bool(d["parked"])
        return DeadLetter(**d)
