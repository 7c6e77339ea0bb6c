"""Browser tests: Debian's headless chromium driven by selenium (chromium-driver), against the checkout
service and the Bakong simulator started as processes (one set per module). Screenshots go to
reports/web/. When chromium or its driver is missing, every browser test fails with one line saying what
to install (tools/bootstrap.sh installs them with apt-get); it never skips.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor.artifacts import ROOT
from tests.services.harness import OMNIBUS, Process, free_port

SCREENSHOTS = ROOT / "reports" / "web"
# Debian's paths; CORRIDOR_CHROMIUM / CORRIDOR_CHROMEDRIVER point elsewhere (another distribution)
CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CORRIDOR_CHROMEDRIVER", "/usr/bin/chromedriver")
WEBHOOK_SECRET = "web-test-webhook-secret"
SETTLE_MARGIN = 5  # seconds: an invoice with a shorter window cannot settle, its payment is refunded


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.fail(
            f"browser tests need {' and '.join(missing)}: run `make bootstrap` as root or "
            "`apt-get install chromium chromium-driver`",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=900,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def bakong(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    tmp = tmp_path_factory.mktemp("web-bakong")
    proc = Process(
        "bakong-server",
        "corridor.services.bakong_server",
        ["--db", str(tmp / "bakong.sqlite"), "--omnibus", OMNIBUS],
        free_port(),
        tmp,
    )
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory, bakong: Process) -> Iterator[Process]:
    tmp = tmp_path_factory.mktemp("web-checkout")
    proc = Process(
        "checkout",
        "corridor.services.checkout",
        [
            "--db",
            str(tmp / "checkout.sqlite"),
            "--bakong-url",
            bakong.url,
            "--omnibus",
            OMNIBUS,
            "--sandbox",
            "--settle-margin",
            str(SETTLE_MARGIN),
            "--interval",
            "0.5",
        ],  # fmt: skip
        free_port(),
        tmp,
        env={"CHECKOUT_WEBHOOK_SECRET": WEBHOOK_SECRET},
    )
    proc.start()
    yield proc
    proc.stop()


def screenshot(driver: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
