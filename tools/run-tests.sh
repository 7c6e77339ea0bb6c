#!/usr/bin/env bash
# tools/run-tests.sh PROFILE [pytest args...]
#   coverage: the contract-family tests (tests/stablecoin, bridge, exchange, shared) under
#             `brownie test --coverage` on COVERAGE_WORKERS (default 2) xdist workers, each with its own
#             steps-tracing Anvil, then the gate (corridor/dev/coverage.py: >= COVERAGE_MIN % of statements and
#             branches of every deployable contract, printed as a table; COVERAGE_MISSED=1 lists what is
#             missed). COVERAGE_PATHS="…" narrows the run (the gate then fails for contracts it does not reach).
#   anvil:    the rest of tests/ (deploy, integration, tooling, smoke: scripts, journals and the demo, which
#             share files and run one at a time) on brownie's development network (Anvil), from the repo
#             root. ANVIL_PATHS="…" runs other paths instead (e.g. one family module without coverage).
#   ganache:  the smoke set (tests/smoke) on ganache-berlin, from profiles/ganache (compiled for berlin).
# `make test` runs coverage, anvil, ganache: every test once, the families with the gate.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="$1"; shift
COVERAGE_MIN="${COVERAGE_MIN:-95}"
FAMILIES="tests/stablecoin tests/bridge tests/exchange tests/shared tests/settlement tests/outbound"  # the contract families: tested under coverage
case "$profile" in
  anvil) dir="$ROOT"; network=development; paths=(${ANVIL_PATHS:-tests $(printf -- "--ignore=%s " $FAMILIES)}) ;;
  coverage) dir="$ROOT"; network=development; paths=(${COVERAGE_PATHS:-$FAMILIES}) ;;
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

# coverage: brownie launches one Anvil per xdist worker (ports 8545 + worker number), each with --steps-tracing
# (tests/conftest.py sets it under --coverage), and merges the workers' coverage. A node already listening
# on one of those ports would be attached to without steps tracing (no coverage): refuse instead.
workers="${COVERAGE_WORKERS:-2}"
for ((port = 8545; port < 8545 + workers; port++)); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "make coverage: port $port is in use; stop that node first" >&2
    exit 1
  fi
done
echo "== tests with coverage: network=$network workers=$workers (${paths[*]})"
rm -f reports/coverage.json
status=0
xdist=()
[ "$workers" -le 1 ] || xdist=(-n "$workers")
"$ROOT/.venv/bin/brownie" test "${paths[@]}" --network "$network" --coverage "${xdist[@]}" "$@" || status=$?
echo "== coverage of the deployable contracts (the project's own code; floor ${COVERAGE_MIN}%)"
"$ROOT/.venv/bin/python" -m corridor.dev.coverage reports/coverage.json --min "$COVERAGE_MIN" \
  --json reports/coverage-summary.json ${COVERAGE_MISSED:+--missed} || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }
exit "$status"
