from corridor.khqr_pay import remittance


def test_trace(world, yen_payer, accounts):
    p = remittance("coffee@abab", 116, 40_000, 3_000, "INV-GAS")
    world.jpys.approve(world.venue, 2**256 - 1, {"from": yen_payer})
    for _ in range(2):
        sq = world.quote(p, taker=yen_payer.address)
        tx = world.venue.fillExactOut(sq.quote.as_tuple(), sq.signature, 40_000, 3000, world.bridge, p.bill_number, {"from": yen_payer})
    print("GAS fill", tx.gas_used)
    lp = world.who["market_maker"]
    world.token(116).approve(world.bridge, 2**256 - 1, {"from": lp})
    for _ in range(2):
        tx = world.bridge.redeem(116, 40_000, "coffee@abab", {"from": lp})
    print("GAS redeem", tx.gas_used)
    for _ in range(2):
        sq = world.quote(p)
        tx = world.payer_contract.payWithQuote(p.as_tuple(), sq.quote.as_tuple(), sq.signature, {"from": yen_payer})
    print("GAS pay", tx.gas_used)
