"""The corridor demo end to end (the same code `make demo` runs), on the test chain."""

import pytest

from corridor.demo import CorridorDemo, Invoice


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    demo = CorridorDemo("development", reports=out, book_dir=out)
    result = demo.run()
    return demo, result, out


def test_merchant_is_paid_the_invoice_and_redeems_it(played):
    demo, _, _ = played
    merchant = demo.who["merchant"]
    assert demo.jpy.balanceOf(merchant) == 0  # paid ¥50,000, then redeemed all of it
    redeemed = [e for e in demo.registry.events.get_sequence(0, event_type="Redeemed")]
    assert any(e.args.amount == 50_000 for e in redeemed)


def test_customer_ends_with_no_bkhr_and_riel_back_at_the_bank(played):
    demo, _, _ = played
    assert demo.bkhr.balanceOf(demo.who["customer"]) == 0
    ledger = demo.side.ledger
    # 3,000,000 riel at the bank, 2,000,000 deposited, the leftover paid back
    spent = 3_000_000 - ledger.balance(demo.customer_bank_account, "KHR")
    assert 1_300_000 < spent < 1_400_000  # ≈ ¥50,000 at ~27.35 KHR per JPY, plus fees and spread


def test_reconciliation_balances(played):
    demo, _, _ = played
    assert demo.registry.totalOutstanding() == demo.jpy.totalSupply()
    for line in demo.side.relayer.reconciliation():
        assert line.drift == 0 and line.supply == line.omnibus


def test_best_execution_chose_the_cheaper_venue(played):
    _, result, _ = played
    body = dict(result.sections)["Best execution for invoice INV-2026-0042"]
    assert "chosen" in body and "amm" in body and "rfq" in body


def test_report_is_written_with_chart(played):
    _, result, out = played
    report = (out / "demo.md").read_text()
    assert "# Corridor demo" in report and "INV-2026-0042" in report
    assert (out / "price-impact.png").stat().st_size > 10_000
    assert len(result.steps.rows) >= 18


def test_invoice_dataclass_is_plain():
    assert Invoice("X", 1).amount_jpy == 1
