"""Fixtures of the stablecoin family: the JPY deployment (tests/fixtures/stablecoin.py); accounts, including
the issuers' operators and the attestor, come from tests/fixtures/accounts.py."""

from tests.fixtures.stablecoin import deployment, ops, registry, signer, token  # noqa: F401 (fixtures)
