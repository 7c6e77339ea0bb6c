"""Batched deposits against the Python model of the bridge: the size and latency bounds, per-currency
batches, the fallbacks (a validator's refusal, a batch that would revert, a deposit already minted),
a recipient the token refuses, and a crash at every batch step followed by a restart."""

import pytest
from eth_utils import to_checksum_address

from corridor.bridge import attest
from corridor.bridge.gateway import MintStatus
from corridor.bridge.khqr import Currency
from corridor.bridge.relayer import BATCH_CRASH_POINTS, RelayerConfig, RelayerCrashed
from corridor.bridge.store import BATCH_SIGNED, MINTED, PAID, QUEUED, SIGNED
from corridor.bridge.validator import AttestationRefused, collect

from .bridge_model import CUSTOMER, OMNIBUS

KHR, USD = Currency.KHR.value, Currency.USD.value
BOB = to_checksum_address("0x" + "b0" * 20)


def batching(size: int, latency_ms: int = 2000) -> RelayerConfig:
    return RelayerConfig(omnibus_account=OMNIBUS, batch_size=size, batch_latency_ms=latency_ms)


@pytest.fixture
def make_batcher(make_relayer):
    """A relayer batching 4 deposits or 2 s (every call a restart over the same state file)."""

    def build(crash_at=None, size=4, latency_ms=2000, vals=None):
        return make_relayer(crash_at=crash_at, config=batching(size, latency_ms), vals=vals)

    return build


def pay(relayer, ledger, amounts, recipient, currency="KHR"):
    """Issues and pays one deposit KHQR per amount; returns their md5s."""
    md5s = []
    for amount in amounts:
        intent = relayer.request_deposit(currency, amount, recipient)
        ledger.pay_khqr(CUSTOMER, intent.khqr)
        md5s.append(intent.md5)
    return md5s


def statuses(relayer, md5s):
    return [relayer.store.deposit(m).status for m in md5s]


def test_full_batch_is_minted_in_one_transaction(make_batcher, model, ledger, recipient):
    relayer = make_batcher()
    md5s = pay(relayer, ledger, [10_000, 20_000, 30_000, 40_000], recipient)
    report = relayer.run_once()
    assert (model.batch_calls, model.mint_calls) == (1, 0)
    assert report.minted == md5s and [n for _, n in report.batches] == [4]
    assert model.balances[(KHR, recipient)] == 100_000 == model.supply[KHR]
    assert statuses(relayer, md5s) == [MINTED] * 4
    assert relayer.store.batches(BATCH_SIGNED) == []
    assert relayer.run_once().idle


def test_partial_batch_waits_for_the_latency_bound(make_batcher, model, ledger, clock, recipient):
    relayer = make_batcher(size=8, latency_ms=5000)
    md5s = pay(relayer, ledger, [10_000, 20_000, 30_000], recipient)
    relayer.run_once()
    assert statuses(relayer, md5s) == [PAID] * 3  # 3 of 8, the oldest waited 1 s (the reserve's block)
    assert model.batch_calls == model.mint_calls == 0
    clock.sleep(5)
    report = relayer.run_once()
    assert report.minted == md5s and model.batch_calls == 1 and model.mint_calls == 0
    assert model.supply[KHR] == 60_000


def test_size_bound_cuts_full_batches_and_the_rest_waits(make_batcher, model, ledger, clock, recipient):
    relayer = make_batcher(size=4, latency_ms=60_000)
    md5s = pay(relayer, ledger, [1_000 * (i + 1) for i in range(10)], recipient)
    report = relayer.run_once()
    assert [n for _, n in report.batches] == [4, 4]
    assert statuses(relayer, md5s) == [MINTED] * 8 + [PAID] * 2
    clock.sleep(60)
    report = relayer.run_once()
    assert [n for _, n in report.batches] == [2] and report.minted == md5s[8:]
    assert (model.batch_calls, model.mint_calls) == (3, 0)
    assert model.supply[KHR] == sum(1_000 * (i + 1) for i in range(10))


def test_lone_deposit_past_the_latency_is_minted_singly(make_batcher, model, ledger, clock, recipient):
    relayer = make_batcher(size=4, latency_ms=2000)
    [key] = pay(relayer, ledger, [40_000], recipient)
    assert relayer.run_once().minted == []
    clock.sleep(2)
    assert relayer.run_once().minted == [key]
    assert (model.batch_calls, model.mint_calls) == (0, 1)  # a batch of one costs more than a mint


def test_mixed_currencies_go_in_per_currency_batches(make_batcher, model, ledger, recipient):
    relayer = make_batcher(size=2)
    khr = pay(relayer, ledger, [10_000, 20_000], recipient, "KHR")
    usd = pay(relayer, ledger, [1_00, 2_50], recipient, "USD")
    report = relayer.run_once()
    assert model.batch_calls == 2 and model.mint_calls == 0
    assert sorted(report.minted) == sorted(khr + usd)
    assert (model.supply[KHR], model.supply[USD]) == (30_000, 3_50)


def test_validator_refusal_names_the_deposit_the_others_still_mint(
    make_batcher, model, ledger, clock, recipient
):
    relayer = make_batcher(size=3)
    md5s = pay(relayer, ledger, [10_000, 20_000, 30_000], recipient)
    relayer.run_once()  # a full batch goes at once
    assert model.supply[KHR] == 60_000
    # a relayer whose row for one deposit was tampered with: the attested recipient is not the KHQR's
    more = pay(relayer, ledger, [1_000, 2_000, 3_000], recipient)
    relayer.store.update_deposit(more[1], recipient=BOB)
    report = relayer.run_once()
    assert len(report.fallbacks) == 1 and more[1] in report.fallbacks[0]
    assert "attested recipient is not the KHQR's EVM recipient" in report.fallbacks[0]
    assert any("signatures" in e for e in report.errors)  # its single mint is refused too: it alone fails
    clock.sleep(2)
    report = relayer.run_once()
    assert sorted(report.minted) == sorted([more[0], more[2]])  # batched again without it
    assert model.balances.get((KHR, BOB), 0) == 0
    assert relayer.store.deposit(more[1]).status == PAID  # not lost: retried, then parked for an operator
    assert relayer.store.dead_letter(f"deposit:{more[1]}").attempts == 2
    assert statuses(relayer, md5s) == [MINTED] * 3


def test_validator_refuses_a_batch_with_one_unverifiable_deposit(
    make_batcher, model, ledger, validators, recipient
):
    relayer = make_batcher(size=8)
    md5s = pay(relayer, ledger, [10_000, 20_000], recipient)
    unpaid = relayer.request_deposit("KHR", 5_000, recipient)
    khqrs = [relayer.store.deposit(m).khqr for m in md5s] + [unpaid.khqr]
    tx = ledger.by_md5(md5s[0])
    deposits = [
        attest.BatchDeposit(
            d.amount,
            d.recipient,
            attest.bakong_tx_hash_bytes(ledger.by_md5(d.md5).hash),
            bytes.fromhex(d.md5),
        )
        for d in (relayer.store.deposit(m) for m in md5s)
    ] + [attest.BatchDeposit(5_000, recipient, bytes.fromhex(tx.hash[::-1]), bytes.fromhex(unpaid.md5))]
    att = attest.batch_mint_attestation(KHR, deposits, model.timestamp() + 600, model.epoch())
    with pytest.raises(
        AttestationRefused, match=f"batch deposit 2 \\(KHQR {unpaid.md5}\\): Bakong has no settled"
    ):
        validators[0].sign_batch_mint(khqrs, deposits, att)
    assert (
        validators[0]
        .sign_batch_mint(
            khqrs[:2], deposits[:2], attest.batch_mint_attestation(KHR, deposits[:2], att.expiry, att.epoch)
        )
        .signer
        == validators[0].address
    )
    swapped = attest.batch_mint_attestation(KHR, deposits[:2][::-1], att.expiry, att.epoch)
    with pytest.raises(AttestationRefused, match="batch deposit 0 .*attested MD5 is not the KHQR's MD5"):
        validators[0].sign_batch_mint(khqrs[:2], deposits[:2][::-1], swapped)


def test_batch_that_would_revert_falls_back_to_single_mints(make_batcher, model, ledger, clock, recipient):
    relayer = make_batcher(size=3)
    md5s = pay(relayer, ledger, [10_000, 50_000, 30_000], recipient)
    model.message_cap = 40_000  # lowered after the deposits were issued: one deposit fails the batch
    report = relayer.run_once()
    assert model.batch_calls == 0 and "minting them one by one" in report.fallbacks[0]
    assert sorted(report.minted) == sorted([md5s[0], md5s[2]])  # the others minted singly
    assert [e for e in report.errors if "AmountAboveMessageCap" in e]  # the bad one fails alone
    assert model.mint_calls == 2
    assert model.supply[KHR] == 40_000
    assert (
        relayer.store.deposit(md5s[1]).status == SIGNED
    )  # open, retried (an operator raises the cap or refunds)
    assert relayer.store.dead_letter(f"deposit:{md5s[1]}").attempts == 1


def test_deposit_already_minted_elsewhere_is_never_minted_twice(
    make_batcher, model, ledger, clock, validators, recipient
):
    relayer = make_batcher(size=3)
    md5s = pay(relayer, ledger, [10_000, 20_000, 30_000], recipient)
    # another relayer (or a crash of a former deployment) minted the first deposit singly
    first = ledger.by_md5(md5s[0])
    model.reserves[KHR] = (10**9, model.timestamp())
    single = attest.MintAttestation(
        KHR,
        10_000,
        recipient,
        attest.bakong_tx_hash_bytes(first.hash),
        bytes.fromhex(md5s[0]),
        model.timestamp() + 600,
        model.epoch(),
    )
    khqr = relayer.store.deposit(md5s[0]).khqr
    model.mint(single, collect(model, validators, lambda v: v.sign_mint(khqr, single)))
    report = relayer.run_once()
    assert "1 already on-chain" in report.fallbacks[0]
    assert relayer.store.deposit(md5s[0]).status == MINTED  # "already minted" is done
    clock.sleep(2)
    relayer.run_once()
    assert statuses(relayer, md5s) == [MINTED] * 3
    assert model.balances[(KHR, recipient)] == 60_000 == model.supply[KHR]  # each once
    assert (model.mint_calls, model.batch_calls) == (1, 1)


def test_recipient_the_token_refuses_is_queued_inside_the_batch(make_batcher, model, ledger, recipient):
    relayer = make_batcher(size=3)
    model.unverified.add(BOB)
    md5s = pay(relayer, ledger, [10_000, 20_000], recipient) + pay(relayer, ledger, [30_000], BOB)
    report = relayer.run_once()
    assert model.batch_calls == 1
    assert statuses(relayer, md5s) == [MINTED, MINTED, QUEUED]  # queued for review/refund, never lost
    assert report.queued == [md5s[2]]
    assert model.mint_status(attest.bakong_tx_hash_bytes(ledger.by_md5(md5s[2]).hash)) == MintStatus.QUEUED


def test_hooked_deposit_is_never_batched(make_batcher, model, ledger, recipient):
    relayer = make_batcher(size=3)
    md5s = pay(relayer, ledger, [10_000, 20_000], recipient)
    relayer.run_once()  # paid, 2 of 3: waiting for the batch
    relayer.store.put(f"hook:{md5s[0]}", "00")  # an invoice's hooked mint (its own path, its own checks)
    assert not relayer._batchable(relayer.store.deposit(md5s[0]))
    assert relayer._batchable(relayer.store.deposit(md5s[1]))


def test_bad_batch_settings_are_refused():
    with pytest.raises(ValueError, match="batch size must be 1..256"):
        batching(0)
    with pytest.raises(ValueError, match="batch size must be 1..256"):
        batching(257)
    with pytest.raises(ValueError, match="latency must be >= 0"):
        batching(4, -1)


@pytest.mark.parametrize("point", BATCH_CRASH_POINTS)
def test_crash_at_any_batch_step_then_restart_mints_each_deposit_once(
    point, make_batcher, model, ledger, recipient
):
    relayer = make_batcher(crash_at=point, size=3)
    md5s = pay(relayer, ledger, [10_000, 20_000, 30_000], recipient)
    crashes = []
    for _ in range(5):
        try:
            report = relayer.run_once()
        except RelayerCrashed as crash:
            crashes.append(str(crash))
            relayer = make_batcher(size=3)  # a restart over the same state file
            continue
        assert not report.errors, report.errors
        if report.idle:
            break
    assert crashes == [point]
    assert (model.batch_calls, model.mint_calls) == (1, 0)
    assert model.balances[(KHR, recipient)] == 60_000 == model.supply[KHR]
    assert statuses(relayer, md5s) == [MINTED] * 3
    assert relayer.store.batches(BATCH_SIGNED) == []
    assert [line.drift for line in relayer.reconciliation()] == [0, 0]


def test_signed_batch_whose_epoch_rotated_is_signed_again(make_batcher, model, ledger, recipient):
    relayer = make_batcher(crash_at="batch.signed", size=2)
    md5s = pay(relayer, ledger, [10_000, 20_000], recipient)
    with pytest.raises(RelayerCrashed):
        relayer.run_once()
    model.current_epoch += 1  # the validator set rotated: the stored signatures are void
    relayer = make_batcher(size=2)
    relayer.run_once()  # the stored batch is given up, its deposits batched and signed again at once
    assert model.batch_calls == 1 and statuses(relayer, md5s) == [MINTED] * 2
    assert [b.status for b in relayer.store.batches()] == ["closed", "closed"]
