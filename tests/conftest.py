"""Shared fixtures: accounts named by role, and per-test isolation.

Families add their own deployments in tests/<family>/conftest.py (module scope, so each test
starts from a fresh snapshot through `fn_isolation`).
"""

import pytest


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test runs against a snapshot of the chain and leaves it as it found it."""


@pytest.fixture(scope="session")
def admin(accounts):
    """Deployer and default admin of every contract in tests."""
    return accounts[0]


@pytest.fixture(scope="session")
def operator(accounts):
    """Holds the operational roles (issuer admin, compliance, pauser) where a test needs one account."""
    return accounts[1]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def merchant(accounts):
    """The Japanese SME paid in JPY."""
    return accounts[4]


@pytest.fixture(scope="session")
def customer(accounts):
    """The Cambodian customer paying in KHR."""
    return accounts[5]


@pytest.fixture(scope="session")
def stranger(accounts):
    """An account with no role and no KYC."""
    return accounts[9]
