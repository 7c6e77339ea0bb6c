#!/usr/bin/env bash
# tools/run-tests.sh PROFILE [pytest args...]
#   anvil:   the whole suite (tests/) on brownie's development network (Anvil), from the repo root.
#   ganache: the smoke set (tests/smoke) on ganache-berlin, from profiles/ganache (compiled for berlin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="$1"; shift
case "$profile" in
  anvil) dir="$ROOT"; network=development; paths=(tests) ;;
  ganache) dir="$ROOT/profiles/ganache"; network=ganache-berlin; paths=(tests/smoke) ;;
  *) echo "run-tests: unknown profile '$profile' (anvil|ganache)" >&2; exit 2 ;;
esac
cd "$dir"
if ! "$ROOT/.venv/bin/brownie" compile >/tmp/corridor-compile-$$.log 2>&1; then
  grep -v "^\s*$" /tmp/corridor-compile-$$.log | tail -n 25 >&2
  echo "make: compiling the $profile profile failed (errors above, full log /tmp/corridor-compile-$$.log); fix the contract and re-run" >&2
  exit 1
fi
echo "== tests: profile=$profile network=$network (${paths[*]})"
exec "$ROOT/.venv/bin/brownie" test "${paths[@]}" --network "$network" "$@"
