"""Mint gas (tx gasUsed) with M-of-N attestations, token behind its ERC-1967 proxy. Prints; never asserts.

Run: brownie test tests/bridge/test_gas.py -s
State measured: warm bridge (not the first mint of the currency, supply and inbound bucket non-zero),
recipient already KYC-verified on the token (its account word is non-zero) but holding no tokens yet,
new Bakong tx hash (its slot goes 0 -> 1), reserve attested in an earlier transaction.
"""

from eth_account import Account

from corridor.bridge.attest import KHR

from conftest import validator_keys


def _measure(bridge, bkhr, signers, admin, relayer, recipients, m):
    n = 2 * m - 1
    keys = validator_keys(n, salt=f"gas-{m}")
    bridge.setValidators([Account.from_key(k).address for k in keys], m, {"from": admin})
    signers.keys = keys
    att = signers.mint_att(KHR, 1_000, recipients[0])  # warm-up: supply non-zero
    bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    att = signers.mint_att(KHR, 1_000, recipients[1])
    tx = bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    return n, tx.gas_used


def test_print_mint_gas_by_threshold(bridge, bkhr, signers, admin, relayer, alice, bob, funded):
    rows = []
    for m in range(1, 8):
        rows.append((m, *_measure(bridge, bkhr, signers, admin, relayer, (alice, bob), m)))
        bkhr.setKyc(bob, 3, 116, {"from": admin})  # keep bob's word non-zero, balance irrelevant
    print("\n| M | N | mint gasUsed |\n|---|---|---|")
    for m, n, gas in rows:
        print(f"| {m} | {n} | {gas:,} |")
