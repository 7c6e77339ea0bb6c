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
