"""Runs the RFQ gas scenarios (the same function the lead's `make gas` can call) and prints them with -s.
Gas goals are reported, not asserted; this test checks that every scenario runs."""

from corridor.dev.gas import measure_rfq


def test_gas_scenarios_run(RfqVenue, MockERC20, accounts):
    gas = measure_rfq(RfqVenue, MockERC20, accounts)
    for name, used in gas.items():
        print(f"{name}: {used:,}")
    assert len(gas) == 7 and all(used > 21_000 for used in gas.values())
