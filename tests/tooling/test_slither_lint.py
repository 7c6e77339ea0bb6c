"""tools/slither_lint.py: Slither over the project contracts through the wrapper (`make lint`)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLITHER = ROOT / ".venv-lint" / "bin" / "slither"
needs_slither = pytest.mark.skipif(not SLITHER.is_file(), reason=".venv-lint/bin/slither is not installed")

_spec = importlib.util.spec_from_file_location("slither_lint", ROOT / "tools" / "slither_lint.py")
slither_lint = importlib.util.module_from_spec(_spec)
sys.modules["slither_lint"] = slither_lint  # dataclasses look their module up
_spec.loader.exec_module(slither_lint)

HEADER = '// SPDX-License-Identifier: MIT\npragma solidity 0.8.30;\n\nimport {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";\n'
UNCHECKED_TRANSFER = (
    HEADER
    + """
contract Payer {
    IERC20 public immutable token;

    constructor(IERC20 token_) {
        token = token_;
    }

    function pay(address to, uint256 amount) external {
        token.transfer(to, amount);
    }
}
"""
)
CLEAN = (
    HEADER
    + """
contract Reader {
    function balance(IERC20 token, address who) external view returns (uint256) {
        return token.balanceOf(who);
    }
}
"""
)


def add(project: Path, rel: str, text: str) -> None:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def run_lint(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "slither_lint.py"), "--root", str(project)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_project_sources_skip_test_only_contracts(project):
    add(project, "contracts/stablecoin/Token.sol", CLEAN)
    add(project, "contracts/bridge/interfaces/IBridge.sol", CLEAN)
    add(project, "contracts/testing/Mock.sol", CLEAN)
    add(project, "interfaces/IToken.sol", CLEAN)
    assert slither_lint.project_sources(project) == [
        "contracts/bridge/interfaces/IBridge.sol",
        "contracts/stablecoin/Token.sol",
        "interfaces/IToken.sol",
    ]


def test_standard_json_input_uses_the_brownie_compiler_settings(project):
    settings = slither_lint.compiler_settings(project)
    data = slither_lint.standard_json_input(["contracts/A.sol"], settings)
    assert data["sources"] == {"contracts/A.sol": {"urls": ["contracts/A.sol"]}}
    assert data["settings"]["evmVersion"] == "cancun"
    assert data["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert "@openzeppelin/contracts=node_modules/@openzeppelin/contracts" in data["settings"]["remappings"]
    # crytic-compile reads both bytecodes with their source maps, and every AST
    assert {"evm.bytecode", "evm.deployedBytecode", "abi"} <= set(
        data["settings"]["outputSelection"]["*"]["*"]
    )
    assert data["settings"]["outputSelection"]["*"][""] == ["ast"]


def test_include_pattern_keeps_project_contracts_only(project):
    pattern = re.compile(slither_lint.include_pattern(project))
    assert "," not in pattern.pattern and ".." not in pattern.pattern  # Slither splits on both
    base = project.resolve().as_posix()
    assert pattern.search(f"{base}/contracts/bridge/Bridge.sol")
    assert pattern.search(f"{base}/interfaces/IBridge.sol")
    assert not pattern.search(f"{base}/contracts/testing/Mock.sol")
    assert not pattern.search(f"{base}/node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol")


def test_error_summary_is_solc_first_error_with_location():
    error = (
        "Invalid compilation: \nDeclarationError: DeclarationError: Undeclared identifier.\n"
        "  --> contracts/bad/Bad.sol:31:33:\n   |\n31 |   x\n"
    )
    assert (
        slither_lint.error_summary(error)
        == "contracts/bad/Bad.sol:31:33: DeclarationError: Undeclared identifier."
    )


def test_error_summary_prefers_the_wrapper_message():
    error = "Invalid compilation: \nSolidity version not found:\nSTDERR:\nsolc wrapper: cannot load the npm package\n"
    assert slither_lint.error_summary(error) == "solc wrapper: cannot load the npm package"


@needs_slither
def test_no_project_contracts_passes(project):
    add(project, "contracts/testing/Mock.sol", UNCHECKED_TRANSFER)
    result = run_lint(project)
    assert result.returncode == 0
    assert "nothing to analyse" in result.stdout


def test_missing_slither_is_one_clear_error(project):
    add(project, "contracts/A.sol", CLEAN)
    assert slither_lint.main(["--root", str(project), "--slither", str(project / "nope")]) == 2


@needs_slither
def test_clean_contract_passes(project):
    add(project, "contracts/shared/Reader.sol", CLEAN)
    result = run_lint(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("slither: 1 source files, 0 high, 0 medium finding(s)")


@needs_slither
def test_high_finding_fails_and_is_printed(project):
    add(project, "contracts/exchange/Payer.sol", UNCHECKED_TRANSFER)
    add(project, "contracts/testing/Payer2.sol", UNCHECKED_TRANSFER.replace("Payer", "Payer2"))
    result = run_lint(project)
    assert result.returncode == 1
    assert (
        "[High/Medium] unchecked-transfer: Payer.pay(address,uint256) (contracts/exchange/Payer.sol#"
        in result.stdout
    )
    assert "Payer2" not in result.stdout  # test-only contracts are not analysed
    assert "1 high, 0 medium finding(s)" in result.stdout


@needs_slither
def test_compile_error_is_one_clear_line(project):
    add(project, "contracts/Broken.sol", "pragma solidity 0.8.30;\ncontract B { uint x = y; }\n")
    result = run_lint(project)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "lint: slither could not analyse the contracts: contracts/Broken.sol:2:23: "
        "DeclarationError: Undeclared identifier."
    )
    assert "Traceback" not in result.stderr


@needs_slither
def test_slither_single_file_mode_compiles_through_the_wrapper(project):
    """`slither file.sol --solc tools/solc/solc.js` (crytic-compile's solc platform, --combined-json)."""
    add(project, "contracts/exchange/Payer.sol", UNCHECKED_TRANSFER)
    out = project / "out.json"
    subprocess.run(
        [
            str(SLITHER),
            "contracts/exchange/Payer.sol",
            "--solc",
            str(ROOT / "tools" / "solc" / "solc.js"),
            "--solc-remaps",
            "@openzeppelin/contracts=node_modules/@openzeppelin/contracts",
            "--solc-args",
            "--evm-version cancun --optimize",
            "--detect",
            "unchecked-transfer",
            "--json",
            str(out),
        ],
        cwd=project,
        capture_output=True,
        check=False,
        timeout=300,
    )
    report = json.loads(out.read_text())
    assert report["success"], report["error"]
    assert [f["check"] for f in report["results"]["detectors"]] == ["unchecked-transfer"]
