"""transferFrom refuses a frozen spender (USDC / PYUSD behaviour) through the freeze epoch: `freeze` and a
freezing `recover` increment a 24-bit epoch in the config word; each allowance word stores, above a 232-bit
amount, the epoch at which its spender was last seen not frozen. A spend re-reads the spender's account word
only when that epoch is stale. These tests read the raw words (PackedStorage layout) to pin the tags, and use
the harness to reach the epoch's maximum."""

import brownie
import pytest
from brownie import chain
from eth_utils import keccak

from corridor.stablecoin import signing

MAX = 2**256 - 1
INFINITE = 2**232 - 1  # the allowance word's amount sentinel
MAX_EPOCH = 2**24 - 1
AMOUNT_MASK = 2**232 - 1
REASON = b"COURT-ORDER-42".ljust(32, b"\0")
BASE = 0x171C15278549B321FC6307279EE79CD767667B111976338C43F58E5F7F45AD00  # corridor.storage.CompliantToken


def _word(token, slot: int) -> int:
    return int.from_bytes(brownie.web3.eth.get_storage_at(token.address, slot), "big")


def epoch(token) -> int:
    """The freeze epoch: bits 232..255 of the config word (member 2 of the namespace)."""
    return _word(token, BASE + 2) >> 232


def allowance_word(token, owner, spender) -> tuple[int, int]:
    """(amount field, spender epoch) of the raw allowance word (member 1: owner => spender => word)."""
    inner = keccak(int(str(owner), 16).to_bytes(32, "big") + (BASE + 1).to_bytes(32, "big"))
    slot = int.from_bytes(keccak(int(str(spender), 16).to_bytes(32, "big") + inner), "big")
    word = _word(token, slot)
    return word & AMOUNT_MASK, word >> 232


def frozen_error(account) -> str:
    return f"AccountFrozen: {account.address.lower()}"


# ------------------------------------------------------------------ the epoch


def test_freeze_increments_the_epoch_and_unfreeze_does_not(token, operator, merchant, stranger):
    start = epoch(token)
    token.freeze(merchant, {"from": operator})
    assert epoch(token) == start + 1
    token.freeze(stranger, {"from": operator})  # an unverified account can be frozen too
    assert epoch(token) == start + 2
    token.unfreeze(merchant, {"from": operator})
    assert epoch(token) == start + 2
    with brownie.reverts(frozen_error(stranger)):
        token.freeze(stranger, {"from": operator})
    assert epoch(token) == start + 2


def test_limits_survive_epoch_changes(token, operator, merchant):
    """The epoch shares the config word with tier 3's limits: a freeze must not disturb them, nor a limit
    change the epoch."""
    token.setTierLimits(3, 2**36 - 2, 2**36 - 2, {"from": operator})
    before = [token.tierLimits(t) for t in (1, 2, 3)]
    token.freeze(merchant, {"from": operator})
    assert [token.tierLimits(t) for t in (1, 2, 3)] == before
    e = epoch(token)
    token.setTierLimits(3, MAX, MAX, {"from": operator})
    assert epoch(token) == e
    assert token.tierLimits(3) == (MAX, MAX)


def test_recover_increments_the_epoch_once(token, operator, alice, bob, stranger):
    start = epoch(token)
    token.setKyc(stranger, 1, 392, {"from": operator})
    token.recover(alice, stranger, REASON, {"from": operator})
    assert epoch(token) == start + 1
    # recovering an account that is already frozen freezes nothing new: the epoch stays
    token.freeze(bob, {"from": operator})
    token.recover(bob, stranger, REASON, {"from": operator})
    assert epoch(token) == start + 2


# ------------------------------------------------------------------ frozen spender refused


@pytest.mark.parametrize("approved", [1_000, MAX], ids=["finite", "infinite"])
def test_frozen_spender_is_refused(token, operator, alice, bob, merchant, approved):
    token.approve(merchant, approved, {"from": alice})
    token.freeze(merchant, {"from": operator})
    with brownie.reverts(frozen_error(merchant)):
        token.transferFrom(alice, bob, 1_000, {"from": merchant})
    assert token.allowance(alice, merchant) == approved
    assert token.balanceOf(alice) == 2_000_000 and token.balanceOf(bob) == 2_000_000


def test_frozen_spender_refused_before_the_allowance_check(token, operator, alice, bob, merchant):
    """A frozen spender gets AccountFrozen even where the allowance is short (the epoch is stale)."""
    token.approve(merchant, 5, {"from": alice})
    token.freeze(merchant, {"from": operator})
    with brownie.reverts(frozen_error(merchant)):
        token.transferFrom(alice, bob, 6, {"from": merchant})


@pytest.mark.parametrize("approved", [1_000, MAX], ids=["finite", "infinite"])
def test_spender_frozen_then_unfrozen_spends_again(token, operator, alice, bob, merchant, approved):
    token.approve(merchant, approved, {"from": alice})
    token.freeze(merchant, {"from": operator})
    token.unfreeze(merchant, {"from": operator})
    tx = token.transferFrom(alice, bob, 400, {"from": merchant})
    assert tx.events["Transfer"][0].values() == [alice, bob, 400]
    assert "Approval" not in tx.events
    assert token.balanceOf(bob) == 2_000_400
    assert token.allowance(alice, merchant) == (600 if approved == 1_000 else MAX)
    assert allowance_word(token, alice, merchant)[1] == epoch(token)  # refreshed


@pytest.mark.parametrize("approved", [1_000, MAX], ids=["finite", "infinite"])
def test_approval_given_while_frozen_waits_for_unfreeze(token, operator, alice, bob, merchant, approved):
    token.freeze(merchant, {"from": operator})
    e = epoch(token)
    assert e >= 1
    tx = token.approve(merchant, approved, {"from": alice})
    assert tx.events["Approval"][0].values() == [alice, merchant, approved]
    assert token.allowance(alice, merchant) == approved
    assert allowance_word(token, alice, merchant) == (min(approved, INFINITE), e - 1)  # a past epoch
    with brownie.reverts(frozen_error(merchant)):
        token.transferFrom(alice, bob, 1_000, {"from": merchant})
    token.unfreeze(merchant, {"from": operator})
    token.transferFrom(alice, bob, 1_000, {"from": merchant})
    assert token.balanceOf(bob) == 2_001_000
    assert allowance_word(token, alice, merchant) == (0 if approved == 1_000 else INFINITE, e)


@pytest.mark.parametrize("approved", [1_000, MAX], ids=["finite", "infinite"])
def test_unrelated_freeze_makes_the_next_spend_recheck_and_refresh(
    token, operator, alice, bob, merchant, stranger, approved
):
    token.approve(merchant, approved, {"from": alice})
    e = epoch(token)
    assert allowance_word(token, alice, merchant)[1] == e
    token.freeze(stranger, {"from": operator})
    assert allowance_word(token, alice, merchant)[1] == e  # stale now: e != e + 1
    stale = token.transferFrom(alice, bob, 100, {"from": merchant})
    assert allowance_word(token, alice, merchant) == (900 if approved == 1_000 else INFINITE, e + 1)
    fresh = token.transferFrom(alice, bob, 100, {"from": merchant})
    assert token.balanceOf(bob) == 2_000_200
    assert token.allowance(alice, merchant) == (800 if approved == 1_000 else MAX)
    # the re-check reads the spender's cold account word (2,100 gas); the refreshed allowance does not
    assert stale.gas_used - fresh.gas_used >= 2_000


def test_unverified_spender_can_spend(token, alice, bob, stranger):
    """Only frozen spenders are refused: routers and venues spend without KYC (as before)."""
    token.approve(stranger, 300, {"from": alice})
    token.transferFrom(alice, bob, 300, {"from": stranger})
    assert token.balanceOf(bob) == 2_000_300 and token.allowance(alice, stranger) == 0


def test_insufficient_allowance_error_is_unchanged(token, operator, alice, bob, merchant, stranger):
    token.approve(merchant, 10, {"from": alice})
    token.freeze(stranger, {"from": operator})  # stale epoch, spender not frozen
    with brownie.reverts(f"ERC20InsufficientAllowance: {merchant.address.lower()}, 10, 11"):
        token.transferFrom(alice, bob, 11, {"from": merchant})


def test_recovered_key_cannot_spend_an_infinite_allowance(token, operator, alice, bob, merchant, stranger):
    token.approve(alice, MAX, {"from": bob})
    token.transferFrom(bob, merchant, 1, {"from": alice})  # fresh tag
    token.setKyc(stranger, 1, 392, {"from": operator})
    token.recover(alice, stranger, REASON, {"from": operator})
    with brownie.reverts(frozen_error(alice)):
        token.transferFrom(bob, merchant, 1, {"from": alice})


# ------------------------------------------------------------------ permit


@pytest.fixture(scope="module")
def domain(token):
    return signing.token_domain(token.name(), chain.id, token.address)


def _permit(token, domain, signer, spender, value):
    d = chain[-1].timestamp + 3_600
    sig = signing.sign_permit(
        signer.private_key, domain, signer.address, spender.address, value, token.nonces(signer), d
    )
    return token.permit["address,address,uint256,uint256,uint8,bytes32,bytes32"](
        signer, spender, value, d, *sig.vrs, {"from": spender}
    )


@pytest.mark.parametrize("approved", [700, MAX], ids=["finite", "infinite"])
def test_permit_allowance_refuses_a_frozen_spender(token, operator, domain, signer, bob, merchant, approved):
    _permit(token, domain, signer, merchant, approved)
    token.freeze(merchant, {"from": operator})
    with brownie.reverts(frozen_error(merchant)):
        token.transferFrom(signer, bob, 700, {"from": merchant})
    token.unfreeze(merchant, {"from": operator})
    token.transferFrom(signer, bob, 700, {"from": merchant})
    assert token.balanceOf(bob) == 2_000_700


def test_permit_given_to_a_frozen_spender_waits_for_unfreeze(token, operator, domain, signer, bob, merchant):
    token.freeze(merchant, {"from": operator})
    tx = _permit(token, domain, signer, merchant, 700)
    assert tx.events["Approval"][0].values() == [signer, merchant, 700]
    assert allowance_word(token, signer, merchant) == (700, epoch(token) - 1)
    with brownie.reverts(frozen_error(merchant)):
        token.transferFrom(signer, bob, 700, {"from": merchant})
    token.unfreeze(merchant, {"from": operator})
    token.transferFrom(signer, bob, 700, {"from": merchant})
    assert token.allowance(signer, merchant) == 0


# ------------------------------------------------------------------ allowance views (the one deviation from OZ)


@pytest.mark.parametrize(
    "approved,shown,stored",
    [
        (0, 0, 0),
        (INFINITE - 1, INFINITE - 1, INFINITE - 1),
        (INFINITE, MAX, INFINITE),
        (2**240, MAX, INFINITE),
        (MAX, MAX, INFINITE),
    ],
)
def test_allowance_view(token, alice, merchant, approved, shown, stored):
    tx = token.approve(merchant, approved, {"from": alice})
    assert tx.events["Approval"][0].values() == [alice, merchant, approved]  # the value as given
    assert token.allowance(alice, merchant) == shown
    assert allowance_word(token, alice, merchant)[0] == stored


def test_largest_finite_allowance_decrements(token, alice, bob, merchant):
    token.approve(merchant, INFINITE - 1, {"from": alice})
    token.transferFrom(alice, bob, 5, {"from": merchant})
    assert token.allowance(alice, merchant) == INFINITE - 6


def test_infinite_allowance_is_not_decremented(token, alice, bob, merchant):
    token.approve(merchant, 2**240, {"from": alice})
    tx = token.transferFrom(alice, bob, 1_000_000, {"from": merchant})  # the retail per-transfer limit
    assert "Approval" not in tx.events
    assert token.allowance(alice, merchant) == MAX


# ------------------------------------------------------------------ epoch exhaustion (harness)


@pytest.fixture(scope="module")
def harness(compliant_token, alice, bob, merchant):
    return compliant_token("Harness", "HN", 0, holders=[(alice, 1, 1_000), (bob, 1, 0), (merchant, 1, 0)])


def test_epoch_exhaustion_reverts_instead_of_wrapping(harness, admin, alice, bob, merchant, stranger):
    harness.approve(merchant, 100, {"from": alice})
    harness.setFreezeEpochForTesting(MAX_EPOCH - 1, {"from": admin})
    limits = [harness.tierLimits(t) for t in (1, 2, 3)]
    harness.freeze(merchant, {"from": admin})
    assert epoch(harness) == MAX_EPOCH
    assert [harness.tierLimits(t) for t in (1, 2, 3)] == limits  # the epoch did not spill into tier 3
    with brownie.reverts("FreezeEpochExhausted: "):
        harness.freeze(bob, {"from": admin})
    harness.setKyc(stranger, 1, 392, {"from": admin})
    with brownie.reverts("FreezeEpochExhausted: "):
        harness.recover(bob, stranger, REASON, {"from": admin})
    assert harness.kycOf(bob)[2] is False
    # what needs no new epoch still works: recovering the already frozen merchant, unfreezing
    harness.recover(merchant, stranger, REASON, {"from": admin})
    harness.unfreeze(merchant, {"from": admin})
    assert epoch(harness) == MAX_EPOCH


def test_token_epoch_exhaustion_reverts_instead_of_wrapping(token, operator, alice, bob, merchant, stranger):
    """On the JPY token itself: with the epoch one below its maximum (written into the config word through
    Anvil's anvil_setStorageAt, as 2^24-2 freezes cannot be replayed), one more freeze reaches the maximum and
    the next freeze or freezing recovery reverts with FreezeEpochExhausted; nothing else in the word moves."""
    config = _word(token, BASE + 2)
    exhausted = (config & (2**232 - 1)) | ((MAX_EPOCH - 1) << 232)
    brownie.web3.provider.make_request(
        "anvil_setStorageAt", [token.address, hex(BASE + 2), "0x" + exhausted.to_bytes(32, "big").hex()]
    )
    assert epoch(token) == MAX_EPOCH - 1
    limits = [token.tierLimits(t) for t in (1, 2, 3)]
    token.freeze(merchant, {"from": operator})
    assert epoch(token) == MAX_EPOCH
    with brownie.reverts("FreezeEpochExhausted: "):
        token.freeze(bob, {"from": operator})
    with brownie.reverts("FreezeEpochExhausted: "):
        token.recover(alice, bob, REASON, {"from": operator})
    assert token.kycOf(bob)[2] is False
    assert token.balanceOf(alice) == 2_000_000
    assert [token.tierLimits(t) for t in (1, 2, 3)] == limits
    assert _word(token, BASE + 2) >> 232 == MAX_EPOCH


def test_spender_checks_hold_at_the_last_epoch(harness, admin, alice, bob, merchant):
    harness.approve(merchant, 100, {"from": alice})  # tag MAX_EPOCH - 1
    harness.setFreezeEpochForTesting(MAX_EPOCH - 1, {"from": admin})
    harness.freeze(merchant, {"from": admin})  # epoch MAX_EPOCH
    harness.approve(merchant, 200, {"from": bob})
    assert allowance_word(harness, bob, merchant) == (200, MAX_EPOCH - 1)
    with brownie.reverts(frozen_error(merchant)):
        harness.transferFrom(alice, bob, 10, {"from": merchant})
    harness.unfreeze(merchant, {"from": admin})
    harness.transferFrom(alice, bob, 10, {"from": merchant})
    assert allowance_word(harness, alice, merchant) == (90, MAX_EPOCH)


def test_approval_tag_for_frozen_spender_is_a_past_epoch(harness, admin, alice, merchant):
    """The tag for a frozen spender is epoch - 1: always an epoch already left behind (epoch >= 1 whenever
    an account is frozen, since freezing increments it)."""
    harness.freeze(merchant, {"from": admin})
    assert epoch(harness) == 1
    harness.approve(merchant, 5, {"from": alice})
    assert allowance_word(harness, alice, merchant) == (5, 0)
