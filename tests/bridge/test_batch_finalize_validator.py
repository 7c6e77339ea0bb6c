"""The validator's side of a batched finalization, against the deployed bridge: each validator reads the
chain (BridgeGateway, web3.py) and Bakong (the ledger simulator) on its own, signs a batch only when every
payout checks out, and the signatures it gives are the ones `finalizeRedemptionBatch` accepts."""

import pytest

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD
from corridor.bridge.client import simulator_client
from corridor.bridge.gateway import BridgeGateway
from corridor.bridge.ledger import Ledger
from corridor.bridge.validator import (
    AttestationRefused,
    NotEnoughSignatures,
    Validator,
    collect,
    payout_reference,
)

OMNIBUS = "corridor@abab"
HOLDER_ACCOUNT = "sokha@aclb"
OTHER_ACCOUNT = "thief@aclb"
FINALIZED = 2


@pytest.fixture
def ledger():
    book = Ledger(":memory:")
    book.open_account(OMNIBUS, "Corridor Bridge omnibus")
    book.open_account(HOLDER_ACCOUNT, "Sokha Chan")
    book.open_account(OTHER_ACCOUNT, "Someone else")
    book.cash_in(OMNIBUS, "KHR", 10_000_000)
    book.cash_in(OMNIBUS, "USD", 10_000_00)
    return book


@pytest.fixture
def gateway(web3, bridge):
    return BridgeGateway(web3, bridge.address)


@pytest.fixture
def validators(keys, ledger, gateway):
    client = simulator_client(ledger)
    return [Validator(k, client, gateway, OMNIBUS) for k in keys]


@pytest.fixture
def redemptions(signers, bridge, bkhr, busd, alice, relayer, funded):
    """Three pending bKHR redemptions (10,000, 20,000, 30,000 riel) and one bUSD redemption of alice's."""
    signers.mint(KHR, 100_000, alice, relayer)
    signers.mint(USD, 100_00, alice, relayer)
    bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    busd.approve(bridge, 2**256 - 1, {"from": alice})
    khr = [
        bridge.redeem(KHR, a, HOLDER_ACCOUNT, {"from": alice}).return_value for a in (10_000, 20_000, 30_000)
    ]
    usd = bridge.redeem(USD, 5_00, HOLDER_ACCOUNT, {"from": alice}).return_value
    return khr, usd


def _pay(ledger, gateway, rid, amount, currency="KHR", account=HOLDER_ACCOUNT, ref=None):
    """The omnibus pays redemption `rid` out on Bakong; returns the batch payout naming that transfer."""
    d = gateway.domain()
    t = ledger.transfer(
        OMNIBUS,
        account,
        currency,
        amount,
        client_ref=ref or payout_reference(d.chain_id, d.verifying_contract, rid),
    )
    return attest.BatchPayout(rid, bytes.fromhex(t.hash))


def _att(signers, currency, payouts, amounts, **kw):
    return attest.batch_finalization(
        currency,
        payouts,
        amounts,
        kw.get("expiry", signers.now() + 3600),
        kw.get("epoch", signers.bridge.epoch()),
    )


def test_validators_sign_a_paid_batch_and_the_bridge_finalizes_it(
    signers, bridge, bkhr, ledger, gateway, validators, redemptions, relayer
):
    ids, _ = redemptions
    payouts = [_pay(ledger, gateway, rid, a) for rid, a in zip(ids, (10_000, 20_000, 30_000), strict=True)]
    att = _att(signers, KHR, payouts, [10_000, 20_000, 30_000])
    assert validators[0].check_batch_payout(payouts[1], att.epoch) == 20_000
    sigs = collect(gateway, validators, lambda v: v.sign_batch_finalization(payouts, att))
    bridge.finalizeRedemptionBatch(att.as_tuple(), [p.as_tuple() for p in payouts], sigs, {"from": relayer})
    assert [bridge.redemption(i)[2] for i in ids] == [FINALIZED] * 3
    assert bkhr.balanceOf(bridge) == 0


def test_one_payout_of_the_wrong_amount_refuses_the_batch(signers, ledger, gateway, validators, redemptions):
    ids, _ = redemptions
    payouts = [_pay(ledger, gateway, ids[0], 10_000), _pay(ledger, gateway, ids[1], 19_999)]
    att = _att(signers, KHR, payouts, [10_000, 20_000])
    with pytest.raises(AttestationRefused, match="amount differs"):
        validators[0].sign_batch_finalization(payouts, att)
    with pytest.raises(NotEnoughSignatures):
        collect(gateway, validators, lambda v: v.sign_batch_finalization(payouts, att))


def test_payout_to_another_account_is_refused(signers, ledger, gateway, validators, redemptions):
    ids, _ = redemptions
    payouts = [_pay(ledger, gateway, ids[0], 10_000, account=OTHER_ACCOUNT)]
    with pytest.raises(AttestationRefused, match=OTHER_ACCOUNT):
        validators[0].sign_batch_finalization(payouts, _att(signers, KHR, payouts, [10_000]))


def test_payout_referenced_to_another_redemption_is_refused(
    signers, ledger, gateway, validators, redemptions
):
    ids, _ = redemptions
    payouts = [_pay(ledger, gateway, ids[0], 10_000, ref="redeem:1:0xother:1")]
    with pytest.raises(AttestationRefused, match="not referenced"):
        validators[0].sign_batch_finalization(payouts, _att(signers, KHR, payouts, [10_000]))


def test_duplicates_inside_the_batch_are_refused(signers, ledger, gateway, validators, redemptions):
    ids, _ = redemptions
    p0, p1 = _pay(ledger, gateway, ids[0], 10_000), _pay(ledger, gateway, ids[1], 20_000)
    twice = [p0, attest.BatchPayout(ids[0], p1.payout_tx_hash)]
    with pytest.raises(AttestationRefused, match="redemption appears twice"):
        validators[0].sign_batch_finalization(twice, _att(signers, KHR, twice, [10_000, 10_000]))
    shared = [p0, attest.BatchPayout(ids[1], p0.payout_tx_hash)]
    with pytest.raises(AttestationRefused, match="payout hash appears twice"):
        validators[0].sign_batch_finalization(shared, _att(signers, KHR, shared, [10_000, 20_000]))


def test_mixed_currencies_are_refused(signers, ledger, gateway, validators, redemptions):
    ids, usd = redemptions
    payouts = [_pay(ledger, gateway, ids[0], 10_000), _pay(ledger, gateway, usd, 5_00, currency="USD")]
    with pytest.raises(AttestationRefused, match="currency 840, not 116"):
        validators[0].sign_batch_finalization(payouts, _att(signers, KHR, payouts, [10_000, 5_00]))


@pytest.mark.parametrize("field", ["total", "count", "hash"])
def test_attestation_not_of_these_payouts_is_refused(
    signers, ledger, gateway, validators, redemptions, field
):
    ids, _ = redemptions
    payouts = [_pay(ledger, gateway, ids[0], 10_000), _pay(ledger, gateway, ids[1], 20_000)]
    good = _att(signers, KHR, payouts, [10_000, 20_000])
    bad = {
        "total": attest.BatchRedemptionFinalization(
            KHR, 2, 29_999, good.payouts_hash, good.expiry, good.epoch
        ),
        "count": attest.BatchRedemptionFinalization(
            KHR, 3, 30_000, good.payouts_hash, good.expiry, good.epoch
        ),
        "hash": attest.BatchRedemptionFinalization(KHR, 2, 30_000, b"\x01" * 32, good.expiry, good.epoch),
    }[field]
    with pytest.raises(AttestationRefused, match="count, total or hash"):
        validators[0].sign_batch_finalization(payouts, bad)


def test_expired_or_stale_epoch_batch_is_refused(signers, ledger, gateway, validators, redemptions):
    ids, _ = redemptions
    payouts = [_pay(ledger, gateway, ids[0], 10_000)]
    with pytest.raises(AttestationRefused, match="expired"):
        validators[0].sign_batch_finalization(
            payouts, _att(signers, KHR, payouts, [10_000], expiry=signers.now())
        )
    with pytest.raises(AttestationRefused, match="epoch"):
        validators[0].sign_batch_finalization(payouts, _att(signers, KHR, payouts, [10_000], epoch=99))


def test_settled_redemption_is_refused(signers, bridge, ledger, gateway, validators, redemptions, relayer):
    ids, _ = redemptions
    done = _pay(ledger, gateway, ids[0], 10_000)
    f = attest.RedemptionFinalization(ids[0], done.payout_tx_hash, bridge.epoch())
    bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    payouts = [_pay(ledger, gateway, ids[1], 20_000), done]
    with pytest.raises(AttestationRefused, match="FINALIZED"):
        validators[0].sign_batch_finalization(payouts, _att(signers, KHR, payouts, [20_000, 10_000]))


def test_empty_batch_is_refused(signers, validators):
    with pytest.raises(AttestationRefused, match="empty"):
        validators[0].sign_batch_finalization([], _att(signers, KHR, [], []))


def test_builder_refuses_amounts_not_matching_payouts():
    with pytest.raises(ValueError, match="1 amounts for 2 payouts"):
        attest.batch_finalization(KHR, [attest.BatchPayout(1, b"\x01" * 32)] * 2, [5], 10, 1)
