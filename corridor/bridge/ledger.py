"""A Bakong ledger simulator in SQLite: accounts `name@bank` with a balance per currency (in the
currency's minor units: USD cents, whole riel; one row per (account, currency), so a currency added to
corridor.codes needs no schema change), transfers with a deterministic hash, KHQR payments looked up by MD5, idempotent transfers by client
reference, and no overdraft. It stands in for the real Bakong network in tests and the demo; services
reach it only through `corridor.bridge.client` (the Open API's shape), never through this class.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from corridor.bridge.khqr import Currency, KHQRError, decode, md5, validate_account_id

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    name       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS balances (
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    currency   TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (account_id, currency)
);
CREATE TABLE IF NOT EXISTS transfers (
    seq          INTEGER PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    from_account TEXT,
    to_account   TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    md5          TEXT UNIQUE,
    client_ref   TEXT UNIQUE,
    description  TEXT,
    created_ms   INTEGER NOT NULL
);
"""


class LedgerError(Exception):
    """Base of every refusal by the simulator."""


class UnknownAccount(LedgerError):
    """The account id is well formed but not registered."""


class DuplicateAccount(LedgerError):
    """An account with that id already exists."""


class InsufficientFunds(LedgerError):
    """The payer's balance in that currency is below the amount (Bakong never overdraws)."""


class AlreadyPaid(LedgerError):
    """A KHQR with this MD5 was already paid (a dynamic KHQR pays once)."""


class ExpiredKHQR(LedgerError):
    """The KHQR's expiry (tag 99/01) is in the past."""


class ConflictingReference(LedgerError):
    """The client reference was already used for a different transfer."""


@dataclass(frozen=True)
class Transfer:
    """One settled Bakong transfer. `amount` is in minor units of `currency`; `from_account` is None
    for a cash-in (funding from outside Bakong)."""

    seq: int
    hash: str
    from_account: str | None
    to_account: str
    currency: Currency
    amount: int
    md5: str | None
    client_ref: str | None
    description: str | None
    created_ms: int


def _positive_int(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise LedgerError(f"amount must be a positive integer of minor units, got {amount!r}")
    return amount


def transfer_hash(
    seq: int,
    from_account: str | None,
    to_account: str,
    currency: Currency,
    amount: int,
    md5_key: str | None,
    client_ref: str | None,
    created_ms: int,
) -> str:
    """sha256 over the transfer's contents and its sequence number: unique and reproducible."""
    body = json.dumps(
        [seq, from_account, to_account, currency.name, amount, md5_key, client_ref, created_ms],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _migrate_currency_columns(db: sqlite3.Connection) -> None:
    """Moves the balances of a ledger file written with a column per currency (`accounts.usd`,
    `accounts.khr`) into the balances table, in one transaction."""
    columns = [r["name"] for r in db.execute("PRAGMA table_info(accounts)").fetchall()]
    old = [c for c in columns if c not in ("account_id", "name")]
    if not old:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for column in old:
            db.execute(
                f"INSERT INTO balances (account_id, currency, amount) SELECT account_id, ?, {column}"
                f" FROM accounts WHERE {column} > 0",
                (Currency.parse(column).name,),
            )
            db.execute(f"ALTER TABLE accounts DROP COLUMN {column}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Ledger:
    """The simulated Bakong ledger. `path` is a SQLite file or ":memory:"; `clock` returns Unix ms."""

    def __init__(self, path: str = ":memory:", clock: Callable[[], int] | None = None) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        _migrate_currency_columns(self._db)
        self._lock = threading.RLock()
        self._clock = clock or (lambda: time.time_ns() // 1_000_000)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ---------------------------------------------------------------- accounts

    def open_account(self, account_id: str, name: str | None = None) -> str:
        """Registers `account_id` with zero balances; refuses malformed or existing ids."""
        validate_account_id(account_id)
        with self._tx() as db:
            if db.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)).fetchone():
                raise DuplicateAccount(account_id)
            db.execute(
                "INSERT INTO accounts (account_id, name) VALUES (?, ?)", (account_id, name or account_id)
            )
        return account_id

    def account_exists(self, account_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        return row is not None

    def balance(self, account_id: str, currency: Currency | str) -> int:
        """Balance in minor units (cents / riel); 0 in a currency the account never held."""
        if not self.account_exists(account_id):
            raise UnknownAccount(account_id)
        return self._held(self._db, account_id, Currency.parse(currency))

    def balances(self, account_id: str) -> dict[Currency, int]:
        """Every currency the account holds or held, with its balance in minor units."""
        if not self.account_exists(account_id):
            raise UnknownAccount(account_id)
        rows = self._db.execute(
            "SELECT currency, amount FROM balances WHERE account_id = ? ORDER BY currency", (account_id,)
        ).fetchall()
        return {Currency[r["currency"]]: int(r["amount"]) for r in rows}

    @staticmethod
    def _held(db: sqlite3.Connection, account_id: str, currency: Currency) -> int:
        row = db.execute(
            "SELECT amount FROM balances WHERE account_id = ? AND currency = ?", (account_id, currency.name)
        ).fetchone()
        return 0 if row is None else int(row[0])

    @staticmethod
    def _credit(db: sqlite3.Connection, account_id: str, currency: Currency, amount: int) -> None:
        db.execute(
            "INSERT INTO balances (account_id, currency, amount) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id, currency) DO UPDATE SET amount = amount + excluded.amount",
            (account_id, currency.name, amount),
        )

    @staticmethod
    def _debit(db: sqlite3.Connection, account_id: str, currency: Currency, amount: int) -> None:
        """Takes `amount` from a balance the caller found large enough (the CHECK backs it up)."""
        db.execute(
            "UPDATE balances SET amount = amount - ? WHERE account_id = ? AND currency = ?",
            (amount, account_id, currency.name),
        )

    # --------------------------------------------------------------- transfers

    def cash_in(
        self, account_id: str, currency: Currency | str, amount: int, client_ref: str | None = None
    ) -> Transfer:
        """Credits money entering Bakong from outside (a bank deposit); the only way balances grow."""
        return self._move(None, account_id, Currency.parse(currency), amount, client_ref, None, "cash-in")

    def transfer(
        self,
        from_account: str,
        to_account: str,
        currency: Currency | str,
        amount: int,
        client_ref: str | None = None,
        description: str | None = None,
    ) -> Transfer:
        """Moves `amount` between two accounts. With a `client_ref`, repeating the same transfer returns
        the first one (idempotent); reusing the reference for anything else raises ConflictingReference."""
        return self._move(
            from_account, to_account, Currency.parse(currency), amount, client_ref, None, description
        )

    def pay_khqr(self, payer: str, khqr: str) -> Transfer:
        """Pays a dynamic KHQR from `payer`: the amount, currency and payee come from the decoded string,
        and the transfer is recorded under the string's MD5 (what `check_transaction_by_md5` finds)."""
        try:
            q = decode(khqr)
        except KHQRError as exc:
            raise LedgerError(f"not a valid KHQR: {exc}") from exc
        if q.amount is None:
            raise LedgerError("a static KHQR has no amount; the payer must enter one (not simulated)")
        if q.expires_ms is not None and self._clock() > q.expires_ms:
            raise ExpiredKHQR(f"KHQR expired at {q.expires_ms}")
        key = md5(khqr)
        if self.by_md5(key) is not None:
            raise AlreadyPaid(key)
        return self._move(payer, q.account_id, q.currency, q.amount, None, key, q.bill_number)

    def _move(
        self,
        src: str | None,
        dst: str,
        currency: Currency,
        amount: int,
        client_ref: str | None,
        md5_key: str | None,
        description: str | None,
    ) -> Transfer:
        _positive_int(amount)
        with self._tx() as db:
            if client_ref is not None:
                prior = self._row("client_ref", client_ref)
                if prior is not None:
                    same = (prior.from_account, prior.to_account, prior.currency, prior.amount) == (
                        src,
                        dst,
                        currency,
                        amount,
                    )
                    if not same:
                        raise ConflictingReference(client_ref)
                    return prior
            for account in (src, dst):
                if (
                    account is not None
                    and not db.execute("SELECT 1 FROM accounts WHERE account_id = ?", (account,)).fetchone()
                ):
                    raise UnknownAccount(account)
            if src == dst:
                raise LedgerError("payer and payee are the same account")
            if src is not None:
                have = self._held(db, src, currency)
                if have < amount:
                    raise InsufficientFunds(f"{src} has {have} {currency.name} minor units, needs {amount}")
                self._debit(db, src, currency, amount)
            self._credit(db, dst, currency, amount)
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM transfers").fetchone()[0]
            now = self._clock()
            tx_hash = transfer_hash(seq, src, dst, currency, amount, md5_key, client_ref, now)
            db.execute(
                "INSERT INTO transfers (seq, hash, from_account, to_account, currency, amount, md5, client_ref,"
                " description, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, tx_hash, src, dst, currency.name, amount, md5_key, client_ref, description, now),
            )
        return Transfer(seq, tx_hash, src, dst, currency, amount, md5_key, client_ref, description, now)

    # ------------------------------------------------------------------ lookup

    def _row(self, column: str, value: str) -> Transfer | None:
        row = self._db.execute(f"SELECT * FROM transfers WHERE {column} = ?", (value,)).fetchone()
        if row is None:
            return None
        return Transfer(
            seq=row["seq"],
            hash=row["hash"],
            from_account=row["from_account"],
            to_account=row["to_account"],
            currency=Currency[row["currency"]],
            amount=row["amount"],
            md5=row["md5"],
            client_ref=row["client_ref"],
            description=row["description"],
            created_ms=row["created_ms"],
        )

    def by_hash(self, tx_hash: str) -> Transfer | None:
        return self._row("hash", tx_hash.lower())

    def by_md5(self, md5_key: str) -> Transfer | None:
        return self._row("md5", md5_key.lower())

    def by_client_ref(self, client_ref: str) -> Transfer | None:
        return self._row("client_ref", client_ref)

    def transfers(self, account_id: str | None = None, after_seq: int = 0) -> list[Transfer]:
        """Transfers after `after_seq` in order, optionally only those touching `account_id`."""
        sql, args = "SELECT hash FROM transfers WHERE seq > ?", [after_seq]
        if account_id is not None:
            sql += " AND (from_account = ? OR to_account = ?)"
            args += [account_id, account_id]
        rows = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        return [t for t in (self.by_hash(r[0]) for r in rows) if t is not None]
