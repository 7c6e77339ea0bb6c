#!/usr/bin/env bash
# make lint: ruff on the Python, Slither on the contracts (Slither in its own virtualenv, .venv-lint,
# because its pins clash with brownie's). Slither compiles through brownie (the offline solc wrapper).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
echo "== ruff"
.venv/bin/ruff check corridor scripts tests
.venv/bin/ruff format --check corridor scripts tests

want="$(sha256sum requirements-lint.txt | cut -c1-16)"
if [ "$(cat .venv-lint/.stamp 2>/dev/null || true)" != "$want" ]; then
  echo "lint: installing slither into .venv-lint"
  [ -x .venv-lint/bin/python ] || python3 -m venv .venv-lint
  .venv-lint/bin/python -m pip install -q -r requirements-lint.txt >.venv-lint/install.log 2>&1 \
    || { echo "lint: pip install of slither failed (see .venv-lint/install.log); re-run make lint" >&2; exit 1; }
  echo "$want" > .venv-lint/.stamp
fi
echo "== slither"
# brownie (from .venv) compiles; slither reads its build artifacts. Test-only contracts are excluded.
PATH="$ROOT/.venv/bin:$PATH" .venv-lint/bin/slither . --compile-force-framework brownie \
  --filter-paths "node_modules|contracts/testing" --exclude-informational --exclude-low \
  --fail-medium
