"""CorridorProxy (hand-written delegating fallback, for the JPY transfer gas goal) behaves as OpenZeppelin's
ERC1967Proxy: the same slot, event, initializer call and constructor errors, the same return and revert data, ETH
handling and UUPS upgrades. Every test runs the same scenario against both proxies."""

import brownie
import pytest
from brownie import Contract, web3
from eth_utils import keccak

UNLIMITED = 2**256 - 1
LIMITS = [(1_000, 3_000), (UNLIMITED, UNLIMITED), (UNLIMITED, UNLIMITED)]
IMPLEMENTATION_SLOT = int.from_bytes(keccak(text="eip1967.proxy.implementation"), "big") - 1


@pytest.fixture(scope="module")
def implementation(CompliantTokenHarness, admin):
    return CompliantTokenHarness.deploy({"from": admin})


@pytest.fixture(scope="module", params=["CorridorProxy", "ERC1967Proxy"])
def proxy_container(request):
    return getattr(brownie.project.get_loaded_projects()[0], request.param)


def _init_data(implementation, admin, decimals=2):
    return implementation.initialize.encode_input("Proxied", "PRX", decimals, admin, 0, LIMITS)


@pytest.fixture
def token(proxy_container, implementation, CompliantTokenHarness, admin, alice):
    proxy = proxy_container.deploy(implementation, _init_data(implementation, admin), {"from": admin})
    t = Contract.from_abi("CompliantTokenHarness", proxy.address, CompliantTokenHarness.abi)
    t.grantRole(t.COMPLIANCE_ROLE(), admin, {"from": admin})
    t.setKyc(alice, 1, 392, {"from": admin})
    t.mint(alice, 500, {"from": admin})
    return t


def _slot(address) -> int:
    return int.from_bytes(web3.eth.get_storage_at(address, IMPLEMENTATION_SLOT), "big")


def test_constructor_sets_the_erc1967_slot_and_emits_upgraded(proxy_container, implementation, admin):
    proxy = proxy_container.deploy(implementation, _init_data(implementation, admin), {"from": admin})
    assert _slot(proxy.address) == int(implementation.address, 16)
    assert proxy.tx.events["Upgraded"][0]["implementation"] == implementation


def test_constructor_runs_the_initializer(token, admin):
    assert (token.name(), token.symbol(), token.decimals()) == ("Proxied", "PRX", 2)
    assert token.defaultAdmin() == admin


def test_constructor_without_data_leaves_the_proxy_uninitialized(proxy_container, implementation, admin):
    proxy = proxy_container.deploy(implementation, b"", {"from": admin})
    assert _slot(proxy.address) == int(implementation.address, 16)
    assert proxy.tx.events["Upgraded"][0]["implementation"] == implementation


def test_constructor_with_implementation_without_code_reverts(proxy_container, admin, stranger):
    with brownie.reverts(revert_pattern=r"ERC1967InvalidImplementation: .*"):
        proxy_container.deploy(stranger, b"", {"from": admin})


def test_constructor_with_value_and_no_data_reverts(proxy_container, implementation, admin):
    with brownie.reverts("ERC1967NonPayable: "):
        proxy_container.deploy(implementation, b"", {"from": admin, "value": 1})


def test_constructor_bubbles_the_initializer_error(proxy_container, implementation, admin):
    with brownie.reverts("InvalidDecimals: 19"):
        proxy_container.deploy(
            implementation, _init_data(implementation, admin, decimals=19), {"from": admin}
        )


def test_call_returns_the_implementation_return_data(token, alice):
    raw = web3.eth.call({"to": token.address, "data": token.balanceOf.encode_input(alice)})
    assert raw == (500).to_bytes(32, "big")
    assert token.transfer.call(alice, 1, {"from": alice}) is True


def test_call_bubbles_the_implementation_revert_data(token, alice, bob):
    with brownie.reverts(revert_pattern=r"AccountNotVerified: .*"):
        token.transfer(bob, 1, {"from": alice})


def test_unknown_selector_reverts_without_data(token, alice):
    # brownie's web3 middleware surfaces the node's error as a ValueError carrying the JSON-RPC error
    with pytest.raises(ValueError) as failed:
        web3.eth.call({"to": token.address, "data": "0xdeadbeef", "from": alice.address})
    assert failed.value.args[0] == {"code": 3, "message": "execution reverted", "data": "0x"}


def test_value_sent_to_a_non_payable_function_reverts(token, alice, bob):
    with brownie.reverts():
        alice.transfer(token.address, 1, data=token.transfer.encode_input(bob, 1))
    assert web3.eth.get_balance(token.address) == 0


def test_state_lives_in_the_proxy(token, implementation, alice):
    assert token.balanceOf(alice) == 500
    assert implementation.balanceOf(alice) == 0


def test_uups_upgrade_through_the_proxy(token, admin, alice, CompliantTokenHarness):
    token.grantRole(token.UPGRADER_ROLE(), admin, {"from": admin})
    v2 = CompliantTokenHarness.deploy({"from": admin})
    tx = token.upgradeToAndCall(v2, b"", {"from": admin})
    assert tx.events["Upgraded"][0]["implementation"] == v2
    assert _slot(token.address) == int(v2.address, 16)
    assert token.balanceOf(alice) == 500


def test_slot_literal_matches_openzeppelin():
    """CorridorProxy hard-codes the slot; EIP-1967 defines it as keccak256("eip1967.proxy.implementation") - 1."""
    root = brownie.project.get_loaded_projects()[0]._path
    source = (root / "contracts" / "shared" / "CorridorProxy.sol").read_text()
    assert f"0x{IMPLEMENTATION_SLOT:064x}" in source
