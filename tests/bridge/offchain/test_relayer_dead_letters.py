"""Finding 1 (relayer half): one bad event never stops the relayer, and no sequence of crashes lets a
redemption be both paid out on Bakong and reclaimed on-chain.

A poison event is a `RedemptionRequested` whose account id is not UTF-8, as the original contract
(779b121) accepted from any verified holder; `ModelBridge.redeem_raw` makes one (the same log on a real
node: test_relayer_chain.py). The crash matrix below kills the relayer at every `CRASH_POINTS` entry,
leaves it down for a while, restarts it, and checks the payout invariant of docs/security.md: every
redemption ends finalized with exactly one payout, or rejected / reclaimed with none.
"""

import sqlite3
from dataclasses import replace

import pytest

from corridor.bridge.gateway import RedemptionStatus
from corridor.bridge.khqr import Currency
from corridor.bridge.relayer import (
    PLAIN_CRASH_POINTS,
    LedgerPayer,
    RelayerConfig,
    RelayerCrashed,
)
from corridor.bridge.store import FINALIZED, LAPSED, PAYING, RECLAIMED, REQUESTED, RelayerStore
from corridor.bridge.validator import Validator, payout_reference

from .bridge_model import CUSTOMER, OMNIBUS

KHR = Currency.KHR.value
POISON = b"\xffsokha@wing"  # one '@', 3..32 bytes: the original contract took it; not UTF-8
MARGIN = RelayerConfig(OMNIBUS).payout_margin
PAID_BEFORE_CRASH = (
    "redemption.paid_out",
    "redemption.payout_recorded",
    "redemption.finalize_sent",
    "redemption.reject_sent",
)


def _payouts(ledger, model, rid):
    ref = payout_reference(model.domain().chain_id, model.address, rid)
    return [t for t in ledger.transfers(OMNIBUS) if t.client_ref == ref]


def _mint(make_relayer, ledger, recipient, amount):
    relayer = make_relayer()
    intent = relayer.request_deposit("KHR", amount, recipient)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    return intent


def _run(make_relayer, clock, point=None, downtime=0, passes=8):
    """Passes until idle; the first crash keeps the relayer down for `downtime` seconds, then a
    crash-free one restarts over the same state. Returns (relayer, crashes, errors)."""
    relayer, crashes, errors = make_relayer(crash_at=point), [], []
    for _ in range(passes):
        try:
            report = relayer.run_once()
        except RelayerCrashed as crash:
            crashes.append(str(crash))
            clock.sleep(downtime)
            relayer = make_relayer()
            continue
        errors += report.errors
        if report.idle:
            break
    return relayer, crashes, errors


# ------------------------------------------------------------------ poison event


def test_poison_event_is_dead_lettered_and_every_other_step_goes_on(
    make_relayer, model, ledger, clock, recipient
):
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    poison = model.redeem_raw(recipient, KHR, 1_000, POISON)
    paid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    later = _mint(make_relayer, ledger, recipient, 7_000)  # a deposit paid after the poison event
    report = make_relayer().run_once()
    item = f"log:0x{model.events[0].block_number.to_bytes(32, 'big').hex()}:0"
    assert report.dead_lettered == [item] and report.seen_redemptions == [paid]
    assert report.finalized == [paid] and report.minted == [later.md5] and not report.errors
    (entry,) = make_relayer().store.dead_letters()
    assert (entry.item, entry.parked, entry.attempts) == (item, True, 1)
    assert entry.source == item.removeprefix("log:")
    assert f"RedemptionRequested #{poison}" in entry.reason and "does not decode" in entry.reason
    assert "UnicodeDecodeError" in entry.reason
    assert make_relayer().run_once().idle  # parked: not reported again, the cursor moved past it
    assert make_relayer().store.get("next_block") == str(model.block + 1)
    assert _payouts(ledger, model, poison) == []
    clock.sleep(model.redemption_timeout + 1)
    model.reclaim(poison)  # the holder's way out: the escrow comes back, nothing was paid
    assert model.balances[(KHR, recipient)] == 40_000 + 7_000 - 15_000
    assert not make_relayer().store.requeue(item)  # nothing can process an undecodable event


@pytest.mark.parametrize("downtime", [0, 7 * 86_400 - MARGIN // 2], ids=["restart", "down-into-margin"])
@pytest.mark.parametrize(
    "point",
    PLAIN_CRASH_POINTS,
)
def test_crash_at_any_step_with_a_poison_event_pays_each_redemption_once_or_never(
    point, downtime, make_relayer, model, ledger, clock, recipient
):
    _mint(make_relayer, ledger, recipient, 40_000)
    assert make_relayer().run_once().minted
    poison = model.redeem_raw(recipient, KHR, 1_000, POISON)
    paid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    refused = model.redeem(recipient, KHR, 5_000, "ghost@nowhere")
    later = _mint(make_relayer, ledger, recipient, 7_000)
    relayer, crashes, errors = _run(make_relayer, clock, point, downtime)
    assert crashes == [point]
    assert all("before its reclaim deadline" in e for e in errors), errors
    # the holder takes back whatever is still pending once its deadline passed
    clock.sleep(model.redemption_timeout + 1)
    for rid, r in model.redemptions.items():
        if r.status == RedemptionStatus.PENDING:
            model.reclaim(rid)
    relayer, _, errors = _run(make_relayer, clock)
    assert errors == []
    for rid, r in model.redemptions.items():  # the payout invariant
        payouts = _payouts(ledger, model, rid)
        if r.status == RedemptionStatus.FINALIZED:
            assert [(t.amount, t.to_account) for t in payouts] == [(r.amount, CUSTOMER)]
        else:
            assert r.status in (RedemptionStatus.REJECTED, RedemptionStatus.RECLAIMED) and payouts == []
    assert model.redemptions[refused].status == RedemptionStatus.REJECTED
    assert model.redemptions[poison].status == RedemptionStatus.RECLAIMED
    finalized = model.redemptions[paid].status == RedemptionStatus.FINALIZED
    # a payout that may have left is always finalized; a redemption not yet paid is not paid late
    # (redemptions go in id order: the rejection of `refused` comes after `paid` was paid out)
    assert finalized == (downtime == 0 or point in PAID_BEFORE_CRASH)
    assert relayer.store.redemption(paid).status == (FINALIZED if finalized else RECLAIMED)
    assert relayer.store.deposit(later.md5).status == "minted" and model.mint_calls == 2
    assert model.supply[KHR] == 40_000 + 7_000 - (15_000 if finalized else 0)
    assert ledger.balance(OMNIBUS, "KHR") == 40_000 + 7_000 - (15_000 if finalized else 0)
    assert [e.item.split(":")[0] for e in relayer.store.dead_letters()] == ["log"]
    assert [line.drift for line in relayer.reconciliation()] == [0, 0]


# ------------------------------------------------------------------ the reclaim race


def test_payout_left_unrecorded_by_a_crash_is_finalized_even_inside_the_margin(
    make_relayer, model, ledger, clock, recipient
):
    """The finding's sequence: crash right after the Bakong payout, relayer down until the redemption
    is closer to its deadline than the margin. The original relayer then refused to touch it, and the
    holder reclaimed an escrow whose payout had happened."""
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    with pytest.raises(RelayerCrashed):
        make_relayer(crash_at="redemption.paid_out").run_once()
    assert len(_payouts(ledger, model, rid)) == 1
    clock.sleep(model.redemption_timeout - MARGIN // 2)
    report = make_relayer().run_once()
    assert report.finalized == [rid] and not report.errors
    assert model.redemptions[rid].status == RedemptionStatus.FINALIZED
    clock.sleep(MARGIN)
    with pytest.raises(Exception, match="RedemptionNotPending"):
        model.reclaim(rid)
    assert len(_payouts(ledger, model, rid)) == 1 and model.supply[KHR] == 25_000


def test_journaled_payout_that_never_left_is_decided_again(make_relayer, model, ledger, clock, recipient):
    """A crash between the journal entry and the payment: Bakong has no payout under the reference, so
    the restart decides afresh, margin included (inside it: left to the holder, never paid)."""
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    with pytest.raises(RelayerCrashed):
        make_relayer(crash_at="redemption.paying").run_once()
    assert make_relayer().store.redemption(rid).status == PAYING and _payouts(ledger, model, rid) == []
    clock.sleep(model.redemption_timeout - MARGIN // 2)
    report = make_relayer().run_once()
    assert report.lapsed == [rid] and "before its reclaim deadline" in report.errors[0]
    assert make_relayer().store.redemption(rid).status == LAPSED
    assert make_relayer().run_once().idle  # lapsed: never paid, nothing reported again
    clock.sleep(MARGIN)
    model.reclaim(rid)
    assert make_relayer().run_once().reclaimed == [rid]
    assert _payouts(ledger, model, rid) == []


def test_redemption_closed_on_chain_after_the_journal_entry_is_not_paid(
    make_relayer, model, ledger, recipient
):
    """The on-chain status is read again after the journal entry, right before paying: a redemption
    closed in between (here: rejected) is recorded, never paid."""
    _mint(make_relayer, ledger, recipient, 40_000)
    relayer = make_relayer()
    relayer.run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    first_read = model.redemption

    def closed_after_first_read(r_id):
        r = first_read(r_id)
        model.redemptions[r_id] = replace(r, status=RedemptionStatus.REJECTED)
        model.balances[(KHR, recipient)] += r.amount
        model.redemption = first_read
        return r

    model.redemption = closed_after_first_read
    report = relayer.run_once()
    assert report.rejected == [rid] and not report.errors
    assert _payouts(ledger, model, rid) == []


def test_paid_out_then_reclaimed_is_reported(make_relayer, model, ledger, clock, recipient):
    """The residual case (relayer down past the margin after paying): not prevented, but reported."""
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    with pytest.raises(RelayerCrashed):
        make_relayer(crash_at="redemption.paid_out").run_once()
    clock.sleep(model.redemption_timeout + 1)
    model.reclaim(rid)
    report = make_relayer().run_once()
    assert report.reclaimed == [rid]
    assert report.errors == [f"redemption {rid} was paid out on Bakong and then reclaimed on-chain"]


# ------------------------------------------------------------------ unprocessable items


@pytest.fixture
def refusing_validators(validator_keys, bakong, model):
    """Validators that watch another omnibus account: every mint is refused."""
    return [Validator(k, bakong, model, "other@nbcq") for k in validator_keys]


def test_deposit_the_validators_refuse_is_parked_after_max_attempts(
    make_relayer, model, ledger, refusing_validators, recipient
):
    refused = _mint(make_relayer, ledger, recipient, 40_000)
    item = f"deposit:{refused.md5}"
    for attempt in range(1, 6):
        report = make_relayer(vals=refusing_validators).run_once()
        (error,) = [e for e in report.errors if e.startswith("deposit ")]
        assert "0 of 3 signatures" in error and "KHQR pays bridge@nbcq, not the omnibus account" in error
        entry = make_relayer().store.dead_letter(item)
        assert (entry.attempts, entry.parked) == (attempt, attempt == 5)
    assert report.dead_lettered == [item]
    assert entry.source == f"bakong:{ledger.by_md5(refused.md5).hash}"
    other = _mint(make_relayer, ledger, recipient, 7_000)
    report = make_relayer().run_once()  # the parked deposit is skipped, the next one goes through
    assert report.minted == [other.md5] and not report.errors
    assert model.supply[KHR] == 7_000
    assert make_relayer().store.requeue(item)  # the operator fixed the validators: retry it
    assert make_relayer().run_once().minted == [refused.md5]
    assert make_relayer().store.dead_letters() == []


def test_failure_followed_by_success_leaves_no_dead_letter(
    make_relayer, model, ledger, validators, recipient
):
    intent = _mint(make_relayer, ledger, recipient, 40_000)
    assert make_relayer(vals=validators[:2]).run_once().errors
    assert make_relayer().store.dead_letter(f"deposit:{intent.md5}").attempts == 1
    assert make_relayer().run_once().minted == [intent.md5]
    assert make_relayer().store.dead_letters() == []


def test_redemption_whose_payout_may_exist_is_never_parked(
    make_relayer, model, ledger, validators, recipient
):
    """Skipping a paid-out redemption would let the holder reclaim it: it is retried every pass."""
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    for _ in range(7):
        report = make_relayer(vals=validators[:2]).run_once()  # the payout leaves, finalization cannot
        assert "2 of 3 signatures" in report.errors[0] and not report.dead_lettered
    entry = make_relayer().store.dead_letter(f"redemption:{rid}")
    assert (entry.attempts, entry.parked) == (7, False) and "retrying" in str(entry)
    assert make_relayer().run_once().finalized == [rid]
    assert len(_payouts(ledger, model, rid)) == 1


def test_unpaid_redemption_failing_every_pass_is_parked(make_relayer, model, ledger, recipient):
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    # the chain forgets it (a row the relayer cannot settle): every pass fails on it
    model.redemptions[rid] = replace(model.redemptions[rid], status=RedemptionStatus.NONE)
    for _ in range(5):
        report = make_relayer().run_once()
    assert report.dead_lettered == [f"redemption:{rid}"]
    assert report.errors == [f"redemption {rid}: the bridge has no redemption {rid} (status NONE)"]
    assert make_relayer().run_once().idle
    assert make_relayer().store.redemption(rid).status == REQUESTED


def test_scan_failure_is_reported_and_deposits_still_mint(make_relayer, model, ledger, recipient):
    intent = _mint(make_relayer, ledger, recipient, 40_000)

    def node_down(start, end):
        raise ConnectionError("eth_getLogs timed out")

    model.redemption_requests = node_down
    report = make_relayer().run_once()
    assert report.minted == [intent.md5]
    assert report.errors == ["redemption scan: ConnectionError: eth_getLogs timed out"]


# ------------------------------------------------------------------ store


def test_state_file_from_before_the_fix_is_migrated(tmp_path):
    path = str(tmp_path / "old.sqlite")
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE redemptions (id INTEGER PRIMARY KEY, currency INTEGER NOT NULL, amount INTEGER NOT NULL,"
        " holder TEXT NOT NULL, account TEXT NOT NULL, deadline INTEGER NOT NULL, status TEXT NOT NULL,"
        " payout_hash TEXT, chain_tx TEXT)"
    )
    db.execute("INSERT INTO redemptions VALUES (1, 116, 5, '0xab', 'a@b', 9, 'paid_out', 'ff', NULL)")
    db.commit()
    db.close()
    store = RelayerStore(path)
    r = store.redemption(1)
    assert (r.status, r.payout_hash, r.source) == ("paid_out", "ff", None)
    assert RelayerStore(path).dead_letters() == []


def test_requeue_of_an_unknown_item_is_refused(tmp_path):
    assert not RelayerStore(str(tmp_path / "s.sqlite")).requeue("deposit:nope")


def test_relayer_reads_payouts_by_reference(ledger):
    payer = LedgerPayer(ledger, OMNIBUS)
    assert payer.find("redeem:1:0xb7:1") is None
    ledger.cash_in(OMNIBUS, "KHR", 10)
    tx = payer.pay(CUSTOMER, Currency.KHR, 10, "redeem:1:0xb7:1")
    assert payer.find("redeem:1:0xb7:1") == tx


def test_reclaimed_state_recorded_once(make_relayer, model, ledger, clock, recipient):
    _mint(make_relayer, ledger, recipient, 40_000)
    make_relayer().run_once()
    rid = model.redeem(recipient, KHR, 15_000, CUSTOMER)
    clock.sleep(model.redemption_timeout + 1)
    model.reclaim(rid)
    assert make_relayer().run_once().reclaimed == [rid]
    assert make_relayer().store.redemption(rid).status == RECLAIMED
