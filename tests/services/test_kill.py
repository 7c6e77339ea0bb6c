"""kill -9 and restart, process by process: no double mint, no lost payout, the books reconcile.

- the relayer SIGKILLs itself at every step of a deposit, of paid redemptions (finalized in one batch)
  and of a rejected one (CORRIDOR_RELAYER_KILL_AT, one crash point per start) and is restarted over the
  same state;
- the Bakong server, two of the three validators and the relayer are SIGKILLed while deposits and
  redemptions are in flight, and restarted; the relayer waits the outages out (backoff) and says so in
  its /health;
- the relayer SIGKILLs itself at every batch step (signed, sent, minted deposits recorded) and each
  batched deposit is still minted exactly once;
- the relayer refuses to attest a reserve below the supply (minting would stop) unless `--force`, and
  logs the contract's error decoded (`MintingStopped(KHR)`).
"""

from __future__ import annotations

import time
from collections import Counter

from corridor.bridge.attest import KHR
from corridor.bridge.gateway import RedemptionStatus
from corridor.bridge.relayer import BATCH_CRASH_POINTS
from corridor.services.http import HttpError, call
from corridor.services.relayer import KILL_AT_ENV

from .conftest import CUSTOMER_BAKONG
from .harness import OMNIBUS, wait_for


def _restart_killed_at(services, point: str) -> None:
    """Starts the relayer to die at `point`; waits for the SIGKILL."""
    relayer = services.relayer
    relayer.stop()
    relayer.start({KILL_AT_ENV: point}, wait=False)
    wait_for(lambda: relayer.exited() is not None, 90, f"the relayer to kill itself at {point}")
    assert relayer.exited() == -9, relayer.tail()
    assert f"killing myself at {point}" in relayer.tail(3)


def _restart(services) -> None:
    services.relayer.stop()
    services.relayer.start()


def _minted_events(bridge) -> Counter:
    return Counter(
        bytes(e.args.bakongTxHash).hex() for e in bridge.events.get_sequence(0, event_type="Minted")
    )


def _token_mints(token) -> Counter:
    """Amounts the token minted (Transfer from the zero address), counted."""
    zero = "0x" + "00" * 20
    return Counter(
        e.args.value for e in token.events.get_sequence(0, event_type="Transfer") if e.args["from"] == zero
    )


def _payouts(services) -> Counter:
    return Counter(t["reference"] for t in services.transfers() if t["fromAccountId"] == OMNIBUS)


def _reconciled(services) -> dict:
    lines = call(f"{services.relayer.url}/reconciliation")["lines"]
    return {line["currency"]: (line["supply"], line["omnibus"], line["drift"]) for line in lines}


def test_relayer_killed_at_every_step_resumes(services, bridge, bkhr, customer):
    intent = services.deposit("KHR", 40_000, customer.address)
    services.relayer.stop()
    services.pay(CUSTOMER_BAKONG, intent["khqr"])
    for point in ("deposit.paid_recorded", "deposit.reserve_sent", "deposit.signed", "deposit.mint_sent"):
        _restart_killed_at(services, point)
    services.relayer.start()
    wait_for(lambda: services.deposit_status(intent["md5"])["status"] == "minted", what="the mint")
    assert bkhr.balanceOf(customer) == 40_000 and bkhr.totalSupply() == 40_000

    services.relayer.stop()
    bkhr.approve(bridge, 30_000, {"from": customer})
    first = bridge.redeem(KHR, 15_000, CUSTOMER_BAKONG, {"from": customer}).return_value
    for point in ("redemption.scanned", "redemption.paying", "redemption.paid_out"):
        _restart_killed_at(services, point)
    # a payout found on restart is recorded, not sent: the next two points need a fresh payout
    second = bridge.redeem(KHR, 5_000, CUSTOMER_BAKONG, {"from": customer}).return_value
    # both payouts recorded, the relayer (--batch-size 64) finalizes them in one batch: killed after
    # signing it, then after sending it
    for point in ("redemption.payout_recorded", "finalize_batch.signed", "finalize_batch.sent"):
        _restart_killed_at(services, point)
    ghost = bridge.redeem(KHR, 10_000, "ghost@nowhere", {"from": customer}).return_value
    _restart_killed_at(services, "redemption.reject_sent")
    services.relayer.start()
    wait_for(
        lambda: [bridge.redemption(r)[2] for r in (first, second, ghost)]
        == [RedemptionStatus.FINALIZED, RedemptionStatus.FINALIZED, RedemptionStatus.REJECTED],
        what="two finalizations and a rejection",
    )
    assert services.relayer.starts == 14  # 11 self-kills at crash points
    assert list(_minted_events(bridge).values()) == [1]  # minted once
    assert sorted(_payouts(services).values()) == [1, 1]  # each redemption paid out once
    assert services.balance(CUSTOMER_BAKONG, "KHR") == 100_000_000 - 40_000 + 20_000
    assert bkhr.balanceOf(customer) == 20_000 and bkhr.totalSupply() == 20_000
    assert _reconciled(services)["KHR"] == (20_000, 20_000, 0)


def test_relayer_killed_at_every_batch_step_mints_each_deposit_once(services, bridge, bkhr, customer):
    """The relayer process (--batch-size 64, --batch-latency 2) SIGKILLed after signing a batch, after sending
    it, and after recording its minted deposits, restarted over the same state each time."""
    amounts = [21_000, 22_000, 23_000]
    intents = [services.deposit("KHR", a, customer.address) for a in amounts]
    services.relayer.stop()
    for intent in intents:
        services.pay(CUSTOMER_BAKONG, intent["khqr"])
    for point in BATCH_CRASH_POINTS:
        _restart_killed_at(services, point)
    services.relayer.start()
    wait_for(
        lambda: all(services.deposit_status(i["md5"])["status"] == "minted" for i in intents),
        what="every batched mint",
    )
    assert sorted(_token_mints(bkhr).elements()) == sorted(amounts)  # each once, in one batch
    assert list(_minted_events(bridge)) == []  # no single mint: the batch went through
    assert bkhr.balanceOf(customer) == sum(amounts)
    assert _reconciled(services)["KHR"] == (sum(amounts), sum(amounts), 0)


def test_every_service_killed_mid_flow(services, bridge, bkhr, customer):
    amounts = [11_000, 12_000, 13_000, 14_000]
    intents = [services.deposit("KHR", a, customer.address) for a in amounts]
    services.bakong.kill()  # Bakong down for a moment: the relayer backs off and says why
    time.sleep(1.5)
    health = services.relayer.health()
    assert health["status"] in ("degraded", "down") and "Bakong" in (health["lastError"] or ""), health
    services.bakong.start()
    for i, intent in enumerate(intents):
        services.pay(CUSTOMER_BAKONG, intent["khqr"])
        if i == 1:
            services.relayer.kill()
            services.relayer.start()
        if i == 2:
            services.validators[0].kill()
            services.validators[1].kill()  # 1 of 3 answer: below the threshold of 2, the relayer waits
            time.sleep(1.5)
            assert "validators answer" in (services.relayer.health()["lastError"] or "")
            services.validators[0].start()
            services.validators[1].start()
    wait_for(
        lambda: all(services.deposit_status(i["md5"])["status"] == "minted" for i in intents),
        what="every mint",
    )
    assert bkhr.balanceOf(customer) == sum(amounts)

    bkhr.approve(bridge, sum(amounts), {"from": customer})
    rids = [
        bridge.redeem(KHR, a, CUSTOMER_BAKONG, {"from": customer}).return_value for a in (5_000, 6_000, 7_000)
    ]
    services.relayer.kill()
    services.relayer.start()
    time.sleep(0.3)
    services.bakong.kill()
    services.bakong.start()
    services.validators[2].kill()
    services.relayer.kill()
    services.relayer.start()
    services.validators[2].start()
    wait_for(
        lambda: all(bridge.redemption(r)[2] == RedemptionStatus.FINALIZED for r in rids),
        what="every finalization",
    )
    # each deposit minted once, singly (a `Minted` event) or in a batch (its token Transfer from zero; the
    # relayer batches what is paid within --batch-latency): amounts are distinct, so counting them counts mints
    assert sorted(_token_mints(bkhr).elements()) == sorted(amounts)
    assert all(n == 1 for n in _minted_events(bridge).values())
    assert sorted(_payouts(services).values()) == [1, 1, 1]
    supply = sum(amounts) - 18_000
    assert bkhr.totalSupply() == supply and services.balance(OMNIBUS, "KHR") == supply
    assert _reconciled(services)["KHR"] == (supply, supply, 0)
    wait_for(lambda: services.relayer.health()["status"] == "ok", what="the relayer healthy again")


def test_reserve_below_supply_is_refused_unless_forced(services, bridge, bkhr, customer):
    first = services.deposit("KHR", 40_000, customer.address)
    services.pay(CUSTOMER_BAKONG, first["khqr"])
    wait_for(lambda: services.deposit_status(first["md5"])["status"] == "minted", what="the first mint")
    # money leaves the omnibus account off-bridge (a bank error): the books break
    services.admin(
        "/sim/transfer", {"from": OMNIBUS, "to": CUSTOMER_BAKONG, "currency": "KHR", "amount": 38_000}
    )
    second = services.deposit("KHR", 10_000, customer.address)
    services.pay(CUSTOMER_BAKONG, second["khqr"])
    item = f"deposit:{second['md5']}"

    def parked() -> bool:
        letters = call(f"{services.relayer.url}/dead-letters")["deadLetters"]
        return any(d["item"] == item and d["parked"] for d in letters)

    wait_for(parked, what="the deposit parked after repeated refusals")
    assert "would stop minting" in services.relayer.log_path.read_text()
    assert services.deposit_status(second["md5"])["status"] == "signed"
    assert not bridge.mintingStopped(KHR) and bkhr.totalSupply() == 40_000

    services.relayer.stop()
    services.relayer.args.append("--force")
    try:
        services.relayer.start()
        assert call(f"{services.relayer.url}/dead-letters/requeue", {"item": item}) == {"requeued": item}
        wait_for(lambda: bridge.mintingStopped(KHR), what="the forced attestation")
        wait_for(lambda: "MintingStopped(KHR)" in services.relayer.tail(10), what="the decoded revert")
    finally:
        services.relayer.args.remove("--force")
    assert "ContractCustomError" not in services.relayer.log_path.read_text()
    assert bkhr.totalSupply() == 40_000  # the second deposit is not minted
    try:
        services.deposit_status("00" * 16)
    except HttpError as exc:
        assert exc.status == 404
    else:
        raise AssertionError("an unknown deposit must be 404")
