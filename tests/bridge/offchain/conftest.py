"""Fixtures for the off-chain bridge services: a Bakong ledger with a controllable clock, five
validators (3-of-5), the bridge model, and a relayer factory whose every call is a restart over the
same state file.
"""

from __future__ import annotations

import pytest
from eth_account import Account

from corridor.bridge.client import simulator_client
from corridor.bridge.khqr import Currency
from corridor.bridge.ledger import Ledger
from corridor.bridge.relayer import LedgerPayer, Relayer, RelayerConfig
from corridor.bridge.store import RelayerStore
from corridor.bridge.validator import Validator

from .bridge_model import CUSTOMER, OMNIBUS, Clock, ModelBridge

# ----------------------------------------------------------------- fixtures


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(clock: Clock) -> Ledger:
    book = Ledger(":memory:", clock=clock.ms)
    book.open_account(OMNIBUS, "Corridor Bridge omnibus")
    book.open_account(CUSTOMER, "Sokha Chan")
    book.cash_in(CUSTOMER, Currency.KHR, 10_000_000)
    book.cash_in(CUSTOMER, Currency.USD, 1_000_00)
    return book


@pytest.fixture
def bakong(ledger: Ledger):
    """The validators' and relayer's Bakong client (simulator transport)."""
    return simulator_client(ledger)


@pytest.fixture(scope="session")
def validator_keys() -> list[str]:
    """Five fixed validator keys (3-of-5)."""
    return ["0x" + f"{i:064x}" for i in (0xA11CE, 0xB0B, 0xCAFE, 0xD00D, 0xE1E)]


@pytest.fixture
def model(clock: Clock, validator_keys: list[str]) -> ModelBridge:
    return ModelBridge(clock, [Account.from_key(k).address for k in validator_keys], 3)


@pytest.fixture
def validators(validator_keys, bakong, model) -> list[Validator]:
    return [Validator(k, bakong, model, OMNIBUS) for k in validator_keys]


@pytest.fixture
def recipient() -> str:
    return Account.from_key("0x" + "42" * 32).address


@pytest.fixture
def make_relayer(tmp_path, model, bakong, ledger, validators, clock):
    """Builds a relayer over the same state file each time (a restart), optionally crashing at a point."""

    def build(
        crash_at: str | None = None, gateway=None, vals=None, config: RelayerConfig | None = None
    ) -> Relayer:
        return Relayer(
            gateway or model,
            bakong,
            LedgerPayer(ledger, OMNIBUS),
            vals or validators,
            RelayerStore(str(tmp_path / "relayer.sqlite")),
            config or RelayerConfig(omnibus_account=OMNIBUS),
            clock_ms=clock.ms,
            crash_at=crash_at,
        )

    return build
