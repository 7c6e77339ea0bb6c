"""The relayer refunds a yen payer in JPYS when Bakong refuses the payout (corridor/bridge/relayer.py): a
KhqrPayer redemption to an account Bakong does not know is rejected, then `KhqrPayer.refund` sells the bKHR
that came back for JPYS straight to the payer at no less than the contract's floor, once, across crashes
and a refund that fails (a paused pool) until it can go through."""

from __future__ import annotations

import pytest
from brownie import web3

from corridor.bridge.offchain import bakong_side
from corridor.bridge.relayer import KHQR_PAYER_CRASH_POINTS, Relayer, RelayerCrashed
from corridor.bridge.store import REJECTED, REQUESTED
from corridor.khqr_pay import remittance

KHR = 116
UNKNOWN = "ghost@abab"  # no such account on Bakong


@pytest.fixture
def side(world, relayer):
    return bakong_side(
        web3,
        world.bridge.address,
        str(relayer),
        world.validator_keys,
        khqr_payer=world.payer_contract.address,
    )


def _pay_unknown(world, payer):
    p = remittance(UNKNOWN, "KHR", 40_000, 2_000, "REM-GHOST")
    sq = world.quote(p)
    tx = world.payer_contract.payWithQuote(p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": payer})
    return tx.return_value


def _refunds(world):
    return list(world.payer_contract.events.get_sequence(0, event_type="PaymentRefunded"))


def test_rejected_khqr_payout_is_refunded_to_the_payer_in_jpys(world, side, yen_payer):
    rid, jpy_in = _pay_unknown(world, yen_payer)
    before = world.jpys.balanceOf(yen_payer)
    path = world.path(KHR, inbound=True)
    assert world.bridge.rejectionFeeOf(KHR)[0] == 0  # the development settings: all 40,000 riel come back
    expected = world.router.quoteExactIn(path, 40_000)
    floor = world.payer_contract.refundFloor(path, 40_000)
    report = side.relayer.run_once()
    assert not report.errors, report.errors
    assert report.rejected == [rid] and report.refunded == [rid]
    assert world.bridge.redemption(rid)[2] == 3  # Rejected
    assert world.payer_contract.refunded(rid)
    (ev,) = _refunds(world)
    assert (ev.args.redemptionId, ev.args.payer, ev.args.tokenBack, ev.args.jpyOut) == (
        rid,
        yen_payer,
        40_000,
        expected,
    )
    assert expected >= floor > 0
    assert world.jpys.balanceOf(yen_payer) == before + expected
    assert (
        world.token(KHR).balanceOf(world.payer_contract) == 0
        and world.jpys.balanceOf(world.payer_contract) == 0
    )
    assert side.relayer.store.redemption(rid).status == REJECTED
    assert side.relayer.run_once().refunded == []  # nothing left to do


def test_another_holders_rejection_is_not_refunded_through_khqr_payer(world, side, relayer):
    holder = world.who["liquidity"]  # verified on the bridge tokens
    world.mint(KHR, 50_000, holder, relayer)
    world.token(KHR).approve(world.bridge, 50_000, {"from": holder})
    rid = world.bridge.redeem(KHR, 50_000, UNKNOWN, {"from": holder}).return_value
    report = side.relayer.run_once()
    assert report.rejected == [rid] and report.refunded == []
    assert _refunds(world) == []


@pytest.mark.parametrize("point", ["redemption.reject_sent", *KHQR_PAYER_CRASH_POINTS])
def test_relayer_crashed_around_the_refund_resumes_and_refunds_once(world, side, yen_payer, point):
    r = side.relayer
    rid, _ = _pay_unknown(world, yen_payer)
    crashing = Relayer(r.gateway, r.client, r.payer, r.validators, r.store, r.config, crash_at=point)
    with pytest.raises(RelayerCrashed):
        crashing.run_once()
    assert r.store.redemption(rid).status == REQUESTED  # not recorded rejected before the refund is
    report = r.run_once()  # restarted on the same store
    assert not report.errors, report.errors
    assert report.rejected == [rid]
    assert report.refunded == ([rid] if point == "redemption.reject_sent" else [])
    assert len(_refunds(world)) == 1 and world.payer_contract.refunded(rid)
    assert r.store.redemption(rid).status == REJECTED


def test_a_refund_that_fails_is_retried_until_it_goes_through(world, side, yen_payer):
    rid, _ = _pay_unknown(world, yen_payer)
    pool, guardian = world.suite.exchange.pools["KHR"], world.who["admin"]
    pool.pause({"from": guardian})
    failed = side.relayer.run_once()
    assert failed.errors and failed.refunded == []
    assert world.bridge.redemption(rid)[2] == 3 and not world.payer_contract.refunded(rid)
    assert side.relayer.store.redemption(rid).status == REQUESTED  # retried next pass
    assert world.token(KHR).balanceOf(world.payer_contract) == 40_000  # waiting in KhqrPayer, not lost
    pool.unpause({"from": guardian})
    done = side.relayer.run_once()
    assert not done.errors, done.errors
    assert done.refunded == [rid] and done.rejected == [rid]
    assert world.payer_contract.refunded(rid) and world.token(KHR).balanceOf(world.payer_contract) == 0
