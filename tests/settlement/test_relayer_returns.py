"""The relayer carries out the settlement's refund policy (docs/security.md §7, issue #16): a settlement refund whose
Bakong payout it rejects is returned to the payer's bank (`returnRejectedRefund`) and swept to `returns@<bank>`, which
its normal redemption path then pays out on Bakong; refunds at or below the bridge's rejection fee add up in the
bank's returns and are swept by the returns pass once above the fee. A crash at any of its points, then a restart on
the same store, does each step exactly once (real contracts, the relayer and validators over the ledger simulator).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from brownie import chain, web3

from corridor.bridge.attest import KHR
from corridor.bridge.offchain import bakong_side
from corridor.bridge.relayer import SETTLEMENT_CRASH_POINTS, Relayer, RelayerCrashed
from corridor.bridge.store import FINALIZED, REJECTED
from corridor.invoice_desk import PAYER
from corridor.settlement import bank_of, outcome, returns_account

OMNIBUS = "bridge@nbcq"
BANK = bank_of(PAYER)  # the payer's bank: aclb
RETURNS = returns_account(BANK)
FLOAT = 10_000_000  # riel in the omnibus account to pay the returns out of


@pytest.fixture
def side(desk):
    """The relayer with the book's InvoiceSettlement; Bakong knows the bank's returns account, not the payer's
    account (closed since she paid), so her refund's payout is rejected."""
    s = bakong_side(
        web3,
        desk.bridge.address,
        str(desk.relayer),
        desk.keys,
        omnibus_account=OMNIBUS,
        hooks=[desk.settlement.address],
        clock=lambda: chain[-1].timestamp * 1000,
        settlement=desk.settlement.address,
    )
    s.ledger.open_account(RETURNS, "ACLEDA returns")
    s.ledger.cash_in(OMNIBUS, "KHR", FLOAT)
    return s


def _until_idle(relayer: Relayer, passes: int = 4) -> list:
    reports = []
    for _ in range(passes):
        report = relayer.run_once()
        assert not report.errors, report.errors
        if report.idle:
            return reports
        reports.append(report)
    raise AssertionError(f"not idle after {passes} passes: {[r.summary() for r in reports]}")


def _swept_events(desk) -> list:
    event = web3.eth.contract(
        address=desk.settlement.address, abi=desk.settlement.abi
    ).events.BankReturnsSwept()
    logs = web3.eth.get_logs({"address": desk.settlement.address, "fromBlock": 0, "topics": [event.topic]})
    return [event.process_log(log) for log in logs]


def _returned_event(desk, refund_id: int):
    event = web3.eth.contract(
        address=desk.settlement.address, abi=desk.settlement.abi
    ).events.RejectedRefundReturned()
    topic = "0x" + refund_id.to_bytes(32, "big").hex()
    logs = web3.eth.get_logs(
        {"address": desk.settlement.address, "fromBlock": 0, "topics": [event.topic, topic]}
    )
    assert len(logs) == 1
    return event.process_log(logs[0])


def _rejected_refund(desk, fee: int = 7) -> tuple[int, int]:
    """An underpaid invoice: the whole deposit is escrowed as a refund to the payer; (refund id, what comes back)."""
    desk.bridge.setRejectionFee(KHR, fee, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    out = outcome(desk.pay(inv, data, inv.price - 1).events)
    assert out.refund_id > 0 and out.refunded == inv.price - 1
    return out.refund_id, inv.price - 1 - fee


def _assert_paid_once(desk, side, refund_id: int, back: int) -> None:
    store = side.relayer.store
    assert store.redemption(refund_id).status == REJECTED
    assert desk.settlement.isReturned(refund_id) and desk.settlement.bankReturns(KHR, BANK) == 0
    swept = _swept_events(desk)
    assert len(swept) == 1 and swept[0].args.amount == back and swept[0].args.bank == BANK
    sweep_id = swept[0].args.redemptionId
    on_chain = desk.bridge.redemption(sweep_id)
    assert on_chain["amount"] == back and on_chain["holder"] == desk.settlement
    assert store.redemption(sweep_id).account == RETURNS and store.redemption(sweep_id).status == FINALIZED
    assert side.ledger.balance(RETURNS, "KHR") == back  # paid once, in full
    assert side.ledger.balance(OMNIBUS, "KHR") == FLOAT - back
    assert desk.token(KHR).balanceOf(desk.settlement) == 0


def test_rejected_refund_is_paid_to_the_payers_bank_returns_account(desk, side):
    refund_id, back = _rejected_refund(desk)
    first = side.relayer.run_once()
    assert not first.errors, first.errors
    assert first.rejected == [refund_id] and first.returned == [refund_id]
    assert [account for account, _ in first.swept] == [RETURNS]
    returned = _returned_event(desk, refund_id)  # the original payer stays on record for her bank to credit
    assert returned.args.payerAccount == PAYER.encode().ljust(32, b"\0") and returned.args.amount == back
    second = side.relayer.run_once()
    assert not second.errors, second.errors
    sweep_id = first.swept[0][1]
    assert [rid for rid, _ in second.paid_out] == [sweep_id] and second.finalized == [sweep_id]
    _assert_paid_once(desk, side, refund_id, back)
    assert side.relayer.run_once().idle  # nothing left: no second return, no second sweep


def test_refunds_at_or_below_the_fee_add_up_and_are_swept_once_above_it(desk, side):
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    assert outcome(desk.pay(inv, data, inv.price + 50).events).refunded == 50  # 50 riel owed to aclb
    report = side.relayer.run_once()
    assert not report.errors and not report.swept  # 50 is not above the 100-riel fee: left owed
    assert desk.settlement.bankReturns(KHR, BANK) == 50
    inv, data = desk.rfq_invoice(10_000)
    desk.pay(inv, data, inv.price + 60)  # 110 owed now
    reports = _until_idle(side.relayer)
    assert [account for account, _ in reports[0].swept] == [RETURNS]
    assert desk.settlement.bankReturns(KHR, BANK) == 0
    assert side.ledger.balance(RETURNS, "KHR") == 110
    assert len(_swept_events(desk)) == 1


def test_returns_account_unknown_to_bakong_is_left_owed(desk, side):
    """No sweep to an account Bakong would reject (each rejection would take another fee): reported, left owed."""
    start = web3.eth.block_number
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    for surplus in (50, 60):  # each at or below the fee: owed to aclb, 110 riel in all
        inv, data = desk.rfq_invoice(10_000)
        desk.pay(inv, data, inv.price + surplus)
    other = bakong_side(
        web3,
        desk.bridge.address,
        str(desk.relayer),
        desk.keys,
        omnibus_account=OMNIBUS,
        start_block=start,
        settlement=desk.settlement.address,
    )  # a Bakong without returns@aclb
    report = other.relayer.run_once()
    assert any(f"no account {RETURNS}" in e for e in report.errors), report.errors
    assert not report.swept and desk.settlement.bankReturns(KHR, BANK) == 110


@pytest.mark.parametrize("point", SETTLEMENT_CRASH_POINTS)
def test_crash_at_each_point_then_restart_returns_and_pays_exactly_once(desk, side, point):
    refund_id, back = _rejected_refund(desk)
    r = side.relayer
    crashing = Relayer(r.gateway, r.client, r.payer, r.validators, r.store, r.config, crash_at=point)
    with pytest.raises(RelayerCrashed):
        crashing.run_once()
    assert desk.settlement.isReturned(refund_id)  # the return was mined before either point
    _until_idle(side.relayer)  # the restarted relayer on the same store
    _assert_paid_once(desk, side, refund_id, back)


def test_crash_in_the_returns_pass_then_restart_sweeps_once(desk, side):
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    for surplus in (50, 60):
        inv, data = desk.rfq_invoice(10_000)
        desk.pay(inv, data, inv.price + surplus)
    r = side.relayer
    crashing = Relayer(
        r.gateway, r.client, r.payer, r.validators, r.store, r.config, crash_at="returns.swept"
    )
    with pytest.raises(RelayerCrashed):
        crashing.run_once()
    assert desk.settlement.bankReturns(KHR, BANK) == 0  # swept before the crash
    _until_idle(side.relayer)
    assert side.ledger.balance(RETURNS, "KHR") == 110 and len(_swept_events(desk)) == 1


@pytest.mark.parametrize(
    "account, bank",
    [
        ("sokha@aclb", "aclb"),
        ("nobank", "nobank"),  # no at sign: the whole id
        ("a@b@wing", "wing"),  # the last at sign
        ("x@" + "b" * 40, "b" * 32),  # the first 32 bytes of a long code
    ],
)
def test_bank_of_is_the_contracts_bank(desk, account, bank):
    """`corridor.settlement.bank_of` (the relayer's one copy) against the contract's `_bankOf`, read from the event
    of a sub-fee surplus owed to the payer's bank."""
    assert bank_of(account) == bank.encode().ljust(32, b"\0")
    desk.bridge.setRejectionFee(KHR, 100, {"from": desk.admin})
    inv, data = desk.rfq_invoice(10_000)
    tx = desk.pay(replace(inv, payer_account=account), data, inv.price + 40)
    assert tx.events["RefundOwedToBank"]["bank"] == "0x" + bank_of(account).hex()
