"""`make bench`: the off-chain figures — wall time of `make demo` (after installation), of a full
compile, of the test suite, and transactions per second of the Python drivers against Anvil — each
the median of several runs. Writes reports/offchain.json and prints a table.

    .venv/bin/python tools/bench_offchain.py [--runs N] [--test-runs N]

The test suite is long (about 9 minutes on 2 cores), so it has its own run count (default 1; 0 skips
it). Throughput is measured by `scripts/driver_tps.py` inside brownie (JPY payments signed and sent
as raw transactions with eth-account; Bakong deposits pushed through the relayer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "PATH": f"{ROOT / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
    "SOLCX_BINARY_PATH": str(ROOT / ".solcx"),
}


def timed(cmd: list[str]) -> float:
    start = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        print(f"bench: `{' '.join(cmd)}` failed: {' | '.join(tail)}", file=sys.stderr)
        raise SystemExit(1)
    return time.monotonic() - start


def median_of(cmd: list[str], runs: int, label: str) -> dict:
    times = []
    for i in range(runs):
        print(f"… {label}: run {i + 1}/{runs}", flush=True)
        times.append(timed(cmd))
    return {
        "what": label,
        "runs": runs,
        "median_s": round(statistics.median(times), 2),
        "all_s": [round(t, 2) for t in times],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--test-runs", type=int, default=1)
    args = parser.parse_args()
    if args.runs < 1 or args.test_runs < 0:
        parser.error("--runs must be >= 1 and --test-runs >= 0")
    brownie = str(ROOT / ".venv" / "bin" / "brownie")
    rows = [
        median_of(["make", "--no-print-directory", "demo"], args.runs, "make demo (after installation)"),
        median_of([brownie, "compile", "--all"], args.runs, "brownie compile --all (anvil profile)"),
    ]
    if args.test_runs:
        rows.append(
            median_of(
                ["make", "--no-print-directory", "test"],
                args.test_runs,
                "make test (families under coverage, the rest, Ganache smoke)",
            )
        )
    tps = []
    for i in range(args.runs):
        print(f"… driver throughput: run {i + 1}/{args.runs}", flush=True)
        out = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "brownie_cli.py"), "run", "scripts/driver_tps.py"],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
        )
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("TPS ")), None)
        if out.returncode != 0 or line is None:
            print(f"bench: driver throughput failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            raise SystemExit(1)
        tps.append(json.loads(line[4:]))
    for key in tps[0]:
        values = [t[key] for t in tps]
        rows.append(
            {
                "what": key,
                "runs": len(values),
                "median_tps": round(statistics.median(values), 1),
                "all_tps": values,
            }
        )
    out_path = ROOT / "reports" / "offchain.json"
    out_path.parent.mkdir(exist_ok=True)
    out_path.write_text(json.dumps({"rows": rows, "machine": f"{os.cpu_count()} cores"}, indent=2) + "\n")
    print()
    for r in rows:
        figure = f"{r['median_s']} s" if "median_s" in r else f"{r['median_tps']} tx/s"
        print(f"{r['what']:<52} median {figure:>10}   ({r['runs']} runs)")
    print(f"\nwrote {out_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
