#!/usr/bin/env bash
# make lint: ruff on the Python, then Slither on the contracts. Fails if either fails; Slither fails on
# any high or medium finding in the project's contracts (contracts/testing/ and node_modules excluded).
# Slither lives in its own virtualenv (.venv-lint: its pins clash with brownie's) and compiles offline
# through the solcjs wrapper (tools/solc/solc.js) with brownie-config.yaml's settings: see
# tools/slither_lint.py. Extra arguments go to that script, e.g. `tools/lint.sh --all` (low and
# informational findings too) or `tools/lint.sh -- --detect reentrancy-eth`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
status=0

echo "== ruff"
.venv/bin/ruff check corridor scripts tests tools || status=1
.venv/bin/ruff format --check corridor scripts tests tools || status=1

want="$(sha256sum requirements-lint.txt | cut -c1-16)"
if [ "$(cat .venv-lint/.stamp 2>/dev/null || true)" != "$want" ]; then
  echo "lint: installing slither into .venv-lint"
  if { [ -x .venv-lint/bin/python ] || python3 -m venv .venv-lint; } \
    && .venv-lint/bin/python -m pip install -q -r requirements-lint.txt >.venv-lint/install.log 2>&1; then
    echo "$want" > .venv-lint/.stamp
  else
    echo "lint: slither is not installed: pip install into .venv-lint failed (see .venv-lint/install.log)" >&2
    exit 1
  fi
fi

echo "== slither"
.venv/bin/python tools/slither_lint.py "$@" || status=1
exit $status
