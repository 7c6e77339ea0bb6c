"""corridor.coverage: brownie keeps tracing contracts with immutables, and the coverage gate's arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

from brownie.network import contract as brownie_contract

from corridor.coverage import DEPLOYABLE, _verify_deployed_code, code_matches, main, own_names, summarise

PUSH32 = bytes([0x7F])
ZERO32 = bytes(32)
# PUSH1 0x80 PUSH1 0x40 MSTORE, a PUSH32 immutable placeholder, POP, then 2 bytes of "metadata" + length 0x0002
PREFIX = bytes.fromhex("6080604052")
METADATA = bytes.fromhex("a1b2") + (2).to_bytes(2, "big")


def code(immutable: bytes, tail: bytes = bytes.fromhex("50"), metadata: bytes = METADATA) -> bytes:
    return PREFIX + PUSH32 + immutable + tail + metadata


def test_a_filled_immutable_placeholder_matches():
    value = bytes.fromhex("00" * 12 + "9fe46736679d2d9a65f0992f2272de9f3c7fa6e0")
    assert code_matches(code(value), code(ZERO32))


def test_identical_code_matches_and_metadata_is_ignored():
    assert code_matches(code(ZERO32), code(ZERO32))
    assert code_matches(code(ZERO32, metadata=bytes.fromhex("ffee0002")), code(ZERO32))


def test_other_push_data_must_be_equal():
    """Only a zero PUSH32 is a placeholder: a PUSH32 constant of the compiled code must match exactly."""
    constant = bytes.fromhex("11" * 32)
    assert not code_matches(code(bytes.fromhex("22" * 32)), code(constant))
    assert not code_matches(bytes.fromhex("6081604052") + PUSH32 + ZERO32 + b"\x50" + METADATA, code(ZERO32))


def test_other_opcodes_and_lengths_must_be_equal():
    assert not code_matches(code(ZERO32, tail=bytes.fromhex("00")), code(ZERO32))
    assert not code_matches(code(ZERO32, tail=bytes.fromhex("5050")), code(ZERO32))


def test_a_contract_with_immutables_is_accepted_where_brownie_refuses_it(JPYStablecoin, admin):
    """The UUPS implementation has OpenZeppelin's `__self` immutable: brownie's own check refuses its code
    (which is why it dropped its pcMap, trace and coverage); the check installed under --coverage accepts it."""
    implementation = JPYStablecoin.deploy({"from": admin})
    original = getattr(
        brownie_contract._verify_deployed_code, "__wrapped__", brownie_contract._verify_deployed_code
    )
    expected = JPYStablecoin._build["deployedBytecode"]
    assert not original(implementation.address, expected, "Solidity")
    assert _verify_deployed_code(original)(implementation.address, expected, "Solidity")


def test_own_names_are_the_project_contracts_not_test_doubles():
    names = own_names()
    assert set(DEPLOYABLE) <= names
    assert {"CompliantToken", "PackedStorage", "StableSwapMath", "MakerSignature"} <= names
    assert "MockERC20" not in names and "AccessControl" not in names


def report(**contracts: dict) -> dict:
    return {"coverage": contracts}


def test_summary_counts_own_code_only_and_branches_both_ways():
    r = report(
        FXFeed={
            "statements": {"FXFeed.submit": [9, 10], "AccessControl._grantRole": [0, 40]},
            "branches": {"FXFeed.submit": [3, 2, 4], "AccessControl._checkRole": [0, 0, 9]},
        }
    )
    (row,) = summarise(r, ["FXFeed"])
    assert (row.statements_hit, row.statements, row.branches_hit, row.branches) == (9, 10, 5, 8)
    assert row.statement_pct == 90.0 and row.branch_pct == 62.5


def test_a_contract_never_traced_is_zero_percent():
    (row,) = summarise(report(), ["RfqVenue"])
    assert not row.traced and row.statement_pct == 0.0 and row.branch_pct == 0.0


def test_gate_exit_codes(tmp_path: Path, capsys):
    full = {"statements": {"FXFeed.submit": [10, 10]}, "branches": {"FXFeed.submit": [4, 4, 4]}}
    good = tmp_path / "good.json"
    good.write_text(json.dumps(report(**{name: full for name in DEPLOYABLE})))
    assert main([str(good), "--min", "95"]) == 0
    half = {"statements": {"FXFeed.submit": [5, 10]}, "branches": {"FXFeed.submit": [4, 4, 4]}}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(report(**{name: full for name in DEPLOYABLE} | {"FXPool": half})))
    assert main([str(bad), "--min", "95"]) == 1
    assert "below 95%: FXPool" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.json")]) == 2
