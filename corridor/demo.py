"""The corridor demo (`make demo`) on a development chain. First the wallet-holder path (a Cambodian customer
deposits riel, holds bKHR and pays two yen invoices with her own EVM key), then the one-scan QR flows of
issue #16, the corridor's main flow:

- inbound: the customer (a Bakong account, no EVM key) pays two yen invoices by paying their dynamic KHQR
  (corridor/invoices.py) on the Bakong simulator, one through a reserved RFQ quote, one through the AMM; the
  relayer has the validators attest each deposit as a hooked mint into InvoiceSettlement, which pays the
  merchant in the same transaction (corridor/bridge/relayer.py `expect_invoice`); a payment attested after
  the quote window is refunded to her Bakong account through the redemption escrow; a Thai payer pays through
  the PromptPay link (corridor/bridge/linked_scheme.py), origin recorded;
- outbound: a yen holder pays a Cambodian merchant's KHQR (CRC checked, corridor/khqr_pay.py) with KhqrPayer
  in one transaction, and a worker sends a remittance to `name@bank`; the relayer pays out on Bakong.

Every step goes through the same code users call: `corridor.suite` deploys, `corridor.stablecoin.ops`
drives issuers, the off-chain side runs as the services a pilot runs (corridor/demo_side.py: the Bakong
server, the validator processes, the relayer, the feed reporter and the quote server of config/services.yaml,
started after the deploy and stopped at the end, also on failure or Ctrl-C; the demo talks to them over HTTP
and waits on chain for what the relayer and the feed reporter send with their own keys), and the invoices are
paid by `corridor.pay.InvoicePayment`, the core of scripts/pay.py (best execution between the AMM router and
the quote server's signed RFQ quote). Every RFQ quote comes from the quote server process: the wallet
payments', the QR invoices' (priced as the checkout service prices them, corridor/services/checkout_settle.py:
the quote window ends at the quote's expiry, or 10 minutes after pricing if that is earlier) and the KHQR
payer's. In this process: the AMM invoice's pricing and the parties' own transactions.
Each step prints a line (who, what, tx, gas, detail); the end prints a reconciliation and writes
reports/demo.md with the charts.

Where the demo keeps state, and why a killed run leaves nothing harmful behind:
- the chain: `make demo` starts its own Anvil, but a demo killed with `kill -9` leaves that node
  running and the next run attaches to it. The deployment book tells the next run whether the
  suite is untouched (the deployer's nonce is where the journal's last transaction left it: a deploy
  killed half-way resumes through the journal, no contract twice) or was already played on (the
  demo's first transaction is the deployer's reserve attestation): a played suite's book is kept
  aside as `<network>.played.json` and a fresh suite is deployed, so no mint, deposit or redemption of
  the killed run is counted again.
- the services' state (the Bakong server's ledger, the relayer's store, the quote server's nonces) lives in
  `<book_dir>/<network>-services/`, started afresh by every run, matching the fresh suite; services a
  `kill -9` left running are stopped by the next run (their process ids are recorded there).
- reports/demo.md and price-impact.png are written to a temporary file and renamed over the old one:
  a kill leaves the previous report whole; a temporary file left by a kill is removed by the next run.
Kill points for fault tests (corridor.faults): `demo.step` after every logged step, `demo.report`
between writing the report's temporary file and renaming it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.artifacts import ROOT
from corridor.codes import by_alpha
from corridor.faults import checkpoint
from corridor.ui import StepLog, UserError, banker, markdown_table, progress, ratio, table

REPORTS = ROOT / "reports"
KHR, USD = by_alpha("KHR").number, by_alpha("USD").number
POLL_SECONDS = 5  # the relayer's polling interval, simulated on the dev chain
FIXING_JPY = (
    "0.006712"  # USD per yen: the day's fixing the feed reporter publishes (+18 bps from the deploy's)
)


@dataclass
class Invoice:
    number: str
    amount_jpy: int


class _Steps(StepLog):
    """The step log with a kill point after every line (`demo.step:<n>` = killed after step n)."""

    def add(self, who: str, what: str, tx: Any = None, detail: str = "") -> None:
        super().add(who, what, tx, detail)
        checkpoint("demo.step")


@dataclass
class DemoResult:
    steps: StepLog
    sections: list[tuple[str, str]] = field(default_factory=list)  # (title, markdown body)
    seconds: float = 0.0


class CorridorDemo:
    """Plays the corridor on the active brownie network (see the module docstring)."""

    customer_bank_account = "sokha@aclb"
    lp_bank_account = "liquidity@abaa"
    maker_bank_account = "maker@wing"
    outbound_accounts = (("coffee@aclb", "Angkor Coffee"), ("dara@wing", "Dara Sok"))  # paid out in riel
    # the banks' returns accounts: settlement refunds Bakong cannot pay to a payer are swept to her bank's (the relayer)
    returns_accounts = (
        ("returns@aclb", "ACLEDA returns"),
        ("returns@wing", "Wing returns"),
        ("returns@hub", "Hub returns"),
    )

    def __init__(self, network: str, reports: Path = REPORTS, book_dir: Path = ROOT / "deployments") -> None:
        self.network = network
        self.reports = reports
        self.book_dir = book_dir
        self.log: StepLog = _Steps()
        self.result = DemoResult(self.log)

    # ------------------------------------------------------------------ the play

    def run(self) -> DemoResult:
        started = time.monotonic()
        try:
            self._play()
        finally:
            self.stop_services()
        self.result.seconds = time.monotonic() - started
        self.write_report()
        return self.result

    def _play(self) -> None:
        self.deploy()
        self.verify_parties()
        self.issuers_mint()
        self.bakong_side()
        self.feed_fixing()
        self.liquidity()
        self.market_maker()
        self.customer_deposit()
        self.pay_invoice(Invoice("INV-2026-0042", 50_000))
        # larger than the market maker's own limit per quote (config market_maker.max_quote_usd, $400):
        # it declines, the AMM executes
        self.pay_invoice(Invoice("INV-2026-0043", 70_000))
        self.merchant_redeems()
        self.customer_redeems_leftover()
        self.liquidity_redeems_dollars()
        # the one-scan QR flows (issue #16)
        self.qr_desk()
        self.pay_by_scan("INV-2026-0044", 20_000, "rfq")
        self.pay_by_scan("INV-2026-0045", 15_000, "amm")
        self.pay_by_scan("INV-2026-0046", 5_000, "rfq", late=True)
        self.pay_by_scan("INV-2026-0047", 10_000, "rfq", linked="TH:PROMPTPAY")
        self.yen_payer_pays_khqr()
        self.worker_remits()
        self.reconcile()

    def stop_services(self) -> None:
        """Stops the service processes the demo started (also after a failure or Ctrl-C; a second Ctrl-C
        meanwhile does not cut the stopping short)."""
        import signal
        import threading

        side = getattr(self, "side", None)
        if side is None or not side.running:
            return
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            side.stop()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        progress(f"stopped {', '.join(side.names)}")

    def deploy(self) -> None:
        from brownie import accounts

        from corridor.suite import deploy_from_brownie, parties

        progress(f"deploying the corridor on {self.network} (journaled in deployments/{self.network}.json)")
        self._set_aside_a_played_suite()
        deployed = deploy_from_brownie(self.network, log=lambda _: None, book_dir=self.book_dir)
        if deployed.role_problems:
            raise UserError("role check failed after deploy: " + "; ".join(deployed.role_problems))
        self.suite = deployed.suite
        self.settings = deployed.book.config
        self.who = parties(self.settings, accounts)
        self.admin = self.who["admin"]
        self.jpy = self.suite.stablecoin.token
        self.registry = self.suite.stablecoin.registry
        self.bridge = self.suite.bridge.bridge
        self.busd, self.bkhr = self.suite.bridge.token("USD"), self.suite.bridge.token("KHR")
        self.router, self.venue = self.suite.exchange.router, self.suite.rfq.venue
        rows = [(name, c.address) for name, c in self.suite.contracts.items()]
        print(table(["contract", "address"], rows))
        self.log_header()
        self.log.add(
            "deployer",
            f"deploy + wire {len(rows)} contracts ({deployed.journal.sent} txs)",
            None,
            f"{deployed.journal.gas_used:,} gas in all",
        )
        self.result.sections.append(("Contracts", markdown_table(["contract", "address"], rows)))

    def _set_aside_a_played_suite(self) -> None:
        """A complete book whose suite is on this chain and whose deployer sent anything after the
        journal's last transaction was played on (the demo's first step, a reserve attestation, is
        the deployer's): it is kept as `<network>.played.json`, and the deploy starts a fresh suite.
        An incomplete book is a killed deploy: the journal resumes it. A book of another chain is the
        deploy's business (kept aside as `.stale.json`)."""
        from brownie import web3

        from corridor.deploy import BookError, DeploymentBook

        path = self.book_dir / f"{self.network}.json"
        if not path.exists():
            return
        try:
            book = DeploymentBook.open(path, self.network, web3.eth.chain_id, "")
        except BookError:
            return
        first = next((t.address for t in book.txs if t.address), None)
        if not book.txs or not book.complete or first is None or not web3.eth.get_code(first):
            return
        if web3.eth.get_transaction_count(book.deployer) > max(t.nonce for t in book.txs) + 1:
            played = path.with_suffix(".played.json")
            os.replace(path, played)
            progress(
                f"the suite in {path.name} was already played on (a killed run?): "
                f"book kept as {played.name}, deploying a fresh suite"
            )

    def log_header(self) -> None:
        print()
        print(self.log.header())

    def verify_parties(self) -> None:
        rows = []
        for name in ("merchant", "customer", "market_maker", "liquidity"):
            party = self.who[name]
            row = [name, str(party)[:10] + "…"]
            for token in (self.jpy, self.busd, self.bkhr):
                tier, jurisdiction, frozen = token.kycOf(party)
                row.append(f"tier {tier} / {jurisdiction}" + (" frozen" if frozen else ""))
            rows.append(row)
        for label, address in (("FX pools", None), ("RFQ venue", self.venue.address)):
            if address:
                rows.append(
                    [label, address[:10] + "…"]
                    + [f"tier {t.kycOf(address)[0]}" for t in (self.jpy, self.busd, self.bkhr)]
                )
        self.log.add(
            "compliance", "KYC: parties verified (tier / ISO 3166 country)", None, f"{len(rows)} holders"
        )
        self.result.sections.append(
            ("KYC of the parties", markdown_table(["party", "address", "JPYS", "bUSD", "bKHR"], rows))
        )

    def issuers_mint(self) -> None:
        from corridor.stablecoin.ops import StablecoinOps

        self.ops = StablecoinOps(self.jpy, self.registry)
        ids = self.suite.stablecoin.issuer_ids
        self.issuer_a = ids["Trust Bank A"]
        self.issuer_b = ids["Trust Bank B"]
        for issuer_id, name, reserve in (
            (self.issuer_a, "Trust Bank A", 200_000_000),
            (self.issuer_b, "Trust Bank B", 150_000_000),
        ):
            tx = self.ops.attest_reserve(issuer_id, self.ops.units(reserve), self.admin)
            self.log.add("attestor", f"{name}: reserve attested ¥{reserve:,}", tx, "trust account balance")
        mints = (
            (self.issuer_a, "Trust Bank A", self.who["issuer_a"], "liquidity", 3_000_000, "DEP-A-0001"),
            (self.issuer_b, "Trust Bank B", self.who["issuer_b"], "market_maker", 2_000_000, "DEP-B-0001"),
        )
        for issuer_id, name, operator, to, amount, ref in mints:
            tx = self.ops.mint(issuer_id, self.who[to], self.ops.units(amount), ref, operator)
            self.log.add(name, f"mint ¥{amount:,} to {to}", tx, f"ref {ref}")

    def bakong_side(self) -> None:
        """The off-chain side as the services a pilot runs (corridor/demo_side.py): the Bakong server, one
        validator process per development validator key, the relayer and the quote server, on this chain and
        book; then the Bakong accounts, opened and funded through the server's admin endpoints."""
        from brownie import web3

        from corridor.bridge.linked_scheme import scheme_from_config
        from corridor.demo_side import start_side

        omnibus = self.settings["bridge"].get("omnibus_account", "bridge@nbcq")
        # the links, their rates and per-origin limits: `linked_schemes:` of the settings (config/development.yaml)
        self.schemes = [scheme_from_config(s) for s in self.settings.get("linked_schemes", [])]
        self._enable_the_feed_reporter()
        state = self.book_dir / f"{self.network}-services"
        shown = state.relative_to(ROOT) if state.is_relative_to(ROOT) else state
        progress(
            f"starting the Bakong server, validators, relayer, feed reporter and quote server (state, logs: {shown})"
        )
        self.side = start_side(
            web3.provider.endpoint_uri,
            self.book_dir / f"{self.network}.json",
            state,
            omnibus,
            int(self.settings["validators"]["dev_keys"]),
            hooks=[self.suite.settlement.address],  # the validators sign invoice payments to it alone
            linked_origins={s.settlement_account: s.origin for s in self.schemes},
            fixings={code: str(self._feed_rate(code)) for code in self.suite.exchange.feeds},
        )  # the relayer process reads KhqrPayer from the book: a rejected yen payment is refunded in JPYS
        if web3.eth.get_balance(self.side.relayer.address) < 10**18:  # a chain without Anvil's accounts
            self.admin.transfer(self.side.relayer.address, 10**18)
        progress(
            "through the services: Bakong payments and accounts (Bakong server over HTTP), deposits, mints and "
            f"payouts (relayer {self.side.relayer.address}, validator processes), fixings (feed reporter), every "
            "RFQ quote (quote server); in process: the AMM invoice's price and the parties' own transactions"
        )
        self._pending: list[str] = []  # deposit md5s the relayer has yet to mint
        ledger = self.side.ledger
        for account, name, khr, usd in (
            (self.customer_bank_account, "Sokha Chan", 5_000_000, 0),
            (self.lp_bank_account, "Mekong Liquidity Co.", 100_000_000, 50_000_00),
            (self.maker_bank_account, "Wing Market Making", 40_000_000, 5_000_00),
        ):
            ledger.open_account(account, name)
            if khr:
                ledger.cash_in(account, "KHR", khr)
            if usd:
                ledger.cash_in(account, "USD", usd)
        self.log.add("Bakong", f"server: 3 accounts + omnibus {omnibus}", None, "KHR in riel, USD in cents")

    def _enable_the_feed_reporter(self) -> None:
        """The feed reporter's key of the service list (`anvil:0`, the deployer on Anvil) holds REPORTER_ROLE and
        gas money; on a chain whose deployer is another account (Ganache's mnemonic) the admin grants and funds
        it first (no step line: on Anvil nothing is sent)."""
        from brownie import web3

        from corridor.demo_side import service_address

        reporter = service_address("feed-reporter", "REPORTER")
        granted = []
        for code, feed in self.suite.exchange.feeds.items():
            if not feed.hasRole(feed.REPORTER_ROLE(), reporter):
                feed.grantRole(feed.REPORTER_ROLE(), reporter, {"from": self.admin})
                granted.append(code)
        if web3.eth.get_balance(reporter) < 10**18:
            self.admin.transfer(reporter, 10**18)
        if granted:
            progress(
                f"the feed reporter's key {reporter} holds REPORTER_ROLE on the {', '.join(granted)} feeds now"
            )

    def _feed_rate(self, code: str) -> Any:
        """The feed's answer in USD per unit (a Decimal)."""
        from decimal import Decimal

        feed = self.suite.exchange.feeds[code]
        return Decimal(feed.latestRoundData()[1]) / Decimal(10) ** feed.decimals()

    def feed_fixing(self) -> None:
        """The feed reporter process publishes the day's JPY fixing from its source (here a rates file the demo
        writes; the sandbox's is a scripted schedule): it opens the fixing window and submits the rate with its
        own key, within the feed's breaker. The demo sends nothing meanwhile (the development reporter key is
        the deployer's) and goes on once the fixing is on chain; the pools are seeded at it."""
        from decimal import Decimal

        feed = self.suite.exchange.feeds["JPY"]
        before, rate = feed.latestRoundData(), Decimal(FIXING_JPY)
        answer = int(rate * 10 ** feed.decimals())
        self.side.publish_fixings(
            {code: str(self._feed_rate(code)) for code in self.suite.exchange.feeds} | {"JPY": FIXING_JPY}
        )

        def landed() -> bool:
            round_id, got, _, _, answered = feed.latestRoundData()
            return got == answer and answered == round_id

        self.side.wait_reporter(landed, "the feed reporter did not publish the JPY fixing")
        round_id = feed.latestRoundData()[0]
        move = (answer - before[1]) * 10_000 / before[1]
        self.log.add(
            "feed reporter",
            f"JPY/USD fixing {FIXING_JPY} (was {self._rate_text(before[1], feed.decimals())})",
            None,
            f"round {round_id}, {move:+.0f} bps, sent by the reporter process",
        )

    @staticmethod
    def _rate_text(answer: int, decimals: int) -> str:
        from decimal import Decimal

        return str((Decimal(answer) / Decimal(10) ** decimals).normalize())

    def _deposit(self, bank_account: str, party: str, currency: str, amount: int) -> Any:
        """The relayer service issues the deposit KHQR; the payer's wallet pays it on the Bakong server."""
        intent = self.side.relayer.request_deposit(currency, amount, str(self.who[party]))
        self.side.ledger.pay_khqr(bank_account, intent.khqr)
        self._pending.append(intent.md5)
        return intent

    def _tick(self) -> None:
        """While waiting for the relayer: a block now and then (a reserve attestation waits for a newer one).
        Best effort: Ganache now and then fails an `evm_mine` that races the relayer's transaction."""
        from brownie import chain
        from brownie.exceptions import RPCRequestError

        self._ticks = getattr(self, "_ticks", 0) + 1
        if self._ticks % 8 == 0:
            try:
                chain.mine()
            except RPCRequestError:
                pass  # the next tick mines

    def _relay(self, what: str, redemptions: tuple[int, ...] = (), until: tuple[str, ...] = ()) -> list[dict]:
        """Waits for the relayer service to mint the deposits paid since the last call (minted, or queued
        behind the large-mint timelock; `until=("minted",)` waits for the queued ones) and to close the
        `redemptions` on chain (paid out on Bakong and finalized, or rejected); logs what it did."""
        from brownie import chain

        from corridor.bridge.gateway import RedemptionStatus

        # A relayer polls every few seconds; on an instant-mining dev chain, advance the clock by one
        # poll interval so its reserve attestations are not stamped in the same second as the last.
        chain.sleep(POLL_SECONDS)
        chain.mine()
        pending, self._pending = self._pending, []
        rows = self.side.relayer.wait_done(pending, tick=self._tick, until=until or None)
        closed = (RedemptionStatus.FINALIZED, RedemptionStatus.REJECTED)
        for rid in redemptions:
            self.side.wait(
                lambda rid=rid: RedemptionStatus(self.bridge.redemption(rid)[2]) in closed,
                f"redemption #{rid} not closed",
                tick=self._tick,
            )
        self._pending = [r["md5"] for r in rows if r["status"] == "queued"]
        parts = [f"{sum(r['status'] == s for r in rows)} {s}" for s in ("minted", "queued")]
        parts = [p for p in parts if not p.startswith("0 ")]
        parts += [
            f"#{rid} {RedemptionStatus(self.bridge.redemption(rid)[2]).name.lower()}" for rid in redemptions
        ]
        txs = [r["chainTx"] for r in rows if r["status"] == "minted" and r["chainTx"]]
        tx = chain.get_transaction("0x" + txs[-1].removeprefix("0x")) if txs else None
        self.log.add("relayer", what, tx, f"service: {', '.join(parts)}")
        return rows

    def liquidity(self) -> None:
        from brownie import chain

        from corridor.exchange.deploy import balanced_hub_amount, seed_pool

        self._deposit(self.lp_bank_account, "liquidity", "KHR", 80_000_000)
        self._deposit(self.lp_bank_account, "liquidity", "USD", 45_000_00)
        rows = self._relay("mint bKHR 80,000,000 + bUSD 45,000.00 to liquidity")
        if any(r["status"] == "queued" for r in rows):
            self.log.add(
                "anyone", "USD deposit above the large-mint threshold waits its timelock", None, "1 h"
            )
            chain.sleep(int(self.settings["bridge"]["timings"]["mint_delay"]) + 1)
            chain.mine()
            self._relay("execute the queued bUSD mint after the timelock", until=("minted",))
        lp = self.who["liquidity"]
        for symbol, token, amount in (("JPY", self.jpy, 3_000_000), ("KHR", self.bkhr, 80_000_000)):
            pool = self.suite.exchange.pools[symbol]
            feed = self.suite.exchange.feeds[symbol]
            answer = feed.latestRoundData()[1]
            hub_amount = balanced_hub_amount(
                amount, answer, feed.decimals(), token.decimals(), self.busd.decimals()
            )
            seed_pool(pool, token, self.busd, lp, amount, hub_amount)
            self.log.add(
                "liquidity",
                f"seed {symbol}/USD pool: {amount:,} + {hub_amount / 100:,.2f} USD",
                None,
                "at the feed mid",
            )

    def market_maker(self) -> None:
        from brownie import web3

        from corridor.exchange.market_maker import maker_settings

        self._deposit(self.maker_bank_account, "market_maker", "KHR", 30_000_000)
        self._relay("mint bKHR 30,000,000 to the market maker")
        mm_account = self.who["market_maker"]
        policy, limits = maker_settings(self.settings["market_maker"])  # what every payment quotes with
        if web3.eth.get_balance(mm_account.address) < 10**18:
            self.admin.transfer(mm_account, 10**18)  # gas money for its approvals
        for token in (self.jpy, self.busd, self.bkhr):
            token.approve(self.venue, 2**256 - 1, {"from": mm_account})
        self.log.add(
            "market maker",
            f"ready: quotes mid ± {policy.spread_bps} bps, skew ≤ {policy.skew_bps} bps, {policy.ttl} s, "
            f"≤ ${limits.max_quote_usd} a quote",
            None,
            "venue approved",
        )

    def customer_deposit(self) -> None:
        intent = self._deposit(self.customer_bank_account, "customer", "KHR", 3_500_000)
        self.khqr = intent
        self.log.add(
            "customer", "pays KHQR ៛3,500,000 to the bridge omnibus", None, f"md5 {intent.md5[:12]}…"
        )
        self._relay("validators verify by md5, sign; mint bKHR to customer")
        self.result.sections.append(
            (
                "The customer's KHQR payment",
                f"```\n{intent.khqr}\n```\n\nMD5 (Bakong Open API lookup key): `{intent.md5}` — "
                f"reference `{intent.reference}`.",
            )
        )

    def pay_invoice(self, invoice: Invoice) -> None:
        """The customer pays through the payment core of scripts/pay.py (corridor.pay.InvoicePayment):
        the same checks, offers table, approval, fill and merchant check as `make pay`."""
        from corridor.pay import InvoicePayment, PayRequest

        print()
        request = PayRequest("customer", "merchant", invoice.amount_jpy, invoice.number)
        result = InvoicePayment(
            self.network, request, self.book_dir, log=self.log, quotes=self.side.quotes
        ).run()
        plan = result.plan
        assert plan is not None
        per_jpy = (
            "" if plan.mid_per_jpy is None else f"; oracle mid {float(plan.mid_per_jpy):.6g} KHR per JPY"
        )
        self.result.sections.append(
            (
                f"Best execution for invoice {invoice.number}",
                f"Exact output ¥{invoice.amount_jpy:,} to the merchant, paid in bKHR{per_jpy}; payment "
                f"reference `{invoice.number}` in the event.\n\n"
                + markdown_table(plan.offers_headers, plan.offers_rows()),
            )
        )

    def merchant_redeems(self) -> None:
        merchant = self.who["merchant"]
        amount = self.jpy.balanceOf(merchant)
        self.jpy.approve(self.who["issuer_a"], amount, {"from": merchant})
        tx = self.ops.redeem(self.issuer_a, merchant, amount, "RED-MER-0001", self.who["issuer_a"])
        claims = "; claim on Trust Bank B recorded" if "ClaimRecorded" in tx.events else ""
        self.log.add(
            "merchant",
            f"redeems ¥{amount:,} with Trust Bank A",
            tx,
            f"bank transfer ref RED-MER-0001{claims}",
        )

    def customer_redeems_leftover(self) -> None:
        customer = self.who["customer"]
        leftover = self.bkhr.balanceOf(customer)
        self.bkhr.approve(self.bridge, leftover, {"from": customer})
        tx = self.bridge.redeem(KHR, leftover, self.customer_bank_account, {"from": customer})
        self.log.add(
            "customer", f"redeems ៛{leftover:,} to {self.customer_bank_account}", tx, "escrowed on chain"
        )
        self._relay("pays out on Bakong, validators sign, burn escrow", (tx.return_value,))

    def liquidity_redeems_dollars(self) -> None:
        lp = self.who["liquidity"]
        amount = 1_000_00  # $1,000.00 in cents
        self.busd.approve(self.bridge, amount, {"from": lp})
        tx = self.bridge.redeem(USD, amount, self.lp_bank_account, {"from": lp})
        self.log.add(
            "liquidity", f"redeems $1,000.00 bUSD to {self.lp_bank_account}", tx, "escrowed on chain"
        )
        self._relay("pays out USD on Bakong, finalizes", (tx.return_value,))

    # ------------------------------------------------------------------ the one-scan QR flows

    def qr_desk(self) -> None:
        """The invoice desk (quotes: an RFQ quote reserved for the invoice, or the AMM within a bound), the
        PromptPay link on Bakong with its participant's prefunded settlement account, and the accounts of
        the outbound flows."""
        from brownie import web3

        from corridor.bridge.linked_scheme import Hub
        from corridor.invoice_desk import Desk
        from corridor.services.chain import read_book
        from corridor.services.checkout_settle import ChainSettlement

        self.desk = Desk(self.suite, self.who, self.admin, None, [])  # the AMM invoice's pricing, the KHQRs
        self.pricing = ChainSettlement(
            web3,
            read_book(self.book_dir / f"{self.network}.json", web3),
            self.side.url("quote-server"),
            self.side.url("relayer"),
            self.who["merchant"].address,
        )  # the checkout's RFQ pricing: a firm quote of the quote server process, the settlement the taker
        self.hub = Hub(self.side.ledger)
        for scheme in self.schemes:
            self.hub.link(scheme)
            self.side.ledger.cash_in(scheme.settlement_account, "KHR", 10_000_000)
        for account, name in self.outbound_accounts + self.returns_accounts:
            self.side.ledger.open_account(account, name)
        self.paid_invoices: list[tuple[Any, Any, str]] = []  # (corridor.invoices.Invoice, Outcome, origin)
        self.log.add(
            "Bakong",
            f"link {', '.join(s.origin for s in self.schemes)} (prefunded ៛10,000,000); open "
            + ", ".join(a for a, _ in self.outbound_accounts),
            None,
            "hub of the QR links",
        )

    def pay_by_scan(self, number: str, yen: int, venue: str, late: bool = False, linked: str = "") -> None:
        """The merchant's invoice is quoted and shown as a dynamic KHQR; the customer (or a linked scheme's
        payer) pays it on Bakong; the relayer has it attested as a hooked mint that settles in one tx."""
        from brownie import chain

        from corridor.invoice_desk import WINDOW
        from corridor.invoices import Status
        from corridor.services.http import HttpError
        from corridor.settlement import hook_data, outcome, rfq_venue_data, text_of

        serial = int(number.rsplit("-", 1)[1])  # the invoice's paid bit in the settlement
        if venue == "rfq":  # a firm quote of the quote server, as the checkout service prices an invoice
            try:
                inv, signed, _ = self.pricing.quote_invoice(number, serial, yen, "KHR", WINDOW)
            except HttpError as exc:
                raise UserError(f"invoice {number}: {exc.reason}") from None
            venue_data = rfq_venue_data(signed)
        else:
            inv, venue_data = self.desk.amm_invoice(yen, bound_bps=50, invoice_id=number, serial=serial)
        window = inv.window_end - chain[-1].timestamp
        invoice = self.desk.checkout(inv, self.side.omnibus)
        self.side.relayer.expect_invoice(
            invoice.khqr, self.suite.settlement.address, hook_data(inv, venue_data)
        )  # the relayer service tracks the KHQR; its payment is minted into the settlement contract
        png = self.reports / f"khqr-{number}.png"
        self.reports.mkdir(parents=True, exist_ok=True)
        _write_atomically(png, lambda tmp: tmp.write_bytes(invoice.png()), kill_point=None)
        self.result.sections.append(
            (
                f"Invoice {number}: the dynamic KHQR",
                f"¥{yen:,} for ៛{invoice.price:,}; bill number `{number}`, tag 99 expiry = end of the quote "
                f"window, payee the bridge omnibus `{self.side.omnibus}`.\n\n```\n{invoice.khqr}\n```\n\n"
                f"![KHQR of {number}]({png.name})",
            )
        )
        self.log.add(
            "merchant",
            f"invoice {number}: ¥{yen:,} = KHQR ៛{invoice.price:,} ({venue.upper()} quote, {_minutes(window)})",
            None,
            f"mid ៛{inv.mid_price:,}",
        )
        if late:  # the attestation lands after the quote window (tag 99): the contract refunds it
            chain.sleep(window + 1)  # (before the payment: the relayer service mints what is paid at once)
        if linked:
            paid = self.hub.pay_khqr(linked, "+66812345678", invoice.khqr)
            transfer, who = paid.transfer, "Thai payer"
            how = f"pays through {linked}, charged ฿{paid.charged / 100:,.2f}"
        else:
            transfer, who = self.side.ledger.pay_khqr(self.customer_bank_account, invoice.khqr), "customer"
            how = f"scans and pays ៛{invoice.price:,} from {self.customer_bank_account}"
        invoice = invoice.advance(Status.PAID, transfer.hash)
        self.log.add(who, how, None, f"Bakong tx {transfer.hash[:10]}…")
        self._pending.append(invoice.md5)
        [row] = self._relay("validators attest a hooked mint into the settlement")
        tx = chain.get_transaction("0x" + row["chainTx"].removeprefix("0x"))
        result = outcome(tx.events)
        invoice = invoice.advance(Status.SETTLED if result.settled else Status.REFUNDED, tx.txid)
        origin = text_of(tx.events["InvoiceSettled" if result.settled else "InvoiceRefunded"]["origin"])
        if result.settled:
            what = f"{number}: ¥{result.amount_out:,} to the merchant for ៛{result.spent:,}"
            detail = f"spread {result.spread_bps:+} bps vs mid"
        else:
            what = f"{number}: ៛{result.refunded:,} refunded ({result.reason.name.lower()})"
            detail = f"escrow #{result.refund_id} to {row['payer']}"
        self.log.add("settlement", what, tx, detail)
        self.paid_invoices.append((invoice, result, origin))
        if result.refund_id:
            self._relay(f"pays the refund ៛{result.refunded:,} out on Bakong, finalizes", (result.refund_id,))

    def _outbound(self) -> Any:
        from brownie import chain

        from corridor.demo_outbound import OutboundWorld, fund_payer
        from corridor.suite import dev_party_key, dev_validator_keys

        if getattr(self, "outbound", None) is None:
            self.outbound = OutboundWorld(
                self.suite,
                self.settings,
                self.suite.khqr_payer,
                self.who,
                dev_party_key(str(self.settings["parties"]["market_maker"])[4:]),
                dev_validator_keys(int(self.settings["validators"]["dev_keys"])),
                chain,
            )  # the demo takes its quotes from the quote server, not from the world's in-process signer
            self.yen_payer = self.outbound_payer()
            fund_payer(self.outbound, self.yen_payer, 100_000)
            self.log.add(
                "issuer",
                "yen payer verified on JPYS, holds ¥100,000, approves the suite's KhqrPayer",
            )
        return self.outbound

    @staticmethod
    def outbound_payer() -> Any:
        from brownie import accounts

        return accounts[6]  # a yen holder in Japan (an unnamed development account)

    def yen_payer_pays_khqr(self) -> None:
        """A Cambodian merchant's dynamic KHQR, parsed with its CRC checked, paid in one tx: JPYS -> the maker's
        quote (exact out in riel) -> the redemption escrow to the merchant's Bakong account."""
        from brownie import chain

        from corridor.bridge.khqr import KHQR, Currency
        from corridor.exchange.best_execution import Declined
        from corridor.khqr_pay import payment_from_khqr

        world = self._outbound()
        text = KHQR(
            account_id="coffee@aclb",
            merchant_name="Angkor Coffee",
            currency=Currency.KHR,
            amount=200_000,
            bill_number="AC-2026-0311",
        ).encode()
        payment = payment_from_khqr(text, chain.time() * 1000, max_jpy_in=8_000)
        try:  # the quote server's firm exact-out quote: the riel net of the venue fee, taker the KhqrPayer
            quote = self.side.quotes.quote_exact_out(
                self.jpy.address, self.bkhr.address, payment.amount, taker=world.payer_contract.address
            )
        except Declined as exc:
            raise UserError(
                f"the quote server refused the KHQR payer's quote: {exc.reason.value}: {exc}"
            ) from None
        tx = world.payer_contract.payWithQuote(
            payment.as_tuple(), quote.quote.as_tuple(), quote.signature, {"from": self.yen_payer}
        )
        rid, jpy_in = tx.return_value
        self.log.add(
            "yen payer",
            f"pays Angkor Coffee's KHQR ៛{payment.amount:,} (CRC ok) with ¥{jpy_in:,} (RFQ, quote server)",
            tx,
            f"escrow #{rid} to {payment.account_id}",
        )
        self.outbound_payments = [("Angkor Coffee KHQR", payment, jpy_in, rid)]
        self._relay("pays Angkor Coffee out on Bakong, finalizes", (rid,))

    def worker_remits(self) -> None:
        """A worker in Japan sends riel home to a named Bakong account, through the AMM (exact out)."""
        from brownie import chain

        from corridor.khqr_pay import remittance

        world = self._outbound()
        payment = remittance("dara@wing", "KHR", 300_000, 13_000, "REM-2026-0001")
        tx = world.payer_contract.payWithRouter(
            payment.as_tuple(), world.path(KHR), chain.time() + 600, {"from": self.yen_payer}
        )
        rid, jpy_in = tx.return_value
        self.log.add(
            "worker", f"remits ៛{payment.amount:,} to dara@wing with ¥{jpy_in:,} (AMM)", tx, f"escrow #{rid}"
        )
        self.outbound_payments.append(("remittance dara@wing", payment, jpy_in, rid))
        self._relay("pays dara@wing out on Bakong, finalizes", (rid,))

    def reconcile(self) -> None:
        """The invoices and outbound payments, then the books: JPY issuers (outstanding = supply), the bridge
        against the Bakong omnibus (corridor/bridge/reconcile.py), the Bakong ledger itself, what the
        corridor contracts hold (nothing stuck) and the pools. Every amount in banker units."""
        from corridor.bridge.reconcile import LedgerBooksLine, ReconciliationLine, ledger_books

        issuers = []
        for name, issuer_id in self.suite.stablecoin.issuer_ids.items():
            info = self.registry.issuer(issuer_id)
            issuers.append([name, info["outstanding"], info["reserve"], info["mintAllowance"]])
        issuers.append(
            ["Σ outstanding / totalSupply", self.registry.totalOutstanding(), self.jpy.totalSupply(), ""]
        )
        sections: list[tuple[str, list[str], list[list[Any]]]] = []
        if getattr(self, "paid_invoices", None):
            sections.append(("Invoices paid by KHQR", *self._invoice_table()))
        if getattr(self, "outbound_payments", None):
            sections.append(("Yen to Bakong payouts", *self._outbound_table()))
        sections.append(
            (
                "Reconciliation: JPY issuers",
                ["issuer", "outstanding (¥)", "attested reserve (¥)", "mint allowance (¥)"],
                issuers,
            )
        )
        bridge_lines = self.bridge_lines = self.side.relayer.reconciliation()  # the relayer service's view
        for line in bridge_lines:
            sections.append(
                (
                    f"Reconciliation: bridge vs Bakong, {line.currency.name}",
                    ReconciliationLine.headers(line.currency),
                    [line.row()],
                )
            )
        books = ledger_books(self.side.ledger, self.side.omnibus)
        for book in books:
            sections.append(
                (
                    f"Reconciliation: Bakong ledger, {book.currency.name}",
                    LedgerBooksLine.headers(book.currency),
                    [book.row()],
                )
            )
        holders = [("InvoiceSettlement", self.suite.settlement), ("KhqrPayer", self.suite.khqr_payer)]
        held = [
            [
                name,
                banker(self.jpy.balanceOf(c), 0),
                banker(self.bkhr.balanceOf(c), 0),
                banker(self.busd.balanceOf(c), 2),
            ]
            for name, c in holders
        ]
        sections.append(
            (
                "Reconciliation: nothing stuck in the corridor contracts",
                ["contract", "JPYS (¥)", "bKHR (៛)", "bUSD ($)"],
                held,
            )
        )
        pools = []
        for sym, pool in self.suite.exchange.pools.items():
            base, hub = pool.balances()
            pools.append([f"{sym}/USD", banker(base, 0), banker(hub, 2), ratio(pool.virtualPrice())])
        sections.append(
            ("Pool balances", ["pool", "base coin (¥ / ៛)", "bUSD ($)", "virtual price (1 = par)"], pools)
        )
        for title, headers, rows in sections:
            print(table(headers, rows, title=f"\n{title.lower()}"))
            self.result.sections.append((title, markdown_table(headers, rows)))
        breaks = [line.currency.name for line in bridge_lines if line.drift != 0]
        breaks += [f"Bakong {b.currency.name}" for b in books if b.drift != 0]
        if self.registry.totalOutstanding() != self.jpy.totalSupply():
            breaks.append("JPY outstanding vs supply")
        breaks += [row[0] for row in held if any(row[1:])]
        breaks += [
            inv.number
            for inv, result, _ in getattr(self, "paid_invoices", [])
            if result.settled and result.amount_out != inv.yen
        ]
        if breaks:
            raise UserError(f"reconciliation does not balance: {', '.join(breaks)} (see the tables above)")

    def _invoice_table(self) -> tuple[list[str], list[list[Any]]]:
        headers = [
            "invoice",
            "origin",
            "KHQR amount (៛)",
            "invoiced (¥)",
            "received (¥)",
            "spent (៛)",
            "refunded (៛)",
            "spread vs mid (bps)",
            "status",
            "settlement tx",
        ]
        rows = []
        for inv, result, origin in self.paid_invoices:
            rows.append(
                [
                    inv.number,
                    origin,
                    banker(inv.price, 0),
                    banker(inv.yen, 0),
                    banker(result.amount_out, 0),
                    banker(result.spent, 0),
                    banker(result.refunded, 0),
                    "" if result.spread_bps is None else result.spread_bps,
                    inv.status.value + ("" if result.settled else f" ({result.reason.name.lower()})"),
                    inv.history[-1][1][:12] + "…",
                ]
            )
        return headers, rows

    def _outbound_table(self) -> tuple[list[str], list[list[Any]]]:
        from corridor.bridge.gateway import RedemptionStatus

        headers = [
            "payment",
            "Bakong account",
            "reference",
            "paid out (៛)",
            "yen spent (¥)",
            "escrow",
            "status",
        ]
        rows = []
        for what, payment, jpy_in, rid in self.outbound_payments:
            status = RedemptionStatus(self.bridge.redemption(rid)[2]).name.lower()
            reference = bytes(payment.bill_number).rstrip(b"\0").decode()
            rows.append(
                [
                    what,
                    payment.account_id,
                    reference,
                    banker(payment.amount, 0),
                    banker(jpy_in, 0),
                    f"#{rid}",
                    status,
                ]
            )
        return headers, rows

    # ------------------------------------------------------------------ the report

    def write_report(self) -> Path:
        from corridor.exchange import chart

        self.reports.mkdir(parents=True, exist_ok=True)
        for stale in self.reports.glob(".*.tmp*"):  # left by a run killed while writing
            stale.unlink(missing_ok=True)
        png = self.reports / "price-impact.png"
        _write_atomically(png, lambda tmp: chart.render(tmp))
        steps = markdown_table(list(self.log.headers), self.log.rows)
        body = [
            f"# Corridor demo on `{self.network}`",
            "",
            f"Played in {self.result.seconds:.1f} s. Every line is a transaction (or an off-chain step) of the demo.",
            "",
            steps,
            "",
        ]
        for title, section in self.result.sections:
            body += [f"## {title}", "", section, ""]
        body += ["## Price impact", "", f"![price impact]({png.name})", ""]
        out = self.reports / "demo.md"
        _write_atomically(out, lambda tmp: tmp.write_text("\n".join(body)))
        shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
        print(f"\nreport: {shown} (+ {png.name}); played in {self.result.seconds:.1f} s")
        return out


def _write_atomically(
    path: Path, write: Callable[[Path], Any], kill_point: str | None = "demo.report"
) -> None:
    """`write(tmp)` into a temporary file next to `path`, then renames it over `path`: a reader (or a
    run killed half-way) sees the old file or the new one, never a half-written one. `kill_point` is
    the fault tests' checkpoint between the two (the report's files; none for an invoice's KHQR image)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.tmp", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if kill_point:
            checkpoint(kill_point)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _minutes(seconds: int) -> str:
    """A quote window as the merchant reads it, to the minute ("2 min": a block mined between the quote and
    the reading may take a second off)."""
    return f"{max(1, round(seconds / 60))} min"
