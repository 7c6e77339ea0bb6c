"""The corridor as the whole-corridor state machine sees it: deployed by `corridor.suite.deploy_suite`
(the function scripts/deploy.py and the demo call), populated through the real off-chain pieces
(Bakong ledger simulator, validators, relayer), plus the small models the machine predicts with.

Nothing here wires contracts: `World.build` only deploys through the suite, verifies two extra test
parties, funds parties through Bakong deposits and issuer mints, and seeds the pools through
`corridor.exchange.deploy.seed_pool`. `World.bakong` rebuilds the off-chain side for each example
(the chain is reverted between examples; the SQLite ledger is rebuilt from the balances it had at the
snapshot).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from brownie import chain, web3
from brownie.exceptions import VirtualMachineError

from corridor.bridge.attest import KHR, USD
from corridor.bridge.offchain import BakongSide, bakong_side
from corridor.deploy.settings import load_settings
from corridor.exchange.deploy import balanced_hub_amount, seed_pool
from corridor.exchange.market_maker import FeedMids, MakerLimits, MarketMaker, QuotePolicy
from corridor.stablecoin.ops import StablecoinOps
from corridor.suite import Suite, deploy_suite, dev_key, dev_validator_keys, parties

MAX = 2**256 - 1
UNLIMITED = MAX
POLL_SECONDS = 5
# Five validators are on chain after the deploy; three more keys exist so rotations can bring in new ones.
VALIDATOR_KEYS = 8
GHOST_ACCOUNT = "ghost@nobank"  # well-formed, unknown to Bakong: the relayer rejects (refund)
MALFORMED_ACCOUNT = "no-at-sign"  # refused on chain (InvalidBakongAccountId)
CURRENCIES = (KHR, USD)
CURRENCY_NAME = {KHR: "KHR", USD: "USD"}
OUTCOMES: Counter = Counter()
"""(action, outcome) -> count over the run: shows which paths the random steps reached (printed with -s)."""


def move_bps(frm: int, answer: int) -> int:
    """FXFeed's move from the earlier answer `frm`, in bps rounded up."""
    return (abs(answer - frm) * 10_000 + frm - 1) // frm


@dataclass
class Breaker:
    """FXFeed's circuit-breaker windows: the extremes of the current window (started at `start`) and of
    the previous one. A new rate must be within maxMoveBps of both extremes (every answer of the last
    heartbeat); a submission a heartbeat after `start` rolls the windows first."""

    start: int
    lo: int
    hi: int
    prev_lo: int
    prev_hi: int

    @classmethod
    def restart(cls, answer: int, at: int) -> Breaker:
        return cls(at, answer, answer, answer, answer)

    def _rolled(self, now: int, heartbeat: int, latest: int, latest_at: int) -> tuple[int, int, int, int]:
        if now < self.start + heartbeat:
            return self.lo, self.hi, self.prev_lo, self.prev_hi
        keep = now < latest_at + heartbeat  # the old window still holds answers of the last heartbeat
        return latest, latest, self.lo if keep else latest, self.hi if keep else latest

    def bounds(self, now: int, heartbeat: int, latest: int, latest_at: int) -> tuple[int, int]:
        lo, hi, prev_lo, prev_hi = self._rolled(now, heartbeat, latest, latest_at)
        return min(lo, prev_lo), max(hi, prev_hi)

    def record(self, at: int, heartbeat: int, latest: int, latest_at: int, answer: int) -> None:
        """A submission of `answer` landed at `at` (latest / latest_at: the round before it)."""
        if at >= self.start + heartbeat:
            self.lo, self.hi, self.prev_lo, self.prev_hi = self._rolled(at, heartbeat, latest, latest_at)
            self.start = at
        self.lo, self.hi = min(self.lo, answer), max(self.hi, answer)


def batch_call(calls: list[tuple[Any, tuple]], allow_revert: bool = False) -> list[Any]:
    """Many view calls in one JSON-RPC batch (one HTTP round trip instead of three requests per call
    through brownie and web3's middlewares: the invariants read ~100 values after every step). With
    `allow_revert`, a reverting call yields None instead of raising."""
    if not calls:
        return []
    payload = [
        {
            "jsonrpc": "2.0",
            "id": i,
            "method": "eth_call",
            "params": [{"to": fn._address, "data": fn.encode_input(*args)}, "latest"],
        }
        for i, (fn, args) in enumerate(calls)
    ]
    answers = {a["id"]: a for a in requests.post(web3.provider.endpoint_uri, json=payload, timeout=30).json()}
    out = []
    for i, (fn, _) in enumerate(calls):
        answer = answers[i]
        if "error" in answer:
            if allow_revert:
                out.append(None)
                continue
            raise RuntimeError(f"{fn._name} reverted in a batch: {answer['error']}")
        out.append(fn.decode_output(answer["result"]))
    return out


def revert_name(exc: Exception) -> str:
    """The custom error's name of a brownie revert ("AccountFrozen: 0x…" -> "AccountFrozen")."""
    msg = getattr(exc, "revert_msg", None) or str(exc)
    return str(msg).split(":")[0].split("(")[0].strip()


def attempt(fn: Any, *args: Any) -> tuple[str | None, Any]:
    """(None, tx) when the transaction succeeded, else (custom error name, None)."""
    try:
        return None, fn(*args)
    except VirtualMachineError as exc:
        return revert_name(exc), None


@dataclass
class Party:
    """A corridor participant: an EVM account and (maybe) a Bakong account."""

    name: str
    account: Any
    bakong: str | None = None

    @property
    def address(self) -> str:
        return self.account.address


@dataclass
class World:
    """The deployed corridor and its parties, at the snapshot every example starts from."""

    suite: Suite
    settings: dict[str, Any]
    who: dict[str, Any]
    admin: Any
    users: list[Party]  # random actors: KYC'd parties and one unverified stranger
    lp: Party
    maker: Party
    treasury: Any
    attestor: Any  # a keyed ATTESTOR_ROLE holder (signed reserve attestations)
    omnibus: str
    shop: Any = None  # a Japanese merchant paid by KHQR invoices only (its yen is exactly what it settled)
    ledger_accounts: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # id -> (name, KHR, USD)
    issuer_ids: dict[str, int] = field(default_factory=dict)

    # ----------------------------------------------------------- contracts
    @property
    def jpy(self) -> Any:
        return self.suite.stablecoin.token

    @property
    def registry(self) -> Any:
        return self.suite.stablecoin.registry

    @property
    def bridge(self) -> Any:
        return self.suite.bridge.bridge

    @property
    def busd(self) -> Any:
        return self.suite.bridge.token("USD")

    @property
    def bkhr(self) -> Any:
        return self.suite.bridge.token("KHR")

    @property
    def router(self) -> Any:
        return self.suite.exchange.router

    @property
    def venue(self) -> Any:
        return self.suite.rfq.venue

    @property
    def pools(self) -> dict[str, Any]:
        return self.suite.exchange.pools

    @property
    def feeds(self) -> dict[str, Any]:
        return self.suite.exchange.feeds

    def bridge_token(self, currency: int) -> Any:
        return self.suite.bridge.tokens[currency]

    def holders(self) -> list[str]:
        """Every address that can hold corridor tokens in the machine."""
        out = [p.address for p in self.users] + [self.lp.address, self.maker.address]
        out += [str(self.treasury), str(self.admin), str(self.who["issuer_a"]), str(self.who["issuer_b"])]
        out += [p.address for p in self.pools.values()] + [self.venue.address, self.bridge.address]
        out += [
            str(self.attestor),
            str(self.shop),
            self.suite.settlement.address,
            self.suite.khqr_payer.address,
        ]
        return list(dict.fromkeys(out))

    # ----------------------------------------------------------- off-chain side, per example
    def bakong(self) -> BakongSide:
        """A fresh ledger simulator holding the snapshot's balances, validators (all keys, current or
        not) and a relayer that scans from the current block."""
        side = bakong_side(
            web3,
            self.bridge.address,
            self.admin,
            dev_validator_keys(VALIDATOR_KEYS),
            omnibus_account=self.omnibus,
            hooks=[self.suite.settlement.address],  # invoices paid by KHQR (corridor_machine/settlement.py)
            khqr_payer=self.suite.khqr_payer.address,  # rejected yen payments refunded in JPYS (outbound.py)
            clock=lambda: chain[-1].timestamp * 1_000,  # KHQR expiries and quote windows on the chain's clock
        )
        for account_id, (name, khr, usd) in self.ledger_accounts.items():
            if account_id != self.omnibus:
                side.ledger.open_account(account_id, name)
            if khr:
                side.ledger.cash_in(account_id, "KHR", khr)
            if usd:
                side.ledger.cash_in(account_id, "USD", usd)
        return side

    def market_maker(self) -> MarketMaker:
        feeds = {self.jpy.address: self.feeds["JPY"].address, self.bkhr.address: self.feeds["KHR"].address}
        return MarketMaker(
            web3,
            self.venue.address,
            self.maker.account.private_key,
            FeedMids(web3, feeds, max_age=10**9, usd_tokens=(self.busd.address,)),
            policy=QuotePolicy(spread_bps=3, skew_bps=2, ttl=600),
            limits=MakerLimits(max_quote_usd=3_000),
        )

    # ----------------------------------------------------------- the snapshot
    @classmethod
    def build(cls, project: Any, accounts: Any) -> World:
        """Deploys the suite from config/development.yaml and brings it to a working corridor."""
        settings = load_settings("development", development=True)
        admin = accounts[0]
        suite = deploy_suite(project, admin, settings, accounts)
        who = parties(settings, accounts)
        omnibus = settings["bridge"].get("omnibus_account", "bridge@nbcq")

        alice = accounts.add(dev_key("corridor machine alice"))  # keyed: signs EIP-3009 authorizations
        attestor = accounts.add(dev_key("corridor machine attestor"))
        shop = accounts.add(dev_key("corridor machine shop"))
        maker_account = who["market_maker"]
        for keyed in (alice, attestor, maker_account):
            if web3.eth.get_balance(keyed.address) < 10**18:
                admin.transfer(keyed, 10**19)

        users = [
            Party("customer", who["customer"], "sokha@aclb"),
            Party("merchant", who["merchant"], "merchant@mufg"),
            Party("alice", alice, "alice@wing"),
            Party("stranger", accounts[9], "stranger@wing"),  # has Bakong money, never KYC'd on chain
        ]
        lp = Party("liquidity", who["liquidity"], "liquidity@abaa")
        maker = Party("market_maker", maker_account, "maker@wing")
        world = cls(
            suite=suite,
            settings=settings,
            who=who,
            admin=admin,
            users=users,
            lp=lp,
            maker=maker,
            treasury=who["treasury"],
            attestor=attestor,
            omnibus=omnibus,
            shop=shop,
            issuer_ids=dict(suite.stablecoin.issuer_ids),
        )
        jpy, busd, bkhr = world.jpy, world.busd, world.bkhr
        # alice: an extra verified party (corporate tier); the stranger stays unverified everywhere
        for token in (jpy, busd, bkhr):
            token.setKyc(alice, 3, 392, {"from": admin})
        world.registry.grantRole(world.registry.ATTESTOR_ROLE(), attestor, {"from": admin})
        jpy.setKyc(shop, 2, 392, {"from": admin})  # a Japanese SME: paid in yen, nothing else

        # Bakong: every party has an account with money; deposits go through the real relayer
        side = bakong_side(web3, world.bridge.address, admin, dev_validator_keys(VALIDATOR_KEYS), omnibus)
        cash = {
            "sokha@aclb": (40_000_000, 5_000_00),
            "merchant@mufg": (4_000_000, 2_000_00),
            "alice@wing": (40_000_000, 20_000_00),
            "stranger@wing": (10_000_000, 1_000_00),
            "liquidity@abaa": (200_000_000, 80_000_00),
            "maker@wing": (40_000_000, 15_000_00),
        }
        for account_id, (khr, usd) in cash.items():
            side.ledger.open_account(account_id, account_id.split("@")[0])
            side.ledger.cash_in(account_id, "KHR", khr)
            side.ledger.cash_in(account_id, "USD", usd)
        deposits = [
            (lp, "KHR", 80_000_000),
            (lp, "KHR", 60_000_000),  # kept for adding liquidity later
            *[(lp, "USD", 1_500_000)] * 4,  # $60,000 in deposits below the large-mint threshold
            (maker, "KHR", 30_000_000),
            (maker, "USD", 1_000_000),
            (users[0], "KHR", 3_500_000),
            (users[2], "KHR", 8_000_000),
            (users[2], "USD", 500_000),
            (users[1], "USD", 100_000),
        ]
        for party, currency, amount in deposits:
            intent = side.relayer.request_deposit(currency, amount, party.address)
            side.ledger.pay_khqr(party.bakong, intent.khqr)
        chain.sleep(POLL_SECONDS)
        chain.mine()
        report = side.relayer.run_once()
        assert not report.errors and not report.queued, report.summary()

        # JPY: fresh attestations, issuer mints to the parties
        ops = StablecoinOps(jpy, world.registry)
        a, b = world.issuer_ids["Trust Bank A"], world.issuer_ids["Trust Bank B"]
        for issuer_id in (a, b):
            reserve = world.registry.issuer(issuer_id)["reserve"]
            ops.attest_reserve(issuer_id, reserve, admin)
        for issuer_id, operator, party, amount in (
            (a, who["issuer_a"], lp, 5_000_000),
            (b, who["issuer_b"], maker, 2_000_000),
            (a, who["issuer_a"], users[2], 600_000),
            (b, who["issuer_b"], users[1], 300_000),
            (a, who["issuer_a"], users[0], 100_000),
        ):
            ops.mint(issuer_id, party.account, amount, "MACHINE-SEED", operator)

        # pools seeded at the feed mid by the liquidity provider
        for symbol, token, amount in (("JPY", jpy, 3_000_000), ("KHR", bkhr, 80_000_000)):
            feed = world.feeds[symbol]
            hub_amount = balanced_hub_amount(
                amount, feed.latestRoundData()[1], feed.decimals(), token.decimals(), busd.decimals()
            )
            seed_pool(world.pools[symbol], token, busd, lp.account, amount, hub_amount)

        # allowances: users and the LP to the router, pools, venue, bridge and issuer operators; the maker to
        # the venue (outputs and fees)
        spenders = [
            world.router,
            world.venue,
            world.bridge,
            *world.pools.values(),
            who["issuer_a"],
            who["issuer_b"],
        ]
        for party in [*users, lp]:
            for token in (jpy, busd, bkhr):
                for spender in spenders:
                    token.approve(spender, MAX, {"from": party.account})
        for token in (jpy, busd, bkhr):
            token.approve(world.venue, MAX, {"from": maker.account})

        ids = [world.omnibus, *cash]
        world.ledger_accounts = {
            i: (i.split("@")[0], side.ledger.balance(i, "KHR"), side.ledger.balance(i, "USD")) for i in ids
        }
        for currency in CURRENCIES:
            assert (
                world.ledger_accounts[omnibus][1 if currency == KHR else 2]
                == world.bridge_token(currency).totalSupply()
            )
        return world


# ---------------------------------------------------------------------------- prediction models


@dataclass
class Expectation:
    """What a transaction may do: `certain` errors make it fail for sure (with one of `certain` or
    `possible`); `possible` errors may or may not fire (boundaries, pool math)."""

    certain: set[str] = field(default_factory=set)
    possible: set[str] = field(default_factory=set)

    def add(self, error: str, sure: bool = True) -> None:
        (self.certain if sure else self.possible).add(error)

    def check(self, error: str | None, what: str) -> None:
        OUTCOMES[(what.split(" ")[0], error or "ok")] += 1
        if self.certain:
            assert error is not None, f"{what}: succeeded although {sorted(self.certain)} must stop it"
        if error is not None:
            assert (
                error in self.certain | self.possible
            ), f"{what}: reverted with {error}, expected {sorted(self.certain | self.possible) or 'success'}"


def tier_of(token: Any, account: Any) -> tuple[int, bool]:
    tier, _, frozen = token.kycOf(account)
    return int(tier), bool(frozen)


def expect_receive(exp: Expectation, token: Any, to: Any) -> None:
    """A credit to `to` (mint, transfer, refund) needs a verified, unfrozen account."""
    tier, frozen = tier_of(token, to)
    if tier == 0:
        exp.add("AccountNotVerified")
    elif frozen:
        exp.add("AccountFrozen")


def expect_send(exp: Expectation, token: Any, sender: Any, amount: int, day_edge: bool = False) -> None:
    """A transfer of `amount` out of `sender`: verified, unfrozen, funded, within its tier's limits."""
    tier, frozen = tier_of(token, sender)
    if token.paused():
        exp.add("EnforcedPause")
    if tier == 0:
        exp.add("AccountNotVerified")
        return
    if frozen:
        exp.add("AccountFrozen")
    if token.balanceOf(sender) < amount:
        exp.add("ERC20InsufficientBalance")
    if tier < 4:
        per, daily = token.tierLimits(tier)
        if per != UNLIMITED and amount > per:
            exp.add("TransferLimitExceeded")
        if daily != UNLIMITED and token.spentToday(sender) + amount > daily:
            # at a UTC midnight boundary the counter may restart in the transaction's block
            exp.add("DailyLimitExceeded", sure=not day_edge)


def expect_transfer(
    exp: Expectation, token: Any, sender: Any, to: Any, amount: int, day_edge: bool = False
) -> None:
    expect_send(exp, token, sender, amount, day_edge)
    expect_receive(exp, token, to)


def usd_value(amount: int, decimals: int, answer: int, feed_decimals: int = 8) -> Decimal:
    """USD value of `amount` base units at a feed answer (USD per whole unit, `feed_decimals`)."""
    return Decimal(amount) / Decimal(10) ** decimals * Decimal(answer) / Decimal(10) ** feed_decimals


def units_for_cents(cents: int, decimals: int, answer: int | None, feed_decimals: int = 8) -> int:
    """Base units worth `cents` US cents at a feed answer (`answer` None: the token is USD itself)."""
    if answer is None:
        return cents * 10**decimals // 100
    return max(1, cents * 10**decimals * 10**feed_decimals // (100 * answer))
