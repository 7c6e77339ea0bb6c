"""The price-impact chart: the table behind it and the PNG."""

import pytest

from corridor.exchange.chart import impact_table, render

# matplotlib 3.x on pyparsing 3.x: third-party deprecation noise, not ours
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_stableswap_costs_about_the_fee_up_to_a_tenth_of_tvl():
    rows = {r.trade_usd: r for r in impact_table()}
    assert 4.0 <= rows[100].stableswap_bps < 4.1
    assert rows[200_000].stableswap_bps < 15


def test_stableswap_beats_constant_product_at_every_size():
    for r in impact_table():
        assert r.stableswap_bps <= r.constant_product_same_fee_bps <= r.uniswap_v2_bps


def test_render_writes_a_png(tmp_path):
    out = render(tmp_path / "impact.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
