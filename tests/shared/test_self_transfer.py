"""Self-transfers (`from == to`) move no value, so tier limits neither refuse nor count them (security.md §5,
docs/stablecoin.md "Limits"). Every entry point of the JPY token, which all run the assembly fast path
(PackedStorage.tryTransfer); the Solidity reference path (_transferChecked) is pinned against it in
test_transfer_paths.py. Before the fix, three ¥1,000,000 self-transfers of a retail holder used up its
¥3,000,000 day (the next ¥1 reverted with DailyLimitExceeded) and a spender with an allowance could do the same
to the owner with transferFrom(owner, owner, x)."""

import brownie
import pytest
from brownie import chain

from corridor.stablecoin import signing

PER_TRANSFER = 1_000_000  # tier 1 (retail), deploy configuration
AUTH_VRS = "address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32"
AUTH_BYTES = "address,address,uint256,uint256,uint256,bytes32,bytes"
PERMIT_VRS = "address,address,uint256,uint256,uint8,bytes32,bytes32"


@pytest.fixture(scope="module")
def domain(token):
    return signing.token_domain(token.name(), chain.id, token.address)


def _deadline():
    return chain[-1].timestamp + 3_600


def _self_transfer_events(tx, account, value):
    return [e.values() for e in tx.events["Transfer"]] == [[account, account, value]]


def test_self_transfers_do_not_spend_the_daily_limit(token, alice, bob):
    """The finding's case: three ¥1,000,000 self-transfers, then ¥1 to someone else the same UTC day."""
    for _ in range(3):
        tx = token.transfer(alice, PER_TRANSFER, {"from": alice})
        assert _self_transfer_events(tx, alice, PER_TRANSFER)
    assert token.balanceOf(alice) == 2_000_000
    assert token.spentToday(alice) == 0
    token.transfer(bob, 1, {"from": alice})
    assert token.spentToday(alice) == 1
    assert token.balanceOf(bob) == 2_000_001


def test_self_transfer_above_the_per_transfer_limit_succeeds(token, alice):
    tx = token.transfer(alice, 2_000_000, {"from": alice})  # twice the retail per-transfer limit
    assert _self_transfer_events(tx, alice, 2_000_000)
    assert token.balanceOf(alice) == 2_000_000
    assert token.spentToday(alice) == 0


def test_self_transfer_keeps_every_other_check(token, operator, alice, stranger):
    """Only the limits are skipped: balance, freeze, verification and pause still apply to a self-transfer."""
    with brownie.reverts(f"ERC20InsufficientBalance: {alice.address.lower()}, 2000000, 2000001"):
        token.transfer(alice, 2_000_001, {"from": alice})
    with brownie.reverts(f"AccountNotVerified: {stranger.address.lower()}"):
        token.transfer(stranger, 0, {"from": stranger})
    token.pause({"from": operator})
    with brownie.reverts("EnforcedPause: "):
        token.transfer(alice, 1, {"from": alice})
    token.unpause({"from": operator})
    token.freeze(alice, {"from": operator})
    with brownie.reverts(f"AccountFrozen: {alice.address.lower()}"):
        token.transfer(alice, 1, {"from": alice})


def test_spender_cannot_use_up_the_owners_day_with_owner_to_owner_transfers(token, alice, bob, merchant):
    """transferFrom(owner, owner, x) spends the allowance (OpenZeppelin/USDC semantics) but not the owner's limits,
    so an allowance no longer lets its spender block the owner's payments for the rest of the UTC day."""
    token.approve(bob, 3_000_000, {"from": alice})
    for _ in range(3):
        tx = token.transferFrom(alice, alice, PER_TRANSFER, {"from": bob})
        assert _self_transfer_events(tx, alice, PER_TRANSFER)
    assert token.allowance(alice, bob) == 0
    assert token.spentToday(alice) == 0
    token.transfer(merchant, PER_TRANSFER, {"from": alice})
    assert token.spentToday(alice) == PER_TRANSFER
    assert token.balanceOf(alice) == 1_000_000


def test_permit_then_owner_to_owner_transfer_from_spends_no_limit(token, domain, signer, bob, merchant):
    deadline = _deadline()
    sig = signing.sign_permit(
        signer.private_key, domain, signer.address, bob.address, 3_000_000, token.nonces(signer), deadline
    )
    token.permit[PERMIT_VRS](signer, bob, 3_000_000, deadline, *sig.vrs, {"from": bob})
    for _ in range(3):
        token.transferFrom(signer, signer, PER_TRANSFER, {"from": bob})
    assert token.allowance(signer, bob) == 0
    assert token.spentToday(signer) == 0
    token.transfer(merchant, 1, {"from": signer})
    assert token.spentToday(signer) == 1


@pytest.mark.parametrize("form", [AUTH_VRS, AUTH_BYTES])
def test_transfer_with_authorization_to_self_spends_no_limit(token, domain, signer, bob, form):
    for k in range(3):
        nonce = bytes([0x50 + k]) * 32
        before = _deadline()
        sig = signing.sign_transfer_authorization(
            signer.private_key, domain, signer.address, signer.address, PER_TRANSFER, 0, before, nonce
        )
        extra = [*sig.vrs] if form == AUTH_VRS else [sig.packed]
        args = (signer, signer, PER_TRANSFER, 0, before, nonce)
        tx = token.transferWithAuthorization[form](*args, *extra, {"from": bob})
        assert _self_transfer_events(tx, signer, PER_TRANSFER)
        assert token.authorizationState(signer, nonce) is True
    assert token.spentToday(signer) == 0
    token.transfer(bob, 1, {"from": signer})
    assert token.spentToday(signer) == 1


def test_receive_with_authorization_to_self_spends_no_limit(token, domain, signer, bob):
    """The payee (here the payer itself) submits: above the per-transfer limit, nothing counted."""
    nonce = b"\x61" * 32
    before = _deadline()
    sig = signing.sign_receive_authorization(
        signer.private_key, domain, signer.address, signer.address, 2_000_000, 0, before, nonce
    )
    token.receiveWithAuthorization[AUTH_BYTES](
        signer, signer, 2_000_000, 0, before, nonce, sig.packed, {"from": signer}
    )
    assert token.spentToday(signer) == 0
    assert token.balanceOf(signer) == 2_000_000


def test_batch_self_legs_are_not_limited_other_legs_are(token, alice, bob):
    token.batchTransfer([alice, alice, alice, bob], [PER_TRANSFER] * 3 + [1], {"from": alice})
    assert token.spentToday(alice) == 1
    assert token.balanceOf(bob) == 2_000_001
    with brownie.reverts(f"TransferLimitExceeded: {alice.address.lower()}, 1000001, 1000000"):
        token.batchTransfer([alice, bob], [1_000_000, PER_TRANSFER + 1], {"from": alice})


def test_self_transfer_does_not_reset_or_raise_a_spent_counter(token, alice, bob):
    """A self-transfer after a real payment leaves today's counter exactly where the payment put it."""
    token.transfer(bob, 600_000, {"from": alice})
    token.transfer(alice, 1_000_000, {"from": alice})
    assert token.spentToday(alice) == 600_000
    token.transfer(bob, 400_000, {"from": alice})
    assert token.spentToday(alice) == 1_000_000
