"""A standalone FX fixing reporter for FXFeed (web3.py + eth-account, ABIs via corridor.artifacts).

    reporter = FeedReporter(Web3(HTTPProvider(rpc)), feed_address, private_key)
    reporter.publish(Decimal("0.006712"))   # USD per JPY

It follows the feed's rules instead of fighting them: while the market is closed it re-confirms the
last official answer (keeping the heartbeat alive), and a move beyond the circuit breaker is held
back for the admin's `forceSubmit` rather than walked in steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any

from eth_account import Account
from web3 import Web3

from corridor.artifacts import at

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

    def publish(self, rate: Decimal | str | int) -> Publication:
        """Publishes `rate` (USD per unit), re-confirms during a closure, holds an oversized move."""
        _, previous, _ = self.latest()
        if not self._feed.functions.marketOpen().call():
            return Publication(Action.RECONFIRMED, previous, self._submit(previous))
        answer = self.to_answer(rate)
        move_bps = -(-abs(answer - previous) * BPS // previous)  # rounded up, as the feed does
        if move_bps > self._feed.functions.maxMoveBps().call():
            return Publication(Action.HELD, previous, None, move_bps)
        return Publication(Action.SUBMITTED, answer, self._submit(answer), move_bps)

    def _submit(self, answer: int) -> int:
        fn = self._feed.functions.submit(answer)
        tx: dict[str, Any] = fn.build_transaction(
            {
                "from": self.address,
                "nonce": self._w3.eth.get_transaction_count(self.address),
                "chainId": self._w3.eth.chain_id,
                "gasPrice": self._w3.eth.gas_price if self._gas_price is None else self._gas_price,
            }
        )
        signed = self._account.sign_transaction(tx)
        tx_hash = self._w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self._w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise RuntimeError(f"submit({answer}) reverted in {tx_hash.hex()}")
        return self.latest()[0]
