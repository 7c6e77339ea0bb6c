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
- `summarise()` / `main()` read brownie's `reports/coverage.json` (its per-location highlights) with the
  build artifacts and print, per deployable contract, statements and branches hit over total in the
  project's own files (inherited OpenZeppelin code is covered by OpenZeppelin's suite and left out;
  source shared between deployable contracts is counted by location, see `collect`), and exit non-zero
  when one is below the floor.

    python -m corridor.dev.coverage reports/coverage.json --min 95 [--missed]

`--missed` adds `missed()`: every statement never run and branch not taken both ways, as file:line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.artifacts import ROOT
from corridor.ui import table

# The contracts a deployment puts on chain (scripts/deploy.py, corridor/suite.py).
DEPLOYABLE = (
    "JPYStablecoin",
    "IssuerRegistry",
    "BakongBridge",
    "BakongBridgeAdmin",
    "BridgeToken",
    "FXFeed",
    "FXPool",
    "FXRouter",
    "RfqVenue",
    "CorridorProxy",
    "InvoiceSettlement",
    "KhqrPayer",
)


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

Location = tuple[str, int, int]  # source path, start and stop offsets
# Where a branch went: its condition held, or failed (see _directions).
HELD, FAILED = "held", "failed"


@dataclass(frozen=True)
class Coverage:
    contract: str
    statements_hit: int
    statements: int
    branches_hit: int  # each branch counts twice: taken each way
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


@dataclass
class _Marks:
    """One contract's own statements and branches, with what the run did at each."""

    statements: dict[Location, bool]
    branches: dict[Location, set[str]]


def _is_own(rel: str, root: Path) -> bool:
    if not rel.startswith("contracts/"):
        return False
    return "testing" not in (root / rel).relative_to(root / "contracts").parts


def _directions(color: str) -> set[str]:
    """The ways a branch went, from brownie's highlight colour (brownie.test.output._branch_color): green both
    ways, red neither, yellow only held, orange only failed. brownie already folds the build's jump flag into
    the colour (yellow is "jumped" where jumping means true, "fell through" where not), so a colour names the
    same direction in every contract that compiles the branch."""
    return {"green": {HELD, FAILED}, "yellow": {HELD}, "orange": {FAILED}}.get(color, set())


def _marks(report: dict[str, Any], build: Path, name: str, root: Path) -> _Marks | None:
    """`name`'s statements and branches in the project's own files, or None when brownie never traced it."""
    highlights = report.get("highlights", {})
    statements = highlights.get("statements", {}).get(name)
    branches = highlights.get("branches", {}).get(name)
    if statements is None or branches is None:
        return None
    paths: dict[str, str] = json.loads((build / f"{name}.json").read_text())["allSourcePaths"]
    marks = _Marks({}, {})
    for path_id, entries in statements.items():
        rel = paths.get(path_id, "")
        if _is_own(rel, root):
            for start, stop, color, _ in entries:
                loc = (rel, start, stop)
                marks.statements[loc] = marks.statements.get(loc, False) or color == "green"
    for path_id, entries in branches.items():
        rel = paths.get(path_id, "")
        if _is_own(rel, root):
            for start, stop, color, _ in entries:
                loc = (rel, start, stop)
                marks.branches.setdefault(loc, set()).update(_directions(color))
    return marks


def collect(
    report: dict[str, Any], build: Path, contracts: Iterable[str] = DEPLOYABLE, root: Path = ROOT
) -> dict[str, _Marks | None]:
    """Per contract, its own statements and branches with what any of `contracts` did at each location.

    Source shared by several deployable contracts (CompliantToken in JPYStablecoin and BridgeToken,
    PackedStorage, StableSwapMath) is counted by source location, as forge coverage and solidity-coverage
    count by file: a statement run, or a branch taken one way, in one of them counts for each of them.
    Their own files (BridgeToken.sol, JPYStablecoin.sol) are counted for themselves only."""
    found = {name: _marks(report, build, name, root) for name in contracts}
    run: set[Location] = set()
    went: dict[Location, set[str]] = {}
    for marks in found.values():
        if marks is not None:
            run.update(loc for loc, hit in marks.statements.items() if hit)
            for loc, ways in marks.branches.items():
                went.setdefault(loc, set()).update(ways)
    for marks in found.values():
        if marks is not None:
            marks.statements = {loc: loc in run for loc in marks.statements}
            marks.branches = {loc: set(went[loc]) for loc in marks.branches}
    return found


def summarise(found: dict[str, _Marks | None]) -> list[Coverage]:
    """Per contract of `collect`'s result, statements and branches of the project's own code (inherited
    OpenZeppelin code is covered by OpenZeppelin's suite and left out).
    A branch counts twice (taken each way), as brownie's own percentage does. A contract brownie never
    traced counts as 0% (its total unknown, shown 0/0)."""
    rows = []
    for name, marks in found.items():
        if marks is None:
            rows.append(Coverage(name, 0, 0, 0, 0, traced=False))
            continue
        rows.append(
            Coverage(
                name,
                sum(marks.statements.values()),
                len(marks.statements),
                sum(len(ways) for ways in marks.branches.values()),
                2 * len(marks.branches),
            )
        )
    return rows


@dataclass(frozen=True)
class Miss:
    contract: str
    path: str
    line: int
    kind: str  # "statement" or "branch"
    how: str  # "never run", "never reached", "never held", "never failed"
    source: str


def missed(found: dict[str, _Marks | None], root: Path = ROOT) -> list[Miss]:
    """What the gate's numbers leave out of `collect`'s result, as source locations under `root`: statements
    never run and branches not taken both ways. Sorted by contract, file and line."""
    misses: list[Miss] = []
    texts: dict[str, bytes] = {}

    def miss(name: str, loc: Location, kind: str, how: str) -> None:
        rel, start, stop = loc
        text = texts.setdefault(rel, (root / rel).read_bytes())
        snippet = " ".join(text[start:stop].decode(errors="replace").split())
        snippet = snippet if len(snippet) <= 72 else snippet[:69] + "..."
        misses.append(Miss(name, rel, text.count(b"\n", 0, start) + 1, kind, how, snippet))

    for name, marks in found.items():
        if marks is None:
            continue
        for loc, hit in marks.statements.items():
            if not hit:
                miss(name, loc, "statement", "never run")
        for loc, ways in marks.branches.items():
            if not ways:
                miss(name, loc, "branch", "never reached")
            elif ways != {HELD, FAILED}:
                miss(name, loc, "branch", "never failed" if HELD in ways else "never held")
    return sorted(misses, key=lambda m: (m.contract, m.path, m.line, m.kind, m.source))


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
    parser.add_argument(
        "--missed",
        action="store_true",
        help="also list every statement not run and branch not taken both ways (file:line), per contract",
    )
    parser.add_argument(
        "--build", type=Path, default=ROOT / "build" / "contracts", help="brownie's build/contracts"
    )
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
        found = collect(report, args.build, DEPLOYABLE, ROOT)
    except (OSError, ValueError, KeyError) as exc:
        print(f"coverage: cannot read {args.report} with {args.build}: {exc!r}", file=sys.stderr)
        return 2
    rows = summarise(found)
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
    if args.missed:
        for m in missed(found, ROOT):
            print(f"{m.contract:14} {m.path}:{m.line}: {m.kind} {m.how}: {m.source}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2) + "\n")
    if below:
        print(f"coverage: below {args.min:g}%: " + ", ".join(r.contract for r in below), file=sys.stderr)
        return 1
    print(f"coverage: every deployable contract at or above {args.min:g}% of statements and branches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
