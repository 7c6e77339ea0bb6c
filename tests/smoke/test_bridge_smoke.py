"""Smoke (Anvil and Ganache/berlin): deploy the bridge family via corridor.bridge.deploy, then a KHR deposit is
minted against a reserve attestation, redeemed, and finalized with the Bakong payout hash."""

from eth_account import Account
from eth_utils import keccak

from corridor.bridge import attest
from corridor.bridge.attest import KHR
from corridor.bridge.deploy import default_config, deploy_bridge


def test_bridge_deposit_redeem_round_trip(accounts, chain):
    admin, customer, relayer = accounts[0], accounts[5], accounts[7]
    keys = sorted(
        (keccak(text=f"smoke-validator-{i}") for i in range(3)),
        key=lambda k: Account.from_key(k).address.lower(),
    )
    d = deploy_bridge(None, admin, default_config([Account.from_key(k).address for k in keys], 2))
    bridge, bkhr = d.bridge, d.token("KHR")
    d.verify_holders(admin, [customer])
    domain = d.domain(chain.id)
    now = chain[-1].timestamp

    reserve = attest.ReserveAttestation(KHR, 41_000, now, bridge.epoch())
    bridge.attestReserve(
        reserve.as_tuple(), attest.collect_signatures(domain, reserve, keys, 2), {"from": relayer}
    )

    deposit = attest.MintAttestation(
        KHR,
        41_000,
        customer.address,
        attest.bakong_tx_hash_bytes("smoke-deposit-1"),
        attest.khqr_md5("000201010212...6304ABCD"),
        now + 3600,
        bridge.epoch(),
    )
    bridge.mint(deposit.as_tuple(), attest.collect_signatures(domain, deposit, keys, 2), {"from": relayer})
    assert bkhr.balanceOf(customer) == 41_000

    bkhr.approve(bridge, 41_000, {"from": customer})
    rid = bridge.redeem(KHR, 41_000, "sokha@aclb", {"from": customer}).return_value
    payout = attest.RedemptionFinalization(rid, attest.bakong_tx_hash_bytes("smoke-payout-1"), bridge.epoch())
    bridge.finalizeRedemption(
        payout.as_tuple(), attest.collect_signatures(domain, payout, keys, 2), {"from": relayer}
    )

    assert bkhr.totalSupply() == 0
    assert bridge.redemption(rid)[2] == 2  # Finalized
