# The two promises: `make demo` and `make test`. Both bootstrap whatever is missing first.
# CHAIN=anvil (default) or CHAIN=ganache selects the chain profile (network + evm_version + build dir).
SHELL := /bin/bash
ROOT := $(CURDIR)
CHAIN ?= anvil

# A profile is a brownie project folder: the repo root (anvil, cancun) or profiles/ganache (berlin,
# the same sources through symlinks, its own build/).
ifeq ($(CHAIN),anvil)
  NETWORK := development
  PROFILE_DIR := $(ROOT)
else ifeq ($(CHAIN),ganache)
  NETWORK := ganache-berlin
  PROFILE_DIR := $(ROOT)/profiles/ganache
else
  $(error CHAIN must be anvil or ganache, not '$(CHAIN)')
endif

export PATH := $(ROOT)/node_modules/.bin:$(ROOT)/.venv/bin:$(PATH)
export SOLCX_BINARY_PATH := $(ROOT)/.solcx
export CORRIDOR_ROOT := $(ROOT)
BROWNIE := $(ROOT)/.venv/bin/brownie
# `brownie run` through tools/brownie_cli.py: brownie itself cannot import a script of a clone under a folder
# with a dot in its name (~/src/github.com/…); see that file.
BROWNIE_RUN := $(ROOT)/.venv/bin/python $(ROOT)/tools/brownie_cli.py run
PYTEST_ARGS ?=

.PHONY: all bootstrap compile test test-anvil test-ganache coverage demo console pay gas bench lint clean distclean sandbox

all: test

bootstrap:
	@tools/bootstrap.sh

compile: bootstrap
	@cd $(PROFILE_DIR) && $(BROWNIE) compile

## make test: the contract-family tests under coverage with the gate (>= 95% per deployable contract), the
## rest of the suite on Anvil, then the Ganache smoke set (ganache profile). Every test runs once.
test: bootstrap
	@$(MAKE) --no-print-directory coverage
	@$(MAKE) --no-print-directory test-anvil
	@$(MAKE) --no-print-directory test-ganache

test-anvil: bootstrap
	@tools/run-tests.sh anvil $(PYTEST_ARGS)

test-ganache: bootstrap
	@tools/run-tests.sh ganache

## make coverage: the contract-family tests under `brownie test --coverage` on 2 workers and the gate
## (COVERAGE_MIN=95; COVERAGE_MISSED=1 lists every missed statement and branch; COVERAGE_PATHS narrows).
coverage: bootstrap
	@tools/run-tests.sh coverage $(PYTEST_ARGS)

demo: bootstrap
	@cd $(PROFILE_DIR) && $(BROWNIE_RUN) scripts/demo.py --network $(NETWORK)

console: bootstrap
	@cd $(PROFILE_DIR) && $(BROWNIE_RUN) scripts/console.py --network $(NETWORK) --interactive

## make pay ARGS="customer merchant 50000 INV-2026-0100 venue=rfq": one invoice against the deployed suite
pay: bootstrap
	@cd $(PROFILE_DIR) && $(BROWNIE_RUN) scripts/pay.py main $(ARGS) --network $(NETWORK)

## make sandbox: Anvil + the deployed suite + every service of config/services.yaml, their URLs printed;
## Ctrl-C stops them all, the next run resumes (state in .sandbox/; rm -rf .sandbox starts afresh).
SANDBOX_ARGS ?=
sandbox: bootstrap
	@$(ROOT)/.venv/bin/corridor sandbox $(SANDBOX_ARGS)

gas: bootstrap
	@$(BROWNIE_RUN) scripts/gas.py --network development

## make bench: off-chain figures (demo, compile, test-suite time; driver throughput), medians.
BENCH_ARGS ?= --runs 3 --test-runs 1
bench: bootstrap
	@$(ROOT)/.venv/bin/python tools/bench_offchain.py $(BENCH_ARGS)

lint: bootstrap
	@tools/lint.sh

clean:
	rm -rf build profiles/ganache/build reports/*.md reports/*.png reports/*.json .pytest_cache .hypothesis
	find . -name __pycache__ -type d -not -path './node_modules/*' -not -path './.venv*' -prune -exec rm -rf {} +

## distclean also removes the installed toolchain (.venv, .venv-lint, node_modules, .solcx).
distclean: clean
	rm -rf .venv .venv-lint node_modules .solcx
