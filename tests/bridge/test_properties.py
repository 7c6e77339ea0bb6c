"""Property tests: the on-chain rules agree with their Python statements for any input."""

import brownie
from brownie.exceptions import VirtualMachineError
from brownie.test import given, strategy
from hypothesis import HealthCheck, settings

from corridor.bridge import attest
from corridor.bridge.attest import KHR

from .conftest import RESERVE

ACCOUNT_ALPHABET = "ab@.-_"


@given(account=strategy("string", min_size=0, max_size=36))
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bakong_account_id_rule_matches_python(bridge, bkhr, signers, alice, relayer, funded, account):
    """redeem accepts an account id exactly when attest.bakong_account_id_valid does."""
    if bkhr.balanceOf(alice) == 0:
        signers.mint(KHR, 10, alice, relayer)
        bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    try:
        bridge.redeem.call(KHR, 1, account, {"from": alice})
        accepted = True
    except VirtualMachineError as exc:
        assert "InvalidBakongAccountId" in str(exc.revert_msg)
        accepted = False
    assert accepted == attest.bakong_account_id_valid(account)


@given(
    name=strategy("string", min_size=0, max_size=20),
    bank=strategy("string", min_size=0, max_size=14),
)
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bakong_account_ids_with_at_sign(bridge, bkhr, signers, alice, relayer, funded, name, bank):
    """The same agreement on inputs that always contain an '@' (the interesting boundary)."""
    if bkhr.balanceOf(alice) == 0:
        signers.mint(KHR, 10, alice, relayer)
        bkhr.approve(bridge, 2**256 - 1, {"from": alice})
    account = f"{name}@{bank}"
    try:
        bridge.redeem.call(KHR, 1, account, {"from": alice})
        accepted = True
    except VirtualMachineError:
        accepted = False
    assert accepted == attest.bakong_account_id_valid(account)


@given(amount=strategy("uint256", min_value=1, max_value=2_000_000))
@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_mint_credits_exactly_the_attested_amount(bridge, bkhr, signers, alice, relayer, funded, amount):
    """Below the queue threshold, a mint credits the attested amount and supply stays within the reserve."""
    before = bkhr.balanceOf(alice)
    threshold = bridge.limitsOf(KHR)[1]
    att = signers.mint_att(KHR, amount, alice)
    queued = bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer}).return_value
    assert queued == (amount > threshold)
    assert bkhr.balanceOf(alice) == before + (0 if queued else amount)
    assert bkhr.totalSupply() <= RESERVE


@given(order=strategy("uint256", min_value=0, max_value=5))
@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_non_ascending_signer_order_reverts(bridge, signers, alice, relayer, funded, order):
    """Of the six orders of three valid signatures, only the ascending one is accepted."""
    import itertools

    perm = list(itertools.permutations(signers.keys[:3]))[order]
    att = signers.mint_att(KHR, 5, alice)
    sigs = signers.sign(att, keys=list(perm))
    if list(perm) == signers.keys[:3]:
        bridge.mint(att.as_tuple(), sigs, {"from": relayer})
        assert bridge.mintStatus(att.bakong_tx_hash) == 1
    else:
        with brownie.reverts(revert_pattern=r"SignersNotAscending.*"):
            bridge.mint(att.as_tuple(), sigs, {"from": relayer})


@given(
    seconds=strategy("uint256", min_value=0, max_value=200_000),
    spend=strategy("uint256", min_value=1, max_value=10**8),
)
@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_outbound_bucket_refills_linearly_to_capacity(
    bridge, bkhr, signers, alice, relayer, chain, seconds, spend
):
    """After spending, the bucket holds min(capacity, left + rate x elapsed)."""
    cap, rate = bridge.limitsOf(KHR)[5], bridge.limitsOf(KHR)[6]
    spend = min(spend, bridge.limitsOf(KHR)[1])  # below the queue threshold: minted at once
    signers.attest_reserve(KHR, RESERVE, relayer)  # fresh for this example (time moves between examples)
    signers.mint(KHR, spend, alice, relayer)
    bkhr.approve(bridge, spend, {"from": alice})
    tx = bridge.redeem(KHR, spend, "dara@aclb", {"from": alice})
    left = bridge.outboundAvailable(KHR)  # as of the redemption's block
    assert left <= cap - spend
    chain.sleep(seconds)
    chain.mine()
    elapsed = chain[-1].timestamp - tx.timestamp
    assert bridge.outboundAvailable(KHR) == min(cap, left + rate * elapsed)
