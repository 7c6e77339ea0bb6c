"""The hand-written ERC-20 core (needed for the packed-word gas goal) against OpenZeppelin v5 ERC20 (MockERC20):
the same sequence of calls gives the same balances, allowances, events and errors. Compliance is neutralised by
making every party institutional (verified, no limits).

One documented deviation: the allowance word keeps 232 bits of amount (the high 24 bits hold the spender's freeze
epoch), so an approval of 2^232-1 or more is stored as infinite and `allowance` returns 2^256-1 for it, where OZ
returns the value approved (then decremented by spends). Balances are capped at 2^112-1, so spending cannot tell
the two apart; the tests below track such approvals and assert the documented view."""

import brownie
import pytest
from brownie.test import given, strategy
from hypothesis import settings

MAX = 2**256 - 1
INFINITE = 2**232 - 1  # approvals >= this are stored as infinite


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


def _same_state(pair, accounts, absurd=frozenset()):
    """Same balances, supply and allowances; for the (owner, spender) pairs in `absurd` (last approved >= 2^232-1)
    ours shows the infinite allowance and OZ a value no spend sequence can exhaust."""
    token, oz = pair
    for a in accounts:
        assert token.balanceOf(a) == oz.balanceOf(a)
        for b in accounts:
            if (a, b) in absurd:
                assert token.allowance(a, b) == MAX
                assert oz.allowance(a, b) > 2**200
            else:
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


@pytest.mark.parametrize("approved", [INFINITE, 2**240])
def test_absurd_allowance_is_infinite_the_documented_deviation(pair, alice, bob, merchant, approved):
    """Same events and spends as OZ; only the view differs: ours says 2^256-1, OZ the approved value minus spends."""
    token, oz = pair
    _check(pair, "approve", [merchant, approved], alice)  # same Approval event (the value as given)
    _check(pair, "transferFrom", [alice, bob, 10], merchant)
    assert token.allowance(alice, merchant) == MAX
    assert oz.allowance(alice, merchant) == approved - 10
    _same_state(pair, [alice, bob, merchant], {(alice, merchant)})


def test_largest_finite_allowance_same(pair, alice, bob, merchant):
    _check(pair, "approve", [merchant, INFINITE - 1], alice)
    _check(pair, "transferFrom", [alice, bob, 10], merchant)
    _same_state(pair, [alice, bob, merchant])


@settings(max_examples=25)
@given(steps=strategy("uint256[]", min_length=1, max_length=8))
def test_random_call_sequences_match_oz(pair, alice, bob, merchant, steps):
    """Random transfer / approve / transferFrom sequences: same outcome, events and errors, same state.
    Each step word encodes the call (bits 0-7), sender (8-15), counterparty (16-23) and amount (24+)."""
    people = [alice, bob, merchant]
    absurd = set()  # (owner, spender) last approved >= 2^232-1: infinite here, finite but inexhaustible in OZ
    for word in steps:
        kind, i, j, raw = word & 0xFF, (word >> 8) & 0xFF, (word >> 16) & 0xFF, word >> 24
        sender, other = people[i % 3], people[j % 3]
        amount = raw % 3_000_000 if raw % 5 else raw  # mostly realistic amounts, sometimes huge
        k = kind % 3
        if k == 0:
            _check(pair, "transfer", [other, amount], sender)
        elif k == 1:
            _check(pair, "approve", [other, amount], sender)
            if amount >= INFINITE:
                absurd.add((sender, other))
            else:
                absurd.discard((sender, other))
        elif (other, sender) in absurd and amount > 2**112:
            # OZ may refuse on its (inexhaustible but decremented) allowance where ours, infinite, goes on to
            # the balance check: both revert, only the error differs (no balance reaches 2^112)
            token, oz = pair
            with brownie.reverts():
                token.transferFrom(other, people[(j + 1) % 3], amount, {"from": sender})
            with brownie.reverts():
                oz.transferFrom(other, people[(j + 1) % 3], amount, {"from": sender})
        else:
            _check(pair, "transferFrom", [other, people[(j + 1) % 3], amount], sender)
    _same_state(pair, people, absurd)


def test_self_transfers_of_a_limited_sender_match_oz(pair, operator, alice, bob, merchant):
    """ERC-20 allows self-transfers, and so does a limited (retail) sender here: they move no value, so the
    limits neither refuse nor count them. Same outcome and events as OZ for transfer and for transferFrom(owner,
    owner, x), which spends the allowance as OZ does."""
    token, _ = pair
    token.setKyc(alice, 1, 392, {"from": operator})  # retail: ¥1,000,000 per transfer, ¥3,000,000 a day
    for _ in range(3):
        _check(pair, "transfer", [alice, 2_000_000], alice)  # twice the per-transfer limit, 6x the day in all
    _check(pair, "approve", [merchant, 5_000_000], alice)
    for _ in range(2):
        _check(pair, "transferFrom", [alice, alice, 2_000_000], merchant)
    _check(pair, "transfer", [bob, 1_000_000], alice)
    assert token.spentToday(alice) == 1_000_000
    _same_state(pair, [alice, bob, merchant])
