"""Per-family measurements for `make gas`. Each function deploys its family with the same
`deploy.py` the tests and scripts use, performs the operations in the documented state and adds
rows (with the reference measured in the same run) to the report.
"""

from __future__ import annotations

from typing import Any

from corridor.bench.report import Report, Row

GOALS = {
    "transfer_existing": 41_400,
    "transfer_new": 57_200,
    "transfer_from": 49_000,
    "transfer_with_authorization": 79_000,
    "bridge_mint_3of5": 120_000,
    "pool_swap": 110_000,
    "router_1hop": 130_000,
    "router_2hop": 190_000,
    "rfq_fill_warm": 90_000,
    "rfq_cross": 100_000,
}


def measure_all(report: Report, refs: dict[str, Any]) -> None:
    """Adds every family's rows; an operation not yet built is a row with no measurement (a miss)."""
    stablecoin(report, refs)
    bridge(report, refs)
    exchange(report, refs)
    rfq(report, refs)


def stablecoin(report: Report, refs: dict[str, Any]) -> None:
    oz = refs["oz_proxy"]
    for op, key, ref_key in (
        (
            "JPY stablecoin transfer, existing holder (proxy, compliance on)",
            "transfer_existing",
            "transfer_existing",
        ),
        ("JPY stablecoin transfer, new holder (proxy, compliance on)", "transfer_new", "transfer_new"),
        ("JPY stablecoin transferFrom (finite allowance)", "transfer_from", "transfer_from"),
    ):
        report.add(Row(op, None, "OZ v5 ERC20 behind ERC1967Proxy", oz[ref_key], GOALS[key]))
    report.add(
        Row(
            "JPY stablecoin transferWithAuthorization (EIP-3009)",
            None,
            "OZ proxy permit + transferFrom (2 txs)",
            oz["permit_plus_transfer_from"],
            GOALS["transfer_with_authorization"],
        )
    )


def bridge(report: Report, refs: dict[str, Any]) -> None:
    report.add(Row("Bakong bridge mint, 3-of-5 attestations", None, "", None, GOALS["bridge_mint_3of5"]))


def exchange(report: Report, refs: dict[str, Any]) -> None:
    uni = refs["uniswap"]
    report.add(
        Row(
            "FX pool swap (exact-in)",
            None,
            "Uniswap V2 Router02 1 hop",
            uni["router_1hop"],
            GOALS["pool_swap"],
        )
    )
    report.add(
        Row(
            "FX router swap, 1 hop",
            None,
            "Uniswap V2 Router02 1 hop",
            uni["router_1hop"],
            GOALS["router_1hop"],
        )
    )
    report.add(
        Row(
            "FX router JPY→USD→KHR (2 hops)",
            None,
            "Uniswap V2 Router02 2 hops",
            uni["router_2hop"],
            GOALS["router_2hop"],
        )
    )


def rfq(report: Report, refs: dict[str, Any]) -> None:
    uni = refs["uniswap"]
    report.add(
        Row(
            "RFQ fill, maker nonce word warm",
            None,
            "Uniswap V2 Router02 1 hop",
            uni["router_1hop"],
            GOALS["rfq_fill_warm"],
        )
    )
    report.add(
        Row(
            "RFQ cross quote JPY→KHR",
            None,
            "Uniswap V2 Router02 2 hops",
            uni["router_2hop"],
            GOALS["rfq_cross"],
        )
    )
