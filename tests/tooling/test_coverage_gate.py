"""corridor.dev.coverage: brownie keeps tracing contracts with immutables, and the coverage gate's arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

from brownie.network import contract as brownie_contract

from corridor.dev.coverage import (
    _verify_deployed_code,
    code_matches,
    collect,
    main,
    missed,
    summarise,
)

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


SOURCE = "line one\nif (x) {\n  y = 1;\n}\n"
SHARED = "function f() {\n  if (z) g();\n}\n"


def at(text: str, fragment: str) -> list[int]:
    start = text.index(fragment)
    return [start, start + len(fragment)]


def project(tmp_path: Path) -> tuple[Path, Path]:
    """A project with an own file A.sol, a shared own file S.sol, a test double and an OpenZeppelin file;
    contracts A and B both compile S.sol."""
    root = tmp_path
    (root / "contracts" / "testing").mkdir(parents=True)
    (root / "contracts" / "A.sol").write_text(SOURCE)
    (root / "contracts" / "S.sol").write_text(SHARED)
    (root / "contracts" / "testing" / "Mock.sol").write_text("z\n")
    build = root / "build"
    build.mkdir()
    paths = {
        "0": "contracts/A.sol",
        "1": "contracts/testing/Mock.sol",
        "2": "node_modules/oz/X.sol",
        "3": "contracts/S.sol",
    }
    for name in ("A", "B"):
        (build / f"{name}.json").write_text(json.dumps({"allSourcePaths": paths}))
    return root, build


def highlights(statements: dict, branches: dict) -> dict:
    return {"highlights": {"statements": statements, "branches": branches}}


def report_ab(a_shared: str, b_shared: str) -> dict:
    """A: own statement `y = 1` never run, own branch `x` only one way; S.sol's `g()` run by B only and its
    branch `z` taken one way in each contract (brownie's colours: yellow held, orange failed, whatever the
    contract's jump layout)."""
    return highlights(
        {
            "A": {
                "0": [[*at(SOURCE, "line one"), "green", ""], [*at(SOURCE, "y = 1"), "red", ""]],
                "1": [[0, 1, "red", ""]],
                "2": [[0, 1, "red", ""]],
                "3": [[*at(SHARED, "g()"), "red", ""]],
            },
            "B": {"3": [[*at(SHARED, "g()"), "green", ""]]},
        },
        {
            "A": {"0": [[*at(SOURCE, "x"), "yellow", ""]], "3": [[*at(SHARED, "z"), a_shared, ""]]},
            "B": {"3": [[*at(SHARED, "z"), b_shared, ""]]},
        },
    )


def test_own_files_only_and_shared_source_counted_by_location(tmp_path: Path):
    root, build = project(tmp_path)
    # yellow in A and in B: held in both, so one way only
    rows = summarise(collect(report_ab("yellow", "yellow"), build, ["A", "B"], root=root))
    a, b = rows
    assert (a.statements_hit, a.statements, a.branches_hit, a.branches) == (2, 3, 2, 4)
    assert (b.statements_hit, b.statements, b.branches_hit, b.branches) == (1, 1, 1, 2)
    # A's orange failed, B's yellow held: together both ways
    a, b = summarise(collect(report_ab("orange", "yellow"), build, ["A", "B"], root=root))
    assert (a.branches_hit, b.branches_hit) == (3, 2)


def test_missed_names_file_line_and_way(tmp_path: Path):
    root, build = project(tmp_path)
    assert [
        (m.contract, m.path, m.line, m.kind, m.how, m.source)
        for m in missed(collect(report_ab("yellow", "red"), build, ["A", "B"], root=root), root=root)
    ] == [
        ("A", "contracts/A.sol", 2, "branch", "never failed", "x"),
        ("A", "contracts/A.sol", 3, "statement", "never run", "y = 1"),
        ("A", "contracts/S.sol", 2, "branch", "never failed", "z"),
        ("B", "contracts/S.sol", 2, "branch", "never failed", "z"),
    ]


def test_a_contract_never_traced_is_zero_percent(tmp_path: Path):
    root, build = project(tmp_path)
    (row,) = summarise(collect(highlights({}, {}), build, ["A"], root=root))
    assert not row.traced and row.statement_pct == 0.0 and row.branch_pct == 0.0


def test_gate_exit_codes(tmp_path: Path, capsys, monkeypatch):
    root, build = project(tmp_path)
    monkeypatch.setattr("corridor.dev.coverage.ROOT", root)
    monkeypatch.setattr("corridor.dev.coverage.DEPLOYABLE", ("A", "B"))
    full = highlights(
        {"A": {"0": [[*at(SOURCE, "y = 1"), "green", ""]]}, "B": {"3": [[*at(SHARED, "g()"), "green", ""]]}},
        {"A": {"0": [[*at(SOURCE, "x"), "green", ""]]}, "B": {"3": [[*at(SHARED, "z"), "green", ""]]}},
    )
    good = tmp_path / "good.json"
    good.write_text(json.dumps(full))
    assert main([str(good), "--min", "95", "--build", str(build)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(report_ab("yellow", "yellow")))
    assert main([str(bad), "--min", "95", "--build", str(build), "--missed"]) == 1
    out = capsys.readouterr()
    assert "below 95%: A, B" in out.err and "contracts/A.sol:3: statement never run: y = 1" in out.out
    assert main([str(tmp_path / "missing.json"), "--build", str(build)]) == 2
