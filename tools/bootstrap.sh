#!/usr/bin/env bash
# Installs whatever is missing, and nothing that is already there:
#   .venv/          brownie's virtualenv (requirements.txt, eth-brownie built uncompiled; the `corridor` command)
#   node_modules/   solc (solcjs), OpenZeppelin, anvil, ganache, Uniswap V2 artifacts (package-lock.json)
#   .solcx/         a `solc-v0.8.30` executable (tools/solc/solc.js) where py-solc-x looks
#   ~/.brownie      the `ganache-berlin` development network
# Each step records a stamp holding the hash of its inputs; a failed step leaves no stamp, so a
# re-run repeats it with no manual cleanup. Any failure prints one line saying what to do.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SOLC_VERSION=0.8.30
PYTHON="${PYTHON:-python3}"

die() { echo "bootstrap: $*" >&2; exit 1; }
step() { echo "bootstrap: $*"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

command -v "$PYTHON" >/dev/null 2>&1 || die "python3 not found; install Python 3.10-3.12 (Debian: apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' \
  || die "$("$PYTHON" --version 2>&1) found; eth-brownie 1.22.2 needs Python 3.10-3.12 (set PYTHON=/path/to/python3.11)"
command -v node >/dev/null 2>&1 || die "node not found; install Node.js >= 18 (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm not found; install npm (Debian: apt-get install npm)"

# --- Python virtualenv ------------------------------------------------------------------------
want="$(hash_of requirements.txt pyproject.toml)"  # pyproject.toml: the `corridor` entry point
if [ "$(cat .venv/.stamp 2>/dev/null || true)" != "$want" ]; then
  step "creating .venv and installing requirements.txt (eth-brownie uncompiled, ~1 min)"
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv --clear .venv >/dev/null || die "python3 -m venv failed; install the venv module (Debian: apt-get install python3-venv)"
  fi
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  BROWNIE_NOCOMPILE=1 .venv/bin/python -m pip install -q --no-binary eth-brownie -r requirements.txt -e . \
    >.venv/install.log 2>&1 || die "pip install failed (see .venv/install.log); check that PyPI is reachable, then re-run make"
  echo "$want" > .venv/.stamp
fi

# --- npm packages -----------------------------------------------------------------------------
want="$(hash_of package.json package-lock.json)"
if [ "$(cat node_modules/.stamp 2>/dev/null || true)" != "$want" ]; then
  step "installing npm packages from package-lock.json (solc, OpenZeppelin, anvil, ganache)"
  # `npm ci` is not used: npm 11 leaves the other platforms' optional @foundry-rs/anvil-* packages
  # out of the lock file and then refuses it. `npm install --no-save` installs the locked versions.
  rm -rf node_modules
  npm install --no-save --no-audit --no-fund --loglevel=error >/tmp/corridor-npm-$$.log 2>&1 \
    || die "npm install failed (see /tmp/corridor-npm-$$.log); check that the npm registry is reachable, then re-run make"
  [ -x node_modules/.bin/anvil ] || die "node_modules/.bin/anvil missing after npm ci; re-run make"
  echo "$want" > node_modules/.stamp
fi

# --- solc executable for py-solc-x -------------------------------------------------------------
SOLC_BIN=".solcx/solc-v$SOLC_VERSION"
want="$ROOT $(hash_of tools/solc/solc.js)"
if [ "$(cat .solcx/.stamp 2>/dev/null || true)" != "$want" ]; then
  step "installing the solcjs $SOLC_VERSION wrapper into .solcx/"
  mkdir -p .solcx
  rm -f .solcx/solc-v*
  printf '#!/bin/sh\nexec node "%s/tools/solc/solc.js" "$@"\n' "$ROOT" > "$SOLC_BIN.tmp"
  chmod +x "$SOLC_BIN.tmp"
  "$SOLC_BIN.tmp" --version | grep -q "Version: $SOLC_VERSION+commit" \
    || die "the solc wrapper does not report version $SOLC_VERSION; run 'node tools/solc/solc.js --version' to see why"
  mv "$SOLC_BIN.tmp" "$SOLC_BIN"
  echo "$want" > .solcx/.stamp
fi

# --- brownie networks -------------------------------------------------------------------------
export PATH="$ROOT/node_modules/.bin:$ROOT/.venv/bin:$PATH"
if ! grep -q "id: ganache-berlin" "$HOME/.brownie/network-config.yaml" 2>/dev/null; then
  step "registering the ganache-berlin development network with brownie"
  brownie networks add Development ganache-berlin cmd=ganache host=http://127.0.0.1 port=8545 \
    evm_version=berlin accounts=10 gas_limit=30000000 mnemonic=brownie chain_id=1337 >/dev/null \
    || die "brownie networks add failed; run '.venv/bin/brownie networks list' to see the network config"
fi

# --- a browser for tests/web ------------------------------------------------------------------
# Debian's chromium and its driver (selenium drives it; no browser download). Installed with apt-get when
# absent; when that is not possible here (no root, no Debian), the other steps still work and the browser
# tests fail with one line saying what to install.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  step "installing Debian's chromium and chromium-driver for the browser tests (apt-get)"
  apt=(apt-get); [ "$(id -u)" -eq 0 ] || apt=(sudo -n apt-get)
  if ! { "${apt[@]}" update -q && "${apt[@]}" install -y -q chromium chromium-driver; } >/tmp/corridor-apt-$$.log 2>&1; then
    echo "bootstrap: warning: could not install chromium/chromium-driver (see /tmp/corridor-apt-$$.log); tests/web will fail until 'apt-get install chromium chromium-driver' is run" >&2
  fi
fi
