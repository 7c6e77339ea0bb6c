"""Off-chain bridge tests (a package, so this folder's conftest does not shadow tests/bridge/conftest.py)."""
