"""The hand-written ERC-20 core (needed for the packed-word gas goal) against OpenZeppelin v5 ERC20 (MockERC20):
the same sequence of calls gives the same balances, allowances, events and errors. Compliance is neutralised by
making every party institutional (verified, no limits)."""

import brownie
import pytest
from brownie.test import given, strategy
from hypothesis import settings

MAX = 2**256 - 1


@pytest.fixture(scope="module")
def pair(token, operator, admin, alice, bob, merchant, signer, MockERC20):
    """(compliant token, OZ reference) with identical balances and supply."""
    oz = MockERC20.deploy("Ref", "REF", 0, {"from": admin})
    oz.mint(signer, token.balanceOf(signer), {"from": admin})
    for a in (alice, bob, merchant):
        token.setKyc(a, 4, 392, {"from": operator})
        oz.mint(a, token.balanceOf(a), {"from": admin})
    return token, oz


def _outcome(fn, *args):
    """('ok', events) or ('revert', error name + args) of a call."""
    try:
        tx = fn(*args)
    except brownie.exceptions.VirtualMachineError as e:
        return ("revert", e.revert_msg)
    return (
        "ok",
        [
            (name, [list(ev.values()) for ev in tx.events[name]])
            for name in ("Transfer", "Approval")
            if name in tx.events
        ],
    )


def _same_state(pair, accounts):
    token, oz = pair
    for a in accounts:
        assert token.balanceOf(a) == oz.balanceOf(a)
        for b in accounts:
            assert token.allowance(a, b) == oz.allowance(a, b)
    assert token.totalSupply() == oz.totalSupply()


def _check(pair, method, args, sender):
    token, oz = pair
    ours = _outcome(getattr(token, method), *args, {"from": sender})
    ref = _outcome(getattr(oz, method), *args, {"from": sender})
    assert ours[0] == ref[0]
    if ours[0] == "ok":
        # same events, modulo the emitting address
        assert ours[1] == ref[1]
    else:
        assert ours[1].split(":")[0] == ref[1].split(":")[0]
        assert ours[1] == ref[1]


def test_zero_receiver_same_error(pair, alice):
    _check(pair, "transfer", [brownie.ZERO_ADDRESS, 1], alice)


def test_zero_spender_same_error(pair, alice):
    _check(pair, "approve", [brownie.ZERO_ADDRESS, 1], alice)


def test_infinite_allowance_same(pair, alice, bob, merchant):
    _check(pair, "approve", [merchant, MAX], alice)
    _check(pair, "transferFrom", [alice, bob, 10], merchant)
    _same_state(pair, [alice, bob, merchant])


@settings(max_examples=25)
@given(steps=strategy("uint256[]", min_length=1, max_length=8))
def test_random_call_sequences_match_oz(pair, alice, bob, merchant, steps):
    """Random transfer / approve / transferFrom sequences: same outcome, events and errors, same state.
    Each step word encodes the call (bits 0-7), sender (8-15), counterparty (16-23) and amount (24+)."""
    people = [alice, bob, merchant]
    for word in steps:
        kind, i, j, raw = word & 0xFF, (word >> 8) & 0xFF, (word >> 16) & 0xFF, word >> 24
        sender, other = people[i % 3], people[j % 3]
        amount = raw % 3_000_000 if raw % 5 else raw  # mostly realistic amounts, sometimes huge
        k = kind % 3
        if k == 0:
            _check(pair, "transfer", [other, amount], sender)
        elif k == 1:
            _check(pair, "approve", [other, amount], sender)
        else:
            _check(pair, "transferFrom", [other, people[(j + 1) % 3], amount], sender)
    _same_state(pair, people)
