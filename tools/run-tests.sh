#!/usr/bin/env bash
# tools/run-tests.sh PROFILE [pytest args...]
#   anvil:    the whole suite (tests/) on brownie's development network (Anvil), from the repo root.
#   coverage: the contract-family tests (tests/stablecoin, bridge, exchange, shared) under
#             `brownie test --coverage` on an Anvil started here with --steps-tracing (brownie attaches
#             to it), then the gate (corridor/coverage.py: >= COVERAGE_MIN % of statements and branches
#             of every deployable contract, printed as a table); COVERAGE_PATHS="…" narrows the run
#             (the gate then fails for contracts it does not reach). Not part of `make test`: on this
#             2-core machine it takes ~28 minutes (see README, Coverage).
#   ganache:  the smoke set (tests/smoke) on ganache-berlin, from profiles/ganache (compiled for berlin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="$1"; shift
COVERAGE_MIN="${COVERAGE_MIN:-95}"
case "$profile" in
  anvil) dir="$ROOT"; network=development; paths=(tests) ;;
  coverage) dir="$ROOT"; network=development; paths=(${COVERAGE_PATHS:-tests/stablecoin tests/bridge tests/exchange tests/shared}) ;;
  ganache) dir="$ROOT/profiles/ganache"; network=ganache-berlin; paths=(tests/smoke) ;;
  *) echo "run-tests: unknown profile '$profile' (anvil|coverage|ganache)" >&2; exit 2 ;;
esac
cd "$dir"
if ! "$ROOT/.venv/bin/brownie" compile >/tmp/corridor-compile-$$.log 2>&1; then
  grep -v "^\s*$" /tmp/corridor-compile-$$.log | tail -n 25 >&2
  echo "make: compiling the $profile profile failed (errors above, full log /tmp/corridor-compile-$$.log); fix the contract and re-run" >&2
  exit 1
fi
if [ "$profile" != coverage ]; then
  echo "== tests: profile=$profile network=$network (${paths[*]})"
  exec "$ROOT/.venv/bin/brownie" test "${paths[@]}" --network "$network" "$@"
fi

# coverage: brownie's Anvil settings plus --steps-tracing (brownie attaches to a node already listening)
if (exec 3<>/dev/tcp/127.0.0.1/8545) 2>/dev/null; then
  echo "make coverage: port 8545 is in use; stop that node first" >&2
  exit 1
fi
"$ROOT/node_modules/.bin/anvil" --quiet --accounts 10 --block-base-fee-per-gas 0 --gas-limit 30000000 --port 8545 --steps-tracing &
anvil_pid=$!
trap 'kill "$anvil_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8545) 2>/dev/null && break; sleep 0.2; done
echo "== tests with coverage: network=$network (${paths[*]})"
rm -f reports/coverage.json
status=0
"$ROOT/.venv/bin/brownie" test "${paths[@]}" --network "$network" --coverage "$@" || status=$?
echo "== coverage of the deployable contracts (the project's own code; floor ${COVERAGE_MIN}%)"
"$ROOT/.venv/bin/python" -m corridor.coverage reports/coverage.json --min "$COVERAGE_MIN" \
  --json reports/coverage-summary.json || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }
exit "$status"
