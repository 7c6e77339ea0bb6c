"""Smoke: the whole corridor demo in process (deploy, KYC, issuers, Bakong deposits and the relayer,
pools and market maker, both invoices through best execution, redemptions, then the one-scan QR flows and the
reconciliation), on whichever chain runs the smoke set: Anvil, or Ganache with the berlin profile."""

from brownie import network

from corridor.demo import CorridorDemo


def test_the_corridor_demo_plays_end_to_end_and_reconciles(tmp_path):
    demo = CorridorDemo(network.show_active(), reports=tmp_path, book_dir=tmp_path)
    result = demo.run()
    customer, merchant = demo.who["customer"], demo.who["merchant"]
    # paid ¥50,000 + ¥70,000 and redeemed all of it, then paid the three QR invoices that settled
    assert demo.jpy.balanceOf(merchant) == 20_000 + 15_000 + 10_000
    assert [inv.status.value for inv, _, _ in demo.paid_invoices] == [
        "settled",
        "settled",
        "refunded",
        "settled",
    ]
    assert demo.side.ledger.balance("dara@wing", "KHR") == 300_000
    assert any(e.args.amount == 120_000 for e in demo.registry.events.get_sequence(0, event_type="Redeemed"))
    assert demo.bkhr.balanceOf(customer) == 0  # the leftover went back to sokha@aclb
    assert demo.registry.totalOutstanding() == demo.jpy.totalSupply()
    assert [line.drift for line in demo.bridge_lines] == [0, 0]
    assert [row[2] for row in result.steps.rows if row[2].startswith("pays INV")] == [
        "pays INV-2026-0042 ¥50,000 via RFQ",
        "pays INV-2026-0043 ¥70,000 via AMM",
    ]
    assert (tmp_path / "demo.md").read_text().startswith("# Corridor demo")
