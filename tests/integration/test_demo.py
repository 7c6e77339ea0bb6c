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
    assert demo.jpy.balanceOf(merchant) == 0  # paid ¥50,000 + ¥70,000, then redeemed all of it
    redeemed = [e for e in demo.registry.events.get_sequence(0, event_type="Redeemed")]
    assert any(e.args.amount == 120_000 for e in redeemed)


def test_customer_ends_with_no_bkhr_and_riel_back_at_the_bank(played):
    demo, _, _ = played
    assert demo.bkhr.balanceOf(demo.who["customer"]) == 0
    ledger = demo.side.ledger
    # 5,000,000 riel at the bank, 3,500,000 deposited, the leftover paid back
    spent = 5_000_000 - ledger.balance(demo.customer_bank_account, "KHR")
    assert 3_270_000 < spent < 3_300_000  # ≈ ¥120,000 at 27.35 KHR per JPY, plus fees and spread


def test_reconciliation_balances(played):
    demo, _, _ = played
    assert demo.registry.totalOutstanding() == demo.jpy.totalSupply()
    for line in demo.side.relayer.reconciliation():
        assert line.drift == 0 and line.supply == line.omnibus


def test_best_execution_buys_through_rfq_when_it_is_better(played):
    _, result, _ = played
    body = dict(result.sections)["Best execution for invoice INV-2026-0042"]
    rows = {
        line.split("|")[1].strip(): line
        for line in body.splitlines()
        if line.startswith("| amm") or line.startswith("| rfq")
    }
    assert "chosen" in rows["rfq"] and "chosen" not in rows["amm"]


def test_best_execution_swaps_through_the_pools_when_the_maker_declines(played):
    demo, result, _ = played
    body = dict(result.sections)["Best execution for invoice INV-2026-0043"]
    assert (
        "| rfq | declined: maker limit |" in body and "exceeds the 400 USD limit" in body and "chosen" in body
    )
    swaps = list(demo.router.events.get_sequence(0, event_type="Swapped"))
    assert len(swaps) == 1 and swaps[0].args.amountOut == 70_000


def test_dollars_are_redeemed_back_to_bakong(played):
    demo, _, _ = played
    assert demo.side.ledger.balance(demo.lp_bank_account, "USD") == 50_000_00 - 45_000_00 + 1_000_00


def test_report_is_written_with_chart(played):
    _, result, out = played
    report = (out / "demo.md").read_text()
    assert "# Corridor demo" in report and "INV-2026-0042" in report
    assert (out / "price-impact.png").stat().st_size > 10_000
    assert len(result.steps.rows) >= 18


def test_invoice_dataclass_is_plain():
    assert Invoice("X", 1).amount_jpy == 1
