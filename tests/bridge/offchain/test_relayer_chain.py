"""The relayer end to end against BakongBridge on Anvil, through web3.py (brownie's `web3` object):
KHR and USD deposits minted, redemptions paid out and finalized, unknown accounts rejected, and the
relayer killed at every step and restarted, with a poison event in the log (finding 1).
Deployment: tests/bridge/conftest.py (3-of-5, mock tokens).

The poison event is the `RedemptionRequested` log the original contract (779b121) emitted for a
non-UTF-8 account id. The fixed contract refuses such ids, so `emit_poison` makes the same log come
from the bridge's address: Anvil swaps the bridge's code for a 26-byte LOG4 emitter for one
transaction (`anvil_setCode`) and puts it back; storage is untouched. The relayer reads it through its
real path (eth_getLogs, ABI decoding).
"""

import brownie
import eth_abi
import pytest
from eth_account import Account
from eth_utils import keccak
from web3.logs import DISCARD

from corridor.bridge.attest import KHR, USD, bakong_tx_hash_bytes
from corridor.bridge.gateway import BridgeGateway, MintStatus, RedemptionStatus
from corridor.bridge.relayer import (
    BATCH_CRASH_POINTS,
    FINALIZE_BATCH_CRASH_POINTS,
    PLAIN_CRASH_POINTS,
    LedgerPayer,
    Relayer,
    RelayerConfig,
    RelayerCrashed,
)
from corridor.bridge.store import RelayerStore
from corridor.bridge.validator import Validator

from .bridge_model import CUSTOMER, OMNIBUS


@pytest.fixture
def view(web3, bridge):
    """A read-only gateway: what validators see of the chain."""
    return BridgeGateway(web3, bridge.address)


@pytest.fixture
def chain_validators(keys, bakong, view):
    return [Validator(k, bakong, view, OMNIBUS) for k in keys]


@pytest.fixture
def start_relayer(web3, bridge, relayer, bakong, ledger, chain_validators, tmp_path, clock):
    """Each call is a fresh relayer process over the same state file."""
    start = web3.eth.block_number

    def build(crash_at=None, batch_size=1):
        return Relayer(
            BridgeGateway(web3, bridge.address, relayer.address),
            bakong,
            LedgerPayer(ledger, OMNIBUS),
            chain_validators,
            RelayerStore(str(tmp_path / "relayer.sqlite")),
            RelayerConfig(omnibus_account=OMNIBUS, start_block=start, batch_size=batch_size),
            clock_ms=clock.ms,
            crash_at=crash_at,
        )

    return build


# calldata = 4 topics then the log data; the code copies it to memory and LOG4s it (then STOP)
LOG4_EMITTER = "0x366000600037606051604051602051600051608036036080a400"
POISON_ACCOUNT = b"\xffsokha@wing"  # one '@', 3..32 bytes: accepted by 779b121, not UTF-8
REDEMPTION_REQUESTED = keccak(text="RedemptionRequested(uint256,uint16,address,uint256,string,uint64)")


def emit_poison(web3, bridge, sender, redemption_id, currency, amount, deadline):
    """A `RedemptionRequested` log from the bridge whose account id does not decode as UTF-8."""
    code = web3.eth.get_code(bridge.address)
    web3.provider.make_request("anvil_setCode", [bridge.address, LOG4_EMITTER])
    try:
        topics = (
            b"".join(
                x.to_bytes(32, "big")
                for x in (int.from_bytes(REDEMPTION_REQUESTED, "big"), redemption_id, currency)
            )
            + bytes(12)
            + bytes.fromhex(sender.address[2:])
        )
        data = eth_abi.encode(["uint256", "bytes", "uint64"], [amount, POISON_ACCOUNT, deadline])
        tx = web3.eth.send_transaction({"from": sender.address, "to": bridge.address, "data": topics + data})
        return web3.eth.wait_for_transaction_receipt(tx)
    finally:
        web3.provider.make_request("anvil_setCode", [bridge.address, "0x" + bytes(code).hex()])


def test_poison_log_really_does_not_decode(web3, bridge, customer):
    receipt = emit_poison(web3, bridge, customer, 99, KHR, 1_000, 2**40)
    (log,) = receipt["logs"]
    assert log["address"] == bridge.address and bytes(log["topics"][0]) == REDEMPTION_REQUESTED
    with pytest.raises(Exception, match="utf-8"):
        bridge_events = BridgeGateway(web3, bridge.address).contract.events
        bridge_events.RedemptionRequested().process_log(log)
    assert len(web3.eth.get_code(bridge.address)) > 1000  # the bridge's code is back


def settle(start_relayer, relayer, passes=6):
    crashes = []
    for _ in range(passes):
        try:
            report = relayer.run_once()
        except RelayerCrashed as crash:
            crashes.append(str(crash))
            relayer = start_relayer()
            continue
        # Anvil may give several blocks the same second: a reserve attested in this second cannot be
        # re-attested before the next one ("must wait a block"); the next pass retries
        assert all("must wait a block" in e for e in report.errors), report.errors
        if report.idle:
            break
    return relayer, crashes


def _deposit(start_relayer, ledger, currency, amount, recipient):
    relayer = start_relayer()
    intent = relayer.request_deposit(currency, amount, recipient.address)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    return relayer, intent


def test_gateway_reads_the_bridge_domain(view, bridge, chain):
    d = view.domain()
    assert (d.name, d.version, d.chain_id, d.verifying_contract) == (
        "BakongBridge",
        "1",
        chain.id,
        bridge.address,
    )


def test_khr_deposit_is_minted_on_chain(start_relayer, ledger, bkhr, bridge, customer):
    relayer, intent = _deposit(start_relayer, ledger, "KHR", 40_000, customer)
    report = relayer.run_once()
    assert report.minted == [intent.md5] and not report.errors
    assert bkhr.balanceOf(customer) == 40_000
    assert bridge.reserveOf(KHR)[0] == 40_000
    assert bridge.mintStatus(ledger.by_md5(intent.md5).hash) == MintStatus.MINTED


def test_usd_deposit_is_minted_in_cents(start_relayer, ledger, busd, customer):
    relayer, _ = _deposit(start_relayer, ledger, "USD", 12_34, customer)
    relayer.run_once()
    assert busd.balanceOf(customer) == 12_34


def test_second_pass_does_nothing(start_relayer, ledger, bkhr, customer):
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 40_000, customer)
    relayer.run_once()
    assert relayer.run_once().idle
    assert bkhr.totalSupply() == 40_000


def test_redemption_is_paid_out_and_burned(start_relayer, ledger, bkhr, bridge, customer):
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 40_000, customer)
    relayer.run_once()
    bkhr.approve(bridge, 15_000, {"from": customer})
    rid = bridge.redeem(KHR, 15_000, CUSTOMER, {"from": customer}).return_value
    before = ledger.balance(CUSTOMER, "KHR")
    report = relayer.run_once()
    assert report.finalized == [rid] and not report.errors
    assert ledger.balance(CUSTOMER, "KHR") == before + 15_000
    assert bridge.redemption(rid)[2] == RedemptionStatus.FINALIZED
    assert bkhr.totalSupply() == 25_000 == ledger.balance(OMNIBUS, "KHR")


def test_redemption_to_unknown_account_is_refunded(start_relayer, ledger, bkhr, bridge, customer):
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 40_000, customer)
    relayer.run_once()
    bkhr.approve(bridge, 15_000, {"from": customer})
    rid = bridge.redeem(KHR, 15_000, "ghost@nowhere", {"from": customer}).return_value
    assert relayer.run_once().rejected == [rid]
    assert bkhr.balanceOf(customer) == 40_000
    assert bridge.redemption(rid)[2] == RedemptionStatus.REJECTED


def test_settled_books_reconcile_on_chain(start_relayer, ledger, bridge, customer):
    relayer, _ = _deposit(start_relayer, ledger, "USD", 5_00, customer)
    relayer.run_once()
    lines = {line.currency.name: line for line in relayer.reconciliation()}
    assert (lines["USD"].supply, lines["USD"].omnibus, lines["USD"].drift) == (5_00, 5_00, 0)
    relayer.submit_reconciliation("USD")
    logs = relayer.gateway.contract.events.Reconciled.get_logs(from_block=0)
    assert [(e.args.currency, e.args.omnibusBalance, e.args.supply) for e in logs] == [(USD, 5_00, 5_00)]
    assert not bridge.mintingStopped(USD)


def test_reconciliation_with_drift_stops_minting(start_relayer, ledger, bridge, customer):
    """Drift beyond the currency's maxDrift (41,000,000 riel in the default config)."""
    ledger.cash_in(CUSTOMER, "KHR", 50_000_000)
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 50_000_000, customer)
    relayer.run_once()
    ledger.transfer(OMNIBUS, CUSTOMER, "KHR", 45_000_000)  # the omnibus account is drained off-bridge
    line = relayer.submit_reconciliation("KHR")
    assert line.drift == -45_000_000
    assert bridge.mintingStopped(KHR)


@pytest.mark.parametrize(
    "point",
    PLAIN_CRASH_POINTS,
)
def test_killed_at_any_step_resumes_without_double_mint_or_lost_redemption(
    point, web3, chain, start_relayer, ledger, bkhr, bridge, customer
):
    # killed at the point in both phases: a point only the first phase reaches (deposit.reserve_sent: the
    # second phase's deposit fits the reserve attested in the first) is still crossed
    relayer = start_relayer(crash_at=point)
    intent = relayer.request_deposit("KHR", 40_000, customer.address)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    relayer, first = settle(start_relayer, relayer)
    bkhr.approve(bridge, 20_000, {"from": customer})
    poison = emit_poison(web3, bridge, customer, 1_000_000, KHR, 1_000, chain[-1].timestamp + 86_400)
    paid = bridge.redeem(KHR, 15_000, CUSTOMER, {"from": customer}).return_value
    refused = bridge.redeem(KHR, 5_000, "ghost@nowhere", {"from": customer}).return_value
    later = start_relayer().request_deposit("KHR", 7_000, customer.address)  # paid after the poison event
    ledger.pay_khqr(CUSTOMER, later.khqr)
    relayer, crashes = settle(start_relayer, start_relayer(crash_at=point))
    assert first in ([], [point]) and crashes in ([], [point]) and first + crashes
    assert bkhr.totalSupply() == 40_000 + 7_000 - 15_000
    assert bkhr.balanceOf(customer) == 40_000 + 7_000 - 15_000
    assert bridge.redemption(paid)[2] == RedemptionStatus.FINALIZED
    assert bridge.redemption(refused)[2] == RedemptionStatus.REJECTED
    payouts = [t for t in ledger.transfers(CUSTOMER) if t.from_account == OMNIBUS]
    assert [t.amount for t in payouts] == [15_000]
    (entry,) = relayer.store.dead_letters()
    source = f"0x{bytes(poison['transactionHash']).hex()}:{poison['logs'][0]['logIndex']}"
    assert (entry.item, entry.source, entry.parked) == (f"log:{source}", source, True)
    assert "RedemptionRequested #1000000" in entry.reason and "utf-8" in entry.reason
    assert relayer.store.deposit(later.md5).status == "minted"
    assert [line.drift for line in relayer.reconciliation()] == [0, 0]


def test_payout_left_unrecorded_is_finalized_inside_the_margin_and_cannot_be_reclaimed(
    start_relayer, chain, ledger, bkhr, bridge, customer
):
    """Finding 1's double payment on the real contract: crash right after the Bakong payout, relayer down
    until the redemption is inside the payout margin of its deadline; the restart finalizes it first."""
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 40_000, customer)
    relayer.run_once()
    bkhr.approve(bridge, 15_000, {"from": customer})
    rid = bridge.redeem(KHR, 15_000, CUSTOMER, {"from": customer}).return_value
    with pytest.raises(RelayerCrashed):
        start_relayer(crash_at="redemption.paid_out").run_once()
    deadline = bridge.redemption(rid)[3]
    chain.sleep(deadline - chain[-1].timestamp - RelayerConfig(OMNIBUS).payout_margin // 2)
    chain.mine()
    report = start_relayer().run_once()
    assert report.finalized == [rid] and not report.errors
    chain.sleep(RelayerConfig(OMNIBUS).payout_margin)
    chain.mine()
    with brownie.reverts(revert_pattern=r"RedemptionNotPending.*"):
        bridge.reclaim(rid, {"from": customer})
    payouts = [t for t in ledger.transfers(CUSTOMER) if t.from_account == OMNIBUS]
    assert [t.amount for t in payouts] == [15_000]
    assert bkhr.totalSupply() == 25_000 == ledger.balance(OMNIBUS, "KHR")


def test_rotation_after_signing_resigns_with_the_new_set(
    start_relayer, ledger, bkhr, bridge, admin, keys, customer
):
    """Signatures collected before a rotation are void (epoch); the restarted relayer asks the new set,
    skipping the validator that was rotated out."""
    relayer = start_relayer(crash_at="deposit.signed")
    intent = relayer.request_deposit("KHR", 40_000, customer.address)
    ledger.pay_khqr(CUSTOMER, intent.khqr)
    with pytest.raises(RelayerCrashed):
        relayer.run_once()
    remaining = sorted((Account.from_key(k).address for k in keys[1:]), key=lambda a: int(a, 16))
    bridge.setValidators(remaining, 3, {"from": admin})
    report = start_relayer().run_once()
    assert report.minted == [intent.md5] and not report.errors
    assert bkhr.balanceOf(customer) == 40_000
    assert bridge.epoch() == 2


def test_too_few_current_validators_mints_nothing(start_relayer, ledger, bkhr, bridge, admin, customer):
    """When the set rotates to keys the relayer does not know, no threshold can be met."""
    strangers = sorted((Account.create().address for _ in range(3)), key=lambda a: int(a, 16))
    bridge.setValidators(strangers, 2, {"from": admin})
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 40_000, customer)
    report = relayer.run_once()
    assert report.errors and "0 of 2 signatures" in report.errors[0]
    assert bkhr.totalSupply() == 0


def test_deposit_above_the_bridge_cap_is_refused_before_issuing_a_khqr(start_relayer, bridge, customer):
    cap = bridge.limitsOf(KHR)[0]
    with pytest.raises(ValueError, match="per-message cap"):
        start_relayer().request_deposit("KHR", cap + 1, customer.address)


@pytest.mark.parametrize("point", BATCH_CRASH_POINTS)
def test_killed_at_any_batch_step_mints_each_deposit_once_on_the_contract(
    point, start_relayer, ledger, bkhr, bridge, customer, accounts
):
    """The batch crash matrix on the real contract: one mintBatch, every deposit minted once, and a deposit
    to an address the token refuses (no KYC) queued inside the batch, not lost and not failing it."""
    stranger = accounts.add()  # no KYC: the token refuses to mint to it
    relayer = start_relayer(crash_at=point, batch_size=3)
    keys = []
    for amount, to in ((10_000, customer.address), (20_000, customer.address), (30_000, stranger.address)):
        intent = relayer.request_deposit("KHR", amount, to)
        ledger.pay_khqr(CUSTOMER, intent.khqr)
        keys.append(intent.md5)
    relayer, crashes = settle(lambda: start_relayer(batch_size=3), relayer, passes=8)  # Anvil's same-second
    assert crashes == [point]  # blocks: a reserve may have to wait a block (seen once under load)
    assert bkhr.balanceOf(customer) == 30_000 and bkhr.balanceOf(stranger) == 0
    assert [relayer.store.deposit(k).status for k in keys] == ["minted", "minted", "queued"]
    assert [b.status for b in relayer.store.batches()] == ["closed"]
    assert bridge.mintStatus(bakong_tx_hash_bytes(relayer.store.deposit(keys[2]).bakong_hash)) == 2  # Queued


@pytest.mark.parametrize("point", [None, *FINALIZE_BATCH_CRASH_POINTS])
def test_paid_redemptions_finalized_in_one_batch_on_the_contract(
    point, start_relayer, web3, ledger, bkhr, bridge, customer
):
    """Three paid-out redemptions finalized by one finalizeRedemptionBatch on the real contract (its
    `BatchFinalized` and three `RedemptionFinalized` events in one transaction), also with the relayer
    killed after signing the batch or after sending it: each payout once on Bakong, each escrow burned once."""
    relayer, _ = _deposit(start_relayer, ledger, "KHR", 100_000, customer)
    relayer.run_once()
    amounts = (10_000, 20_000, 15_000)
    bkhr.approve(bridge, sum(amounts), {"from": customer})
    rids = [bridge.redeem(KHR, a, CUSTOMER, {"from": customer}).return_value for a in amounts]
    relayer, crashes = settle(
        lambda: start_relayer(batch_size=3), start_relayer(crash_at=point, batch_size=3)
    )
    assert crashes == ([point] if point else [])
    rows = [relayer.store.redemption(r) for r in rids]
    assert [r.status for r in rows] == ["finalized"] * 3
    events = BridgeGateway(web3, bridge.address).contract.events
    [batch] = events.BatchFinalized().get_logs(from_block=0)  # one batch on the chain, no other finalization
    receipt = web3.eth.get_transaction_receipt(batch["transactionHash"])
    # the outcome is stored with its tx, except after a kill between sending and recording (read back)
    expected = {None} if point == "finalize_batch.sent" else {receipt["transactionHash"].hex()}
    assert {r.chain_tx for r in rows} == expected
    assert (batch["args"]["currency"], batch["args"]["count"], batch["args"]["total"]) == (KHR, 3, 45_000)
    singles = events.RedemptionFinalized().process_receipt(receipt, errors=DISCARD)
    assert [(e["args"]["redemptionId"], e["args"]["amount"]) for e in singles] == list(
        zip(rids, amounts, strict=True)
    )
    assert len(events.RedemptionFinalized().get_logs(from_block=0)) == 3
    assert [bridge.redemption(r)[2] for r in rids] == [RedemptionStatus.FINALIZED] * 3
    payouts = [t for t in ledger.transfers(CUSTOMER) if t.from_account == OMNIBUS]
    assert sorted(t.amount for t in payouts) == sorted(amounts)  # each paid once
    assert bkhr.totalSupply() == 100_000 - 45_000 == ledger.balance(OMNIBUS, "KHR")
