"""PNG charts for the benchmark's scaling tables (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_scaling(scaling: dict[str, list[dict]], path: Path) -> Path | None:
    """One panel per scaling table: its first column on x, every other numeric column on y (gas)."""
    tables = [(title, rows) for title, rows in scaling.items() if rows]
    if not tables:
        return None
    cols = 2 if len(tables) > 1 else 1
    nrows = (len(tables) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(6 * cols, 4 * nrows), squeeze=False)
    for ax, (title, rows) in zip(axes.flat, tables, strict=False):
        keys = list(rows[0].keys())
        xkey = keys[0]
        xs = [r[xkey] for r in rows]
        categorical = not all(isinstance(x, (int, float)) for x in xs)
        positions = list(range(len(xs))) if categorical else xs
        series = [k for k in keys[1:] if all(isinstance(r[k], (int, float)) for r in rows)]
        width = 0.8 / max(len(series), 1)
        for i, ykey in enumerate(series):
            ys = [r[ykey] for r in rows]
            if categorical:
                offset = (i - (len(series) - 1) / 2) * width
                ax.bar([p + offset for p in positions], ys, width=width, label=ykey)
            else:
                ax.plot(positions, ys, marker="o", label=ykey)
        if categorical:
            ax.set_xticks(positions, [str(x) for x in xs], rotation=15)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xkey)
        ax.set_ylabel("gas")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(tables) :]:
        ax.axis("off")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_batch_scaling(
    tables: dict[str, tuple[list[dict], str, str]], path: Path, goal: int | None = None
) -> Path | None:
    """Gas per item of a batch against its size N (log-2 axis), one line per table, each table's single
    (unbatched) figure as a dashed line of the same colour, and the goal as a dotted line.

    `tables` maps a label to (rows, per-item column, single column): the rows of a scaling table."""
    present = [(label, spec) for label, spec in tables.items() if spec[0]]
    if not present:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, (label, (rows, per_item, single)) in enumerate(present):
        ns = [r["N"] for r in rows]
        (line,) = ax.plot(ns, [r[per_item] for r in rows], marker="o", label=f"{label}: batch, per item")
        ax.axhline(
            rows[0][single], color=line.get_color(), linestyle="--", label=f"{label}: single transaction"
        )
        for n, r in zip(ns, rows, strict=True):
            ax.annotate(
                f"{r[per_item]:,}",
                (n, r[per_item]),
                textcoords="offset points",
                xytext=(4, 6 if k % 2 == 0 else -12),
                fontsize=7,
            )
    if goal is not None:
        ax.axhline(goal, color="grey", linestyle=":", label=f"goal at N = 64: {goal:,}")
    ax.set_xscale("log", base=2)
    sizes = sorted({r["N"] for _, (rows, _, _) in present for r in rows})
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.set_xlabel("batch size N (log 2)")
    ax.set_ylabel("gas per item")
    ax.set_ylim(bottom=0)
    ax.set_title("Bakong bridge batches, 3-of-5 attestations: gas per item vs N", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
