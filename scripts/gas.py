"""`make gas`: the gas benchmark. Starts its own Anvil (brownie's development network), deploys the
suite and the reference contracts in the same run, performs each operation in a fixed state, prints
operation / project gas / reference gas / ratio / goal / pass-fail, writes reports/gas.json and
regenerates the gas table in docs/gas.md. Exits non-zero when a goal is missed or not measured.

States (every operation is its own transaction, so storage is cold at its start):
- "existing holder": the recipient already holds a non-zero balance of the token received.
- "new holder": the recipient's balance is zero before the transaction.
- transferFrom: a finite allowance (decremented), recipient an existing holder.
- swaps: pools/pairs seeded with balanced liquidity, trader holds every token already, infinite
  approvals set beforehand, recipient an existing holder.
"""

from __future__ import annotations

import json
import sys

from brownie import (
    MockERC20,
    OZReferenceProxy,
    OZReferenceToken,
    OZReferenceTokenUpgradeable,
    accounts,
    chain,
)

from corridor.artifacts import ROOT
from corridor.bench import families
from corridor.bench.charts import plot_scaling
from corridor.bench.references import DEADLINE, deploy_uniswap_v2, seed_pair
from corridor.bench.report import Report, update_readme
from corridor.dev.gas import measure_oz
from corridor.dev.receipts import install_receipt_grace
from corridor.ui import quiet_receipts
from corridor.ui import table as ui_table

REPORT_JSON = ROOT / "reports" / "gas.json"
GAS_DOC = ROOT / "docs" / "gas.md"  # the table between its gas-table markers


def measure_uniswap(deployer, trader) -> dict[str, int]:
    """Router02 swapExactTokensForTokens 1 and 2 hops, and pair.swap after a separate transfer."""
    a, b, c = (MockERC20.deploy(n, n, 18, {"from": deployer}) for n in ("UA", "UB", "UC"))
    for t in (a, b, c):
        t.mint(deployer, 10**27, {"from": deployer})
        t.mint(trader, 10**24, {"from": deployer})
    uni = deploy_uniswap_v2(deployer)
    pair_ab = seed_pair(uni, a, b, 10**24, 10**24, deployer)
    seed_pair(uni, b, c, 10**24, 10**24, deployer)
    for t in (a, b, c):
        t.approve(uni.router, 2**256 - 1, {"from": trader})
    # Warm-up swap (as for the project's pools): the pairs' price accumulators become non-zero. Then
    # each measured swap is the first of its block a second later, so it pays the accumulator update
    # as a swap on a live pair does (deterministic whatever the machine's speed).
    chain.sleep(1)
    uni.router.swapExactTokensForTokens(10**18, 0, [a, b, c], trader, DEADLINE, {"from": trader})
    chain.sleep(1)
    one = uni.router.swapExactTokensForTokens(10**20, 0, [a, b], trader, DEADLINE, {"from": trader}).gas_used
    chain.sleep(1)
    two = uni.router.swapExactTokensForTokens(
        10**20, 0, [a, b, c], trader, DEADLINE, {"from": trader}
    ).gas_used
    a.transfer(pair_ab, 10**20, {"from": trader})
    reserves = pair_ab.getReserves()
    a_is_0 = pair_ab.token0() == a.address
    r_in, r_out = (reserves[0], reserves[1]) if a_is_0 else (reserves[1], reserves[0])
    amount_out = (10**20 * 997 * r_out) // (r_in * 1000 + 10**20 * 997)
    outs = (0, amount_out) if a_is_0 else (amount_out, 0)
    chain.sleep(1)
    pair = pair_ab.swap(*outs, trader, b"", {"from": trader}).gas_used
    return {"router_1hop": one, "router_2hop": two, "pair_swap": pair}


def main() -> None:
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/dev/receipts.py)
    with quiet_receipts():  # one table instead of a receipt per transaction
        run()


def run() -> None:
    deployer, holder, bob, spender, relayer, trader = (
        accounts[0],
        accounts[1],
        accounts[2],
        accounts[3],
        accounts[4],
        accounts[5],
    )
    report = Report()
    print(
        "make gas: deploying references (OpenZeppelin v5 ERC20+Permit, the same behind ERC1967Proxy, Uniswap V2)"
    )
    oz = OZReferenceToken.deploy(holder, 10**30, {"from": deployer})
    impl = OZReferenceTokenUpgradeable.deploy({"from": deployer})
    proxy = OZReferenceProxy.deploy(impl, impl.initialize.encode_input(holder, 10**30), {"from": deployer})
    OZReferenceProxy.remove(proxy)  # brownie maps one address to one container
    oz_proxy = OZReferenceTokenUpgradeable.at(proxy.address)
    refs = {
        "oz": measure_oz(oz, "OZ Reference", holder, bob, spender, relayer),
        "oz_proxy": measure_oz(oz_proxy, "OZ Reference", holder, bob, spender, relayer),
        "uniswap": measure_uniswap(deployer, trader),
    }
    print("make gas: measuring the suite")
    families.measure_all(report, refs)
    report.notes.append(
        "References measured in the same run: OZ = OpenZeppelin v5 ERC20+ERC20Permit (direct); "
        "OZ proxy = the same, UUPS behind ERC1967Proxy; Uniswap V2 = factory/pair/Router02 from the npm artifacts."
    )
    report.notes.append(
        f"Uniswap V2 pair.swap after a separate transfer: {refs['uniswap']['pair_swap']:,} gas "
        "(the pool's own swap includes pulling the input token)."
    )
    print()
    print(report.table())
    for title, rows in report.scaling.items():
        print()
        print(ui_table(list(rows[0].keys()), [list(r.values()) for r in rows], title=title))
    chart = plot_scaling(report.scaling, ROOT / "reports" / "gas-scaling.png")
    batch_chart = families.batch_chart(report, ROOT / "reports" / "gas-batch-scaling.png")
    if batch_chart:
        print(f"wrote {batch_chart.relative_to(ROOT)}")
    REPORT_JSON.parent.mkdir(parents=True, exist_ok=True)
    report.write_json(REPORT_JSON)
    if update_readme(GAS_DOC, json.loads(REPORT_JSON.read_text())):
        print(
            f"\nwrote {REPORT_JSON.relative_to(ROOT)}, {chart.relative_to(ROOT) if chart else ''} and the gas table in {GAS_DOC.relative_to(ROOT)}"
        )
    failures = report.failures
    if failures:
        print(
            f"\nmake gas: {len(failures)} goal(s) missed: " + ", ".join(r.operation for r in failures),
            file=sys.stderr,
        )
        sys.exit(1)
    print("\nmake gas: every goal met")
