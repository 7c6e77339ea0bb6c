"""The merchant checkout page in headless Chromium: the QR image decodes to the invoice's KHQR, the
simulator pays it and the page turns to paid with the yen received; a payment too late to settle turns
the page to refunded with the reason and the money back with the payer; an unpaid invoice expires."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import zxingcpp
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from corridor.services.http import call
from tests.services.harness import ADMIN, wait_for

from .conftest import WEBHOOK_SECRET, screenshot

PAYER = "sokha@wing"  # corridor.services.checkout SANDBOX_PAYER


class Receiver:
    """A merchant's webhook endpoint: records each raw body with its signature header."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, str]] = []
        received = self.calls

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers.get("X-Corridor-Signature", "")))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def status_of(driver) -> str:
    return driver.find_element(By.ID, "status").text


def wait_status(driver, wanted: str, timeout: float = 30) -> None:
    WebDriverWait(driver, timeout, 0.2).until(lambda d: status_of(d) == wanted, f"status never {wanted!r}")


def test_checkout_page_shows_the_qr_and_turns_paid(browser, checkout, receiver):
    inv = call(
        f"{checkout.url}/api/invoices", {"number": "WEB-0001", "yen": 5000, "webhookUrl": receiver.url}
    )
    assert (inv["currency"], inv["price"], inv["priceDecimal"]) == ("KHR", 137_500, "137500")  # 5,000 x 27.5
    browser.get(f"{checkout.url}{inv['pageUrl']}")
    assert status_of(browser) == "quoted"
    assert browser.find_element(By.ID, "amount").text == "137,500"
    assert "<th>Amount (KHR)</th>" in browser.page_source
    countdown = browser.find_element(By.ID, "countdown").text
    minutes, seconds = (int(x) for x in countdown.split(":"))
    assert 9 * 60 <= minutes * 60 + seconds <= 600  # the 10-minute quote window, counting down
    # the QR as the browser drew it decodes to the invoice's KHQR string
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.getElementById('qr').naturalWidth") > 0
    )
    shot = browser.find_element(By.ID, "qr").screenshot_as_png
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [d.text for d in decoded] == [inv["khqr"]]
    screenshot(browser, "checkout-quoted.png")

    browser.find_element(By.ID, "pay").click()
    wait_status(browser, "paid on Bakong")
    assert browser.find_element(By.ID, "received").text == "¥5,000"
    paid = call(f"{checkout.url}/api/invoice?number=WEB-0001")
    assert browser.find_element(By.ID, "bakong-hash").text == paid["bakongHash"]
    assert [h["status"] for h in paid["history"]] == ["quoted", "paid on Bakong"]
    assert paid["history"][1]["txHash"] == paid["bakongHash"] and len(paid["bakongHash"]) == 64
    assert browser.find_element(By.ID, "pay").get_attribute("disabled") == "true"
    screenshot(browser, "checkout-paid.png")

    # the webhook: one signed body per status, in order
    wait_for(lambda: len(receiver.calls) == 2, 15, "two webhook calls")
    for (body, signature), status in zip(receiver.calls, ["quoted", "paid on Bakong"], strict=True):
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(signature, expected)
        event = json.loads(body)
        assert (event["status"], event["invoice"]["number"]) == (status, "WEB-0001")


def test_a_payment_too_late_to_settle_is_refunded(browser, checkout, bakong):
    # a 4-second window is shorter than the settlement margin (5 s): any payment comes too late
    inv = call(f"{checkout.url}/api/invoices", {"number": "WEB-0002", "yen": 2000, "expirySeconds": 4})
    browser.get(f"{checkout.url}{inv['pageUrl']}")
    browser.find_element(By.ID, "pay").click()
    wait_status(browser, "refunded")
    assert browser.find_element(By.ID, "countdown").text == "0:00"  # a closed invoice counts nothing down
    reason = browser.find_element(By.ID, "reason").text
    assert "before the quote window closed" in reason and "the payment is returned" in reason
    refunded = call(f"{checkout.url}/api/invoice?number=WEB-0002")
    assert browser.find_element(By.ID, "refund-hash").text == refunded["refundHash"]
    assert refunded["yenReceived"] == 0 and refunded["payer"] == PAYER
    # the payer got the 55,000 riel back: the simulator's ledger shows the payout from the omnibus
    transfers = call(f"{bakong.url}/sim/transfers", {"accountId": PAYER}, headers=ADMIN)["transfers"]
    refund = next(t for t in transfers if t["hash"] == refunded["refundHash"])
    assert (refund["toAccountId"], refund["currency"], refund["amount"]) == (PAYER, "KHR", 55_000)
    screenshot(browser, "checkout-refunded.png")


def test_an_unpaid_invoice_expires(browser, checkout):
    inv = call(f"{checkout.url}/api/invoices", {"number": "WEB-0003", "yen": 100, "expirySeconds": 2})
    browser.get(f"{checkout.url}{inv['pageUrl']}")
    wait_status(browser, "expired")
    assert browser.find_element(By.ID, "countdown").text == "0:00"
    after = call(f"{checkout.url}/api/invoice?number=WEB-0003")
    assert after["bakongHash"] is None and after["refundHash"] is None
    # the simulator refuses to pay the expired KHQR (410), so nothing can arrive afterwards
    browser.find_element(By.ID, "pay")  # still on the page, disabled
    assert browser.find_element(By.ID, "pay").get_attribute("disabled") == "true"
