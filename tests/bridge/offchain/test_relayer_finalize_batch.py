"""Batched redemption finalization against the Python model of the bridge: paid payouts of one currency
finalized by one `finalizeRedemptionBatch`, the size bound, per-currency batches, the fallbacks (a
validator refusing one payout, a batch that would revert, a redemption finalized elsewhere), rejections
staying single, and a crash at every finalization step followed by a restart (each payout once on
Bakong, each redemption finalized once)."""

import pytest

from corridor.bridge.gateway import RedemptionStatus
from corridor.bridge.khqr import Currency
from corridor.bridge.relayer import FINALIZE_BATCH_CRASH_POINTS, RelayerConfig, RelayerCrashed
from corridor.bridge.store import FINALIZED, PAID_OUT, REJECTED
from corridor.bridge.validator import collect

from .bridge_model import CUSTOMER, OMNIBUS

KHR, USD = Currency.KHR.value, Currency.USD.value
FUNDS = {"KHR": 1_000_000, "USD": 1_000_00}


@pytest.fixture
def make_batcher(make_relayer):
    """A relayer batching 4 (deposits or payouts); every call a restart over the same state file."""

    def build(crash_at=None, size=4, gateway=None):
        config = RelayerConfig(omnibus_account=OMNIBUS, batch_size=size, batch_latency_ms=0)
        return make_relayer(crash_at=crash_at, config=config, gateway=gateway)

    return build


@pytest.fixture
def funded(make_batcher, model, ledger, recipient):
    """The recipient holds 1,000,000 bKHR and 1,000.00 bUSD, each minted by one deposit."""
    relayer = make_batcher(size=1)
    for currency, amount in FUNDS.items():
        ledger.pay_khqr(CUSTOMER, relayer.request_deposit(currency, amount, recipient).khqr)
    relayer.run_once()
    assert model.supply == {KHR: FUNDS["KHR"], USD: FUNDS["USD"]}
    return recipient


def payouts_to_customer(ledger):
    return sorted(t.amount for t in ledger.transfers(CUSTOMER) if t.from_account == OMNIBUS)


def settle(make_batcher, relayer, crash_at=None, passes=6):
    """Passes until one is idle; a crash restarts a clean relayer. Returns (relayer, crashes, reports)."""
    crashes, reports = [], []
    for _ in range(passes):
        try:
            report = relayer.run_once()
        except RelayerCrashed as crash:
            crashes.append(str(crash))
            relayer = make_batcher()
            continue
        reports.append(report)
        assert not report.errors, report.errors
        if report.idle:
            break
    return relayer, crashes, reports


def test_paid_redemptions_are_finalized_in_one_transaction(make_batcher, model, ledger, funded):
    rids = [model.redeem(funded, KHR, a, CUSTOMER) for a in (10_000, 20_000, 30_000)]
    relayer = make_batcher()
    report = relayer.run_once()
    assert report.paid_out and [rid for rid, _ in report.paid_out] == rids
    assert (model.finalize_batch_calls, model.finalize_calls) == (1, 0)
    [(count, tx)] = report.finalize_batches
    assert count == 3 and report.finalized == rids
    assert [model.redemptions[r].status for r in rids] == [RedemptionStatus.FINALIZED] * 3
    rows = [relayer.store.redemption(r) for r in rids]
    assert [r.status for r in rows] == [FINALIZED] * 3 and {r.chain_tx for r in rows} == {tx}
    assert model.supply[KHR] == FUNDS["KHR"] - 60_000  # the escrow burned once
    assert payouts_to_customer(ledger) == [10_000, 20_000, 30_000]
    assert relayer.run_once().idle


def test_size_bound_cuts_batches_and_a_lone_rest_goes_singly(make_batcher, model, ledger, funded):
    rids = [model.redeem(funded, KHR, 1_000 * (i + 1), CUSTOMER) for i in range(5)]
    report = make_batcher(size=2).run_once()
    assert [n for n, _ in report.finalize_batches] == [2, 2]
    assert (model.finalize_batch_calls, model.finalize_calls) == (2, 1)  # a batch of one costs more
    assert sorted(report.finalized) == rids
    assert model.supply[KHR] == FUNDS["KHR"] - 15_000


def test_currencies_are_finalized_in_their_own_batches(make_batcher, model, ledger, funded):
    khr = [model.redeem(funded, KHR, a, CUSTOMER) for a in (10_000, 20_000)]
    usd = [model.redeem(funded, USD, a, CUSTOMER) for a in (1_00, 2_50)]
    report = make_batcher().run_once()
    assert sorted(n for n, _ in report.finalize_batches) == [2, 2] and model.finalize_calls == 0
    assert sorted(report.finalized) == sorted(khr + usd)
    assert (model.supply[KHR], model.supply[USD]) == (FUNDS["KHR"] - 30_000, FUNDS["USD"] - 3_50)


def test_refused_payout_is_named_left_alone_and_the_rest_batched(make_batcher, model, ledger, funded):
    rids = [model.redeem(funded, KHR, a, CUSTOMER) for a in (10_000, 20_000, 30_000)]
    relayer = make_batcher(crash_at="redemption.payout_recorded")
    with pytest.raises(RelayerCrashed):  # the first payout recorded, the others not yet paid
        relayer.run_once()
    good = relayer.store.redemption(rids[0]).payout_hash
    relayer.store.update_redemption(rids[0], payout_hash="ab" * 32)  # a row that does not match Bakong
    relayer = make_batcher()
    report = relayer.run_once()
    assert len(report.fallbacks) == 1 and f"(redemption {rids[0]})" in report.fallbacks[0]
    assert f"redemption(s) {rids[0]} finalized alone" in report.fallbacks[0]
    assert [n for n, _ in report.finalize_batches] == [2] and sorted(report.finalized) == rids[1:]
    assert any(f"redemption {rids[0]}" in e for e in report.errors)  # its single finalization fails too
    assert model.redemptions[rids[0]].status == RedemptionStatus.PENDING
    assert relayer.store.redemption(rids[0]).status == PAID_OUT  # kept, retried, never parked
    entry = relayer.store.dead_letter(f"redemption:{rids[0]}")
    assert entry.attempts == 1 and not entry.parked
    relayer.store.update_redemption(rids[0], payout_hash=good)  # an operator repaired the row
    assert make_batcher().run_once().finalized == [rids[0]]
    assert (model.finalize_batch_calls, model.finalize_calls) == (1, 1)
    assert payouts_to_customer(ledger) == [10_000, 20_000, 30_000]  # each paid once
    assert relayer.store.dead_letter(f"redemption:{rids[0]}") is None


class RacingBridge:
    """The model bridge with another relayer finalizing one redemption singly just before this relayer's
    batch lands (the race the contract settles: the batch reverts, nothing of it happens)."""

    def __init__(self, model, validators, victim):
        self._model, self._validators, self._victim = model, validators, victim

    def __getattr__(self, name):
        return getattr(self._model, name)

    def finalize_redemption_batch(self, att, payouts, sigs):
        fin = next(
            p for p in payouts if p.redemption_id == self._victim
        )  # the other relayer's single finalization of the same payout
        from corridor.bridge.attest import RedemptionFinalization

        single = RedemptionFinalization(fin.redemption_id, fin.payout_tx_hash, self._model.epoch())
        self._model.finalize_redemption(
            single, collect(self._model, self._validators, lambda v: v.sign_finalization(single))
        )
        return self._model.finalize_redemption_batch(att, payouts, sigs)


def test_batch_that_would_revert_falls_back_and_finalizes_nothing_twice(
    make_batcher, model, ledger, funded, validators
):
    rids = [model.redeem(funded, KHR, a, CUSTOMER) for a in (10_000, 20_000, 30_000)]
    report = make_batcher(gateway=RacingBridge(model, validators, rids[1])).run_once()
    assert "RedemptionNotPending" in report.fallbacks[0] and "one by one" in report.fallbacks[0]
    assert model.finalize_batch_calls == 0 and model.finalize_calls == 3  # 1 by the other relayer, 2 here
    assert sorted(report.finalized) == rids  # the one finalized elsewhere is recorded as done
    assert [model.redemptions[r].status for r in rids] == [RedemptionStatus.FINALIZED] * 3
    assert model.supply[KHR] == FUNDS["KHR"] - 60_000  # each escrow burned once
    assert not report.errors


def test_redemption_already_finalized_on_chain_is_recorded_not_batched(
    make_batcher, model, ledger, funded, validators
):
    rids = [model.redeem(funded, KHR, a, CUSTOMER) for a in (10_000, 20_000, 30_000)]
    relayer = make_batcher(crash_at="finalize_batch.signed")
    with pytest.raises(RelayerCrashed):
        relayer.run_once()
    # meanwhile another relayer finalized the first payout singly
    from corridor.bridge.attest import RedemptionFinalization

    row = relayer.store.redemption(rids[0])
    single = RedemptionFinalization(rids[0], bytes.fromhex(row.payout_hash), model.epoch())
    model.finalize_redemption(single, collect(model, validators, lambda v: v.sign_finalization(single)))
    report = make_batcher().run_once()
    assert sorted(report.finalized) == rids and [n for n, _ in report.finalize_batches] == [2]
    assert (model.finalize_batch_calls, model.finalize_calls) == (1, 1)
    assert [relayer.store.redemption(r).status for r in rids] == [FINALIZED] * 3
    assert model.supply[KHR] == FUNDS["KHR"] - 60_000


def test_rejections_stay_single_next_to_a_batch(make_batcher, model, ledger, funded):
    paid = [model.redeem(funded, KHR, a, CUSTOMER) for a in (10_000, 20_000)]
    refused = [model.redeem(funded, KHR, a, "ghost@nowhere") for a in (1_000, 2_000)]
    report = make_batcher().run_once()
    assert sorted(report.rejected) == refused and sorted(report.finalized) == paid
    assert (model.finalize_batch_calls, model.finalize_calls) == (1, 0)
    assert [model.redemptions[r].status for r in refused] == [RedemptionStatus.REJECTED] * 2
    assert model.balances[(KHR, funded)] == FUNDS["KHR"] - 30_000  # the rejected escrow came back
    assert {make_batcher().store.redemption(r).status for r in refused} == {REJECTED}


@pytest.mark.parametrize(
    "point",
    [
        *FINALIZE_BATCH_CRASH_POINTS,
        "redemption.paying",
        "redemption.paid_out",
        "redemption.payout_recorded",
    ],
)
def test_crash_at_any_finalization_step_pays_and_finalizes_each_once(
    point, make_batcher, model, ledger, funded
):
    amounts = (10_000, 20_000, 30_000)
    rids = [model.redeem(funded, KHR, a, CUSTOMER) for a in amounts]
    relayer, crashes, _ = settle(make_batcher, make_batcher(crash_at=point))
    assert crashes == [point]  # the crash really happened, once
    assert payouts_to_customer(ledger) == list(amounts)  # each paid once on Bakong
    assert [model.redemptions[r].status for r in rids] == [RedemptionStatus.FINALIZED] * 3
    assert [relayer.store.redemption(r).status for r in rids] == [FINALIZED] * 3
    assert model.supply[KHR] == FUNDS["KHR"] - 60_000  # each escrow burned once
    assert len(model.payouts) == 3  # each payout hash used once
    assert (model.finalize_batch_calls, model.finalize_calls) == (1, 0)  # restarts batch them all again
    assert [line.drift for line in relayer.reconciliation()] == [0, 0]
