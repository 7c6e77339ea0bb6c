"""Coverage of the deployable contracts with `brownie test --coverage`, and the gate on it.

Two parts:

- `install_immutable_support()` lets brownie trace contracts that have `immutable` variables (its issue
  #1087). Brownie compares a deployed contract's code with the compiled `deployedBytecode`; Solidity
  leaves every immutable as a `PUSH32 0x00…00` placeholder there and the constructor writes the value
  into the deployed code, so the comparison fails and brownie deletes the contract's pcMap: no trace,
  no coverage (and no dev revert strings). Every OpenZeppelin UUPS implementation (`__self`), every
  `EIP712` user and FXPool/FXRouter were dropped that way. `code_matches` is brownie's comparison with
  one change: where the compiled code holds such a placeholder, any 32 bytes are accepted; every other
  byte must still be equal.
- `summarise()` / `main()` read brownie's `reports/coverage.json` and print, per deployable contract,
  statements and branches hit over total in the project's own code (inherited OpenZeppelin code is
  covered by OpenZeppelin's suite and left out), and exit non-zero when one is below the floor.

    python -m corridor.coverage reports/coverage.json --min 95
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.ui import table

# The contracts a deployment puts on chain (scripts/deploy.py, corridor/suite.py).
DEPLOYABLE = (
    "JPYStablecoin",
    "IssuerRegistry",
    "BakongBridge",
    "BridgeToken",
    "FXFeed",
    "FXPool",
    "FXRouter",
    "RfqVenue",
    "CorridorProxy",
)
ROOT = Path(__file__).resolve().parent.parent


def own_names(root: Path = ROOT) -> frozenset[str]:
    """Names of the contracts and libraries in contracts/ outside contracts/testing/ (one per file)."""
    base = root / "contracts"
    return frozenset(p.stem for p in base.rglob("*.sol") if "testing" not in p.relative_to(base).parts)


_PUSH1, _PUSH32 = 0x60, 0x7F
_PLACEHOLDER = bytes(32)


def _strip_metadata(code: bytes) -> bytes:
    """Code without Solidity's CBOR metadata (its length is the last two bytes), as brownie compares it."""
    if len(code) < 2:
        return code
    return code[: -(int.from_bytes(code[-2:], "big") + 2)]


def code_matches(actual: bytes, expected: bytes) -> bool:
    """True when deployed code `actual` is compiled code `expected` with its immutables filled in.

    Both are compared without metadata. Walking `expected` opcode by opcode, a `PUSH32` whose data is
    32 zero bytes (Solidity's immutable placeholder) matches any 32 bytes in `actual`; everything else,
    the opcodes and all other push data included, must be identical, and so must the lengths.
    """
    actual, expected = _strip_metadata(actual), _strip_metadata(expected)
    if len(actual) != len(expected):
        return False
    i = 0
    while i < len(expected):
        op = expected[i]
        if actual[i] != op:
            return False
        size = op - _PUSH1 + 1 if _PUSH1 <= op <= _PUSH32 else 0
        data = expected[i + 1 : i + 1 + size]
        if not (op == _PUSH32 and data == _PLACEHOLDER) and actual[i + 1 : i + 1 + size] != data:
            return False
        i += 1 + size
    return True


def _verify_deployed_code(original: Callable[..., bool]) -> Callable[..., bool]:
    def verify(address: str, expected_bytecode: str, language: str) -> bool:
        if original(address, expected_bytecode, language):
            return True
        if language != "Solidity" or "_" in expected_bytecode:  # libraries to link: brownie's rules only
            return False
        from brownie import web3

        return code_matches(
            bytes(web3.eth.get_code(address)), bytes.fromhex(expected_bytecode.removeprefix("0x"))
        )

    verify.__wrapped__ = original  # type: ignore[attr-defined]
    return verify


def install_coverage_support() -> None:
    """Everything `brownie test --coverage` needs here: {install_immutable_support}, and a report limited to
    contracts with sources in the project (brownie's report raises KeyError on a traced contract compiled from
    a dependency, e.g. OpenZeppelin's ERC1967Proxy used by the proxy tests)."""
    install_immutable_support()
    from brownie.project import get_loaded_projects
    from brownie.test import coverage

    merged = coverage.get_merged_coverage_eval
    if hasattr(merged, "__wrapped__"):
        return

    def project_only(cov_eval: Any = None) -> Any:
        result = merged(cov_eval)
        projects = get_loaded_projects()
        if not projects:
            return result
        known = set(projects[0]._sources.get_contract_list())
        return {name: value for name, value in result.items() if name in known}

    project_only.__wrapped__ = merged  # type: ignore[attr-defined]
    coverage.get_merged_coverage_eval = project_only


def install_immutable_support() -> None:
    """Makes brownie keep the pcMap (trace, coverage, dev revert strings) of contracts with immutables.

    Idempotent; call it before contracts are deployed or attached (tests/conftest.py does)."""
    from brownie.network import contract

    if not hasattr(contract._verify_deployed_code, "__wrapped__"):
        contract._verify_deployed_code = _verify_deployed_code(contract._verify_deployed_code)


# ------------------------------------------------------------------------------------- the gate


@dataclass(frozen=True)
class Coverage:
    contract: str
    statements_hit: int
    statements: int
    branches_hit: int  # each branch counts twice: taken true and taken false
    branches: int
    traced: bool = True

    @property
    def statement_pct(self) -> float:
        if not self.traced:
            return 0.0
        return 100.0 * self.statements_hit / self.statements if self.statements else 100.0

    @property
    def branch_pct(self) -> float:
        if not self.traced:
            return 0.0
        return 100.0 * self.branches_hit / self.branches if self.branches else 100.0


def summarise(
    report: dict[str, Any], contracts: Iterable[str] = DEPLOYABLE, own: frozenset[str] | None = None
) -> list[Coverage]:
    """Per contract, statements and branches of the project's own code, from brownie's coverage.json.

    brownie's `coverage` section holds, per contract, `statements` as {"Unit.fn": [hit, total]} and
    `branches` as {"Unit.fn": [taken true, taken false, total]}, where Unit is the contract or library
    the function is written in (inherited OpenZeppelin code included): only units in `own` count. A
    branch counts twice (taken each way), as brownie's own percentage does. A contract brownie never
    traced is absent from the report and counts as 0 of its statements (unknown total: 0/0 shown as 0%)."""
    own = own_names() if own is None else own
    rows = []
    data = report.get("coverage", {})
    for name in contracts:
        entry = data.get(name)
        if entry is None:
            rows.append(Coverage(name, 0, 0, 0, 0, traced=False))
            continue
        s_hit = s_total = b_hit = b_total = 0
        for fn, (hit, total) in entry.get("statements", {}).items():
            if fn.split(".")[0] in own:
                s_hit, s_total = s_hit + hit, s_total + total
        for fn, (true, false, total) in entry.get("branches", {}).items():
            if fn.split(".")[0] in own:
                b_hit, b_total = b_hit + true + false, b_total + 2 * total
        rows.append(Coverage(name, s_hit, s_total, b_hit, b_total))
    return rows


def _pct(value: float, nothing_to_count: bool) -> str:
    """A percentage cell; "n/a" for a traced contract with nothing brownie counts (inline assembly only,
    e.g. CorridorProxy's fallback), which the gate lets pass."""
    return "n/a" if nothing_to_count else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="brownie's reports/coverage.json")
    parser.add_argument(
        "--min", type=float, default=95.0, help="floor for statements and branches, in percent"
    )
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
    except (OSError, ValueError) as exc:
        print(f"coverage: cannot read {args.report}: {exc}", file=sys.stderr)
        return 2
    rows = summarise(report)
    below = [r for r in rows if min(r.statement_pct, r.branch_pct) < args.min]
    print(
        table(
            ["contract", "statements", "%", "branches", "%", f">= {args.min:g}%"],
            [
                [
                    r.contract,
                    f"{r.statements_hit}/{r.statements}",
                    _pct(r.statement_pct, r.traced and not r.statements),
                    f"{r.branches_hit}/{r.branches}",
                    _pct(r.branch_pct, r.traced and not r.branches),
                    "FAIL" if r in below else "ok",
                ]
                for r in rows
            ],
        )
    )
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2) + "\n")
    if below:
        print(f"coverage: below {args.min:g}%: " + ", ".join(r.contract for r in below), file=sys.stderr)
        return 1
    print(f"coverage: every deployable contract at or above {args.min:g}% of statements and branches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
