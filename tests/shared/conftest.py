"""Fixtures of the shared-base tests (contracts/shared/: CompliantToken, PackedStorage, CorridorProxy).

The base is exercised on the JPY token as deployed (tests/fixtures/stablecoin.py: verified holders with
balances, a keyed signer), and on its own through `compliant_token` (tests/fixtures/compliant.py, a harness
behind a proxy) where a test needs limits, roles or hooks the JPY deployment does not have."""

from tests.fixtures.stablecoin import deployment, ops, registry, signer, token  # noqa: F401 (fixtures)
