"""ERC-20 core of the compliant token: balances, allowances, events, errors (OpenZeppelin v5 semantics)."""

import brownie
import pytest

MAX = 2**256 - 1


def test_metadata(token):
    assert token.name() == "JPY Stablecoin"
    assert token.symbol() == "JPYS"
    assert token.decimals() == 0


def test_transfer_returns_true(token, alice, bob):
    assert token.transfer.call(bob, 1_000, {"from": alice}) is True
    assert token.transferFrom.call(alice, bob, 0, {"from": alice}) is True
    assert token.approve.call(bob, 1, {"from": alice}) is True


def test_transfer_moves_balance_and_emits(token, alice, bob):
    tx = token.transfer(bob, 1_000, {"from": alice})
    assert token.balanceOf(alice) == 2_000_000 - 1_000
    assert token.balanceOf(bob) == 2_000_000 + 1_000
    assert tx.events["Transfer"][0].values() == [alice, bob, 1_000]


def test_transfer_to_self_keeps_balance(token, alice):
    token.transfer(alice, 1_000, {"from": alice})
    assert token.balanceOf(alice) == 2_000_000


def test_transfer_zero_amount(token, alice, bob):
    tx = token.transfer(bob, 0, {"from": alice})
    assert tx.events["Transfer"][0]["value"] == 0
    assert token.balanceOf(bob) == 2_000_000


def test_transfer_whole_balance(token, alice, bob):
    token.transfer(bob, 1_000_000, {"from": alice})
    token.transfer(bob, 1_000_000, {"from": alice})
    assert token.balanceOf(alice) == 0


def test_transfer_above_balance_reverts(token, alice, bob, operator):
    token.setKyc(alice, 4, 392, {"from": operator})
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, 2000000, 2000001"):
        token.transfer(bob, 2_000_001, {"from": alice})


def test_transfer_to_zero_address_reverts(token, alice):
    with brownie.reverts(revert_pattern=r"ERC20InvalidReceiver: 0x0{40}"):
        token.transfer(brownie.ZERO_ADDRESS, 1, {"from": alice})


def test_total_supply_is_sum_of_mints(token):
    assert token.totalSupply() == 6_000_000


def test_approve_sets_allowance_and_emits(token, alice, bob):
    tx = token.approve(bob, 500, {"from": alice})
    assert token.allowance(alice, bob) == 500
    assert tx.events["Approval"][0].values() == [alice, bob, 500]


def test_approve_zero_spender_reverts(token, alice):
    with brownie.reverts(revert_pattern=r"ERC20InvalidSpender: 0x0{40}"):
        token.approve(brownie.ZERO_ADDRESS, 1, {"from": alice})


def test_transfer_from_spends_allowance_without_approval_event(token, alice, bob, merchant):
    token.approve(merchant, 500, {"from": alice})
    tx = token.transferFrom(alice, bob, 200, {"from": merchant})
    assert token.allowance(alice, merchant) == 300
    assert "Approval" not in tx.events
    assert token.balanceOf(bob) == 2_000_200


def test_transfer_from_infinite_allowance_not_decreased(token, alice, bob, merchant):
    token.approve(merchant, MAX, {"from": alice})
    token.transferFrom(alice, bob, 200, {"from": merchant})
    assert token.allowance(alice, merchant) == MAX


def test_transfer_from_above_allowance_reverts(token, alice, bob, merchant):
    token.approve(merchant, 100, {"from": alice})
    with brownie.reverts(f"ERC20InsufficientAllowance: {merchant.address.lower()}, 100, 101"):
        token.transferFrom(alice, bob, 101, {"from": merchant})


def test_transfer_reference_emits_reference(token, alice, merchant):
    ref = b"INV-2025-0042".ljust(32, b"\0")
    tx = token.transferWithReference(merchant, 1_200, ref, {"from": alice})
    assert tx.events["TransferReference"][0].values() == [alice, merchant, 1_200, "0x" + ref.hex()]
    assert token.balanceOf(merchant) == 1_200


def test_batch_transfer_pays_every_recipient(token, alice, bob, merchant):
    tx = token.batchTransfer([bob, merchant], [10, 20], {"from": alice})
    assert token.balanceOf(bob) == 2_000_010
    assert token.balanceOf(merchant) == 20
    assert len(tx.events["Transfer"]) == 2


def test_batch_transfer_length_mismatch_reverts(token, alice, bob):
    with brownie.reverts("ArrayLengthMismatch: 1, 2"):
        token.batchTransfer([bob], [1, 2], {"from": alice})


def test_batch_transfer_counts_towards_daily_limit(token, alice, bob, operator):
    token.setTierLimits(1, 1_000_000, 1_500_000, {"from": operator})
    with brownie.reverts(revert_pattern=r"DailyLimitExceeded: .*, 1000000, 600000, 1500000"):
        token.batchTransfer([bob, bob], [1_000_000, 600_000], {"from": alice})


@pytest.mark.parametrize("fn", ["balanceOf", "allowance"])
def test_unknown_accounts_read_zero(token, stranger, alice, fn):
    args = [stranger] if fn == "balanceOf" else [stranger, alice]
    assert getattr(token, fn)(*args) == 0
