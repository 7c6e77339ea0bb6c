"""Reconciliation: on-chain supply of each bridged token against the Bakong omnibus balance.

The books balance when   omnibus = supply + deposits paid but not yet minted - payouts not yet finalized
(a paid-out redemption still sits in escrow, so in the supply, until its finalization burns it).
`report` computes each term; `submit` has the validators sign the omnibus balance and sends the
`Reconciliation` the bridge compares with its supply (it stops minting on a break beyond `maxDrift`).
A reconciliation is only submitted when nothing is in flight, since the contract sees only the
supply and the balance.

`ledger_books` checks the Bakong side itself (the simulator's books): every riel or cent held in any
account, the omnibus included, is one that was cashed in at a bank, none more, none less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from corridor.bridge.attest import Reconciliation
from corridor.bridge.client import BakongClient
from corridor.bridge.gateway import BridgeGateway
from corridor.bridge.khqr import Currency
from corridor.bridge.ledger import Ledger
from corridor.bridge.store import PAID, PAID_OUT, QUEUED, SIGNED, RelayerStore
from corridor.bridge.validator import Validator, collect
from corridor.ui import banker


@dataclass(frozen=True)
class ReconciliationLine:
    currency: Currency
    supply: int  # token units on-chain (cents / riel), escrow included
    omnibus: int  # Bakong omnibus balance, same units
    unminted_deposits: int  # paid on Bakong, not minted yet (includes queued mints)
    unfinalized_payouts: int  # paid out on Bakong, escrow not burned yet

    @property
    def drift(self) -> int:
        """Unexplained difference; zero when the books balance (positive = over-collateralised)."""
        return self.omnibus - self.supply - self.unminted_deposits + self.unfinalized_payouts

    @property
    def settled(self) -> bool:
        """Nothing in flight: the contract's own comparison (supply vs omnibus) is meaningful."""
        return self.unminted_deposits == 0 and self.unfinalized_payouts == 0

    HEADERS: ClassVar[tuple[str, ...]] = (
        "currency",
        "bridge supply",
        "Bakong omnibus",
        "deposits not minted",
        "payouts not final",
        "drift",
    )

    @classmethod
    def headers(cls, currency: Currency) -> list[str]:
        """Column headers with the unit (banker units: USD in dollars, KHR in riel)."""
        return [cls.HEADERS[0], *(f"{h} ({_unit(currency)})" for h in cls.HEADERS[1:])]

    def row(self) -> list[Any]:
        """The line in banker units (Decimal, every decimal shown), for `corridor.ui.table`."""
        d = self.currency.decimals
        amounts = (self.supply, self.omnibus, self.unminted_deposits, self.unfinalized_payouts, self.drift)
        return [self.currency.name, *(banker(v, d) for v in amounts)]

    def __str__(self) -> str:
        scale = 10**self.currency.decimals

        def fmt(v: int) -> str:
            sign, v = ("-" if v < 0 else ""), abs(v)
            return f"{sign}{v // scale:,}" + (
                f".{v % scale:0{self.currency.decimals}d}" if self.currency.decimals else ""
            )

        return (
            f"{self.currency.name}: supply {fmt(self.supply)}  omnibus {fmt(self.omnibus)}  "
            f"in-flight +{fmt(self.unminted_deposits)} / -{fmt(self.unfinalized_payouts)}  "
            f"drift {fmt(self.drift)}{'' if self.drift == 0 else '  <-- BREAK'}"
        )


def _unit(currency: Currency) -> str:
    return {"USD": "$", "KHR": "៛"}.get(currency.name, currency.name)


@dataclass(frozen=True)
class LedgerBooksLine:
    """The Bakong ledger's books in one currency: cashed in at the banks against what the accounts hold."""

    currency: Currency
    cashed_in: int  # minor units that entered Bakong through cash-ins
    held: int  # the sum of every account's balance, the omnibus included
    omnibus: int  # of which the bridge's omnibus account

    @property
    def drift(self) -> int:
        """Money created or lost inside Bakong; zero when the books balance."""
        return self.held - self.cashed_in

    HEADERS: ClassVar[tuple[str, ...]] = (
        "currency",
        "cashed in",
        "held in accounts",
        "of which omnibus",
        "drift",
    )

    @classmethod
    def headers(cls, currency: Currency) -> list[str]:
        return [cls.HEADERS[0], *(f"{h} ({_unit(currency)})" for h in cls.HEADERS[1:])]

    def row(self) -> list[Any]:
        d = self.currency.decimals
        return [
            self.currency.name,
            *(banker(v, d) for v in (self.cashed_in, self.held, self.omnibus, self.drift)),
        ]


def ledger_books(
    ledger: Ledger, omnibus_account: str, currencies: Sequence[Currency] = tuple(Currency)
) -> list[LedgerBooksLine]:
    """One line per currency that moved on the simulator (see the module docstring)."""
    transfers = ledger.transfers()
    accounts = {t.to_account for t in transfers} | {t.from_account for t in transfers if t.from_account}
    lines = []
    for cur in currencies:
        moved = [t for t in transfers if t.currency == cur]
        if not moved:
            continue
        cashed_in = sum(t.amount for t in moved if t.from_account is None)
        held = sum(ledger.balance(a, cur) for a in accounts)
        omnibus = ledger.balance(omnibus_account, cur) if ledger.account_exists(omnibus_account) else 0
        lines.append(LedgerBooksLine(cur, cashed_in, held, omnibus))
    return lines


def report(
    gateway: BridgeGateway,
    client: BakongClient,
    omnibus_account: str,
    store: RelayerStore | None = None,
    currencies: Sequence[Currency] = tuple(Currency),
) -> list[ReconciliationLine]:
    """One line per currency bridged by `gateway` (every Bakong currency of corridor.codes by default;
    currencies without a token on this bridge are skipped)."""
    lines = []
    for cur in currencies:
        if not gateway.is_bridged(cur.value):
            continue
        unminted = unfinalized = 0
        if store is not None:
            unminted = sum(d.amount for d in store.deposits(PAID, SIGNED, QUEUED) if d.currency == cur.value)
            unfinalized = sum(r.amount for r in store.redemptions(PAID_OUT) if r.currency == cur.value)
        lines.append(
            ReconciliationLine(
                cur,
                gateway.total_supply(cur.value),
                client.balance(omnibus_account, cur),
                unminted,
                unfinalized,
            )
        )
    return lines


def submit(
    gateway: BridgeGateway, validators: Sequence[Validator], line: ReconciliationLine, force: bool = False
) -> Reconciliation:
    """Has the validators sign `line`'s omnibus balance and records it on-chain; refuses while anything
    is in flight unless `force` (the contract would count in-flight money as drift)."""
    if not line.settled and not force:
        raise ValueError(f"{line.currency.name} has money in flight; reconcile once it settles")
    report_ = Reconciliation(line.currency.value, line.omnibus, gateway.timestamp(), gateway.epoch())
    gateway.reconcile(report_, collect(gateway, validators, lambda v: v.sign_reconciliation(report_)))
    return report_
