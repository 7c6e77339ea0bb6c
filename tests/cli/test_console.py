"""`make console`: a reverted transaction raises with its error decoded (named arguments, role names,
references as text, parties by name) instead of returning a failed receipt; `who` lists the validators,
the attestor and the relayer."""

from __future__ import annotations

import functools
import importlib.util

import pytest
from brownie._config import CONFIG
from brownie.network.transaction import TransactionReceipt
from eth_abi import encode
from eth_utils import keccak

from corridor import console_reverts
from corridor.artifacts import ROOT
from corridor.suite import deploy_from_brownie


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("console_script", ROOT / "scripts" / "console.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("console")
    module.deploy_from_brownie = functools.partial(deploy_from_brownie, book_dir=out)  # not deployments/
    original = TransactionReceipt._raise_if_reverted
    module.main()
    yield module
    TransactionReceipt._raise_if_reverted = original


@pytest.fixture
def console_mode(monkeypatch):
    monkeypatch.setitem(CONFIG.argv, "cli", "console")


def test_who_lists_validators_attestor_and_relayer(console):
    assert [str(v) for v in console.who["validators"]] == [str(v) for v in console.bridge.validators()]
    assert len(console.who["validators"]) == 5
    assert console.who["attestor"] == [console.who["admin"].address]
    assert console.registry.hasRole(console.registry.ATTESTOR_ROLE(), console.who["attestor"][0])
    assert console.who["relayer"] == console.who["admin"]


def test_reverted_transaction_raises_with_role_names(console, console_mode):
    a = console.issuer_ids["Trust Bank A"]
    with pytest.raises(console_reverts.Reverted) as exc:
        console.ops.mint(a, console.who["merchant"], 250_000, "DEP-42", console.who["merchant"])
    assert str(exc.value).startswith("mint reverted in 0x")
    assert str(exc.value).endswith(
        "AccessControlUnauthorizedAccount(account=merchant, neededRole=issuerRole(Trust Bank A))"
    )
    assert exc.value.receipt.status == 0


def test_reverted_transaction_raises_with_named_arguments(console, console_mode):
    with pytest.raises(
        console_reverts.Reverted,
        match=r"ERC20InsufficientBalance\(sender=merchant, balance=0, needed=1000\)$",
    ):
        console.ops.pay(console.who["merchant"], console.who["customer"], 1_000, "INV-7")


def test_outside_the_console_brownie_behaves_as_before(console):
    from brownie.exceptions import VirtualMachineError

    with pytest.raises(VirtualMachineError):
        console.ops.pay(console.who["merchant"], console.who["customer"], 1_000, "INV-7")


def test_decode_references_roles_and_builtin_errors(console):
    sel = "0x" + keccak(text="AccessControlUnauthorizedAccount(address,bytes32)")[:4].hex()
    data = sel + encode(["address", "bytes32"], ["0x" + "11" * 20, keccak(text="PAUSER_ROLE")]).hex()
    assert (
        console_reverts.decode(data)
        == f"AccessControlUnauthorizedAccount(account=0x{'11' * 20}, neededRole=PAUSER_ROLE)"
    )
    ref = sel + encode(["address", "bytes32"], ["0x" + "11" * 20, b"INV-7".ljust(32, b"\0")]).hex()
    assert console_reverts.decode(ref).endswith('neededRole="INV-7")')
    assert console_reverts.decode("0x08c379a0" + encode(["string"], ["no"]).hex()) == 'Error("no")'
    assert console_reverts.decode("0x4e487b71" + encode(["uint256"], [0x11]).hex()) == "Panic(0x11)"
    assert console_reverts.decode("0xdeadbeef") == "unknown error 0xdeadbeef"
    assert console_reverts.decode("0x") == "reverted without a reason"
