"""The corridor's Bakong side through the services' interfaces only: a KHQR deposit issued by the
relayer process, paid on the Bakong server, signed by the validator processes, minted; a redemption
paid out through the bank API and finalized; a redemption to an unknown account rejected; /health of
every process; the reserve refusal and the decoded contract error."""

from __future__ import annotations

from corridor.bridge.attest import KHR, USD
from corridor.bridge.gateway import RedemptionStatus
from corridor.services.http import call

from .conftest import CUSTOMER_BAKONG
from .harness import OMNIBUS, wait_for


def minted(services, md5: str) -> bool:
    return services.deposit_status(md5)["status"] == "minted"


def test_deposit_and_redemption_through_the_services(services, bridge, bkhr, busd, customer):
    intent = services.deposit("KHR", 40_000, customer.address)
    assert intent["amount"] == 40_000 and intent["recipient"] == customer.address
    assert services.deposit_status(intent["md5"])["status"] == "issued"
    paid = services.pay(CUSTOMER_BAKONG, intent["khqr"])
    wait_for(lambda: minted(services, intent["md5"]), what="the KHR mint")
    assert bkhr.balanceOf(customer) == 40_000
    assert services.deposit_status(intent["md5"])["bakongHash"] == paid["hash"]

    usd = services.deposit("USD", 12_34, customer.address)
    services.pay(CUSTOMER_BAKONG, usd["khqr"])
    wait_for(lambda: minted(services, usd["md5"]), what="the USD mint")
    assert busd.balanceOf(customer) == 12_34

    before = services.balance(CUSTOMER_BAKONG, "KHR")
    bkhr.approve(bridge, 15_000, {"from": customer})
    rid = bridge.redeem(KHR, 15_000, CUSTOMER_BAKONG, {"from": customer}).return_value
    wait_for(lambda: bridge.redemption(rid)[2] == RedemptionStatus.FINALIZED, what="the finalization")
    assert services.balance(CUSTOMER_BAKONG, "KHR") == before + 15_000
    assert bkhr.totalSupply() == 25_000 and services.balance(OMNIBUS, "KHR") == 25_000

    busd.approve(bridge, 2_00, {"from": customer})
    ghost = bridge.redeem(USD, 2_00, "ghost@nowhere", {"from": customer}).return_value
    wait_for(lambda: bridge.redemption(ghost)[2] == RedemptionStatus.REJECTED, what="the rejection")
    assert busd.balanceOf(customer) == 12_34

    lines = {line["currency"]: line for line in call(f"{services.relayer.url}/reconciliation")["lines"]}
    assert (lines["KHR"]["supply"], lines["KHR"]["omnibus"], lines["KHR"]["drift"]) == (25_000, 25_000, 0)
    assert (lines["USD"]["supply"], lines["USD"]["omnibus"], lines["USD"]["drift"]) == (12_34, 12_34, 0)
    for p in services.all:
        health = p.health()
        assert health["status"] == "ok", (p.name, health)
    relayer_health = services.relayer.health()
    assert relayer_health["lastBlock"] is not None and relayer_health["lag"] is not None
    assert relayer_health["details"]["inFlightPayouts"] == 0
