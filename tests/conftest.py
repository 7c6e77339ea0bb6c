"""Suite-wide setup: per-test isolation, the coverage hooks, and the fixture modules every family uses
(tests/fixtures/: accounts named by role, ERC-20 mocks, compliant-token harnesses).

Families add their own deployments in tests/<family>/conftest.py (module scope, so each test
starts from a fresh snapshot through `fn_isolation`).
"""

import pytest
from brownie._config import CONFIG

from corridor.dev.coverage import install_coverage_support
from corridor.dev.receipts import install_receipt_grace

pytest_plugins = ["tests.fixtures.accounts", "tests.fixtures.tokens", "tests.fixtures.compliant"]


def pytest_configure(config):
    install_receipt_grace()  # a transaction Anvil has just mined is not "dropped" (corridor/dev/receipts.py)
    # Under --coverage only: brownie drops the trace (so the coverage) of every contract with an `immutable`
    # (its issue #1087): the UUPS implementations, EIP712 users, FXPool, FXRouter. See corridor/dev/coverage.py.
    # Brownie traces each transaction's steps for coverage, which Anvil only records with --steps-tracing; set
    # here so that every Anvil brownie launches (one per xdist worker under `-n`) has it, and plain runs don't.
    if config.getoption("--coverage", default=False):
        install_coverage_support()
        CONFIG.networks["development"]["cmd_settings"]["steps_tracing"] = True
    config.addinivalue_line(
        "markers", "call_coverage: under --coverage, contract calls are traced as transactions (views count)"
    )


def pytest_collection_modifyitems(config, items):
    """Under `--coverage` brownie sends every contract call as a traced transaction and undoes it, which makes
    the suite ~5x slower (measured: 43 s -> 228 s for three stablecoin modules). Calls stay calls, so the
    coverage figures come from transactions, except in tests marked `call_coverage` (the view tests, one call
    per view), which opt back in. Without `--coverage` the marker changes nothing."""
    for item in items:
        if item.get_closest_marker("call_coverage") is None:
            item.add_marker(pytest.mark.no_call_coverage)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test runs against a snapshot of the chain and leaves it as it found it."""
