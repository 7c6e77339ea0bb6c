"""The demo killed at a step and restarted (issue #9): the restart completes, counts nothing of the
killed run twice, reconciles, and leaves a whole report.

In process: `corridor.faults.armed(point, n)` raises `Killed` at the n-th arrival at a kill point (a
BaseException nothing catches), and the chain, the deployment book and the reports folder stay as
the killed run left them, as with an Anvil that outlives a `kill -9`-ed demo. The restart is a new
`CorridorDemo` on the same chain and folders, as `make demo` run again. Kill points: `deploy.sent`
(inside the journaled deploy), `demo.step:<n>` (after the n-th step line), `demo.report:<n>`
(the report's temporary file written, not yet renamed).
"""

from __future__ import annotations

import json
import re

import pytest
from brownie import web3
from brownie.exceptions import TransactionError

from corridor import faults
from corridor.demo import CorridorDemo

KILL_POINTS = [
    ("deploy.sent", 30),  # half-way through the journaled deploy
    ("demo.step", 1),  # deployed, nothing played
    ("demo.step", 9),  # the relayer minted bKHR, the large bUSD mint waits in the queue
    ("demo.step", 27),  # both invoices paid, the customer's redemption escrowed, not yet paid out
    ("demo.step", 44),  # the late QR invoice refunded into the escrow, not yet paid out on Bakong
    ("demo.report", 2),  # the report's temporary file written, not yet renamed
]


def _comparable(rows):
    """Who and what of every step, and the details that carry amounts (not the deploy's gas, not the
    KHQR's md5, which covers a timestamp)."""
    return [
        (
            who,
            re.sub(r"\(\d+ txs\)", "(n txs)", what),
            "" if detail.startswith(("md5", "Bakong tx")) or detail.endswith("gas in all") else detail,
        )
        for _, who, what, _, _, detail in rows
    ]


def _figures(demo):
    bridge_lines = [(line.currency.name, line.supply, line.omnibus, line.drift) for line in demo.bridge_lines]
    return {
        "jpy supply": demo.jpy.totalSupply(),
        "outstanding": demo.registry.totalOutstanding(),
        "bridge": bridge_lines,
        "customer bKHR": demo.bkhr.balanceOf(demo.who["customer"]),
        "customer at the bank": demo.side.ledger.balance(demo.customer_bank_account, "KHR"),
        "merchant JPYS": demo.jpy.balanceOf(demo.who["merchant"]),
        "invoices": [(inv.number, inv.status, r.spent, r.refunded) for inv, r, _ in demo.paid_invoices],
        "paid out": [demo.side.ledger.balance(a, "KHR") for a, _ in demo.outbound_accounts],
        "pools": [tuple(pool.balances()) for pool in demo.suite.exchange.pools.values()],
    }


def _restart(folder):
    """`make demo` again. Under heavy load brownie now and then reports a just-mined transaction of
    the journaled deploy as "dropped without known replacement" (its receipt lookup races Anvil);
    that ends the restart like a kill during the deploy, so the user's answer is one more restart,
    which the journal resumes (the pending record is settled against the chain)."""
    for attempt in range(2):
        restarted = CorridorDemo("development", reports=folder, book_dir=folder)
        try:
            return restarted, restarted.run()
        except TransactionError as exc:
            if "dropped without known replacement" not in str(exc) or attempt:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """An uninterrupted run: what every restarted run must match."""
    out = tmp_path_factory.mktemp("clean")
    demo = CorridorDemo("development", reports=out, book_dir=out)
    result = demo.run()
    return _comparable(result.steps.rows), _figures(demo)


@pytest.mark.parametrize("point, count", KILL_POINTS, ids=[f"{p}:{n}" for p, n in KILL_POINTS])
def test_demo_killed_at_a_step_restarts_and_completes_without_counting_anything_twice(
    clean, tmp_path, point, count
):
    steps, figures = clean
    (tmp_path / "demo.md").write_text("the report of an earlier run\n")
    killed = CorridorDemo("development", reports=tmp_path, book_dir=tmp_path)
    with faults.armed(point, count), pytest.raises(faults.Killed):
        killed.run()
    # the earlier report is whole: the killed run never wrote into it
    assert (tmp_path / "demo.md").read_text() == "the report of an earlier run\n"
    played = hasattr(killed, "ops")  # the killed run got past the deploy into the play
    if hasattr(killed, "side"):  # the services it had started were stopped on the way out
        assert not killed.side.running
    leftover = tmp_path / ".demo.tmpab12cd.md"  # what a real kill -9 between write and rename leaves
    leftover.write_text("half a rep")

    restarted, result = _restart(tmp_path)

    assert _comparable(result.steps.rows) == steps
    assert _figures(restarted) == figures  # no double mint, ledger and bridge reconcile (drift 0)
    assert all(line.drift == 0 for line in restarted.bridge_lines)
    book = json.loads((tmp_path / "development.json").read_text())
    nonces = [t["nonce"] for t in book["transactions"]]
    assert all(t["status"] == "done" for t in book["transactions"])
    assert nonces == list(range(nonces[0], nonces[0] + len(nonces))), "every deploy transaction once"
    for entry in book["contracts"].values():
        assert web3.eth.get_code(entry["address"])
    played_book = tmp_path / "development.played.json"
    if played:  # the killed run's suite was put aside, the restart played on a fresh one
        assert played_book.exists()
        assert killed.jpy.address != restarted.jpy.address
    else:  # the killed run's suite was untouched (or half-deployed): resumed, nothing deployed twice
        assert not played_book.exists()
    report = (tmp_path / "demo.md").read_text()
    assert report.startswith("# Corridor demo on `development`") and report.rstrip().endswith(
        "(price-impact.png)"
    )
    assert "## Reconciliation: bridge vs Bakong" in report
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file
