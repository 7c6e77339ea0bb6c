"""Fixtures of the stablecoin family: the deployed token + registry (through corridor/stablecoin/deploy.py),
two issuers (trust banks) with operators, an attestor, verified holders with balances, and signer accounts
with private keys for permit / EIP-3009 / attestation signatures."""

import pytest
from brownie import chain

from corridor.stablecoin.deploy import CAMBODIA, JAPAN, TIER_RETAIL, deploy_stablecoin
from corridor.stablecoin.ops import StablecoinOps

RETAIL_PER_TRANSFER = 1_000_000
RETAIL_DAILY = 3_000_000
ZERO_REF = b"\0" * 32
DEPOSIT_REF = b"DEPOSIT".ljust(32, b"\0")


@pytest.fixture(scope="module")
def bank_a(accounts):
    """Operator of issuer 1 (Trust Bank A)."""
    return accounts[6]


@pytest.fixture(scope="module")
def bank_b(accounts):
    """Operator of issuer 2 (Trust Bank B)."""
    return accounts[7]


@pytest.fixture(scope="module")
def attestor(accounts):
    return accounts[8]


@pytest.fixture(scope="module")
def signer(accounts):
    """A verified holder whose private key we know (EIP-712 signatures)."""
    return accounts.add()


@pytest.fixture(scope="module")
def deployment(admin, operator, alice, bob, merchant, customer, bank_a, bank_b, attestor, signer):
    config = {
        "roles": {
            "compliance": operator,
            "pauser": operator,
            "issuer_admin": operator,
            "attestor": attestor,
            "upgrader": admin,
            "rescuer": admin,
            "registry_upgrader": admin,
        },
        "issuers": [
            {
                "name": "Trust Bank A",
                "trust_account": "A-0001",
                "operator": bank_a,
                "allowance": 100_000_000,
                "reserve": 50_000_000,
            },
            {
                "name": "Trust Bank B",
                "trust_account": "B-0001",
                "operator": bank_b,
                "allowance": 100_000_000,
                "reserve": 50_000_000,
            },
        ],
        "kyc": [
            (alice, TIER_RETAIL, JAPAN),
            (bob, TIER_RETAIL, JAPAN),
            (merchant, TIER_RETAIL, JAPAN),
            (customer, TIER_RETAIL, CAMBODIA),
            (signer, TIER_RETAIL, JAPAN),
        ],
    }
    d = deploy_stablecoin(None, admin, config)
    d.registry.mint(1, alice, 2_000_000, DEPOSIT_REF, {"from": bank_a})
    d.registry.mint(2, bob, 2_000_000, DEPOSIT_REF, {"from": bank_b})
    d.registry.mint(1, signer, 2_000_000, DEPOSIT_REF, {"from": bank_a})
    chain.mine()
    return d


@pytest.fixture(scope="module")
def token(deployment):
    return deployment.token


@pytest.fixture(scope="module")
def registry(deployment):
    return deployment.registry


@pytest.fixture(scope="module")
def ops(deployment):
    return StablecoinOps(deployment.token, deployment.registry)
