"""The corridor demo end to end (the same code `make demo` runs), on the test chain: the wallet-holder path,
then the one-scan QR flows (invoices paid by KHQR, a refund, a linked-scheme payer, a KHQR paid in yen, a
remittance) and the books."""

import socket
from decimal import Decimal

import pytest
from brownie import chain, web3

from corridor.bridge.gateway import BridgeGateway, RedemptionStatus
from corridor.bridge.reconcile import ledger_books
from corridor.bridge.validator import payout_reference
from corridor.demo import CorridorDemo, Invoice
from corridor.invoices import Status
from corridor.settlement import RefundReason

QR_INVOICES = {
    "INV-2026-0044": 20_000,
    "INV-2026-0045": 15_000,
    "INV-2026-0046": 5_000,
    "INV-2026-0047": 10_000,
}


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    demo = CorridorDemo("development", reports=out, book_dir=out)
    result = demo.run()
    return demo, result, out


def test_merchant_is_paid_the_invoice_and_redeems_it(played):
    demo, _, _ = played
    merchant = demo.who["merchant"]
    # ¥50,000 + ¥70,000 of the wallet path redeemed, then exactly the three QR invoices settled
    assert demo.jpy.balanceOf(merchant) == 20_000 + 15_000 + 10_000
    redeemed = [e for e in demo.registry.events.get_sequence(0, event_type="Redeemed")]
    assert any(e.args.amount == 120_000 for e in redeemed)


def _by_number(demo):
    return {inv.number: (inv, result, origin) for inv, result, origin in demo.paid_invoices}


def test_qr_invoices_settle_or_refund_with_the_merchant_paid_exactly_the_invoice(played):
    demo, _, _ = played
    invoices = _by_number(demo)
    assert {n: inv.yen for n, (inv, _, _) in invoices.items()} == QR_INVOICES
    statuses = {n: inv.status for n, (inv, _, _) in invoices.items()}
    assert statuses == {
        "INV-2026-0044": Status.SETTLED,
        "INV-2026-0045": Status.SETTLED,
        "INV-2026-0046": Status.REFUNDED,
        "INV-2026-0047": Status.SETTLED,
    }
    for number, (inv, result, _) in invoices.items():
        assert [s for s, _ in inv.history] == [Status.PAID, inv.status]
        tx = chain.get_transaction(inv.history[-1][1])
        if result.settled:
            event = tx.events["InvoiceSettled"]
            assert event["amountOut"] == result.amount_out == inv.yen
            assert event["merchant"] == demo.who["merchant"]
            assert event["spent"] + event["surplus"] == event["deposit"] == inv.price
            assert bytes(event["invoiceId"]).rstrip(b"\0").decode() == number
        else:
            assert "InvoiceSettled" not in tx.events and result.amount_out == 0
    rfq, amm = invoices["INV-2026-0044"][1], invoices["INV-2026-0045"][1]
    assert (
        rfq.refunded == 0 and rfq.spent == invoices["INV-2026-0044"][0].price
    )  # the reserved quote, exactly
    assert 0 < amm.refunded < amm.deposit // 100  # the AMM's bound not used: the surplus goes back


def test_late_payment_and_surplus_land_back_on_the_customers_bakong_account(played):
    demo, _, _ = played
    invoices = _by_number(demo)
    late = invoices["INV-2026-0046"][1]
    assert (
        late.reason == RefundReason.QUOTE_WINDOW_CLOSED
        and late.refunded == invoices["INV-2026-0046"][0].price
    )
    domain = BridgeGateway(web3, demo.bridge.address).domain()
    for _, result, _ in (invoices["INV-2026-0045"], invoices["INV-2026-0046"]):
        payout = demo.side.ledger.by_client_ref(
            payout_reference(domain.chain_id, domain.verifying_contract, result.refund_id)
        )
        assert payout.to_account == demo.customer_bank_account and payout.amount == result.refunded
        assert payout.from_account == demo.side.omnibus
        assert RedemptionStatus(demo.bridge.redemption(result.refund_id)[2]) == RedemptionStatus.FINALIZED


def test_thai_payer_pays_through_the_hub_with_its_origin_recorded(played):
    demo, _, _ = played
    inv, result, origin = _by_number(demo)["INV-2026-0047"]
    assert origin == "TH:PROMPTPAY" and result.settled
    event = chain.get_transaction(inv.history[-1][1]).events["InvoiceSettled"]
    assert bytes(event["origin"]).rstrip(b"\0") == b"TH:PROMPTPAY"
    [payment] = demo.hub.payments
    assert payment.origin == "TH:PROMPTPAY" and payment.transfer.from_account == "promptpay@hub"
    assert payment.charged == -(-inv.price * 87 // 10_000)  # 0.0087 satang per riel, rounded up


def test_yen_payer_and_worker_are_paid_out_on_bakong(played):
    demo, _, _ = played
    ledger = demo.side.ledger
    assert ledger.balance("coffee@aclb", "KHR") == 200_000
    assert ledger.balance("dara@wing", "KHR") == 300_000
    for _, payment, jpy_in, rid in demo.outbound_payments:
        assert RedemptionStatus(demo.bridge.redemption(rid)[2]) == RedemptionStatus.FINALIZED
        assert 0 < jpy_in < payment.max_jpy_in
    assert demo.jpy.balanceOf(demo.yen_payer) == 100_000 - sum(p[2] for p in demo.outbound_payments)


def test_customer_ends_with_no_bkhr(played):
    demo, _, _ = played
    assert demo.bkhr.balanceOf(demo.who["customer"]) == 0


def test_reconciliation_balances(played):
    demo, _, _ = played
    assert demo.registry.totalOutstanding() == demo.jpy.totalSupply()
    for line in demo.bridge_lines:
        assert line.drift == 0 and line.supply == line.omnibus
    books = {b.currency.name: b for b in ledger_books(demo.side.ledger, demo.side.omnibus)}
    assert books["KHR"].drift == 0 and books["USD"].drift == 0
    # 5,000,000 customer + 100,000,000 liquidity + 40,000,000 maker + 10,000,000 PromptPay prefunding, in riel
    assert books["KHR"].cashed_in == 155_000_000
    for contract in (demo.suite.settlement, demo.suite.khqr_payer):
        assert (
            demo.jpy.balanceOf(contract),
            demo.bkhr.balanceOf(contract),
            demo.busd.balanceOf(contract),
        ) == (0, 0, 0)


def test_best_execution_buys_through_rfq_when_it_is_better(played):
    _, result, _ = played
    body = dict(result.sections)["Best execution for invoice INV-2026-0042"]
    rows = {
        line.split("|")[1].strip(): line
        for line in body.splitlines()
        if line.startswith("| amm") or line.startswith("| rfq")
    }
    assert "chosen" in rows["rfq"] and "chosen" not in rows["amm"]


def test_best_execution_swaps_through_the_pools_when_the_maker_declines(played):
    demo, result, _ = played
    body = dict(result.sections)["Best execution for invoice INV-2026-0043"]
    assert (
        "| rfq | declined: maker limit |" in body and "exceeds the 400 USD limit" in body and "chosen" in body
    )
    swaps = list(demo.router.events.get_sequence(0, event_type="Swapped"))
    # through the router: INV-2026-0043 (wallet path) and the remittance's riel; the QR invoice INV-2026-0045 runs
    # its AMM leg in InvoiceSettlement itself (the router's pools, no router frame: docs/gas.md)
    assert [s.args.amountOut for s in swaps] == [70_000, 300_000]
    settled = list(demo.suite.settlement.events.get_sequence(0, event_type="InvoiceSettled"))
    # INV-2026-0044 (RFQ), INV-2026-0045 (AMM), INV-2026-0047 (RFQ, linked scheme); 0046 was refunded
    assert [s.args.amountOut for s in settled] == [20_000, 15_000, 10_000]


def test_dollars_are_redeemed_back_to_bakong(played):
    demo, _, _ = played
    assert demo.side.ledger.balance(demo.lp_bank_account, "USD") == 50_000_00 - 45_000_00 + 1_000_00


def test_report_is_written_with_chart(played):
    _, result, out = played
    report = (out / "demo.md").read_text()
    assert "# Corridor demo" in report and "INV-2026-0042" in report
    assert (out / "price-impact.png").stat().st_size > 10_000
    assert len(result.steps.rows) == 54
    assert "## Invoices paid by KHQR" in report and "refunded (quote_window_closed)" in report
    for number in QR_INVOICES:
        assert (out / f"khqr-{number}.png").read_bytes().startswith(b"\x89PNG")


def test_mints_are_sent_by_the_relayer_service_and_the_services_are_stopped(played):
    """Every mint of the demo (plain, queued and executed, hooked) is a transaction of the relayer process's own
    key, not of a demo account; after the demo no service process is left running and no port listens."""
    demo, _, _ = played
    relayer = demo.side.relayer.address
    assert relayer not in {str(a) for a in demo.who.values()} and relayer != demo.admin.address
    minted = list(demo.bridge.events.get_sequence(0, event_type="Minted"))
    hooked = list(demo.suite.settlement.events.get_sequence(0, event_type="InvoiceSettled"))
    assert len(minted) >= 8 and len(hooked) == 3
    senders = {chain.get_transaction("0x" + bytes(e.transactionHash).hex()).sender for e in minted}
    assert senders == {relayer}
    assert not demo.side.running and demo.side.names[0] == "bakong" and "relayer" in demo.side.names
    for child in demo.side.sandbox.children:
        assert child.proc is not None and child.proc.poll() is not None, child.name
        port = int(str(child.url).rsplit(":", 1)[1])
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{child.name} still listens on {port}"


def test_every_rfq_fill_is_a_quote_the_quote_server_issued(played):
    """The wallet payment's, the QR invoices' and the KHQR payer's RFQ quotes all come from the quote server
    process (its state file lists every quote it signed); none is signed in the demo's process."""
    import json

    demo, _, out = played
    issued = json.loads((out / "development-services" / "quote-server.json").read_text())["quotes"]
    fills = list(demo.venue.events.get_sequence(0, event_type="QuoteFilled"))
    references = sorted(bytes(f.args.paymentReference).rstrip(b"\0").decode() for f in fills)
    assert references == ["AC-2026-0311", "INV-2026-0042", "INV-2026-0044", "INV-2026-0047"]
    for fill in fills:
        assert "0x" + bytes(fill.args.quoteHash).hex() in issued
    late = [inv for inv, _, _ in demo.paid_invoices if inv.number == "INV-2026-0046"]
    assert late and late[0].status == Status.REFUNDED  # its quote window (the quote's expiry) closed first


def test_the_feed_reporter_process_publishes_the_fixing_the_pools_are_seeded_at(played):
    demo, result, _ = played
    feed = demo.suite.exchange.feeds["JPY"]
    round_id, answer, _, _, answered = feed.latestRoundData()
    assert (answer, answered) == (671_200, round_id) and round_id >= 2
    [row] = [r for r in result.steps.rows if r[1] == "feed reporter"]
    assert row[2] == "JPY/USD fixing 0.006712 (was 0.0067)" and "+18 bps" in row[5]
    assert "feed-reporter" in demo.side.names and "quote-server" in demo.side.names


def test_invoice_dataclass_is_plain():
    assert Invoice("X", 1).amount_jpy == 1


def _report_rows(result, title: str) -> list[list[str]]:
    """The rows of one of the demo's reconciliation tables, as its report (and its terminal) shows them."""
    markdown = dict(result.sections)[title]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in markdown.splitlines()[2:]]


def test_the_dashboard_shows_the_demos_reconciliation_figures(played, web3, tmp_path):
    """The dashboard process over the demo's chain and book shows the issuers' books and the pools with the
    figures of the demo's reconciliation tables, and the RFQ fees each maker owes are the venue's own."""
    from corridor.services.http import call
    from tests.services.harness import Process, free_port

    demo, result, out = played
    dashboard = Process(
        "dashboard",
        "corridor.services.dashboard",
        ["--rpc", web3.provider.endpoint_uri, "--book", str(out / "development.json")],
        free_port(),
        tmp_path,
    ).start()
    try:
        snap = call(f"{dashboard.url}/api/dashboard")
    finally:
        dashboard.stop()

    def shown(money: dict) -> str:
        return f"{Decimal(money['banker']):,}"

    issuers = [
        [i["name"], shown(i["outstanding"]), shown(i["reserve"]), shown(i["mintAllowance"])]
        for i in snap["issuers"]
    ]
    assert issuers == _report_rows(result, "Reconciliation: JPY issuers")[:-1]  # the last row is the Σ line
    pools = [
        [
            p["pool"].removeprefix("FXPool "),
            shown(p["balances"][0]),
            shown(p["balances"][1]),
            p["virtualPrice"],
        ]
        for p in snap["pools"]
    ]
    assert pools == _report_rows(result, "Pool balances")
    assert snap["rfq"]["feesOwed"], "the demo's RFQ fills book fees"
    for owed in snap["rfq"]["feesOwed"]:
        token = {"JPY": demo.jpy, "KHR": demo.bkhr, "USD": demo.busd}[owed["currency"]]
        assert owed["owed"]["minor"] == demo.venue.feesOwed(owed["maker"], token) > 0
    fills = {(f["in"], f["out"]): f["fills"] for f in snap["rfq"]["fills"]}
    assert fills[("KHR", "JPY")] >= 3  # INV-2026-0042 by wallet, 0044 and 0047 by scan
