"""Mint gas (tx gasUsed) with M-of-N attestations, token behind its ERC-1967 proxy. Prints; never asserts.

Run: brownie test tests/bridge/test_gas.py -s
State measured: warm bridge (not the first mint of the currency, supply and inbound bucket non-zero),
recipient already KYC-verified on the token (its account word is non-zero) but holding no tokens yet,
new Bakong tx hash (its slot goes 0 -> 1), reserve attested in an earlier transaction.
"""

from eth_account import Account

from corridor.bridge.attest import KHR

from .conftest import Signers, validator_keys


def _measure(bridge, bkhr, signers, admin, relayer, recipients, m):
    n = 2 * m - 1
    keys = validator_keys(n, salt=f"gas-{m}")
    bridge.setValidators([Account.from_key(k).address for k in keys], m, {"from": admin})
    signers = Signers(signers.chain, bridge, keys)  # a local set: the module's `signers` keeps its keys
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


def test_print_queue_and_redemption_gas(bridge, bkhr, signers, admin, relayer, alice, bob, funded, chain):
    signers.mint(KHR, 1_000, alice, relayer)  # warm-up
    big = bridge.limitsOf(KHR)[1] + 1
    att = signers.mint_att(KHR, big, bob)
    queued = bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    chain.sleep(bridge.timings()[1] + 1)
    chain.mine()
    signers.attest_reserve(KHR, 10**15 + 1, relayer)
    executed = bridge.executeQueuedMint(att.bakong_tx_hash, {"from": relayer})
    bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    redeem = bridge.redeem(KHR, 500, "dara@aclb", {"from": alice})
    f = signers.finalization(redeem.return_value)
    final = bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    reserve = signers.attest_reserve(KHR, 10**15 + 2, relayer)
    refused = bridge.redeem(KHR, 500, "ghost@nowhere", {"from": alice})
    j = signers.rejection(refused.return_value)
    reject = bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})
    print(
        f"\nqueue (3-of-5): {queued.gas_used:,}  executeQueuedMint: {executed.gas_used:,}  redeem: {redeem.gas_used:,}"
        f"  finalize (3-of-5): {final.gas_used:,}  attestReserve (3-of-5): {reserve.gas_used:,}"
        f"  redeem (2nd, warm bucket): {refused.gas_used:,}  reject (3-of-5): {reject.gas_used:,}"
    )


def test_print_mint_gas_by_state(bridge, bkhr, signers, relayer, alice, bob, funded):
    """3-of-5: first mint of the currency, then a new (verified) holder, then an existing holder."""
    first = signers.mint(KHR, 1_000, alice, relayer)
    new_holder = signers.mint(KHR, 1_000, bob, relayer)
    existing = signers.mint(KHR, 1_000, alice, relayer)
    print(
        f"\nfirst mint of the currency: {first.gas_used:,}  new holder: {new_holder.gas_used:,}"
        f"  existing holder: {existing.gas_used:,}"
    )


def test_print_batch_mint_gas_per_deposit(bridge, bkhr, signers, admin, relayer, funded):
    """mintBatch, 3-of-5, every recipient an existing KYC'd holder (make gas measures the same)."""
    holders = [Account.from_key(k).address for k in validator_keys(64, salt="gas-batch-holders")]
    for h in holders:
        bkhr.setKyc(h, 3, 116, {"from": admin})
    signers.mint_batch(KHR, [signers.deposit(1_000, h) for h in holders], relayer)  # now existing holders
    print()
    for n in (1, 8, 64):
        gas = signers.mint_batch(KHR, [signers.deposit(1_000, h) for h in holders[:n]], relayer).gas_used
        print(f"batch N = {n}: {gas:,} gas, {gas // n:,} per deposit")
