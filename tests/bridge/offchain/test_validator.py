"""The independent validator: it signs only what its own view of Bakong and of the chain confirms."""

import pytest
from eth_account import Account

from corridor.bridge import attest
from corridor.bridge.attest import (
    KHR,
    MintAttestation,
    RedemptionFinalization,
    RedemptionRejection,
    ReserveAttestation,
)
from corridor.bridge.khqr import KHQR, Currency
from corridor.bridge.validator import REASON_ACCOUNT_NOT_FOUND, AttestationRefused, payout_reference

from .bridge_model import CUSTOMER, OMNIBUS


@pytest.fixture
def validator(validators):
    return validators[0]


@pytest.fixture
def paid_khqr(ledger, recipient):
    khqr = KHQR(
        OMNIBUS, "Bridge", Currency.KHR, 40_000, bill_number="BR-1", evm_recipient=recipient, created_ms=1
    ).encode()
    return khqr, ledger.pay_khqr(CUSTOMER, khqr)


def _mint(model, khqr, transfer, owner, **kw):
    fields = dict(
        currency=KHR,
        amount=40_000,
        recipient=owner,
        bakong_tx_hash=bytes.fromhex(transfer.hash),
        khqr_md5=attest.khqr_md5(khqr),
        expiry=model.timestamp() + 3600,
        epoch=model.epoch(),
    )
    fields.update(kw)
    return MintAttestation(**fields)


def test_mint_signature_recovers_to_the_validator(validator, model, paid_khqr, recipient):
    khqr, transfer = paid_khqr
    att = _mint(model, khqr, transfer, recipient)
    sig = validator.sign_mint(khqr, att)
    assert sig.signer == validator.address
    assert attest.recover_signer(model.domain(), att, sig.signature) == validator.address


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"amount": 40_001}, "amount differs"),
        ({"currency": 840}, "currency differs"),
        ({"recipient": "0x" + "11" * 20}, "recipient"),
        ({"bakong_tx_hash": b"\x01" * 32}, "hash"),
        ({"khqr_md5": b"\x02" * 16}, "MD5"),
        ({"epoch": 2}, "epoch"),
    ],
)
def test_mint_with_a_field_that_bakong_does_not_confirm_is_refused(
    validator, model, paid_khqr, recipient, change, reason
):
    khqr, transfer = paid_khqr
    with pytest.raises(AttestationRefused, match=reason):
        validator.sign_mint(khqr, _mint(model, khqr, transfer, recipient, **change))


def test_mint_of_unpaid_khqr_is_refused(validator, model, recipient):
    khqr = KHQR(OMNIBUS, "Bridge", Currency.KHR, 40_000, evm_recipient=recipient, created_ms=1).encode()
    att = MintAttestation(
        KHR, 40_000, recipient, b"\x01" * 32, attest.khqr_md5(khqr), model.timestamp() + 60, 1
    )
    with pytest.raises(AttestationRefused, match="no settled payment"):
        validator.sign_mint(khqr, att)


def test_mint_of_khqr_paying_someone_else_is_refused(validator, model, ledger, recipient):
    ledger.open_account("shop@aclb")
    khqr = KHQR("shop@aclb", "Shop", Currency.KHR, 40_000, evm_recipient=recipient, created_ms=1).encode()
    transfer = ledger.pay_khqr(CUSTOMER, khqr)
    with pytest.raises(AttestationRefused, match="not the omnibus"):
        validator.sign_mint(khqr, _mint(model, khqr, transfer, recipient))


def test_expired_mint_attestation_is_refused(validator, model, paid_khqr, recipient):
    khqr, transfer = paid_khqr
    with pytest.raises(AttestationRefused, match="expired"):
        validator.sign_mint(khqr, _mint(model, khqr, transfer, recipient, expiry=model.timestamp()))


def test_mint_of_corrupt_khqr_is_refused(validator, model, paid_khqr, recipient):
    khqr, transfer = paid_khqr
    with pytest.raises(AttestationRefused, match="does not decode"):
        validator.sign_mint(khqr[:-1] + "0", _mint(model, khqr, transfer, recipient))


def test_reserve_with_the_wrong_balance_is_refused(validator, model, paid_khqr):
    with pytest.raises(AttestationRefused, match="omnibus holds 40000"):
        validator.sign_reserve(ReserveAttestation(KHR, 50_000, model.timestamp(), 1))


def test_reserve_below_the_balance_but_covering_the_supply_is_signed(validator, model, paid_khqr):
    """Payments keep arriving between the relayer's read and the validators': a smaller reserve is safe."""
    assert (
        validator.sign_reserve(ReserveAttestation(KHR, 30_000, model.timestamp(), 1)).signer
        == validator.address
    )


def test_understated_reserve_below_the_supply_is_refused(validator, model, paid_khqr):
    model.supply[KHR] = 35_000
    with pytest.raises(AttestationRefused, match="reserve 30000 is below the supply 35000"):
        validator.sign_reserve(ReserveAttestation(KHR, 30_000, model.timestamp(), 1))


def test_exact_reserve_below_the_supply_is_signed(validator, model, paid_khqr):
    """A broken book attested as it is (the relayer's --force): it stops minting, as it must."""
    model.supply[KHR] = 45_000
    assert (
        validator.sign_reserve(ReserveAttestation(KHR, 40_000, model.timestamp(), 1)).signer
        == validator.address
    )


def test_reserve_dated_in_the_future_is_refused(validator, model, paid_khqr):
    with pytest.raises(AttestationRefused, match="future"):
        validator.sign_reserve(ReserveAttestation(KHR, 40_000, model.timestamp() + 1, 1))


def test_reserve_matching_the_ledger_is_signed(validator, model, paid_khqr):
    assert (
        validator.sign_reserve(ReserveAttestation(KHR, 40_000, model.timestamp(), 1)).signer
        == validator.address
    )


@pytest.fixture
def redemption(model, ledger, paid_khqr):
    model.supply[KHR] = 40_000
    model.balances[(KHR, "0x" + "aa" * 20)] = 40_000
    return model.redeem("0x" + "aa" * 20, KHR, 15_000, CUSTOMER)


def _payout(model, ledger, rid, account=CUSTOMER, amount=15_000, ref=None):
    d = model.domain()
    return ledger.transfer(
        OMNIBUS,
        account,
        "KHR",
        amount,
        client_ref=ref or payout_reference(d.chain_id, d.verifying_contract, rid),
    )


def test_finalization_of_matching_payout_is_signed(validator, model, ledger, redemption):
    t = _payout(model, ledger, redemption)
    assert (
        validator.sign_finalization(RedemptionFinalization(redemption, bytes.fromhex(t.hash), 1)).signer
        == validator.address
    )


def test_finalization_with_wrong_amount_is_refused(validator, model, ledger, redemption):
    t = _payout(model, ledger, redemption, amount=14_999)
    with pytest.raises(AttestationRefused, match="amount"):
        validator.sign_finalization(RedemptionFinalization(redemption, bytes.fromhex(t.hash), 1))


def test_finalization_to_another_account_is_refused(validator, model, ledger, redemption):
    ledger.open_account("thief@aclb")
    t = _payout(model, ledger, redemption, account="thief@aclb")
    with pytest.raises(AttestationRefused, match="thief@aclb"):
        validator.sign_finalization(RedemptionFinalization(redemption, bytes.fromhex(t.hash), 1))


def test_finalization_with_payout_of_another_redemption_is_refused(validator, model, ledger, redemption):
    t = _payout(model, ledger, redemption, ref="redeem:31337:0xother:1")
    with pytest.raises(AttestationRefused, match="not referenced"):
        validator.sign_finalization(RedemptionFinalization(redemption, bytes.fromhex(t.hash), 1))


def test_finalization_with_unknown_payout_is_refused(validator, redemption):
    with pytest.raises(AttestationRefused, match="no transaction"):
        validator.sign_finalization(RedemptionFinalization(redemption, b"\x05" * 32, 1))


def test_rejection_of_existing_account_is_refused(validator, redemption):
    with pytest.raises(AttestationRefused, match="exists"):
        validator.sign_rejection(RedemptionRejection(redemption, REASON_ACCOUNT_NOT_FOUND, 1))


def test_rejection_of_unknown_account_is_signed(validator, model, ledger, paid_khqr):
    model.balances[(KHR, "0x" + "aa" * 20)] = 10
    rid = model.redeem("0x" + "aa" * 20, KHR, 10, "ghost@nowhere")
    assert (
        validator.sign_rejection(RedemptionRejection(rid, REASON_ACCOUNT_NOT_FOUND, 1)).signer
        == validator.address
    )


def test_rejection_of_settled_redemption_is_refused(validator, model, ledger, clock, redemption):
    clock.sleep(model.redemption_timeout + 1)
    model.reclaim(redemption)
    with pytest.raises(AttestationRefused, match="RECLAIMED"):
        validator.sign_rejection(RedemptionRejection(redemption, REASON_ACCOUNT_NOT_FOUND, 1))


def test_validator_address_comes_from_its_key(validator, validator_keys):
    assert validator.address == Account.from_key(validator_keys[0]).address


# ---------------------------------------------------------------- batches


def _paid(ledger, recipient, currency, amount, bill):
    khqr = KHQR(
        OMNIBUS, "Bridge", currency, amount, bill_number=bill, evm_recipient=recipient, created_ms=1
    ).encode()
    return khqr, ledger.pay_khqr(CUSTOMER, khqr)


def _deposit(khqr, transfer, recipient, amount):
    return attest.BatchDeposit(amount, recipient, bytes.fromhex(transfer.hash), attest.khqr_md5(khqr))


@pytest.fixture
def paid_batch(ledger, recipient):
    """Two KHR payments to the omnibus account, their KHQRs and their batch deposits."""
    paid = [_paid(ledger, recipient, Currency.KHR, a, f"BR-B{a}") for a in (40_000, 12_000)]
    khqrs = [k for k, _ in paid]
    deposits = [_deposit(k, t, recipient, a) for (k, t), a in zip(paid, (40_000, 12_000), strict=True)]
    return khqrs, deposits


def test_batch_signature_recovers_to_the_validator(validator, model, paid_batch):
    khqrs, deposits = paid_batch
    att = attest.batch_mint_attestation(KHR, deposits, model.timestamp() + 3600, model.epoch())
    sig = validator.sign_batch_mint(khqrs, deposits, att)
    assert attest.recover_signer(model.domain(), att, sig.signature) == validator.address
    assert (att.count, att.total) == (2, 52_000)


def test_batch_with_a_deposit_bakong_does_not_confirm_is_refused(validator, model, paid_batch, recipient):
    khqrs, deposits = paid_batch
    inflated = [
        deposits[0],
        attest.BatchDeposit(12_001, recipient, deposits[1].bakong_tx_hash, deposits[1].khqr_md5),
    ]
    att = attest.batch_mint_attestation(KHR, inflated, model.timestamp() + 3600, model.epoch())
    with pytest.raises(AttestationRefused, match="amount differs"):
        validator.sign_batch_mint(khqrs, inflated, att)


def test_batch_mixing_currencies_is_refused(validator, model, ledger, recipient, paid_batch):
    """A batch has one currency: a USD deposit inside a KHR batch (or the reverse) is refused."""
    khqrs, deposits = paid_batch
    usd_khqr, usd_transfer = _paid(ledger, recipient, Currency.USD, 5_00, "BR-USD")
    mixed = [*deposits, _deposit(usd_khqr, usd_transfer, recipient, 5_00)]
    att = attest.batch_mint_attestation(KHR, mixed, model.timestamp() + 3600, model.epoch())
    with pytest.raises(AttestationRefused, match="currency differs"):
        validator.sign_batch_mint([*khqrs, usd_khqr], mixed, att)


def test_batch_with_a_duplicate_deposit_is_refused(validator, model, paid_batch):
    khqrs, deposits = paid_batch
    doubled = [deposits[0], deposits[0]]
    att = attest.batch_mint_attestation(KHR, doubled, model.timestamp() + 3600, model.epoch())
    with pytest.raises(AttestationRefused, match="appears twice"):
        validator.sign_batch_mint([khqrs[0], khqrs[0]], doubled, att)


@pytest.mark.parametrize("field", ["count", "total", "deposits_hash"])
def test_batch_whose_summary_is_not_the_deposits_is_refused(validator, model, paid_batch, field):
    import dataclasses

    khqrs, deposits = paid_batch
    att = attest.batch_mint_attestation(KHR, deposits, model.timestamp() + 3600, model.epoch())
    wrong = {"count": 3, "total": att.total + 1, "deposits_hash": b"\x01" * 32}[field]
    with pytest.raises(AttestationRefused, match="count, total or hash"):
        validator.sign_batch_mint(khqrs, deposits, dataclasses.replace(att, **{field: wrong}))


def test_empty_batch_and_missing_khqr_are_refused(validator, model, paid_batch):
    khqrs, deposits = paid_batch
    att = attest.batch_mint_attestation(KHR, deposits, model.timestamp() + 3600, model.epoch())
    with pytest.raises(AttestationRefused, match="one KHQR per deposit"):
        validator.sign_batch_mint(khqrs[:1], deposits, att)
    empty = attest.batch_mint_attestation(KHR, [], model.timestamp() + 3600, model.epoch())
    with pytest.raises(AttestationRefused, match="empty batch"):
        validator.sign_batch_mint([], [], empty)
