"""Attested mints: the happy path and every revert path of `mint` (signature rules in test_signatures.py)."""

import brownie
import pytest

from corridor.bridge.attest import KHR, USD

from .conftest import RESERVE


def _mint(signers, att, sender):
    return signers.bridge.mint(att.as_tuple(), signers.sign(att), {"from": sender})


def test_mint_credits_recipient(signers, bridge, bkhr, alice, relayer, funded):
    att = signers.mint_att(KHR, 40_000, alice)
    tx = _mint(signers, att, relayer)
    assert bkhr.balanceOf(alice) == 40_000
    assert bkhr.totalSupply() == 40_000
    ev = tx.events["Minted"]
    assert (ev["currency"], ev["recipient"], ev["amount"]) == (KHR, alice, 40_000)
    assert ev["bakongTxHash"] == "0x" + att.bakong_tx_hash.hex()
    assert ev["khqrMd5"] == "0x" + att.khqr_md5.hex()


def test_mint_returns_not_queued_and_marks_hash_minted(signers, bridge, alice, relayer, funded):
    att = signers.mint_att(USD, 5_00, alice)
    assert bridge.mint.call(att.as_tuple(), signers.sign(att), {"from": relayer}) is False
    _mint(signers, att, relayer)
    assert bridge.mintStatus(att.bakong_tx_hash) == 1


def test_mint_drains_inbound_bucket(signers, bridge, alice, relayer, funded):
    before = bridge.inboundAvailable(USD)
    _mint(signers, signers.mint_att(USD, 7_00, alice), relayer)
    assert bridge.inboundAvailable(USD) == before - 7_00


def test_mint_same_bakong_tx_twice_reverts(signers, alice, relayer, funded):
    att = signers.mint_att(KHR, 1_000, alice)
    _mint(signers, att, relayer)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        _mint(signers, att, relayer)


def test_mint_same_bakong_tx_other_amount_reverts(signers, alice, bob, relayer, funded):
    att = signers.mint_att(KHR, 1_000, alice)
    _mint(signers, att, relayer)
    other = signers.mint_att(KHR, 2_000, bob, bakong_tx_hash=att.bakong_tx_hash)
    with brownie.reverts(revert_pattern=r"BakongTxAlreadyProcessed.*"):
        _mint(signers, other, relayer)


def test_mint_zero_amount_reverts(signers, alice, relayer, funded):
    with brownie.reverts(revert_pattern=r"ZeroAmount.*"):
        _mint(signers, signers.mint_att(KHR, 0, alice), relayer)


def test_mint_zero_recipient_reverts(signers, relayer, funded):
    with brownie.reverts(revert_pattern=r"ZeroRecipient.*"):
        _mint(signers, signers.mint_att(KHR, 1, "0x" + "00" * 20), relayer)


def test_mint_zero_bakong_tx_hash_reverts(signers, alice, relayer, funded):
    att = signers.mint_att(KHR, 1, alice)
    att = type(att)(**{**att.__dict__, "bakong_tx_hash": b"\x00" * 32})
    with brownie.reverts(revert_pattern=r"ZeroBakongTxHash.*"):
        _mint(signers, att, relayer)


def test_mint_zero_khqr_md5_reverts(signers, alice, relayer, funded):
    with brownie.reverts(revert_pattern=r"ZeroKhqrMd5.*"):
        _mint(signers, signers.mint_att(KHR, 1, alice, khqr_md5=b"\x00" * 16), relayer)


def test_mint_expired_attestation_reverts(signers, alice, relayer, funded, chain):
    att = signers.mint_att(KHR, 1, alice, expiry=signers.now() + 10)
    chain.sleep(60)
    chain.mine()
    with brownie.reverts(revert_pattern=r"AttestationExpired.*"):
        _mint(signers, att, relayer)


def test_mint_unknown_currency_reverts(signers, alice, relayer, funded):
    with brownie.reverts(revert_pattern=r"UnknownCurrency.*"):
        _mint(signers, signers.mint_att(392, 1, alice), relayer)


def test_mint_above_message_cap_reverts(signers, bridge, alice, relayer, funded):
    cap = bridge.limitsOf(USD)[0]
    with brownie.reverts(revert_pattern=r"AmountAboveMessageCap.*"):
        _mint(signers, signers.mint_att(USD, cap + 1, alice), relayer)


def test_mint_beyond_inbound_bucket_reverts(signers, bridge, admin, alice, relayer, funded):
    limits = list(bridge.limitsOf(USD))
    limits[0], limits[1], limits[3], limits[4] = 1_000, 1_000, 1_500, 1  # cap, threshold, capacity, 1/s
    bridge.setCurrencyLimits(USD, limits, {"from": admin})
    _mint(signers, signers.mint_att(USD, 1_000, alice), relayer)
    with brownie.reverts(revert_pattern=r"RateLimitExceeded.*"):
        _mint(signers, signers.mint_att(USD, 600, alice), relayer)


def test_mint_without_reserve_attestation_reverts(signers, alice, relayer):
    with brownie.reverts(revert_pattern=r"ReserveStale.*"):
        _mint(signers, signers.mint_att(KHR, 1, alice), relayer)


def test_mint_against_stale_reserve_reverts(signers, bridge, alice, relayer, funded, chain):
    chain.sleep(bridge.timings()[0] + 1)
    chain.mine()
    with brownie.reverts(revert_pattern=r"ReserveStale.*"):
        _mint(signers, signers.mint_att(KHR, 1, alice, expiry=signers.now() + 3600), relayer)


def test_mint_above_attested_reserve_reverts(signers, bkhr, alice, relayer):
    signers.attest_reserve(KHR, 5_000, relayer)
    _mint(signers, signers.mint_att(KHR, 5_000, alice), relayer)
    with brownie.reverts(revert_pattern=r"ReserveExceeded.*"):
        _mint(signers, signers.mint_att(KHR, 1, alice), relayer)
    assert bkhr.totalSupply() == 5_000


def test_mint_when_paused_reverts(signers, bridge, operator, alice, relayer, funded):
    bridge.pause({"from": operator})
    with brownie.reverts(revert_pattern=r"EnforcedPause.*"):
        _mint(signers, signers.mint_att(KHR, 1, alice), relayer)


def test_mint_when_currency_stopped_reverts(signers, bridge, alice, relayer, funded):
    # a reconciliation with a drift above tolerance stops minting of the currency
    rec = signers.reconciliation(KHR, RESERVE)
    bridge.reconcile(rec.as_tuple(), signers.sign(rec), {"from": relayer})
    assert bridge.mintingStopped(KHR)
    with brownie.reverts(revert_pattern=r"MintingStopped.*"):
        _mint(signers, signers.mint_att(KHR, 1, alice), relayer)


def test_mint_of_other_currency_continues_when_one_is_stopped(signers, bridge, busd, alice, relayer, funded):
    rec = signers.reconciliation(KHR, RESERVE)
    bridge.reconcile(rec.as_tuple(), signers.sign(rec), {"from": relayer})
    _mint(signers, signers.mint_att(USD, 1_00, alice), relayer)
    assert busd.balanceOf(alice) == 1_00


@pytest.mark.parametrize("sender_index", [0, 5, 9])
def test_mint_can_be_submitted_by_anyone(signers, bkhr, accounts, alice, funded, sender_index):
    _mint(signers, signers.mint_att(KHR, 3, alice), accounts[sender_index])
    assert bkhr.balanceOf(alice) == 3
