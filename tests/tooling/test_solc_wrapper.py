"""tools/solc/solc.js: the solc command line that py-solc-x, brownie and crytic-compile (Slither) call."""

from __future__ import annotations

import json
import re
from pathlib import Path

import solcx

OZ_REMAPPING = "@openzeppelin/contracts=node_modules/@openzeppelin/contracts"
# The exact request crytic-compile's `solc` platform makes for solc >= 0.8.10 (platform/solc.py).
CRYTIC_COMBINED_JSON = "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes"

TOKEN = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A token for the wrapper tests
contract WrapperToken is ERC20 {
    /// @notice Mints the whole supply to the deployer
    constructor() ERC20("Wrapper", "WRP") {
        _mint(msg.sender, 1e18);
    }
}
"""


def standard_input(sources: dict[str, str]) -> dict:
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {
            "remappings": [OZ_REMAPPING],
            "evmVersion": "cancun",
            "optimizer": {"enabled": True, "runs": 200},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"], "": ["ast"]}},
        },
    }


def write_token(project: Path) -> Path:
    path = project / "contracts" / "WrapperToken.sol"
    path.write_text(TOKEN)
    return path


def test_version_prints_the_native_solc_banner(run_solc):
    result = run_solc("--version")
    assert result.returncode == 0
    assert re.fullmatch(
        r"solc, the solidity compiler commandline interface\nVersion: 0\.8\.30\+commit\.[0-9a-f]{8}\.\S+\n",
        result.stdout,
    )


def test_standard_json_compiles_an_openzeppelin_import_through_a_remapping(run_solc):
    result = run_solc("--standard-json", stdin=json.dumps(standard_input({"WrapperToken.sol": TOKEN})))
    output = json.loads(result.stdout)
    assert result.returncode == 0
    assert [e for e in output.get("errors", []) if e["severity"] == "error"] == []
    token = output["contracts"]["WrapperToken.sol"]["WrapperToken"]
    assert {"name", "symbol", "transfer"} <= {item.get("name") for item in token["abi"]}
    assert len(token["evm"]["bytecode"]["object"]) > 1000
    assert "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol" in output["sources"]


def test_standard_json_reports_a_missing_import_as_a_solc_error(run_solc):
    source = 'pragma solidity 0.8.30;\nimport "@openzeppelin/contracts/Nope.sol";\ncontract C {}\n'
    output = json.loads(
        run_solc("--standard-json", stdin=json.dumps(standard_input({"C.sol": source}))).stdout
    )
    errors = [e for e in output["errors"] if e["severity"] == "error"]
    assert len(errors) == 1
    assert "node_modules/@openzeppelin/contracts/Nope.sol" in errors[0]["message"]


def test_py_solc_x_compile_standard_runs_through_the_wrapper(wrapper):
    """The call brownie makes (py-solc-x adds --allow-paths)."""
    root = wrapper.parents[2]
    output = solcx.compile_standard(
        standard_input({"WrapperToken.sol": TOKEN}), solc_binary=wrapper, allow_paths=str(root)
    )
    assert output["contracts"]["WrapperToken.sol"]["WrapperToken"]["evm"]["bytecode"]["object"]


def test_combined_json_has_the_shape_crytic_compile_parses(run_solc, project):
    write_token(project)
    result = run_solc(
        OZ_REMAPPING,
        "contracts/WrapperToken.sol",
        "--combined-json",
        CRYTIC_COMBINED_JSON,
        "--allow-paths",
        f".,{project / 'contracts'}",
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["version"].startswith("0.8.30+commit.")
    token = output["contracts"]["contracts/WrapperToken.sol:WrapperToken"]
    assert sorted(token) == sorted(CRYTIC_COMBINED_JSON.replace("ast,", "").split(","))
    # solc >= 0.8: abi/userdoc/devdoc/hashes are JSON values, not strings; bytecode is hex without 0x.
    assert isinstance(token["abi"], list) and token["abi"]
    assert token["hashes"]["transfer(address,uint256)"] == "a9059cbb"
    assert token["devdoc"]["title"] == "A token for the wrapper tests"
    assert token["userdoc"]["methods"]["constructor"]["notice"] == "Mints the whole supply to the deployer"
    assert re.fullmatch(r"[0-9a-f]+", token["bin"]) and re.fullmatch(r"[0-9a-f]+", token["bin-runtime"])
    assert token["srcmap"].count(";") > 10 and token["srcmap-runtime"].count(";") > 10
    # every source (imports included) with its AST, listed in source-index order
    erc20 = "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol"
    assert output["sourceList"][0] == "contracts/WrapperToken.sol" and erc20 in output["sourceList"]
    assert set(output["sources"]) == set(output["sourceList"])
    assert output["sources"][erc20]["AST"]["nodeType"] == "SourceUnit"
    assert f"{erc20}:ERC20" in output["contracts"]


def test_combined_json_names_an_absolute_file_relative_to_the_working_directory(run_solc, project):
    token = write_token(project)
    result = run_solc(OZ_REMAPPING, str(token), "--combined-json", "abi", cwd=project)
    assert "contracts/WrapperToken.sol:WrapperToken" in json.loads(result.stdout)["contracts"]


def test_combined_json_applies_evm_version_and_optimizer(run_solc, project):
    write_token(project)
    args = (OZ_REMAPPING, "contracts/WrapperToken.sol", "--combined-json", "metadata")
    plain = json.loads(run_solc(*args, cwd=project).stdout)
    tuned = json.loads(
        run_solc(*args, "--evm-version", "berlin", "--optimize", "--optimize-runs", "999", cwd=project).stdout
    )
    name = "contracts/WrapperToken.sol:WrapperToken"
    assert json.loads(plain["contracts"][name]["metadata"])["settings"]["optimizer"]["enabled"] is False
    settings = json.loads(tuned["contracts"][name]["metadata"])["settings"]
    assert settings["evmVersion"] == "berlin"
    assert settings["optimizer"] == {"enabled": True, "runs": 999}


def test_combined_json_compile_error_prints_solc_message_and_fails(run_solc, project):
    (project / "contracts" / "Broken.sol").write_text("pragma solidity 0.8.30;\ncontract B { uint x = y; }\n")
    result = run_solc("contracts/Broken.sol", "--combined-json", "abi", cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "DeclarationError: Undeclared identifier." in result.stderr
    assert "contracts/Broken.sol:2:23" in result.stderr


def test_combined_json_missing_file_fails(run_solc, project):
    result = run_solc("contracts/Nope.sol", "--combined-json", "abi", cwd=project)
    assert result.returncode == 1
    assert result.stderr == 'solc wrapper: "contracts/Nope.sol" is not found\n'


def test_unknown_option_fails_with_usage(run_solc):
    result = run_solc("--frobnicate")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("solc wrapper: unsupported option --frobnicate\nusage: solc --version")


def test_unknown_combined_json_key_fails(run_solc):
    result = run_solc("a.sol", "--combined-json", "abi,compact-format")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "solc wrapper: unsupported --combined-json key(s) compact-format (supported: abi,"
    )


def test_files_without_an_output_mode_fail(run_solc):
    result = run_solc("a.sol")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "solc wrapper: nothing to do: give --version, --standard-json or --combined-json"
    )


def test_option_missing_its_value_fails(run_solc):
    result = run_solc("a.sol", "--combined-json")
    assert result.returncode == 1
    assert result.stderr == "solc wrapper: option --combined-json needs a value\n"
