#!/usr/bin/env bash
# tools/run-tests.sh PROFILE [pytest args...]
#   anvil:    the whole suite on brownie's development network (Anvil), from the repo root, in two runs:
#             1. the contract families (tests/stablecoin, bridge, exchange, shared) with `--coverage`,
#                then the coverage gate (corridor/coverage.py: >= COVERAGE_MIN % of statements and
#                branches of every deployable contract, printed as a table);
#             2. everything else (deploy, integration, tooling, smoke) without coverage.
#             Under --coverage, contract calls stay calls (tests/conftest.py: brownie would otherwise send
#             each as a traced transaction, ~5x slower); the tests marked `call_coverage` opt back in.
#             Each test runs once. With pytest args (a path, -k …) it is one plain run of tests/ + args.
#   coverage: run 1 and the gate only.
#   ganache:  the smoke set (tests/smoke) on ganache-berlin, from profiles/ganache (compiled for berlin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="$1"; shift
COVERED=(tests/stablecoin tests/bridge tests/exchange tests/shared)
# every other test folder (deploy, integration, tooling, smoke, and any new one)
UNCOVERED=()
for d in "$ROOT"/tests/*/; do
  d="tests/$(basename "$d")"
  [[ " ${COVERED[*]} " == *" $d "* || "$d" == tests/__pycache__ ]] || UNCOVERED+=("$d")
done
COVERAGE_MIN="${COVERAGE_MIN:-95}"
case "$profile" in
  anvil|coverage) dir="$ROOT"; network=development ;;
  ganache) dir="$ROOT/profiles/ganache"; network=ganache-berlin ;;
  *) echo "run-tests: unknown profile '$profile' (anvil|coverage|ganache)" >&2; exit 2 ;;
esac
cd "$dir"
if ! "$ROOT/.venv/bin/brownie" compile >/tmp/corridor-compile-$$.log 2>&1; then
  grep -v "^\s*$" /tmp/corridor-compile-$$.log | tail -n 25 >&2
  echo "make: compiling the $profile profile failed (errors above, full log /tmp/corridor-compile-$$.log); fix the contract and re-run" >&2
  exit 1
fi
brownie_test() { "$ROOT/.venv/bin/brownie" test "$@" --network "$network"; }

covered_run() {
  echo "== tests with coverage: network=$network (${COVERED[*]})"
  rm -f reports/coverage.json
  brownie_test "${COVERED[@]}" --coverage
  echo "== coverage of the deployable contracts (the project's own code; floor ${COVERAGE_MIN}%)"
  "$ROOT/.venv/bin/python" -m corridor.coverage reports/coverage.json --min "$COVERAGE_MIN" \
    --json reports/coverage-summary.json
}

case "$profile" in
  ganache)
    echo "== tests: profile=ganache network=$network (tests/smoke)"
    exec "$ROOT/.venv/bin/brownie" test tests/smoke --network "$network" "$@" ;;
  coverage)
    covered_run ;;
  anvil)
    if [ "$#" -gt 0 ]; then
      echo "== tests: profile=anvil network=$network (tests $*)"
      exec "$ROOT/.venv/bin/brownie" test tests "$@" --network "$network"
    fi
    # Both runs go ahead; the exit status is the first failure's.
    status=0
    covered_run || status=$?
    echo "== tests: network=$network (${UNCOVERED[*]})"
    brownie_test "${UNCOVERED[@]}" || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }
    exit "$status" ;;
esac
