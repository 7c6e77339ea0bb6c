"""Outbound fixtures: the whole corridor (corridor.suite, compliance on) with its KhqrPayer, the maker and the
pools funded (corridor/demo_outbound.py), and two yen payers. Module-scoped; `fn_isolation` resets the chain."""

from __future__ import annotations

import pytest

from corridor.demo_outbound import build_world, fund_payer
from corridor.khqr_pay import remittance

JPY_BALANCE = 5_000_000


@pytest.fixture(scope="module")
def world(accounts, chain):
    from brownie import project

    from corridor.deploy.settings import load_settings
    from corridor.suite import deploy_suite

    settings = load_settings("development", development=True)
    p = project.get_loaded_projects()[0]
    suite = deploy_suite(p, accounts[0], settings, accounts)
    return build_world(suite, settings, accounts, chain)


@pytest.fixture(scope="module")
def yen_payer(world, accounts):
    fund_payer(world, accounts[6], JPY_BALANCE)
    return accounts[6]


@pytest.fixture(scope="module")
def gasless_payer(world, accounts):
    acct = accounts.add("0x" + "77" * 32)
    fund_payer(world, acct, JPY_BALANCE)
    return acct


@pytest.fixture(scope="module")
def relayer(accounts):
    return accounts[9]


@pytest.fixture
def khr_payment():
    """40,000 riel to a merchant, for at most 2,000 yen."""
    return remittance("coffee@abab", "KHR", 40_000, 2_000, "INV-0001")


@pytest.fixture
def usd_payment():
    """USD 12.34 to a worker's family account."""
    return remittance("sokha@wing", "USD", 1_234, 2_500, "REMIT-1")
