"""Process-level fixtures: the bridge deployed on brownie's Anvil (2-of-3 validators), a deployment book
for it, and the services started as subprocesses over fresh state (function scope: the chain is
reverted after every test by the root conftest's isolation, so the services' books start with it).
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak

from corridor.bridge.attest import KHR, USD
from corridor.bridge.deploy import default_config, deploy_bridge

from .harness import OMNIBUS, Services, write_book

THRESHOLD = 2
CUSTOMER_BAKONG = "sokha@wing"


def _keys(n: int, salt: str) -> list[str]:
    return ["0x" + keccak(text=f"{salt}-{i}").hex() for i in range(n)]


@pytest.fixture(scope="module")
def validator_keys() -> list[str]:
    return _keys(3, "services-validator")


@pytest.fixture(scope="module")
def relayer_key() -> str:
    return _keys(1, "services-relayer")[0]


@pytest.fixture(scope="module")
def deployment(admin, customer, alice, validator_keys, relayer_key, accounts):
    from brownie import project

    cfg = default_config([Account.from_key(k).address for k in validator_keys], THRESHOLD)
    d = deploy_bridge(project.get_loaded_projects()[0], admin, cfg)
    d.verify_holders(admin, [customer, alice], tier=3, jurisdiction=116)
    admin.transfer(Account.from_key(relayer_key).address, "10 ether")
    return d


@pytest.fixture(scope="module")
def bridge(deployment):
    return deployment.bridge


@pytest.fixture(scope="module")
def bkhr(deployment):
    return deployment.tokens[KHR]


@pytest.fixture(scope="module")
def busd(deployment):
    return deployment.tokens[USD]


@pytest.fixture
def book(tmp_path, web3, bridge):
    return write_book(tmp_path / "development.json", web3.eth.chain_id, bridge.address, OMNIBUS, 0)


@pytest.fixture
def services(tmp_path, web3, book, validator_keys, relayer_key):
    """Every service running over fresh state; the customer has a funded Bakong account."""
    s = Services(tmp_path, web3.provider.endpoint_uri, book, validator_keys, relayer_key)
    try:
        s.start()
        s.open_funded(CUSTOMER_BAKONG, "KHR", 100_000_000)
        s.admin("/admin/cash_in", {"accountId": CUSTOMER_BAKONG, "currency": "USD", "amount": 1_000_000})
        yield s
    finally:
        s.stop()
