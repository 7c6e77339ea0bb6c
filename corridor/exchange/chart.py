"""Price impact against trade size: the oracle-anchored StableSwap pool vs constant product (x·y = k)
at equal TVL, both computed with the integer math of corridor/exchange/stableswap.py (the property
tests prove it equals the contract's).

    python -m corridor.exchange.chart [out.png]     # default: reports/exchange_price_impact.png
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from corridor.exchange.stableswap import Pool, constant_product_out, rate_multiplier, usd_rate

JPY_PER_USD_ANSWER = 670_000  # 1 JPY = 0.0067 USD (8 decimals)
TVL_USD = 2_000_000
TRADE_SIZES_USD = [10**k * m for k in range(2, 7) for m in (1, 2, 5)] + [10**7]


@dataclass(frozen=True)
class ImpactRow:
    trade_usd: int
    stableswap_bps: float
    constant_product_same_fee_bps: float
    uniswap_v2_bps: float


def _pool(a: int, fee_bps: int) -> Pool:
    """A balanced JPY (0 decimals) / bUSD (2 decimals) pool holding TVL_USD."""
    jpy = TVL_USD // 2 * 10**8 // JPY_PER_USD_ANSWER
    usd = TVL_USD // 2 * 100
    pool = Pool([0, 0], [rate_multiplier(JPY_PER_USD_ANSWER, 0, 8), usd_rate(2)], a * 100, fee_bps)
    pool.add_liquidity([jpy, usd])
    return pool


def impact_table(a: int = 200, fee_bps: int = 4) -> list[ImpactRow]:
    """Cost of selling JPY for USD against the oracle mid, in bps, for each trade size."""
    pool = _pool(a, fee_bps)
    rows = []
    for usd in TRADE_SIZES_USD:
        dx = usd * 10**8 // JPY_PER_USD_ANSWER
        mid = pool.mid(0, dx)
        out = pool.price_exact_in(0, dx)[0]
        cp_same = constant_product_out(pool.balances[0], pool.balances[1], dx, fee_bps)
        cp_v2 = constant_product_out(pool.balances[0], pool.balances[1], dx, 30)
        rows.append(ImpactRow(usd, *(10_000 * (mid - o) / mid for o in (out, cp_same, cp_v2))))
    return rows


def render(out_path: Path, a: int = 200, fee_bps: int = 4) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = impact_table(a, fee_bps)
    sizes = [r.trade_usd for r in rows]
    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot(
        sizes, [r.stableswap_bps for r in rows], "o-", label=f"FXPool StableSwap (A={a}, fee {fee_bps} bps)"
    )
    ax.plot(sizes, [r.constant_product_same_fee_bps for r in rows], "s--", label=f"x·y=k, fee {fee_bps} bps")
    ax.plot(sizes, [r.uniswap_v2_bps for r in rows], "^:", label="x·y=k, fee 30 bps (Uniswap V2)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("trade size (USD), selling JPY for USD")
    ax.set_ylabel("cost vs oracle mid (bps, fee + price impact)")
    ax.set_title(f"JPY/USD: price impact at equal TVL (${TVL_USD:,.0f})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out_path)
    plt.close(fig)
    return out_path


def markdown_table(a: int = 200, fee_bps: int = 4) -> str:
    lines = [
        "| trade (USD) | FXPool (bps) | x·y=k same fee (bps) | Uniswap V2 30 bps (bps) |",
        "|---:|---:|---:|---:|",
    ]
    for r in impact_table(a, fee_bps):
        lines.append(
            f"| {r.trade_usd:,} | {r.stableswap_bps:.2f} | {r.constant_product_same_fee_bps:.2f} | {r.uniswap_v2_bps:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("reports/exchange_price_impact.png")
    print(render(out))
    print(markdown_table())


if __name__ == "__main__":
    main()
