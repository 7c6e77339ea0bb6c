"""The bridge's default admin is trusted with every limit: with its key alone (no validator key) an attacker
appoints a 1-of-1 validator set it controls, lifts the per-message cap, the buckets and the queue threshold,
attests a reserve and mints, in four transactions and one second (a raised bucket keeps its level and refills
at 2**64-1 a second, so a mint in the raise's own second is still capped). The limits bound a stolen validator
quorum, not a stolen admin key; docs/security.md says what must hold that key on a live network."""

from eth_account import Account
from eth_utils import keccak

from corridor.bridge.attest import USD

U64 = 2**64 - 1


def test_compromised_admin_mints_past_every_limit_in_four_transactions(
    signers, bridge, busd, admin, alice, relayer, funded, chain
):
    limits_before = bridge.limitsOf(USD)
    own_key = keccak(text="attacker-validator")
    bridge.setValidators([Account.from_key(own_key).address], 1, {"from": admin})
    bridge.setCurrencyLimits(USD, (U64, U64, U64, U64, U64, U64, U64), {"from": admin})
    reserve = signers.reserve_att(USD, U64)
    bridge.attestReserve(reserve.as_tuple(), signers.sign(reserve, keys=[own_key]), {"from": relayer})
    amount = 1_000 * limits_before[0]  # a thousand times the old per-message cap
    chain.sleep(1)  # Anvil may give blocks the same second; one second refills the raised bucket
    att = signers.mint_att(USD, amount, alice)
    queued = bridge.mint(att.as_tuple(), signers.sign(att, keys=[own_key]), {"from": relayer}).return_value
    assert queued is False  # the large-mint queue was lifted with the threshold
    assert busd.balanceOf(alice) == amount
