"""Relayed deposits per second, end to end: Bakong payment -> validators -> relayer -> chain (`make bench`,
through scripts/driver_tps.py).

In one process on the chain the caller is connected to (Anvil in `make bench`): the ledger simulator, 5
validators (3-of-5, each with its own Bakong client and chain view) and the relayer of
`corridor.bridge.offchain.bakong_side`. A payer thread pays `deposits` deposit KHQRs (issued beforehand,
as a wallet shows them before the customer scans) at `offered_per_s`; the relayer runs passes back to
back meanwhile. A deposit's latency runs from its Bakong payment to the end of the relayer pass that
recorded it minted. Throughput is deposits minted over the time from the first payment to the last mint.
Anvil mines a block only when a transaction arrives; a live chain mines one every second or so whether
or not the relayer sends anything, and a reserve attested in the latest block must wait for the next
(`WaitForBlock`), so a ticker thread mines an empty block every `BLOCK_SECONDS` during the run.
The relayer's own time is split by step (payment lookups, validator signatures, chain sends) so the
report says where the time goes.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from corridor.bridge.offchain import bakong_side

PAYER = "bench@aclb"
BLOCK_SECONDS = 1.0  # a live chain's block time (Anvil's automine alone never moves an idle chain's clock)


@dataclass(frozen=True)
class RelayFigures:
    """One run: `per_s` relayed deposits per second, latency from payment to mint in ms."""

    mode: str
    deposits: int
    offered_per_s: float
    per_s: float
    p50_ms: float
    p99_ms: float
    passes: int
    batches: int
    where: dict[str, float]  # seconds spent per relayer step (sums over the run)
    errors: list[str]  # what the relayer reported (a reserve waiting for a later block is one)

    def row(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "deposits": self.deposits,
            "offered_per_s": self.offered_per_s,
            "relayed_per_s": round(self.per_s, 1),
            "latency_p50_ms": round(self.p50_ms),
            "latency_p99_ms": round(self.p99_ms),
            "passes": self.passes,
            "batches": self.batches,
            "seconds_by_step": {k: round(v, 2) for k, v in self.where.items()},
            "relayer_errors": len(self.errors),
            "first_errors": self.errors[:3],
        }


def _p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


class _Timed:
    """Wraps an object's methods to add their wall time to `spent[label]` (the relayer's step profile)."""

    def __init__(self, inner: Any, label: str, spent: dict[str, float]) -> None:
        self._inner, self._label, self._spent = inner, label, spent

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                self._spent[self._label] = self._spent.get(self._label, 0.0) + took
                key = f"{self._label}: {name}"
                self._spent[key] = self._spent.get(key, 0.0) + took

        return timed


def relay_throughput(
    w3: Web3,
    bridge: str,
    sender: Any,
    validator_keys: Sequence[str | bytes],
    recipient: str,
    deposits: int,
    batch_size: int,
    offered_per_s: float,
    ledger_path: str,
    batch_latency_ms: int = 2000,
    amount: int = 10_000,
) -> RelayFigures:
    """Pays `deposits` KHR deposits at `offered_per_s` while the relayer (batching `batch_size`) runs.
    `ledger_path`: the ledger simulator's file, the same for every run on one bridge (one Bakong: the
    omnibus balance must keep covering the bridge's supply)."""
    side = bakong_side(
        w3,
        bridge,
        sender,
        validator_keys,
        ledger_path=ledger_path,
        batch_size=batch_size,
        batch_latency_ms=batch_latency_ms,
    )
    relayer = side.relayer
    spent: dict[str, float] = {}
    relayer.client = _Timed(relayer.client, "relayer's Bakong lookups", spent)  # type: ignore[assignment]
    relayer.gateway = _Timed(relayer.gateway, "chain reads and sends", spent)  # type: ignore[assignment]
    for v in relayer.validators:
        v.client = _Timed(v.client, "validators' Bakong lookups", spent)  # type: ignore[assignment]
    if not side.ledger.account_exists(PAYER):
        side.ledger.open_account(PAYER, "Bench payer")
    side.ledger.cash_in(PAYER, "KHR", amount * deposits * 2)
    khqrs = [relayer.request_deposit("KHR", amount, recipient) for _ in range(deposits)]
    spent.clear()  # issuing the KHQRs (the bridge's cap and currency reads) is before any payment
    paid_at: dict[str, float] = {}

    def pay() -> None:
        start = time.monotonic()
        for i, intent in enumerate(khqrs):
            wait = start + i / offered_per_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            side.ledger.pay_khqr(PAYER, intent.khqr)
            paid_at[intent.md5] = time.monotonic()

    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(BLOCK_SECONDS):
            answer = w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            if "error" in answer:
                raise RuntimeError(f"evm_mine: {answer['error']}")

    ticker = threading.Thread(target=tick, name="bench-blocks", daemon=True)
    ticker.start()
    payer = threading.Thread(target=pay, name="bench-payer", daemon=True)
    minted_at: dict[str, float] = {}
    passes = batches = 0
    errors: list[str] = []
    deadline = time.monotonic() + 60 + deposits / 2
    payer.start()
    while len(minted_at) < deposits and time.monotonic() < deadline:
        started = time.perf_counter()
        report = relayer.run_once()
        spent["relayer passes (all steps)"] = spent.get("relayer passes (all steps)", 0.0) + (
            time.perf_counter() - started
        )
        now = time.monotonic()
        passes += 1
        batches += len(report.batches)
        for key in report.minted:
            minted_at.setdefault(key, now)
        errors.extend(report.errors)
        if report.idle:
            time.sleep(0.01)
    payer.join()
    stop.set()
    ticker.join()
    if len(minted_at) < deposits:
        raise RuntimeError(
            f"only {len(minted_at)} of {deposits} deposits minted before the deadline; errors: {errors[:5]}"
        )
    latencies = [(minted_at[k] - paid_at[k]) * 1000 for k in minted_at]
    elapsed = max(minted_at.values()) - min(paid_at.values())
    mode = f"batches of up to {batch_size}" if batch_size > 1 else "no batching (one mint each)"
    return RelayFigures(
        mode,
        deposits,
        offered_per_s,
        deposits / elapsed,
        statistics.median(latencies),
        _p99(latencies),
        passes,
        batches,
        spent,
        errors,
    )
