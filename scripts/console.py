"""`make console`: deploys the suite (journaled, like scripts/deploy.py) and opens brownie's console
with named objects. Run as `brownie run scripts/console.py --network development --interactive`.

Names available in the console (see docs/usage.md, "Using brownie console with the suite"):
    suite            every deployed family (suite.stablecoin, suite.bridge, suite.exchange, suite.rfq)
    jpy, busd, bkhr  the compliant tokens (JPYStablecoin proxy, bUSD, bKHR)
    registry         the JPY IssuerRegistry        bridge   the BakongBridge
    router           the FXRouter                  venue    the RfqVenue
    pools, feeds     FX pools / feeds by currency ("JPY", "KHR")
    ops              corridor.stablecoin.ops.StablecoinOps (KYC, attest, mint, redeem, pay, sign)
    who              the parties by role (admin, issuer_a, issuer_b, merchant, customer, …), the bridge's
                     validators, the JPY reserve attestor and the relayer's sending account
    issuer_ids       JPY issuer ids by name

The pools and the RFQ venue start empty: play the demo first (README "Using brownie console").
A reverted transaction raises `Reverted` with its error decoded (corridor/console_reverts.py) instead of
returning a failed receipt.
"""

from __future__ import annotations

from brownie import accounts, network

from corridor import console_reverts
from corridor.dev.receipts import install_receipt_grace
from corridor.stablecoin.ops import StablecoinOps
from corridor.suite import deploy_from_brownie, parties
from corridor.ui import UserError, fail, quiet_receipts

suite = jpy = busd = bkhr = registry = bridge = router = venue = pools = feeds = ops = who = issuer_ids = None


def main() -> None:
    global suite, jpy, busd, bkhr, registry, bridge, router, venue, pools, feeds, ops, who, issuer_ids
    install_receipt_grace()  # Anvil's nonce-before-receipt moment is not a dropped tx (corridor/dev/receipts.py)
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
    who["validators"] = list(bridge.validators())
    who["attestor"] = list(suite.roles["IssuerRegistry"]["attestor"])  # verified on chain by the deploy
    who["relayer"] = who["admin"]  # the demo's relayer sends from the admin account (any funded key can)
    issuer_ids = suite.stablecoin.issuer_ids
    names = {str(v): k for k, v in who.items() if not isinstance(v, list)}
    names.update({str(v): f"validator {i}" for i, v in enumerate(who["validators"])})
    names.update(
        {"0x" + bytes(registry.issuerRole(i)).hex(): f"issuerRole({n})" for n, i in issuer_ids.items()}
    )
    console_reverts.install(names)
    print(f"\nThe corridor is deployed ({len(suite.contracts)} contracts, book {result.book.path.name}).")
    print("Named: suite jpy busd bkhr registry bridge router venue pools feeds ops who issuer_ids")
