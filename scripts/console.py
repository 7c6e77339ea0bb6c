"""`make console`: deploys the suite (journaled, like scripts/deploy.py) and opens brownie's console
with named objects. Run as `brownie run scripts/console.py --network development --interactive`.

Names available in the console (see docs/usage.md, "Using brownie console with the suite"):
    suite            every deployed family (suite.stablecoin, suite.bridge, suite.exchange, suite.rfq)
    jpy, busd, bkhr  the compliant tokens (JPYStablecoin proxy, bUSD, bKHR)
    registry         the JPY IssuerRegistry        bridge   the BakongBridge
    router           the FXRouter                  venue    the RfqVenue
    pools, feeds     FX pools / feeds by currency ("JPY", "KHR")
    ops              corridor.stablecoin.ops.StablecoinOps (KYC, attest, mint, redeem, pay, sign)
    who              the parties by role (admin, issuer_a, issuer_b, merchant, customer, …)
    issuer_ids       JPY issuer ids by name
"""

from __future__ import annotations

from brownie import accounts, network

from corridor.receipts import install_receipt_grace
from corridor.stablecoin.ops import StablecoinOps
from corridor.suite import deploy_from_brownie, parties
from corridor.ui import UserError, fail, quiet_receipts

suite = jpy = busd = bkhr = registry = bridge = router = venue = pools = feeds = ops = who = issuer_ids = None


def main() -> None:
    global suite, jpy, busd, bkhr, registry, bridge, router, venue, pools, feeds, ops, who, issuer_ids
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/receipts.py)
    try:
        with quiet_receipts():
            result = deploy_from_brownie(network.show_active(), log=lambda _: None)
    except UserError as exc:
        fail(str(exc))
    suite = result.suite
    jpy, registry = suite.stablecoin.token, suite.stablecoin.registry
    bridge = suite.bridge.bridge
    busd, bkhr = suite.bridge.token("USD"), suite.bridge.token("KHR")
    router, pools, feeds = suite.exchange.router, suite.exchange.pools, suite.exchange.feeds
    venue = suite.rfq.venue
    ops = StablecoinOps(jpy, registry)
    who = parties(result.book.config, accounts)
    issuer_ids = suite.stablecoin.issuer_ids
    print(f"\nThe corridor is deployed ({len(suite.contracts)} contracts, book {result.book.path.name}).")
    print("Named: suite jpy busd bkhr registry bridge router venue pools feeds ops who issuer_ids")
