"""scripts/pay_khqr.py as users run it (a subprocess on the development chain): a yen holder pays a merchant's
KHQR or remits to `name@bank` in one transaction through the suite's KhqrPayer, and every bad input is refused
with one line, exit status 2 and no transaction sent.

The suite is deployed and brought to the state after the demo's liquidity step (pools seeded) by the demo's own
steps, with its deployment book in a temporary folder the script reads with --book.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from brownie import web3
from eth_utils import to_checksum_address

from corridor.artifacts import ROOT
from corridor.bridge.attest import KHR, USD
from corridor.bridge.khqr import KHQR, Currency
from corridor.demo import CorridorDemo
from corridor.demo_outbound import fund_payer

SCRIPT = str(ROOT / "scripts" / "pay_khqr.py")
JPY_BALANCE = 50_000


@pytest.fixture(scope="module")
def corridor(tmp_path_factory, accounts):
    out = tmp_path_factory.mktemp("pay_khqr")
    demo = CorridorDemo("development", reports=out, book_dir=out)
    for step in (demo.deploy, demo.issuers_mint, demo.bakong_side, demo.liquidity):
        step()
    world = demo._outbound()  # the suite's KhqrPayer; accounts[6] verified, holding yen, approving it
    fund_payer(world, accounts[7], JPY_BALANCE)
    world.jpys.approve(world.payer_contract, 0, {"from": accounts[7]})  # must approve first
    yield demo, world, out / "development.json"
    demo.stop_services()  # the Bakong side's processes (the next module's demo needs their ports)


def _run(book, *args, env=None):
    endpoint = web3.provider.endpoint_uri
    return subprocess.run(
        [sys.executable, SCRIPT, "--rpc", endpoint, "--book", str(book), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _qr(**kw):
    fields = {"account_id": "coffee@aclb", "merchant_name": "Angkor Coffee", "currency": Currency.KHR}
    return KHQR(**{**fields, **kw}).encode()


def test_remittance_is_escrowed_in_one_transaction(corridor, accounts):
    demo, world, book = corridor
    payer = accounts[6]
    nonce, yen = web3.eth.get_transaction_count(str(payer)), world.jpys.balanceOf(payer)
    since = web3.eth.block_number + 1  # the demo's relayer process may mine blocks of its own meanwhile
    done = _run(book, "--from", str(payer), "remit", "dara@wing", "KHR", "300000", "13000", "REM-CLI-1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert web3.eth.get_transaction_count(str(payer)) == nonce + 1, "one transaction"
    (paid,) = list(world.payer_contract.events.get_sequence(since, event_type="KhqrPaid"))
    rid, spent = paid.args.redemptionId, paid.args.jpyIn
    assert world.jpys.balanceOf(payer) == yen - spent and 0 < spent <= 13_000
    r = world.bridge.redemption(rid)
    assert (r["holder"], r["beneficiary"], r["currency"], r["amount"]) == (
        world.payer_contract.address,
        payer.address,
        KHR,
        300_000,
    )
    assert r["bakongAccountId"].rstrip(b"\0") == b"dara@wing"
    assert world.token(KHR).balanceOf(world.payer_contract) == 0
    assert world.jpys.balanceOf(world.payer_contract) == 0  # the unused rest went back
    out = done.stdout
    assert "paying dara@wing through the router" in out
    assert "300,000" in out and f"{spent:,}" in out and "REM-CLI-1" in out  # banker units
    (row,) = [line for line in out.splitlines() if "redemption (escrow)" in line]
    assert row.split()[-1] == str(rid)


def test_dynamic_usd_khqr_approves_then_pays(corridor, accounts):
    demo, world, book = corridor
    payer = accounts[7]
    nonce = web3.eth.get_transaction_count(str(payer))
    since = web3.eth.block_number + 1  # the demo's relayer process may mine blocks of its own meanwhile
    text = _qr(currency=Currency.USD, amount=1_234, bill_number="AC-CLI-7")
    done = _run(book, "--from", str(payer), "khqr", text, "2500")
    assert done.returncode == 0, done.stdout + done.stderr
    assert web3.eth.get_transaction_count(str(payer)) == nonce + 2, "the approval, then the payment"
    assert "approval sent first" in done.stdout and "12.34" in done.stdout  # cents as dollars
    (paid,) = list(world.payer_contract.events.get_sequence(since, event_type="KhqrPaid"))
    r = world.bridge.redemption(paid.args.redemptionId)
    assert (r["currency"], r["amount"], r["beneficiary"]) == (USD, 1_234, payer.address)
    assert r["bakongAccountId"].rstrip(b"\0") == b"coffee@aclb"


@pytest.mark.parametrize(
    "args, message",
    [
        (("khqr", _qr(amount=40_000)[:-1] + "Z", "2000"), "malformed KHQR"),
        (("khqr", _qr(), "2000"), "static KHQR: enter the amount"),
        (("remit", "Dara@wing", "KHR", "1000", "100", "R"), "invalid Bakong account id 'Dara@wing'"),
        (("remit", "dara@wing", "KHR", "300000", "10", "R"), "the router asks"),
        (("remit", "dara@wing", "EUR", "100", "10", "R"), "unsupported currency 'EUR'"),
    ],
)
def test_bad_payment_is_one_line_and_sends_nothing(corridor, accounts, args, message):
    demo, world, book = corridor
    payer = accounts[6]
    nonce = web3.eth.get_transaction_count(str(payer))
    bad = _run(book, "--from", str(payer), *args)
    assert bad.returncode == 2, bad.stdout + bad.stderr
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], bad.stderr
    assert web3.eth.get_transaction_count(str(payer)) == nonce


def test_unverified_payer_and_missing_book_are_refused(corridor, tmp_path):
    demo, world, book = corridor
    stranger = to_checksum_address("0x" + "5a" * 20)  # never verified on JPYS
    assert world.jpys.kycOf(stranger)[0] == 0
    nonce = web3.eth.get_transaction_count(stranger)
    remit = ("remit", "dara@wing", "KHR", "1000", "100", "R")
    bad = _run(book, "--from", stranger, *remit)
    assert bad.returncode == 2 and "has no KYC on" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    missing = _run(tmp_path / "nowhere.json", "--from", stranger, *remit)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert web3.eth.get_transaction_count(stranger) == nonce
