"""The relayer against the Python model of the bridge: deposits, redemptions, rejections, queued
mints, rotations, and a crash at every step followed by a restart."""

import pytest

from corridor.bridge.gateway import MintStatus, RedemptionStatus
from corridor.bridge.khqr import Currency, decode
from corridor.bridge.relayer import (
    PLAIN_CRASH_POINTS,
    RelayerCrashed,
)
from corridor.bridge.store import EXPIRED, FINALIZED, MINTED, REJECTED

from .bridge_model import CUSTOMER, OMNIBUS, Reverted

KHR, USD = Currency.KHR.value, Currency.USD.value


def settle(make_relayer, relayer, max_passes=6):
    """Runs passes until one does nothing; a crash discards the relayer and restarts a clean one.
    Returns (relayer, crash points hit, reports)."""
    crashes, reports = [], []
    for _ in range(max_passes):
        try:
            report = relayer.run_once()
        except RelayerCrashed as crash:
            crashes.append(str(crash))
            relayer = make_relayer()
            continue
        reports.append(report)
        assert not report.errors, report.errors
        if report.idle:
            break
    return relayer, crashes, reports


def test_deposit_issues_khqr_paying_omnibus_for_recipient(make_relayer, recipient):
    intent = make_relayer().request_deposit("KHR", 40_000, recipient)
    q = decode(intent.khqr)
    assert (q.account_id, q.currency, q.amount) == (OMNIBUS, Currency.KHR, 40_000)
    assert q.evm_recipient.lower() == recipient.lower()
    assert q.bill_number == intent.reference == "BR-000001"


def test_deposit_with_zero_recipient_is_refused(make_relayer):
    with pytest.raises(ValueError, match="non-zero EVM address"):
        make_relayer().request_deposit("KHR", 40_000, "0x" + "00" * 20)


def test_deposit_above_the_message_cap_is_refused(make_relayer, model, recipient):
    model.message_cap = 39_999
    with pytest.raises(ValueError, match="per-message cap 39999"):
        make_relayer().request_deposit("KHR", 40_000, recipient)
    assert make_relayer().store.deposits() == []


def test_unpaid_deposit_mints_nothing(make_relayer, model, recipient):
    relayer = make_relayer()
    relayer.request_deposit("KHR", 40_000, recipient)
    assert relayer.run_once().idle
    assert model.supply[KHR] == 0


def test_paid_khr_deposit_mints_once(make_relayer, model, ledger, recipient):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    report = relayer.run_once()
    assert report.minted == [intent.md5]
    assert report.reserves == [(KHR, 40_000)]
    assert model.balances[(KHR, recipient)] == 40_000
    assert relayer.run_once().idle
    assert model.mint_calls == 1


def test_paid_usd_deposit_mints_cents(make_relayer, model, ledger, recipient):
    relayer = make_relayer()
    intent = relayer.request_deposit("USD", 12_34, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer.run_once()
    assert model.balances[(USD, recipient)] == 12_34
    assert ledger.balance(OMNIBUS, "USD") == 12_34


def test_payment_settling_just_after_expiry_is_still_minted(make_relayer, model, ledger, clock, recipient):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    clock.sleep(16 * 60)  # the relayer was down past the KHQR's expiry; the payment was made in time
    assert relayer.run_once().minted == [intent.md5]


def test_expired_unpaid_deposit_is_closed(make_relayer, clock, recipient):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    clock.sleep(16 * 60)
    assert relayer.run_once().idle  # still within the grace period
    clock.sleep(10 * 60)
    assert relayer.run_once().expired == [intent.md5]
    assert relayer.store.deposit(intent.md5).status == EXPIRED


def test_large_deposit_is_queued_then_executed_after_delay(make_relayer, model, ledger, clock, recipient):
    model.large_mint = 100_000
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 500_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    assert relayer.run_once().queued == [intent.md5]
    assert model.supply[KHR] == 0
    clock.sleep(model.mint_delay)
    assert relayer.run_once().minted == [intent.md5]
    assert model.supply[KHR] == 500_000


def test_vetoed_queued_mint_is_recorded(make_relayer, model, ledger, recipient):
    model.large_mint = 100_000
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 500_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer.run_once()
    model.minted[bytes.fromhex(relayer.store.deposit(intent.md5).bakong_hash)] = MintStatus.VETOED
    assert relayer.run_once().vetoed == [intent.md5]


def test_mint_waits_when_validators_refuse(make_relayer, model, ledger, validators, recipient):
    relayer = make_relayer(vals=validators[:2])  # only 2 of the 3 needed
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    report = relayer.run_once()
    assert "2 of 3 signatures" in report.errors[0]
    assert model.supply[KHR] == 0
    report = make_relayer().run_once()
    assert report.minted == [intent.md5]


def test_rotated_validator_set_resigns_stored_attestation(make_relayer, model, ledger, recipient):
    relayer = make_relayer(crash_at="deposit.signed")
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    with pytest.raises(RelayerCrashed):
        relayer.run_once()
    model.current_epoch = 2  # same validators, new epoch: the stored signatures are void
    relayer, _, _ = settle(make_relayer, make_relayer())
    assert relayer.store.deposit(intent.md5).status == MINTED
    assert model.mint_calls == 1


def _funded_holder(make_relayer, ledger, recipient, amount=40_000):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", amount, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer.run_once()
    return relayer


def test_redemption_pays_out_and_finalizes(make_relayer, model, ledger, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    before = ledger.balance(CUSTOMER, "KHR")
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    report = relayer.run_once()
    assert report.seen_redemptions == [rid] and report.finalized == [rid]
    assert ledger.balance(CUSTOMER, "KHR") == before + 15_000
    assert ledger.balance(OMNIBUS, "KHR") == 25_000
    assert model.supply[KHR] == 25_000
    assert model.redemptions[rid].status == RedemptionStatus.FINALIZED


def test_redemption_to_unknown_account_is_rejected_and_refunded(make_relayer, model, ledger, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    rid = model.redeem(recipient, KHR, 15_000, "ghost@nowhere")
    assert relayer.run_once().rejected == [rid]
    assert model.balances[(KHR, recipient)] == 40_000
    assert ledger.balance(OMNIBUS, "KHR") == 40_000
    assert relayer.store.redemption(rid).status == REJECTED


def test_redemption_reclaimed_on_chain_is_not_paid(make_relayer, model, ledger, clock, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    clock.sleep(model.redemption_timeout + 1)
    model.reclaim(rid)
    assert relayer.run_once().reclaimed == [rid]
    assert ledger.balance(OMNIBUS, "KHR") == 40_000


def test_redemption_near_its_reclaim_deadline_is_not_paid(make_relayer, model, ledger, clock, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    clock.sleep(7 * 86_400 - 60)
    report = relayer.run_once()
    assert "before its reclaim deadline" in report.errors[0]
    assert ledger.balance(OMNIBUS, "KHR") == 40_000
    assert model.redemptions[rid].status == RedemptionStatus.PENDING


def test_rescanning_blocks_does_not_duplicate_redemptions(make_relayer, model, ledger, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    relayer.run_once()
    relayer.store.put("next_block", "0")
    assert relayer.run_once().idle
    assert [r.id for r in relayer.store.redemptions()] == [rid]


@pytest.mark.parametrize(
    "point",
    [p for p in PLAIN_CRASH_POINTS if p != "redemption.dead_lettered"],
)
def test_crash_at_any_step_then_restart_mints_once_and_loses_no_redemption(
    point, make_relayer, model, ledger, recipient
):
    relayer = make_relayer(crash_at=point)
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer, crashes, _ = settle(make_relayer, relayer)
    paid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    refused = model.redeem(recipient, KHR, 5_000, "ghost@nowhere")
    relayer, more, _ = settle(make_relayer, make_relayer(crash_at=point))
    assert crashes + more == [
        point
    ]  # the crash really happened, once (a poison event: test_relayer_dead_letters)
    assert model.mint_calls == 1
    assert model.supply[KHR] == 40_000 - 15_000
    assert model.balances[(KHR, recipient)] == 40_000 - 15_000 - 5_000 + 5_000
    assert model.redemptions[paid].status == RedemptionStatus.FINALIZED
    assert model.redemptions[refused].status == RedemptionStatus.REJECTED
    payouts = [t for t in ledger.transfers(CUSTOMER) if t.from_account == OMNIBUS]
    assert [(t.amount, t.currency) for t in payouts] == [(15_000, Currency.KHR)]
    assert ledger.balance(OMNIBUS, "KHR") == 25_000
    assert relayer.store.redemption(paid).status == FINALIZED
    assert [line.drift for line in relayer.reconciliation()] == [0, 0]


def test_unknown_crash_point_is_refused(make_relayer):
    with pytest.raises(ValueError, match="unknown crash point"):
        make_relayer(crash_at="nowhere")


def test_reconciliation_counts_in_flight_money(make_relayer, model, ledger, recipient):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer.store.update_deposit(intent.md5, status="paid", bakong_hash=ledger.by_md5(intent.md5).hash)
    khr = relayer.reconciliation()[0]
    assert (khr.supply, khr.omnibus, khr.unminted_deposits, khr.drift) == (0, 40_000, 40_000, 0)
    assert not khr.settled


def test_reconciliation_shows_a_break(make_relayer, model, ledger, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    ledger.transfer(OMNIBUS, CUSTOMER, "KHR", 1_000)  # money leaves the omnibus outside the bridge
    khr = relayer.reconciliation()[0]
    assert khr.drift == -1_000
    assert "BREAK" in str(khr)


def test_settled_reconciliation_is_signed_and_submitted(make_relayer, model, ledger, recipient):
    relayer = _funded_holder(make_relayer, ledger, recipient)
    line = relayer.submit_reconciliation("KHR")
    assert line.drift == 0
    assert [(r.currency, r.omnibus_balance) for r in model.reconciled] == [(KHR, 40_000)]


def test_reconciliation_with_money_in_flight_is_not_submitted(make_relayer, model, ledger, recipient):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer.store.update_deposit(intent.md5, status="paid", bakong_hash=ledger.by_md5(intent.md5).hash)
    with pytest.raises(ValueError, match="in flight"):
        relayer.submit_reconciliation("KHR")
    assert model.reconciled == []


def test_model_refuses_replayed_mint(make_relayer, model, ledger, recipient):
    """The relayer never replays, but the bridge would refuse it anyway."""
    relayer = make_relayer(crash_at="deposit.mint_sent")
    intent = relayer.request_deposit("KHR", 40_000, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    with pytest.raises(RelayerCrashed):
        relayer.run_once()
    d = relayer.store.deposit(intent.md5)
    from corridor.bridge.attest import MintAttestation

    att = MintAttestation(
        KHR,
        40_000,
        recipient,
        bytes.fromhex(d.bakong_hash),
        bytes.fromhex(d.md5),
        d.attestation["expiry"],
        d.attestation["epoch"],
    )
    with pytest.raises(Reverted, match="BakongTxAlreadyProcessed"):
        model.mint(att, bytes.fromhex(d.signatures))
