"""The bridge's views read back what the transactions wrote (every getter, once, with its value).

DOMAIN_SEPARATOR and mintDigest are checked against Python in test_admin.py and test_attest_matches_contract.py
(marked likewise). Marked `call_coverage`: under `make coverage` these calls are traced, so the views count (tests/conftest.py).
"""

import pytest
from eth_account import Account

from corridor.bridge.attest import KHR, USD
from corridor.bridge.deploy import DEFAULT_TIMINGS

from .conftest import RESERVE, THRESHOLD, fresh_tx_hash

pytestmark = pytest.mark.call_coverage

ACCOUNT = "sokha@aclb"


def test_configuration_views(bridge, busd, bkhr, keys):
    addresses = [Account.from_key(k).address for k in keys]
    assert not bridge.paused()
    assert bridge.epoch() == 1 and bridge.threshold() == THRESHOLD
    assert list(bridge.validators()) == addresses
    assert all(bridge.isValidator(a) for a in addresses)
    assert not bridge.isValidator("0x" + "00" * 20)
    assert tuple(bridge.timings()) == (
        DEFAULT_TIMINGS["max_reserve_age"],
        DEFAULT_TIMINGS["mint_delay"],
        DEFAULT_TIMINGS["redemption_timeout"],
    )
    assert (bridge.tokenOf(USD), bridge.tokenOf(KHR), bridge.tokenOf(1)) == (busd, bkhr, "0x" + "00" * 20)


def test_mint_views(signers, bridge, alice, relayer, funded):
    limits = bridge.limitsOf(KHR)
    assert bridge.inboundAvailable(KHR) == limits[3] and bridge.outboundAvailable(KHR) == limits[5]
    att = signers.mint_att(KHR, 5_000, alice)
    assert bridge.mintStatus(att.bakong_tx_hash) == 0
    bridge.mint(att.as_tuple(), signers.sign(att), {"from": relayer})
    assert bridge.mintStatus(att.bakong_tx_hash) == 1
    assert tuple(bridge.queuedMint(att.bakong_tx_hash)) == ("0x" + "00" * 20, 0, 0, 0)
    assert bridge.inboundAvailable(KHR) == limits[3] - 5_000
    assert not bridge.mintingStopped(KHR)
    assert tuple(bridge.reserveOf(KHR))[0] == RESERVE


def test_redemption_views(signers, bridge, bkhr, alice, relayer, funded):
    signers.mint(KHR, 10_000, alice, relayer)
    bkhr.approve(bridge, 10_000, {"from": alice})
    assert bridge.redemptionCount() == 0
    bridge.redeem(KHR, 4_000, ACCOUNT, {"from": alice})
    r = bridge.redemption(1)
    assert (r[0], r[1], r[2], r[4]) == (alice, KHR, 1, 4_000)
    assert bridge.redemptionCount() == 1
    payout = fresh_tx_hash()
    assert not bridge.payoutUsed(payout)
    f = signers.finalization(1, payout)
    bridge.finalizeRedemption(f.as_tuple(), signers.sign(f), {"from": relayer})
    assert bridge.payoutUsed(payout) and bridge.redemption(1)[2] == 2


def test_rejection_fee_view(signers, bridge, bkhr, admin, alice, relayer, funded):
    assert tuple(bridge.rejectionFeeOf(KHR)) == (0, 0)  # deploy.py's default: no fee
    bridge.setRejectionFee(KHR, 300, {"from": admin})
    signers.mint(KHR, 10_000, alice, relayer)
    bkhr.approve(bridge, 4_000, {"from": alice})
    rid = bridge.redeem(KHR, 4_000, "ghost@nowhere", {"from": alice}).return_value
    j = signers.rejection(rid)
    bridge.rejectRedemption(j.as_tuple(), signers.sign(j), {"from": relayer})
    assert tuple(bridge.rejectionFeeOf(KHR)) == (300, 300)
    assert tuple(bridge.rejectionFeeOf(1)) == (0, 0)
