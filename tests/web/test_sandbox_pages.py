"""`corridor sandbox` with the whole suite deployed, its real processes settling invoices on chain: the checkout
prices an invoice from the quote server's firm RFQ quote (reserved for InvoiceSettlement) and hands it to the
relayer; paid from the checkout page in Chromium, the validators sign the hooked mint, the relayer submits it and
the page turns "settled" with the yen the merchant received. The relayer is SIGKILLed between "paid on Bakong" and
the mint (CORRIDOR_RELAYER_KILL_AT=deposit.signed, the sandbox restarts it) and the invoice settles once. A payment
minted after its quote window (the chain's clock moved past it) turns "refunded" with the reason and the payer gets
the riel back on Bakong; a stale feed makes the quote server refuse and the checkout answers 503 with that reason.
The dashboard shows the settled books (no drift) read from the deployed contracts."""

from __future__ import annotations

import re
import signal
from decimal import Decimal

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from web3 import Web3

from corridor import artifacts
from corridor.artifacts import ROOT
from corridor.services.chain import read_book
from corridor.services.http import HttpError, call
from corridor.settlement import bytes32_text
from tests.cli.procs import free_port
from tests.cli.test_sandbox import start, wait_running
from tests.services.harness import wait_for

from .conftest import screenshot
from .test_dashboard import cells

ADMIN = {"Authorization": "Bearer dev-admin-token"}
PAYER = "sokha@wing"  # corridor.services.checkout.SANDBOX_PAYER
QUOTE_TTL = 30  # the test's quote server: a 30-second quote window


def status_of(driver) -> str:
    return driver.find_element(By.ID, "status").text


def wait_status(driver, wanted: str, timeout: float = 90) -> None:
    WebDriverWait(driver, timeout, 0.3).until(lambda d: status_of(d) == wanted, f"status never {wanted!r}")


def settlement_events(w3: Web3, book, number: str) -> dict[str, list]:
    s = artifacts.at(w3, "InvoiceSettlement", book.address("InvoiceSettlement"))
    invoice_id = bytes32_text(number)
    return {
        name: getattr(s.events, name).get_logs(from_block=0, argument_filters={"invoiceId": invoice_id})
        for name in ("InvoiceSettled", "InvoiceRefunded")
    }


def test_sandbox_settles_an_invoice_paid_from_the_checkout_page(tmp_path, browser):
    ports: dict[str, int] = {}
    text = re.sub(r"port: (\d+)", lambda m: f"port: {ports.setdefault(m[1], free_port())}",
                  (ROOT / "config" / "services.yaml").read_text())  # fmt: skip
    text = text.replace('"--ttl", "120"', f'"--ttl", "{QUOTE_TTL}"')
    text = text.replace('"--interval", "10"', '"--interval", "3600"')  # the feeds may go stale at the end
    cfg = tmp_path / "services.yaml"
    cfg.write_text(text)
    checkout, dashboard = f"http://127.0.0.1:{ports['8650']}", f"http://127.0.0.1:{ports['8660']}"
    bakong = f"http://127.0.0.1:{ports['8600']}"
    log = tmp_path / "sandbox.log"
    proc = start(cfg, tmp_path / "state", log, {"CORRIDOR_RELAYER_KILL_AT": "deposit.signed"})
    try:
        wait_running(proc, log)
        printed = log.read_text()
        assert f"checkout page: {checkout}/checkout?number=" in printed
        assert f"dashboard page: {dashboard}/dashboard" in printed
        assert "market maker" in printed and "2,000,000 JPYS to quote with (4 transaction(s) sent)" in printed
        w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{ports['8545']}"))
        book = read_book(tmp_path / "state" / "deployments" / "sandbox.json", w3)
        jpys = artifacts.at(w3, "JPYStablecoin", book.address("JPYStablecoin"))

        # 1. priced from the quote server's firm quote: the window ends at the quote's expiry
        inv = call(f"{checkout}/api/invoices", {"number": "SBX-0001", "yen": 8000})
        quote_digest = inv["history"][0]["txHash"]
        issued = call(f"http://127.0.0.1:{ports['8610']}/quote/status", {"digest": quote_digest})
        assert inv["windowEnd"] == issued["expiry"] and QUOTE_TTL - 8 <= inv["secondsLeft"] <= QUOTE_TTL + 1
        assert (
            8000 * 26 < inv["price"] < 8000 * 28
        )  # riel per yen near the feeds' 26.8 mid, spread and fee on top
        merchant = inv["merchant"]
        before = jpys.functions.balanceOf(merchant).call()

        browser.get(f"{checkout}{inv['pageUrl']}")
        browser.find_element(By.ID, "pay").click()
        wait_status(browser, "paid on Bakong", 30)
        # the relayer dies right after the validators signed (before the mint); the sandbox restarts it
        wait_status(browser, "settled")
        assert browser.find_element(By.ID, "received").text == "¥8,000"
        done = call(f"{checkout}/api/invoice?number=SBX-0001")
        assert [h["status"] for h in done["history"]] == ["quoted", "paid on Bakong", "settled"]
        assert browser.find_element(By.ID, "settlement-hash").text == done["settlementHash"]
        assert jpys.functions.balanceOf(merchant).call() - before == 8000
        events = settlement_events(w3, book, "SBX-0001")
        assert len(events["InvoiceSettled"]) == 1 and not events["InvoiceRefunded"]  # settled once
        settled = events["InvoiceSettled"][0]
        assert Web3.to_hex(settled["transactionHash"]) == done["settlementHash"]
        assert (settled["args"]["amountOut"], settled["args"]["deposit"]) == (8000, inv["price"])
        assert "killing myself at deposit.signed" in (tmp_path / "state" / "logs" / "relayer.log").read_text()
        assert "relayer exited (status -9); restart 1/" in log.read_text()
        screenshot(browser, "checkout-settled.png")

        # 2. minted after the quote window: the settlement refunds the deposit, the relayer pays it back on Bakong
        late = call(f"{checkout}/api/invoices", {"number": "SBX-0002", "yen": 3000})
        w3.provider.make_request("evm_increaseTime", [QUOTE_TTL + 5])  # the chain passes the window end
        w3.provider.make_request("evm_mine", [])
        browser.get(f"{checkout}{late['pageUrl']}")
        browser.find_element(By.ID, "pay").click()
        wait_status(browser, "refunded")
        refunded = call(f"{checkout}/api/invoice?number=SBX-0002")
        assert refunded["reason"].startswith(
            "quote_window_closed: the payment was minted after the quote window"
        )
        assert browser.find_element(By.ID, "reason").text == refunded["reason"]
        assert refunded["yenReceived"] == 0 and browser.find_element(By.ID, "received").text == "-"
        events = settlement_events(w3, book, "SBX-0002")
        assert len(events["InvoiceRefunded"]) == 1 and not events["InvoiceSettled"]
        assert events["InvoiceRefunded"][0]["args"]["deposit"] == late["price"]
        screenshot(browser, "checkout-refunded-on-chain.png")

        def paid_back() -> bool:
            transfers = call(f"{bakong}/sim/transfers", {"accountId": PAYER}, headers=ADMIN)["transfers"]
            return any(t["toAccountId"] == PAYER and t["amount"] == late["price"] for t in transfers)

        wait_for(paid_back, 90, "the refund paid out on Bakong")

        # 3. the dashboard reads the settled books: no drift once the refund is final
        def settled_books() -> dict | None:
            snap = call(f"{dashboard}/api/dashboard")
            khr = next(x for x in snap["bridge"]["reconciliation"] if x["currency"] == "KHR")
            return snap if khr["drift"]["minor"] == 0 and khr["unfinalizedPayouts"]["minor"] == 0 else None

        snap = wait_for(settled_books, 60, "the reconciliation to settle")
        assert snap["errors"] == {}
        assert [(p["number"], p["status"]) for p in snap["payments"]["rows"]] == [
            ("SBX-0001", "settled"),
            ("SBX-0002", "refunded"),
        ]
        for pool in snap["pools"]:  # a ratio with 6 places, not 1e18-scaled; 0 while the pool holds nothing
            empty = all(b["minor"] == 0 for b in pool["balances"])
            vp = Decimal(pool["virtualPrice"])
            assert vp.as_tuple().exponent == -6 and (vp == 0 if empty else 1 <= vp < 2)
        outstanding = {i["name"]: i["outstanding"]["minor"] for i in snap["issuers"]}
        assert outstanding == {"Trust Bank A": 0, "Trust Bank B": 2_000_000}  # the maker's seed
        # the RFQ section equals the venue's own books: the one fill, and the fee the maker owes the treasury
        venue = artifacts.at(w3, "RfqVenue", book.address("RfqVenue"))
        (fill,) = venue.events.QuoteFilled.get_logs(from_block=0)
        maker, fee = fill["args"]["maker"], fill["args"]["fee"]
        owed = venue.functions.feesOwed(maker, jpys.address).call()
        assert owed == fee > 0 and fill["args"]["amountOut"] == 8000
        assert snap["rfq"]["treasury"] == venue.functions.treasury().call()
        assert [(f["in"], f["out"], f["fills"], f["paid"]["minor"], f["received"]["minor"], f["fees"]["minor"])
                for f in snap["rfq"]["fills"]] == [("KHR", "JPY", 1, settled["args"]["spent"], 8000, fee)]  # fmt: skip
        assert [(o["maker"], o["currency"], o["owed"]["minor"]) for o in snap["rfq"]["feesOwed"]] == [
            (maker, "JPY", owed)
        ]
        browser.get(f"{dashboard}/dashboard")
        assert cells(browser, "rfq-fills-KHR-JPY") == [
            ["KHR → JPY", "1", f"{settled['args']['spent']:,}", "8,000", f"{fee:,}"]
        ]
        assert cells(browser, "rfq-fees-JPY") == [[maker, f"{owed:,}"]]
        headers = [
            h.text for h in browser.find_element(By.ID, "rfq-fees-JPY").find_elements(By.TAG_NAME, "th")
        ]
        assert headers == ["maker", "fees owed to the treasury (JPY)"]
        assert [r[:2] for r in cells(browser, "payments")] == [
            ["SBX-0001", "settled"],
            ["SBX-0002", "refunded"],
        ]
        screenshot(browser, "dashboard-sandbox.png")

        # 4. a stale feed: the quote server refuses and the checkout says why, recording nothing
        w3.provider.make_request("evm_increaseTime", [27 * 3600])
        w3.provider.make_request("evm_mine", [])
        try:
            call(f"{checkout}/api/invoices", {"number": "SBX-0003", "yen": 1000})
            raise AssertionError("an invoice was priced on a stale feed")
        except HttpError as exc:
            assert exc.status == 503 and "the quote server refused: stale feed" in exc.reason, exc
        assert call(f"{checkout}/api/invoices")["invoices"][-1]["number"] == "SBX-0002"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
