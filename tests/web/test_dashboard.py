"""The read-only corridor dashboard in headless Chromium over a bridge deployed on the test chain, the
Bakong simulator, 3 validator processes, the relayer and the checkout service: the bridge figures are the
relayer's reconciliation (corridor.bridge.reconcile, what the CLI and the demo print) in banker units; the
payments table follows the checkout; a paused bridge raises an alert on the page and in /api/alerts;
no endpoint changes anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from brownie import chain
from eth_account import Account
from eth_utils import keccak
from selenium.webdriver.common.by import By

from corridor.bridge.deploy import default_config, deploy_bridge
from corridor.services.http import HttpError, call
from tests.services.harness import OMNIBUS, Process, Services, free_port, wait_for, write_book

from .conftest import screenshot
from .test_checkout_api import raw_post

CUSTOMER = "sokha@wing"


@pytest.fixture(scope="module")
def corridor_up(tmp_path_factory, admin, customer, web3) -> Iterator[dict]:
    from brownie import project

    tmp = tmp_path_factory.mktemp("web-dashboard")
    vkeys = ["0x" + keccak(text=f"web-validator-{i}").hex() for i in range(3)]
    relayer_key = "0x" + keccak(text="web-relayer").hex()
    cfg = default_config([Account.from_key(k).address for k in vkeys], 2)
    d = deploy_bridge(project.get_loaded_projects()[0], admin, cfg)
    d.verify_holders(admin, [customer], tier=3, jurisdiction=116)
    admin.transfer(Account.from_key(relayer_key).address, "10 ether")
    book = write_book(tmp / "book.json", web3.eth.chain_id, d.bridge.address, OMNIBUS, 0)
    services = Services(tmp, web3.provider.endpoint_uri, book, vkeys, relayer_key).start()
    checkout = Process(
        "checkout",
        "corridor.services.checkout",
        [
            "--db",
            str(tmp / "checkout.sqlite"),
            "--bakong-url",
            services.bakong.url,
            "--sandbox",
            "--interval",
            "0.5",
        ],
        free_port(),
        tmp,
        env={"CHECKOUT_WEBHOOK_SECRET": "x"},
    ).start()
    watched = [a for p in services.all for a in ("--service", f"{p.name}={p.url}")]
    dashboard = Process(
        "dashboard",
        "corridor.services.dashboard",
        [
            "--rpc",
            web3.provider.endpoint_uri,
            "--book",
            str(book),
            "--checkout-url",
            checkout.url,
            "--relayer-url",
            services.relayer.url,
            *watched,
            "--service",
            f"checkout={checkout.url}",
        ],  # fmt: skip
        free_port(),
        tmp,
    ).start()
    try:
        services.open_funded(CUSTOMER, "KHR", 10_000_000)
        services.admin("/admin/cash_in", {"accountId": CUSTOMER, "currency": "USD", "amount": 3_000_000})
        for currency, amount in (("KHR", 40_000), ("USD", 12_34)):
            intent = services.deposit(currency, amount, customer.address)
            services.pay(CUSTOMER, intent["khqr"])
            wait_for(lambda i=intent: services.deposit_status(i["md5"])["status"] == "minted", what="a mint")
        large = services.deposit("USD", 2_500_000, customer.address)  # $25,000: above the $20,000 threshold
        services.pay(CUSTOMER, large["khqr"])
        # the large deposit needs a fresh reserve attestation in a later block than the last one: on Anvil's automine
        # nothing else mines one, so the test moves the chain while it waits, as a live chain's blocks would
        wait_for(
            lambda: chain.mine() is not None and services.deposit_status(large["md5"])["status"] == "queued",
            what="the queued mint",
        )
        call(f"{checkout.url}/api/invoices", {"number": "DASH-0001", "yen": 5000})
        call(f"{checkout.url}/sandbox/pay", {"number": "DASH-0001"})
        wait_for(
            lambda: call(f"{checkout.url}/api/invoice?number=DASH-0001")["status"] == "paid on Bakong",
            what="the invoice paid",
        )
        yield {"bridge": d.bridge, "tokens": d.tokens, "services": services, "dashboard": dashboard}
    finally:
        dashboard.stop()
        checkout.stop()
        services.stop()


def cells(driver, table_id: str) -> list[list[str]]:
    rows = driver.find_element(By.ID, table_id).find_elements(By.TAG_NAME, "tr")
    return [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in rows[1:]]


def test_dashboard_shows_the_reconciliation_figures(browser, corridor_up):
    up = corridor_up
    lines = {x["currency"]: x for x in call(f"{up['services'].relayer.url}/reconciliation")["lines"]}
    # the invoice's 137,500 riel sit in the omnibus with no mint (the checkout does not settle on chain
    # yet): the reconciliation counts them as drift, and so does the dashboard
    assert (lines["KHR"]["supply"], lines["KHR"]["omnibus"], lines["KHR"]["drift"]) == (
        40_000,
        177_500,
        137_500,
    )
    usd = lines["USD"]  # the queued $25,000 is a deposit not minted yet: no drift
    assert (usd["supply"], usd["omnibus"], usd["unmintedDeposits"], usd["drift"]) == (
        12_34,
        25_012_34,
        2_500_000,
        0,
    )
    assert up["tokens"][116].totalSupply() == 40_000 and up["tokens"][840].totalSupply() == 12_34
    browser.get(f"{up['dashboard'].url}/dashboard")
    # banker units, the unit in every header: riel whole, dollars with cents
    assert cells(browser, "reconciliation-KHR") == [["KHR", "40,000", "177,500", "0", "0", "137,500"]]
    assert cells(browser, "reconciliation-USD") == [
        ["USD", "12.34", "25,012.34", "25,000.00", "0.00", "0.00"]
    ]
    headers = [
        h.text for h in browser.find_element(By.ID, "reconciliation-USD").find_elements(By.TAG_NAME, "th")
    ]
    assert headers[1:] == [
        "bridge supply (USD)", "Bakong omnibus (USD)", "deposits not minted (USD)", "payouts not final (USD)",
        "drift (USD)",
    ]  # fmt: skip
    # the payments table follows the checkout; the chain section reads the bridge itself
    payments = cells(browser, "payments")
    assert payments[0][:5] == ["DASH-0001", "paid on Bakong", "5,000", "137,500", "KHR"]
    chain_rows = {r[0]: r for r in cells(browser, "bridge-chain")}
    assert set(chain_rows) == {"KHR", "USD"} and chain_rows["KHR"][3] == "no"
    services = {r[0]: r[2] for r in cells(browser, "services")}
    assert services == dict.fromkeys(
        ["bakong-server", "validator-0", "validator-1", "validator-2", "relayer", "checkout"], "ok"
    )
    queued = cells(browser, "queued-mints")
    assert [row[:2] for row in queued] == [["USD", "25,000.00"]] and 3500 <= int(queued[0][3]) <= 3600
    assert cells(browser, "pending-redemptions") == [["none"]]
    alerts = browser.find_element(By.ID, "alerts").text.splitlines()
    assert alerts[0] == "drift: bridge KHR — reconciliation drift 137,500 KHR"
    assert (
        alerts[1].startswith("queued large mint: bridge USD — 25,000.00 USD released in ")
        and len(alerts) == 2
    )
    screenshot(browser, "dashboard.png")


def test_a_paused_bridge_is_an_alert(browser, corridor_up, admin):
    up = corridor_up
    assert [a["kind"] for a in call(f"{up['dashboard'].url}/api/alerts")["alerts"]] == [
        "drift",
        "queued large mint",
    ]
    up["bridge"].pause({"from": admin})  # reverted after the test (fn_isolation)
    alerts = call(f"{up['dashboard'].url}/api/alerts")["alerts"]
    assert {"kind": "paused", "subject": "BakongBridge", "detail": "the bridge is paused"} in alerts
    browser.get(f"{up['dashboard'].url}/dashboard")
    assert "paused: BakongBridge" in browser.find_element(By.ID, "alerts").text
    screenshot(browser, "dashboard-alert.png")


@pytest.mark.parametrize("path", ["/dashboard", "/api/dashboard", "/api/alerts"])
def test_the_dashboard_changes_nothing(corridor_up, path):
    url = corridor_up["dashboard"].url
    with pytest.raises(HttpError) as exc:
        call(f"{url}{path}", {"pause": True})
    assert (exc.value.status, exc.value.reason) == (405, f"no route POST {path}")
    status, body = raw_post(url, path, b"{" * 2000)
    assert status == 413 and b"above the limit of 1024" in body
    with pytest.raises(HttpError) as exc:
        call(f"{url}/api/pause")
    assert exc.value.status == 404
    assert corridor_up["bridge"].paused() is False


def test_a_redemption_pending_while_the_relayer_is_down(browser, corridor_up, customer):
    """Last in the module: it stops the relayer (the chain is reverted after it, the relayer stays down)."""
    up = corridor_up
    up["services"].relayer.stop()
    bkhr = up["tokens"][116]
    bkhr.approve(up["bridge"], 15_000, {"from": customer})
    rid = up["bridge"].redeem(116, 15_000, CUSTOMER, {"from": customer}).return_value
    snap = call(f"{up['dashboard'].url}/api/dashboard")
    pending = snap["bridge"]["chain"]["pendingRedemptions"]
    assert [(r["id"], r["currency"], r["amount"]["minor"], r["account"]) for r in pending] == [
        (rid, "KHR", 15_000, CUSTOMER)
    ]
    # the relayer is down: its reconciliation is missing (an alert), the chain figures are still shown
    assert "reconciliation" in snap["errors"] and snap["bridge"]["reconciliation"] == []
    kinds = {(a["kind"], a["subject"]) for a in snap["alerts"]}
    assert {("source", "reconciliation"), ("service", "relayer")} <= kinds
    browser.get(f"{up['dashboard'].url}/dashboard")
    assert cells(browser, "pending-redemptions")[0][:4] == [str(rid), "KHR", "15,000", CUSTOMER]
