"""What a role holder can do beyond the happy path, pinned so docs/security.md stays true: the compliance
officer's recovery needs no prior freeze and, like seizure, ignores the pause (a compromised compliance key
can move any balance to an account it verifies); transferFrom checks the owner, the receiver and the spender:
a frozen spender, and the key of an account retired by `recover`, cannot spend allowances given to it (the
freeze epoch, tests/shared/test_frozen_spender.py), while approving stays open to frozen accounts."""

import brownie

REASON = b"COURT-ORDER-42".ljust(32, b"\0")


def test_recover_needs_no_freeze_and_ignores_pause(token, operator, alice, stranger):
    token.pause({"from": operator})
    token.setKyc(stranger, 4, 392, {"from": operator})
    assert token.kycOf(alice)[2] is False  # not frozen
    token.recover(alice, stranger, REASON, {"from": operator})
    assert token.balanceOf(stranger) == 2_000_000
    assert token.balanceOf(alice) == 0


def test_frozen_spender_cannot_spend_an_allowance(token, operator, alice, bob, merchant):
    """USDC (notBlacklisted(msg.sender)) and PYUSD (!frozen[msg.sender]) refuse a frozen spender."""
    token.approve(merchant, 1_000, {"from": alice})
    token.freeze(merchant, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {merchant.address.lower()}"):
        token.transferFrom(alice, bob, 1_000, {"from": merchant})


def test_recovered_key_cannot_spend_allowances_given_to_it(token, operator, alice, bob, merchant, stranger):
    """Lost-key recovery retires `alice` (balance moved, KYC revoked, frozen); whoever holds her key must not
    keep spending what other holders approved to her address (here bob's approval, paid to a verified
    accomplice)."""
    token.approve(alice, 1_000, {"from": bob})
    token.setKyc(stranger, 1, 392, {"from": operator})
    token.recover(alice, stranger, REASON, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        token.transferFrom(bob, merchant, 1_000, {"from": alice})


def test_frozen_account_can_still_approve_and_be_approved(token, operator, alice, merchant):
    token.freeze(merchant, {"from": operator})
    token.approve(merchant, 5, {"from": alice})
    token.approve(alice, 7, {"from": merchant})
    assert token.allowance(alice, merchant) == 5 and token.allowance(merchant, alice) == 7


def test_frozen_owner_still_blocks_transfer_from(token, operator, alice, bob, merchant):
    token.approve(merchant, 10, {"from": alice})
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        token.transferFrom(alice, bob, 1, {"from": merchant})
