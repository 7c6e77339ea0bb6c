"""`corridor sandbox` with the whole suite deployed: it prints the checkout and dashboard pages; an invoice
paid from the checkout page in Chromium shows on the dashboard, whose pools and feeds are read from the
deployed contracts (virtual price as a decimal, feed ages), with the invoice's riel as reconciliation drift
(the checkout does not settle on chain yet). The sandbox seeds no pool liquidity: virtual prices read 0."""

from __future__ import annotations

import re
import signal
from decimal import Decimal

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from corridor.artifacts import ROOT
from corridor.services.http import call
from tests.cli.procs import free_port
from tests.cli.test_sandbox import start, wait_running

from .conftest import screenshot
from .test_dashboard import cells


def test_sandbox_serves_the_checkout_and_the_dashboard(tmp_path, browser):
    ports: dict[str, int] = {}
    text = re.sub(r"port: (\d+)", lambda m: f"port: {ports.setdefault(m[1], free_port())}",
                  (ROOT / "config" / "services.yaml").read_text())  # fmt: skip
    cfg = tmp_path / "services.yaml"
    cfg.write_text(text)
    checkout, dashboard = f"http://127.0.0.1:{ports['8650']}", f"http://127.0.0.1:{ports['8660']}"
    log = tmp_path / "sandbox.log"
    proc = start(cfg, tmp_path / "state", log)
    try:
        wait_running(proc, log)
        printed = log.read_text()
        assert f"checkout page: {checkout}/checkout?number=" in printed
        assert f"dashboard page: {dashboard}/dashboard" in printed

        inv = call(f"{checkout}/api/invoices", {"number": "SBX-0001", "yen": 8000})
        browser.get(f"{checkout}{inv['pageUrl']}")
        browser.find_element(By.ID, "pay").click()
        WebDriverWait(browser, 30, 0.2).until(
            lambda d: d.find_element(By.ID, "status").text == "paid on Bakong"
        )
        assert browser.find_element(By.ID, "received").text == "¥8,000"

        snap = call(f"{dashboard}/api/dashboard")
        assert snap["errors"] == {}
        assert [p["number"] for p in snap["payments"]["rows"]] == ["SBX-0001"]
        khr = next(x for x in snap["bridge"]["reconciliation"] if x["currency"] == "KHR")
        assert (
            khr["drift"]["minor"] == khr["omnibus"]["minor"] - khr["supply"]["minor"] >= 220_000
        )  # 8,000 x 27.5
        assert {p["pool"] for p in snap["pools"]} >= {"FXPool JPY/USD", "FXPool KHR/USD"}
        for pool in snap["pools"]:  # a ratio with 6 places, not 1e18-scaled; 0 while the pool holds nothing
            empty = all(b["minor"] == 0 for b in pool["balances"])
            vp = Decimal(pool["virtualPrice"])
            assert vp.as_tuple().exponent == -6 and (vp == 0 if empty else 1 <= vp < 2)
        assert {f["feed"] for f in snap["feeds"]} >= {"FXFeed JPY/USD", "FXFeed KHR/USD"}
        assert all(f["age"] >= 0 for f in snap["feeds"])
        names = [i["name"] for i in snap["issuers"]]  # config/development.yaml's two trust banks
        assert names == ["Trust Bank A", "Trust Bank B"], names
        for i in snap["issuers"]:  # nothing minted by the sandbox's deploy
            assert i["outstanding"] == {"minor": 0, "banker": "0"} and i["claimsOwed"]["minor"] == 0
        browser.get(f"{dashboard}/dashboard")
        assert cells(browser, "payments")[0][:2] == ["SBX-0001", "paid on Bakong"]
        assert [r[0] for r in cells(browser, "issuers")] == ["Trust Bank A", "Trust Bank B"]
        assert "drift: bridge KHR" in browser.find_element(By.ID, "alerts").text
        screenshot(browser, "dashboard-sandbox.png")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
