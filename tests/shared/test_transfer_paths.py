"""The assembly fast path (PackedStorage.tryTransfer) and the Solidity reference path (_transferChecked) accept
the same transfers and leave the same state: two identical harness tokens, one driven through `transfer`, the
other through `transferChecked`."""

import brownie
import pytest
from brownie import chain
from brownie.test import given, strategy
from hypothesis import settings

UNLIMITED = 2**256 - 1
DECIMALS = 2


@pytest.fixture(scope="module")
def twins(compliant_token, alice, bob):
    limits = [(1_000 * 100, 3_000 * 100), (10_000 * 100, UNLIMITED), (UNLIMITED, UNLIMITED)]
    holders = [(alice, 1, 5_000 * 100), (bob, 1, 5_000 * 100)]
    roles = ("COMPLIANCE_ROLE", "PAUSER_ROLE")
    return [compliant_token("Twin", "TW", DECIMALS, limits, holders, roles) for _ in range(2)]


def _run(fn, *args):
    try:
        fn(*args)
        return "ok"
    except brownie.exceptions.VirtualMachineError as e:
        return e.revert_msg


@settings(max_examples=30)
@given(
    sender_tier=strategy("uint8", min_value=0, max_value=4),
    receiver_tier=strategy("uint8", min_value=0, max_value=4),
    frozen=strategy("uint8", max_value=3),
    paused=strategy("bool"),
    amounts=strategy("uint256[]", min_length=1, max_length=4, max_value=6_000 * 100),
    next_day=strategy("bool"),
)
def test_fast_and_reference_paths_agree(
    twins, admin, alice, bob, sender_tier, receiver_tier, frozen, paused, amounts, next_day
):
    fast, ref = twins
    for t in twins:
        if sender_tier:
            t.setKyc(alice, sender_tier, 392, {"from": admin})
        else:
            t.revokeKyc(alice, {"from": admin})
        if receiver_tier:
            t.setKyc(bob, receiver_tier, 392, {"from": admin})
        else:
            t.revokeKyc(bob, {"from": admin})
        if frozen & 1:
            t.freeze(alice, {"from": admin})
        if frozen & 2:
            t.freeze(bob, {"from": admin})
        if paused:
            t.pause({"from": admin})
    for i, amount in enumerate(amounts):
        if next_day and i == len(amounts) // 2:
            chain.sleep(86_400)
        to = alice if i == 3 else bob  # one self-transfer in long sequences
        a = _run(fast.transfer, to, amount, {"from": alice})
        b = _run(ref.transferChecked, to, amount, {"from": alice})
        assert a == b
    for account in (alice, bob):
        assert fast.balanceOf(account) == ref.balanceOf(account)
        assert fast.spentToday(account) == ref.spentToday(account)
    assert fast.totalSupply() == ref.totalSupply()


def test_self_transfers_skip_limits_on_both_paths(twins, alice, bob):
    """A self-transfer moves no value: on the fast path (`transfer`) and the reference path (`transferChecked`)
    neither limit refuses it and today's counter is untouched; both give the same state and events."""
    fast, ref = twins
    for send in (fast.transfer, ref.transferChecked):
        for value in (
            1_000 * 100,
            1_000 * 100,
            1_000 * 100,
            2_000 * 100,
        ):  # 3 x the per-transfer max, then 2x it
            tx = send(alice, value, {"from": alice})
            assert [e.values() for e in tx.events["Transfer"]] == [[alice, alice, value]]
        send(bob, 1, {"from": alice})
    for t in twins:
        assert t.spentToday(alice) == 1
        assert t.balanceOf(alice) == 5_000 * 100 - 1
        assert t.balanceOf(bob) == 5_000 * 100 + 1


def test_owner_to_owner_transfer_from_spends_the_allowance_not_the_limit_on_both_paths(twins, alice, bob):
    """transferFrom(owner, owner, x): fast path (`transferFrom`) and reference path (`transferFromChecked`) both
    spend the allowance and leave the owner's daily counter alone."""
    fast, ref = twins
    for t, send in ((fast, fast.transferFrom), (ref, ref.transferFromChecked)):
        t.approve(bob, 4_000 * 100, {"from": alice})
        for _ in range(4):
            send(alice, alice, 1_000 * 100, {"from": bob})
        assert t.allowance(alice, bob) == 0
        assert t.spentToday(alice) == 0
        assert t.balanceOf(alice) == 5_000 * 100
    for send in (fast.transfer, ref.transferChecked):
        for _ in range(3):
            send(bob, 1_000 * 100, {"from": alice})  # the owner's whole day is still there
    for t in twins:
        assert t.spentToday(alice) == 3_000 * 100


def test_self_transfer_failures_agree_on_both_paths(twins, admin, alice):
    """The checks a self-transfer keeps (balance, freeze) give the same error on both paths."""
    fast, ref = twins
    for t in twins:
        # fast path, then the reference path, on the same token
        assert _run(t.transfer, alice, 5_000 * 100 + 1, {"from": alice}) == _run(
            t.transferChecked, alice, 5_000 * 100 + 1, {"from": alice}
        )
        t.freeze(alice, {"from": admin})
    assert _run(fast.transfer, alice, 1, {"from": alice}) == _run(
        ref.transferChecked, alice, 1, {"from": alice}
    )
    assert _run(ref.transferChecked, alice, 1, {"from": alice}) == f"AccountFrozen: {alice.address.lower()}"


def _erc7201(namespace: str) -> int:
    from eth_utils import keccak

    inner = int.from_bytes(keccak(text=namespace), "big") - 1
    return int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


def test_fast_path_slot_constants_match_the_storage_layout(twins, admin, alice):
    """The fast path addresses `accounts` and `config` by literal slots (_ACCOUNTS_SLOT, _CONFIG_SLOT): they must
    be members 0 and 2 of the ERC-7201 namespace that Solidity uses for everything else."""
    from eth_utils import keccak

    token = twins[0]
    base = _erc7201("corridor.storage.CompliantToken")
    assert base == 0x171C15278549B321FC6307279EE79CD767667B111976338C43F58E5F7F45AD00
    account_slot = keccak(int(alice.address, 16).to_bytes(32, "big") + base.to_bytes(32, "big"))
    word = int.from_bytes(brownie.web3.eth.get_storage_at(token.address, account_slot), "big")
    assert word & (2**112 - 1) == token.balanceOf(alice) == 5_000 * 100
    assert (word >> 240) & 0xFF == 1  # tier
    config = int.from_bytes(brownie.web3.eth.get_storage_at(token.address, base + 2), "big")
    assert (config >> 8) & 0xFF == DECIMALS and config & 1 == 0
    token.pause({"from": admin})
    config = int.from_bytes(brownie.web3.eth.get_storage_at(token.address, base + 2), "big")
    assert config & 1 == 1


def test_config_word_layout(twins, admin, bob):
    """PackedStorage's config layout, which the fast path's `72 t - 56` shift relies on: tier t's limits at bits
    16 + 72 (t - 1) (per transfer, then daily, 36 bits each, whole tokens, 2^36-1 = unlimited), the freeze
    epoch in bits 232..255."""
    token = twins[0]
    base = _erc7201("corridor.storage.CompliantToken")
    unlimited = 2**36 - 1

    def field(config, shift, bits):
        return (config >> shift) & (2**bits - 1)

    config = int.from_bytes(brownie.web3.eth.get_storage_at(token.address, base + 2), "big")
    limits = [(1_000, 3_000), (10_000, unlimited), (unlimited, unlimited)]
    for tier, (per_transfer, daily) in enumerate(limits, start=1):
        assert field(config, 72 * tier - 56, 36) == per_transfer
        assert field(config, 72 * tier - 56 + 36, 36) == daily
    assert config >> 232 == 0
    token.freeze(bob, {"from": admin})
    frozen_config = int.from_bytes(brownie.web3.eth.get_storage_at(token.address, base + 2), "big")
    assert frozen_config >> 232 == 1
    assert field(frozen_config, 0, 232) == field(config, 0, 232)  # limits, decimals, pause untouched
    assert token.tierLimits(3) == (UNLIMITED, UNLIMITED)
    token.setTierLimits(3, (unlimited - 1) * 100, (unlimited - 1) * 100, {"from": admin})
    config = int.from_bytes(brownie.web3.eth.get_storage_at(token.address, base + 2), "big")
    assert field(config, 160, 36) == field(config, 196, 36) == unlimited - 1
    assert config >> 232 == 1  # the epoch survives a tier 3 change
    with brownie.reverts(f"InvalidLimit: 3, {unlimited * 100}"):
        token.setTierLimits(3, unlimited * 100, 100, {"from": admin})
