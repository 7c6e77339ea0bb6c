"""`make bench`: the off-chain figures — wall time of `make demo` (after installation), of a full
compile, of the test suite, and transactions per second of the Python drivers against Anvil — each
the median of several runs. Writes reports/offchain.json and prints a table.

    .venv/bin/python tools/bench_offchain.py [--runs N] [--test-runs N]

The test suite is long (about 9 minutes on 2 cores), so it has its own run count (default 1; 0 skips
it). Throughput is measured by `scripts/driver_tps.py` inside brownie (JPY payments signed and sent
as raw transactions with eth-account; Bakong deposits pushed through the relayer), and relayed deposits
end to end (Bakong payment -> validators -> relayer -> chain, in one process: corridor/bench/relay.py)
without batching and with batches of 64, with the latency from payment to mint (median, p99) beside
each. `--relay-only` runs only the driver (no demo, compile or test-suite timing).
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
    parser.add_argument("--relay-only", action="store_true", help="only the drivers' throughput")
    args = parser.parse_args()
    if args.runs < 1 or args.test_runs < 0:
        parser.error("--runs must be >= 1 and --test-runs >= 0")
    brownie = str(ROOT / ".venv" / "bin" / "brownie")
    rows = (
        []
        if args.relay_only
        else [
            median_of(["make", "--no-print-directory", "demo"], args.runs, "make demo (after installation)"),
            median_of([brownie, "compile", "--all"], args.runs, "brownie compile --all (anvil profile)"),
        ]
    )
    if args.test_runs and not args.relay_only:
        rows.append(
            median_of(
                ["make", "--no-print-directory", "test"],
                args.test_runs,
                "make test (families under coverage, the rest, Ganache smoke)",
            )
        )
    tps, relay = [], []
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
        relay_line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RELAY ")), None)
        if relay_line is not None:
            relay.append(json.loads(relay_line[6:]))
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
    relayed = _relay_rows(relay)
    out_path = ROOT / "reports" / "offchain.json"
    out_path.parent.mkdir(exist_ok=True)
    out_path.write_text(
        json.dumps({"rows": rows, "relay": relayed, "machine": f"{os.cpu_count()} cores"}, indent=2) + "\n"
    )
    print()
    for r in rows:
        figure = f"{r['median_s']} s" if "median_s" in r else f"{r['median_tps']} tx/s"
        print(f"{r['what']:<52} median {figure:>10}   ({r['runs']} runs)")
    if relayed:
        print(
            f"\nrelayed deposits end to end (in process: Bakong simulator -> 5 validators, 3-of-5 -> relayer -> Anvil)"
            f"\n{'mode':<30} {'deposits':>8} {'offered/s':>9} {'relayed/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
        )
        for r in relayed:
            print(
                f"{r['mode']:<30} {r['deposits']:>8} {r['offered_per_s']:>9.0f} {r['relayed_per_s']:>9.1f}"
                f" {r['latency_p50_ms']:>7} {r['latency_p99_ms']:>7}   ({r['runs']} runs, median)"
            )
        for r in relayed:
            steps = ", ".join(f"{k} {v} s" for k, v in r["seconds_by_step"].items() if ":" not in k)
            print(f"  where the time went ({r['mode']}, last run): {steps}")
    print(f"\nwrote {out_path.relative_to(ROOT)}")


def _relay_rows(runs: list[list[dict]]) -> list[dict]:
    """The median of each relay mode over the runs (figures per run in `all_relayed_per_s`)."""
    if not runs:
        return []
    rows = []
    for i, first in enumerate(runs[0]):
        same = [run[i] for run in runs]
        rows.append(
            {
                **same[-1],
                "relayed_per_s": round(statistics.median(r["relayed_per_s"] for r in same), 1),
                "latency_p50_ms": round(statistics.median(r["latency_p50_ms"] for r in same)),
                "latency_p99_ms": round(statistics.median(r["latency_p99_ms"] for r in same)),
                "all_relayed_per_s": [r["relayed_per_s"] for r in same],
                "runs": len(same),
                "mode": first["mode"],
            }
        )
    return rows


if __name__ == "__main__":
    main()
