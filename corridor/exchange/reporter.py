"""A standalone FX fixing reporter for FXFeed (web3.py + eth-account, ABIs via corridor.artifacts).

    reporter = FeedReporter(Web3(HTTPProvider(rpc)), feed_address, private_key)
    reporter.publish(Decimal("0.006712"))   # USD per JPY

It follows the feed's rules instead of fighting them: while the market is closed it re-confirms the
last official answer (keeping the heartbeat alive), a new rate is only sent inside a fixing window,
and a move beyond the circuit breaker is held back for the admin's `forceSubmit` rather than walked in
steps (its window stays open: the pools do not trade on a rate known to be that far off). Official fixings are public off chain before they land, so the service announces each
one in advance (`schedule(at)`, `at` = the fixing's publication time): the pools stop trading from
`at` until the fixing lands. A rate that changes without a scheduled window (an off-schedule
correction) gets a window opened on the spot, in its own transaction before the `submit`, so even then
no swap trades on the old rate in a block where the new one is already on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any

from eth_account import Account
from web3 import Web3

from corridor import tx
from corridor.artifacts import at
from corridor.faults import checkpoint

BPS = 10_000


class Action(str, Enum):
    SUBMITTED = "submitted"
    RECONFIRMED = "reconfirmed"
    HELD = "held"


@dataclass(frozen=True)
class Publication:
    """What `publish` did: the answer on chain afterwards, and the round (None when held)."""

    action: Action
    answer: int
    round_id: int | None
    move_bps: int = 0


class FeedReporter:
    """Signs and sends `submit` transactions for one FXFeed with a local key."""

    def __init__(
        self, w3: Web3, feed_address: str, private_key: str | bytes, *, gas_price: int | None = None
    ):
        self._w3 = w3
        self._feed = at(w3, "FXFeed", feed_address)
        self._account = Account.from_key(private_key)
        self._gas_price = gas_price
        self.decimals: int = self._feed.functions.decimals().call()

    @property
    def address(self) -> str:
        return self._account.address

    def to_answer(self, rate: Decimal | str | int) -> int:
        """USD per unit (e.g. Decimal("0.0067")) as the feed's integer answer, rounded half-even."""
        scaled = Decimal(rate) * (Decimal(10) ** self.decimals)
        return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    def latest(self) -> tuple[int, int, int]:
        """(round id, answer, updatedAt) of the latest round."""
        round_id, answer, _, updated_at, _ = self._feed.functions.latestRoundData().call()
        return round_id, answer, updated_at

    def heartbeat_due(self, margin: int = 3_600) -> bool:
        """True when the latest answer will be stale within `margin` seconds."""
        _, _, updated_at = self.latest()
        now = self._w3.eth.get_block("latest")["timestamp"]
        return now + margin >= updated_at + self._feed.functions.heartbeat().call()

    def window_open(self) -> bool:
        """True while a fixing window is open (the feed reports a round in progress)."""
        round_id, _, _, _, answered_in_round = self._feed.functions.latestRoundData().call()
        return answered_in_round < round_id

    def schedule(self, at: int) -> None:
        """Announces the next fixing window at UNIX time `at` (its off-chain publication time)."""
        self._send(self._feed.functions.scheduleFixing(at), f"scheduleFixing({at})")

    def publish(self, rate: Decimal | str | int) -> Publication:
        """Publishes `rate` (USD per unit), re-confirms during a closure, holds an oversized move."""
        _, previous, _ = self.latest()
        if not self._feed.functions.marketOpen().call():
            return Publication(Action.RECONFIRMED, previous, self._submit(previous))
        answer = self.to_answer(rate)
        move_bps = -(-abs(answer - previous) * BPS // previous)  # rounded up, as the feed does
        if answer != previous:
            if not self.window_open():  # the pools stop before the new rate is on its way
                self.schedule(self._w3.eth.get_block("latest")["timestamp"])
                checkpoint("reporter.scheduled")  # crash tests: the window is open, the rate not sent
            low, high = self._feed.functions.acceptedRange().call()
            if not low <= answer <= high:  # the window stays open: no trading on a rate this far off
                return Publication(Action.HELD, previous, None, move_bps)
        return Publication(Action.SUBMITTED, answer, self._submit(answer), move_bps)

    def _submit(self, answer: int) -> int:
        self._send(self._feed.functions.submit(answer), f"submit({answer})")
        return self.latest()[0]

    def _send(self, fn: Any, label: str) -> None:
        gas_price = self._w3.eth.gas_price if self._gas_price is None else self._gas_price
        tx.send(self._w3, fn, self._account, label=label, params={"gasPrice": gas_price})
