"""Run Slither over the project's contracts, offline, through the solcjs wrapper.

Used by tools/lint.sh (`make lint`); run with the project virtualenv's Python (it reads
brownie-config.yaml), Slither itself runs from its own virtualenv (.venv-lint).

How: every source under contracts/ (except contracts/testing/) and interfaces/ goes into ONE solc standard-JSON
input with the remappings, evm_version and optimizer settings of brownie-config.yaml, and Slither
compiles it through crytic-compile's standard-JSON platform (`--compile-force-framework solc-json`)
with tools/solc/solc.js as the compiler. One compilation unit, the same settings brownie uses, and no
native solc needed.

Findings are kept when at least one of their source locations is a project contract
(`--include-paths`; `--filter-paths node_modules` would also drop project findings that merely
mention an OpenZeppelin function). Exit status: 0 no high/medium finding, 1 high/medium findings,
2 Slither missing or the contracts do not compile.

    python tools/slither_lint.py [--root DIR] [--all] [-- extra slither args]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TOOLS = Path(__file__).resolve().parent
SOLC = TOOLS / "solc" / "solc.js"
SOURCE_DIRS = ("contracts", "interfaces")
EXCLUDED_DIRS = ("contracts/testing",)
GATING_IMPACTS = ("High", "Medium")

# Detectors switched off project-wide. Only documented false positives, each with its reason.
SUPPRESSED: dict[str, str] = {}


@dataclass(frozen=True)
class CompilerSettings:
    remappings: list[str]
    evm_version: str | None
    optimizer: dict[str, Any]


def compiler_settings(root: Path) -> CompilerSettings:
    """The compiler settings brownie uses, from brownie-config.yaml."""
    config = yaml.safe_load((root / "brownie-config.yaml").read_text()) or {}
    compiler = config.get("compiler") or {}
    solc = compiler.get("solc") or {}
    optimizer = solc.get("optimizer") or {"enabled": False}
    return CompilerSettings(
        remappings=list(solc.get("remappings") or []),
        evm_version=compiler.get("evm_version"),
        optimizer={"enabled": bool(optimizer.get("enabled")), "runs": int(optimizer.get("runs", 200))},
    )


def project_sources(root: Path) -> list[str]:
    """Project sources (contracts/ and interfaces/, not test-only contracts) as root-relative POSIX paths,
    i.e. their solc source unit names, sorted."""
    found = []
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*.sol")):
            rel = path.relative_to(root).as_posix()
            if not any(rel.startswith(d + "/") for d in EXCLUDED_DIRS):
                found.append(rel)
    return found


def standard_json_input(sources: list[str], settings: CompilerSettings) -> dict[str, Any]:
    """A solc standard-JSON input for `sources` with the outputs crytic-compile parses."""
    solc_settings: dict[str, Any] = {
        "remappings": settings.remappings,
        "optimizer": settings.optimizer,
        "outputSelection": {
            "*": {
                "*": ["abi", "devdoc", "userdoc", "evm.bytecode", "evm.deployedBytecode"],
                "": ["ast"],
            }
        },
    }
    if settings.evm_version:
        solc_settings["evmVersion"] = settings.evm_version
    return {
        "language": "Solidity",
        "sources": {name: {"urls": [name]} for name in sources},
        "settings": solc_settings,
    }


def include_pattern(root: Path) -> str:
    """`--include-paths` regex: project sources, not test-only ones (Slither splits on commas)."""
    base = Path(os.path.realpath(root)).as_posix()
    excluded = "|".join(d.removeprefix("contracts/") + "/" for d in EXCLUDED_DIRS)
    return f"^{base}/(contracts/(?!{excluded})|interfaces/)"


def slither_command(slither: Path, input_file: Path, json_out: Path, root: Path, show_all: bool) -> list[str]:
    cmd = [
        str(slither),
        str(input_file),
        "--compile-force-framework",
        "solc-json",
        "--solc",
        str(SOLC),
        "--include-paths",
        include_pattern(root),
        "--json",
        str(json_out),
        "--fail-none",
        "--disable-color",
    ]
    if not show_all:
        cmd += ["--exclude-informational", "--exclude-low", "--exclude-optimization"]
    if SUPPRESSED:
        cmd += ["--exclude", ",".join(sorted(SUPPRESSED))]
    return cmd


def error_summary(error: str) -> str:
    """One line for a Slither/crytic-compile error: solc's first error with its location when it is one."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    wrapper = [line for line in lines if line.startswith("solc wrapper: ")]
    if wrapper:
        return wrapper[0]
    for i, line in enumerate(lines):
        match = re.search(r"(\w*Error): (?:\1: )?(.*)", line)
        if match and not line.startswith("Invalid compilation"):
            where = next(
                (rest[4:].rstrip(":") for rest in lines[i + 1 : i + 3] if rest.startswith("--> ")), None
            )
            message = f"{match.group(1)}: {match.group(2)}"
            return f"{where}: {message}" if where else message
    return lines[0] if lines else "unknown error"


def format_finding(finding: dict[str, Any]) -> str:
    return (
        f"[{finding['impact']}/{finding['confidence']}] {finding['check']}: {finding['description'].rstrip()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=TOOLS.parent, help="project root (default: this repo)")
    parser.add_argument("--slither", type=Path, default=TOOLS.parent / ".venv-lint" / "bin" / "slither")
    parser.add_argument("--all", action="store_true", help="also print low/informational/optimization")
    parser.add_argument("extra", nargs="*", help="extra Slither arguments (after --)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()

    if not args.slither.is_file():
        print(f"lint: slither is not installed ({args.slither} missing); run `make lint`", file=sys.stderr)
        return 2
    sources = project_sources(root)
    if not sources:
        print(
            "slither: no project sources (contracts/ outside contracts/testing/, interfaces/), nothing to analyse"
        )
        return 0

    with tempfile.TemporaryDirectory(prefix="slither-lint-") as tmp:
        input_file = Path(tmp) / "input.json"
        json_out = Path(tmp) / "slither.json"
        input_file.write_text(json.dumps(standard_json_input(sources, compiler_settings(root))))
        cmd = slither_command(args.slither, input_file, json_out, root, args.all) + args.extra
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
        report = json.loads(json_out.read_text()) if json_out.is_file() else None

    if not report or not report.get("success"):
        error = (report or {}).get("error") or proc.stderr
        print(f"lint: slither could not analyse the contracts: {error_summary(error or '')}", file=sys.stderr)
        if error:
            print(error.rstrip(), file=sys.stderr)
        return 2

    findings = (report.get("results") or {}).get("detectors") or []
    for finding in findings:
        print(format_finding(finding))
        print()
    gating = [f for f in findings if f["impact"] in GATING_IMPACTS]
    counts = ", ".join(f"{sum(f['impact'] == i for f in gating)} {i.lower()}" for i in GATING_IMPACTS)
    others = len(findings) - len(gating)
    extra = f" (and {others} low/informational/optimization)" if others else ""
    print(f"slither: {len(sources)} source files, {counts} finding(s){extra}")
    return 1 if gating else 0


if __name__ == "__main__":
    sys.exit(main())
