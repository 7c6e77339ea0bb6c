"""scripts/pay.py: one JPY invoice paid from the customer's bKHR through best execution, and every
bad input refused with one line, exit status 2, no transaction sent and no file written.

The suite is deployed and brought to the state after the demo's customer deposit (liquidity in the
pools, the market maker ready, the customer holding ៛3,500,000 bKHR) by the demo's own steps, with
its deployment book in a temporary folder that `corridor.pay.BOOK_DIR` points at.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
from brownie import chain, web3

from corridor import pay
from corridor.artifacts import ROOT
from corridor.demo import CorridorDemo


@pytest.fixture(scope="module")
def corridor(tmp_path_factory):
    out = tmp_path_factory.mktemp("pay")
    demo = CorridorDemo("development", reports=out, book_dir=out)
    for step in (
        demo.deploy,
        demo.issuers_mint,
        demo.bakong_side,
        demo.liquidity,
        demo.market_maker,
        demo.customer_deposit,
    ):
        step()
    yield demo, out
    demo.stop_services()  # the Bakong side's processes (the next module's demo needs their ports)


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("pay_script", ROOT / "scripts" / "pay.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def book_dir(corridor, monkeypatch):
    _, out = corridor
    monkeypatch.setattr(pay, "BOOK_DIR", out)
    return out


def _files(*folders):
    return {
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for folder in folders
        if folder.exists()
        for p in folder.rglob("*")
        # the running services' own state (their SQLite stores and logs) changes while they run
        if p.is_file() and not any(part.endswith("-services") for part in p.relative_to(folder).parts)
    }


@pytest.fixture
def refused(script, corridor, book_dir, capsys):
    """Runs the script with `args`, expects a refusal: returns its one stderr line after checking the
    exit status, that the customer's nonce did not move and that no file changed."""
    demo, _ = corridor

    def run(*args, payer=None):
        payer = payer or demo.who["customer"]
        nonce = web3.eth.get_transaction_count(str(payer))
        files = _files(book_dir, ROOT / "deployments", ROOT / "reports")
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_:
            script.main(*args)
        captured = capsys.readouterr()
        err, run.out = captured.err, captured.out  # the offers table, for the tests that read it
        assert exit_.value.code == 2
        assert web3.eth.get_transaction_count(str(payer)) == nonce, "no transaction sent"
        assert _files(book_dir, ROOT / "deployments", ROOT / "reports") == files, "no file written"
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        return lines[0]

    return run


# ------------------------------------------------------------------ the happy path


def test_pays_the_invoice_exact_out_through_the_best_venue(script, corridor, book_dir, capsys):
    demo, _ = corridor
    customer, merchant = demo.who["customer"], demo.who["merchant"]
    khr_before, jpy_before = demo.bkhr.balanceOf(customer), demo.jpy.balanceOf(merchant)
    script.main("customer", "merchant", "50000", "INV-2026-0100")
    out = capsys.readouterr().out
    assert demo.jpy.balanceOf(merchant) == jpy_before + 50_000
    fills = list(demo.venue.events.get_sequence(chain.height, chain.height, event_type="QuoteFilled"))
    assert len(fills) == 1 and fills[0].args.paymentReference.rstrip(b"\0") == b"INV-2026-0100"
    assert demo.bkhr.balanceOf(customer) == khr_before - fills[0].args.amountIn
    assert 1_360_000 < fills[0].args.amountIn < 1_375_000  # ≈ 27.35 KHR per JPY plus spread and fee
    assert "best execution for INV-2026-0100" in out and "pays INV-2026-0100 ¥50,000 via RFQ" in out


def test_amm_preference_swaps_through_the_pools_with_the_reference(corridor, book_dir):
    demo, _ = corridor
    merchant = demo.who["merchant"]
    before = demo.jpy.balanceOf(merchant)
    result = pay.main(["customer", "merchant", "20000", "INV-2026-0101", "venue=amm"], "development")
    assert result.record.choice == "amm"
    (swap,) = [e for e in chain.get_transaction(result.tx).events["Swapped"] if e.address == demo.router]
    assert swap["amountOut"] == 20_000 and swap["paymentReference"].rstrip(b"\0") == b"INV-2026-0101"
    assert demo.jpy.balanceOf(merchant) == before + 20_000


def test_redeems_the_leftover_to_the_bakong_account(corridor, book_dir):
    demo, _ = corridor
    customer = demo.who["customer"]
    khr_before = demo.bkhr.balanceOf(customer)
    result = pay.main(
        ["customer", "merchant", "10000", "INV-2026-0102", "redeem_to=sokha@aclb"], "development"
    )
    assert demo.bkhr.balanceOf(customer) == 0
    assert result.redeemed == khr_before - result.amount_in
    event = chain.get_transaction(result.redemption_tx).events["RedemptionRequested"]
    assert event["amount"] == result.redeemed and event["bakongAccountId"] == "sokha@aclb"


def test_pays_with_busd(corridor, book_dir):
    demo, _ = corridor
    lp, merchant = demo.who["liquidity"], demo.who["merchant"]
    usd_before, jpy_before = demo.busd.balanceOf(lp), demo.jpy.balanceOf(merchant)
    result = pay.main(["liquidity", "merchant", "30000", "INV-2026-0103", "currency=USD"], "development")
    assert demo.jpy.balanceOf(merchant) == jpy_before + 30_000
    assert demo.busd.balanceOf(lp) == usd_before - result.amount_in
    assert 19_000 < result.amount_in < 21_000  # cents: ≈ $200 for ¥30,000


# ------------------------------------------------------------------ bad input: one line, nothing sent


def test_unknown_party_is_refused(refused):
    line = refused("nobody", "merchant", "50000", "INV-X")
    assert line.startswith("error: unknown payer 'nobody' (parties on development: admin, issuer_a,")


def test_payer_without_kyc_is_refused(refused, corridor):
    demo, _ = corridor
    line = refused("issuer_a", "merchant", "50000", "INV-X", payer=demo.who["issuer_a"])
    assert line == (
        "error: the payer 'issuer_a' has no KYC on bKHR: a compliance officer must verify it first"
    )


def test_merchant_without_kyc_is_refused(refused, accounts):
    stranger = accounts[9].address
    line = refused("customer", stranger, "50000", "INV-X")
    assert line == (
        f"error: the merchant '{stranger}' has no KYC on JPYS: a compliance officer must verify it first"
    )


def test_invalid_bakong_account_is_refused(refused):
    line = refused("customer", "merchant", "50000", "INV-X", "redeem_to=sokha")
    assert line == "error: invalid Bakong account id 'sokha': has no '@' (expected name@bank)"


@pytest.mark.parametrize("amount", ["0", "-5", "12.5", "lots"])
def test_non_positive_or_fractional_amount_is_refused(refused, amount):
    line = refused("customer", "merchant", amount, "INV-X")
    assert line == f"error: the invoice amount must be a positive whole number of yen, got '{amount}'"


def test_currency_the_deployment_does_not_bridge_is_refused(refused):
    line = refused("customer", "merchant", "50000", "INV-X", "currency=THB")  # a registry row, not deployed
    assert line == "error: no THB bridge token in development.json"


def test_insufficient_balance_is_refused(refused):
    line = refused("customer", "merchant", "200000", "INV-X", "venue=amm")
    assert line.startswith(
        "error: insufficient balance: customer holds 3,500,000 bKHR, the invoice needs 5,4"
    )
    assert line.endswith(" via amm")


def test_expired_quote_is_refused_before_sending(refused, monkeypatch):
    quote = pay.InvoicePayment.quote

    def slow_quote(self, setup, due):
        plan = quote(self, setup, due)
        chain.sleep(self.request.ttl + 1)  # the payer took too long: the quote's expiry passes
        chain.mine()
        return plan

    monkeypatch.setattr(pay.InvoicePayment, "quote", slow_quote)
    line = refused("customer", "merchant", "50000", "INV-X", "venue=rfq", "ttl=30")
    assert line == (
        "error: the INV-X quote expired before it could be filled (ttl=30s); nothing paid, run again for a fresh quote"
    )


def test_quote_expiring_in_the_race_maps_the_revert_to_the_same_line(refused, corridor, monkeypatch):
    """The pre-send check passes, then the quote expires: the venue's QuoteExpired revert in the node's
    gas estimate becomes the same line (the allowance exists already, so nothing at all is sent)."""
    demo, _ = corridor
    demo.bkhr.approve(demo.venue, 2**256 - 1, {"from": demo.who["customer"]})
    quote = pay.InvoicePayment.quote

    def slow_quote(self, setup, due):
        plan = quote(self, setup, due)
        chain.sleep(self.request.ttl + 1)
        chain.mine()
        return plan

    monkeypatch.setattr(pay.InvoicePayment, "quote", slow_quote)
    monkeypatch.setattr(pay.InvoicePayment, "check_fresh", lambda self, plan: None)
    line = refused("customer", "merchant", "50000", "INV-X", "venue=rfq", "ttl=30")
    assert line == (
        "error: the INV-X quote expired before it could be filled (ttl=30s); nothing paid, run again for a fresh quote"
    )


def test_invoice_already_paid_is_refused(refused, script, corridor, book_dir):
    script.main("customer", "merchant", "5000", "INV-2026-0104", "venue=amm")
    tx = bytes(web3.eth.get_block("latest")["transactions"][0]).hex()
    line = refused("customer", "merchant", "5000", "INV-2026-0104")
    assert line == (
        "error: invoice INV-2026-0104 is already paid to merchant: ¥5,000 of ¥5,000 received "
        f"(tx 0x{tx.removeprefix('0x')} ¥5,000 via amm in block {chain.height}); nothing sent"
    )


def test_partial_payment_under_the_reference_leaves_the_remainder_due(corridor, book_dir, capsys):
    """Finding 7: a ¥1,000 payment carrying the invoice's reference made the script refuse the real
    ¥50,000 invoice. It now says what it found and pays the remaining ¥49,000, so the merchant holds
    exactly the invoice under that reference."""
    demo, _ = corridor
    merchant = demo.who["merchant"]
    before = demo.jpy.balanceOf(merchant)
    first = pay.main(["customer", "merchant", "1000", "INV-2026-0110", "venue=amm"], "development")
    block = web3.eth.get_transaction_receipt(first.tx)["blockNumber"]
    capsys.readouterr()
    rest = pay.main(["customer", "merchant", "50000", "INV-2026-0110"], "development")
    out = capsys.readouterr().out
    assert (
        "invoice INV-2026-0110 is partly paid to merchant: ¥1,000 of ¥50,000 received "
        f"(tx {first.tx} ¥1,000 via amm in block {block}); paying the remaining ¥49,000"
    ) in out
    assert "best execution for INV-2026-0110 (exact out ¥49,000;" in out
    assert "pays INV-2026-0110 ¥49,000 via" in out
    assert demo.jpy.balanceOf(merchant) == before + 50_000
    assert rest.record.amount == 49_000


def test_invoice_covered_by_several_payments_is_refused_naming_each(refused, corridor, book_dir):
    """¥20,000, then the remaining ¥30,000 (another venue): a third run finds both and refuses."""
    first = pay.main(["customer", "merchant", "20000", "INV-2026-0111", "venue=amm"], "development")
    second = pay.main(["customer", "merchant", "50000", "INV-2026-0111", "venue=rfq"], "development")
    blocks = [web3.eth.get_transaction_receipt(r.tx)["blockNumber"] for r in (first, second)]
    line = refused("customer", "merchant", "50000", "INV-2026-0111")
    assert line == (
        "error: invoice INV-2026-0111 is already paid to merchant: ¥50,000 of ¥50,000 received "
        f"(tx {first.tx} ¥20,000 via amm in block {blocks[0]}; tx {second.tx} ¥30,000 via rfq in block "
        f"{blocks[1]}); nothing sent"
    )


def test_payment_to_another_merchant_or_reference_does_not_count(refused, corridor, book_dir):
    """Only yen to this merchant under this reference count: the same invoice number paid to the
    liquidity provider, and another invoice to the merchant, leave INV-2026-0112 unpaid."""
    demo, _ = corridor
    pay.main(["customer", "liquidity", "50000", "INV-2026-0112", "venue=amm"], "development")
    pay.main(["customer", "merchant", "50000", "INV-2026-0113", "venue=amm"], "development")
    before = demo.jpy.balanceOf(demo.who["merchant"])
    result = pay.main(["customer", "merchant", "10000", "INV-2026-0112", "venue=amm"], "development")
    assert result.record.amount == 10_000
    assert demo.jpy.balanceOf(demo.who["merchant"]) == before + 10_000


def test_slippage_beyond_the_limit_is_refused(refused):
    line = refused("customer", "merchant", "50000", "INV-X", "max_slippage_bps=1")
    assert line.startswith("error: the best price (rfq) is +8.") and line.endswith(
        "beyond max_slippage_bps=1"
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (("customer", "merchant", "50000"), pay.USAGE),
        (
            ("customer", "merchant", "50000", "INV-X", "venue=cheapest"),
            "venue must be one of auto, amm, rfq, got 'cheapest'",
        ),
        (
            ("customer", "merchant", "50000", "INV-X", "speed=fast"),
            "unknown option 'speed' (options: venue, currency, ttl, max_slippage_bps, redeem_to, quote_url)",
        ),
        (
            ("customer", "merchant", "50000", "INV-X", "ttl=900"),
            "ttl must be a whole number of seconds from 1 to 300, got '900'",
        ),
        (
            ("customer", "merchant", "50000", "INV-X", "currency=EUR"),
            "currency must be KHR or USD or THB (paid in bKHR or bUSD or bTHB), got 'EUR'",
        ),
        (
            ("customer", "merchant", "50000", "X" * 33),
            f"the invoice number must be 1 to 32 printable bytes (the payment reference), got '{'X' * 33}'",
        ),
        (("customer", "customer", "50000", "INV-X"), "the payer and the merchant are the same account"),
        (
            ("customer", "merchant", "50000", "INV-X", "quote_url=127.0.0.1:8610"),
            "quote_url must be the quote server's http(s) URL, got '127.0.0.1:8610'",
        ),
    ],
)
def test_malformed_request_is_refused(refused, args, expected):
    assert refused(*args) == f"error: {expected}"


def test_no_deployment_on_this_chain_is_refused(refused, monkeypatch, tmp_path):
    monkeypatch.setattr(pay, "BOOK_DIR", tmp_path)
    line = refused("customer", "merchant", "50000", "INV-X")
    assert line == (
        "error: no corridor deployed on 'development': development.json not found; "
        "deploy first: brownie run scripts/deploy.py (or play the demo)"
    )


def test_book_whose_contracts_are_not_on_this_chain_is_refused(refused, book_dir, monkeypatch, tmp_path):
    """A book left by an earlier chain (same chain id, e.g. a restarted Anvil) names empty addresses."""
    book = json.loads((book_dir / "development.json").read_text())
    for entry in book["contracts"].values():
        entry["address"] = "0x" + "ab" * 20
    (tmp_path / "development.json").write_text(json.dumps(book))
    monkeypatch.setattr(pay, "BOOK_DIR", tmp_path)
    line = refused("customer", "merchant", "50000", "INV-X")
    assert line == (
        "error: no corridor deployed on 'development': development.json is of another chain, its contracts "
        "are not on this one (a fresh chain?); deploy first: brownie run scripts/deploy.py (or play the demo)"
    )


# ------------------------------------------------------------------ venues that decline say why (finding 9)


def test_pool_depth_and_maker_limit_are_named(refused):
    """¥5,000,000 is more than the JPY pool holds (¥3,000,000) and than the maker's $400 a quote."""
    run = refused
    line = run("customer", "merchant", "5000000", "INV-X")
    assert line == "error: no venue offered ¥5,000,000 for bKHR (amm: pool depth, rfq: maker limit)"
    table = run.out
    assert "declined: pool depth" in table and "InsufficientLiquidity" in table
    assert "declined: maker limit" in table and "exceeds the 400 USD limit" in table


def test_after_26_hours_without_a_reporter_neither_venue_fills(refused, corridor):
    """Finding 9: both feeds are stale; the pools refuse, and the maker no longer quotes against the
    stale mid; the table and the error name "stale feed" for each venue. (Last in the module: the chain
    time moves, although each test's isolation reverts it.)"""
    demo, _ = corridor
    # the demo's reporter process would publish fresh rounds while the script runs
    demo.side.stop_service("feed-reporter")
    chain.sleep(26 * 3600)
    chain.mine()
    assert all(demo.suite.exchange.feeds[s].isStale() for s in ("JPY", "KHR"))
    run = refused
    line = run("customer", "merchant", "50000", "INV-X")
    assert line == "error: no venue offered ¥50,000 for bKHR (amm: stale feed, rfq: stale feed)"
    rows = [r for r in run.out.splitlines() if r.startswith(("amm ", "rfq "))]
    assert len(rows) == 2 and all("declined: stale feed" in r for r in rows), run.out
    assert "StaleRate" in rows[0]
    assert re.search(r"is stale: its last answer is 2[6-9]\.\d h old \(heartbeat 25\.0 h\)", rows[1])
    assert "best execution for INV-X (exact out ¥50,000)" in run.out  # no mid from a stale feed
