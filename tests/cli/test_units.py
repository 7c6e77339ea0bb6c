"""Tables in banker units: the unit in the header, USD in dollars (not cents), every decimal shown and
right-aligned, a readable virtual price, and no step row cut off."""

from __future__ import annotations

from decimal import Decimal

from corridor.bridge.khqr import Currency
from corridor.bridge.reconcile import ReconciliationLine
from corridor.ui import StepLog, banker, ratio, table


def test_banker_units():
    assert banker(12_345_678, 2) == Decimal("123456.78") and str(banker(5, 2)) == "0.05"
    assert banker(-78, 2) == Decimal("-0.78") and banker(3_500_000, 0) == Decimal(3_500_000)


def test_reconciliation_in_dollars_with_the_unit_in_the_header():
    line = ReconciliationLine(Currency.USD, 12_345_678, 12_345_600, 0, 0)
    out = table(ReconciliationLine.headers(Currency.USD), [line.row()]).splitlines()
    assert out[0].split("  ")[:2] == ["currency", "bridge supply ($)"] and "drift ($)" in out[0]
    assert out[2].split() == ["USD", "123,456.78", "123,456.00", "0.00", "0.00", "-0.78"]
    assert len(out[2]) == len(out[0])  # right-aligned under their headers
    khr = ReconciliationLine(Currency.KHR, 113_000_000, 113_000_000, 0, 0)
    assert ReconciliationLine.headers(Currency.KHR)[1] == "bridge supply (៛)"
    assert khr.row()[1:3] == [Decimal(113_000_000), Decimal(113_000_000)]


def test_virtual_price_is_readable():
    assert str(ratio(1_000_412_345_678_901_234)) == "1.000412"
    assert f"{ratio(10**18):,}" == "1.000000"


def test_step_rows_are_never_cut(capsys):
    log = StepLog()
    what = "swap ¥1,000,000 JPYS -> bUSD -> bKHR through the router at the best of AMM and RFQ, fee shown"
    log.add("customer", what, None, "rfq fee $0.34")
    printed = capsys.readouterr().out
    assert what in printed and "…" not in printed
