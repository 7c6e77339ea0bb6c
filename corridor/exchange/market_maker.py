"""A market maker for the RFQ venue: prices from the feeds' mid plus a spread and an inventory skew,
signs EIP-712 quotes with eth-account, enforces its own limits and tracks its nonces.

Runs standalone with web3.py against any RPC (ABIs from corridor.artifacts), from scripts, and from
`brownie console` (pass brownie's `web3`):

    >>> from corridor.exchange.market_maker import MarketMaker, FixedMids, QuotePolicy, MakerLimits
    >>> mm = MarketMaker(web3, venue.address, maker.private_key,
    ...                  FixedMids({jpy.address: "0.0067", khr.address: "0.000245", usd.address: "1"}),
    ...                  QuotePolicy(spread_bps=20), MakerLimits(max_quote_usd=50_000))
    >>> signed = mm.quote_exact_out(jpy.address, khr.address, 1_000_000, taker=customer.address)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Protocol

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from corridor import artifacts, tx
from corridor.exchange import rfq
from corridor.exchange.best_execution import Declined, DeclineReason

# Chainlink's AggregatorV3Interface, the two functions read here (a real Chainlink feed, the exchange
# family's FX feeds and MockRfqFeed all answer them).
AGGREGATOR_V3_ABI = [
    {
        "name": "decimals",
        "type": "function",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint8"}],
    },
    {
        "name": "latestRoundData",
        "type": "function",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [
            {"name": "roundId", "type": "uint80"},
            {"name": "answer", "type": "int256"},
            {"name": "startedAt", "type": "uint256"},
            {"name": "updatedAt", "type": "uint256"},
            {"name": "answeredInRound", "type": "uint80"},
        ],
    },
]


# The exchange family's FXFeed guards (IFXFeed): read when the feed has them (a plain AggregatorV3 feed,
# e.g. Chainlink's or MockRfqFeed, does not: its age is then checked against `max_age` alone).
FX_FEED_GUARDS_ABI = [
    {
        "name": n,
        "type": "function",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": t}],
    }
    for n, t in (
        ("isStale", "bool"),
        ("marketOpen", "bool"),
        ("reopensAt", "uint64"),
        ("heartbeat", "uint32"),
    )
]
_FX_FEED_GUARD_SELECTORS = tuple(keccak(text=f"{f['name']}()")[:4] for f in FX_FEED_GUARDS_ABI)


class QuoteRefused(Declined):
    """The market maker declines to quote; `reason` (a DeclineReason) says why: its limits by default."""

    reason = DeclineReason.MAKER_LIMIT


class StaleFeed(QuoteRefused):
    """A feed's last update is older than the maker accepts, or the feed itself says it is stale."""

    reason = DeclineReason.STALE_FEED


class MarketClosed(QuoteRefused):
    """The feed's market is closed (no official fixing until it reopens): the maker does not quote."""

    reason = DeclineReason.MARKET_CLOSED


class FixingPending(QuoteRefused):
    """The feed has a fixing window open (a round in progress: `answeredInRound < roundId`): its rate is
    known off chain and about to land, so quoting the old mid would be the free option the pools refuse."""

    reason = DeclineReason.FIXING_PENDING


class FeedUnusable(QuoteRefused):
    """No feed for the token, or one whose answer is not a price."""

    reason = DeclineReason.FEED_UNUSABLE


# ------------------------------------------------------------------ mid prices


class MidSource(Protocol):
    """USD value of one whole unit of a token (e.g. JPY -> 0.0067)."""

    def usd_price(self, token: str) -> Decimal: ...


@dataclass
class FixedMids:
    """Mids given directly (scripts, tests, a price pushed from elsewhere)."""

    prices: Mapping[str, Decimal | str | float]

    def __post_init__(self) -> None:
        self.prices = {rfq.address(k): Decimal(str(v)) for k, v in self.prices.items()}

    def usd_price(self, token: str) -> Decimal:
        try:
            return self.prices[rfq.address(token)]
        except KeyError:
            raise FeedUnusable(f"no mid for {token}") from None


@dataclass
class FeedMids:
    """Mids read from AggregatorV3-compatible TOKEN/USD feeds; `usd_tokens` are worth 1 USD.

    A price is refused (StaleFeed) when the answer is older than `max_age`, (FixingPending) while the
    feed reports a round in progress (an FXFeed fixing window), and, for a feed that has
    the FXFeed guards, when the feed says `isStale()` (its heartbeat passed) or (MarketClosed) when
    its market is closed: the maker never quotes against a mid the feed itself disowns."""

    w3: Web3
    feeds: Mapping[str, str]
    max_age: int = 3_600
    usd_tokens: tuple[str, ...] = ()
    _guarded: dict[str, bool] = field(default_factory=dict, init=False, repr=False)

    def usd_price(self, token: str) -> Decimal:
        token = rfq.address(token)
        if token in {rfq.address(t) for t in self.usd_tokens}:
            return Decimal(1)
        return self.reading(token).usd_price()

    def reading(self, token: str) -> FeedReading:
        """Everything the maker checks on `token`'s feed, read at the latest block (no refusal raised:
        `FeedReading.usd_price` raises the first one, `FeedReading.problems` lists them all)."""
        token = rfq.address(token)
        feeds = {rfq.address(k): v for k, v in self.feeds.items()}
        if token not in feeds:
            raise FeedUnusable(f"no feed for {token}")
        address = rfq.address(feeds[token])
        feed = self.w3.eth.contract(address=address, abi=AGGREGATOR_V3_ABI)
        round_id, answer, _, updated_at, answered_in_round = feed.functions.latestRoundData().call()
        now = self.w3.eth.get_block("latest")["timestamp"]
        reading = FeedReading(
            token, answer, feed.functions.decimals().call(), round_id, answered_in_round, updated_at, now,
            self.max_age,
        )  # fmt: skip
        guards = self.w3.eth.contract(address=address, abi=FX_FEED_GUARDS_ABI)
        if address not in self._guarded:  # the dispatcher of a contract holds its functions' selectors
            code = bytes(self.w3.eth.get_code(address))
            self._guarded[address] = all(selector in code for selector in _FX_FEED_GUARD_SELECTORS)
        if self._guarded[address]:  # the FXFeed's own word: stale past its heartbeat, or its market closed
            reading.heartbeat = guards.functions.heartbeat().call()
            reading.feed_says_stale = guards.functions.isStale().call()
            if not guards.functions.marketOpen().call():
                reading.reopens_at = guards.functions.reopensAt().call()
        return reading


@dataclass
class FeedReading:
    """One feed as the maker sees it at chain time `now`. The refusals, in the order the maker checks them:
    an answer that is no price, a fixing window open, older than the maker's `max_age`, stale by the
    feed's own heartbeat, market closed. `problems()` gives every one that holds (a service's health
    report: an operator sees a stale feed even while a fixing is pending); `usd_price()` raises the first."""

    token: str
    answer: int
    decimals: int
    round_id: int
    answered_in_round: int
    updated_at: int
    now: int
    max_age: int
    heartbeat: int | None = None  # None: the feed has no FXFeed guards
    feed_says_stale: bool = False
    reopens_at: int | None = None  # set while the feed's market is closed

    @property
    def age(self) -> int:
        return self.now - self.updated_at

    @property
    def stale_since(self) -> int:
        """Chain time from which the answer is (or will be) too old: the earlier of the maker's limit and
        the feed's heartbeat."""
        limits = [self.max_age] + ([self.heartbeat] if self.heartbeat is not None else [])
        return self.updated_at + min(limits)

    def problems(self) -> list[QuoteRefused]:
        token, found = self.token, []
        if self.answer <= 0:
            found.append(FeedUnusable(f"feed for {token} answered {self.answer}"))
        if self.answered_in_round < self.round_id:
            found.append(
                FixingPending(
                    f"feed for {token}: fixing window open (round {self.round_id} not answered yet)"
                )
            )
        if self.age > self.max_age:
            found.append(StaleFeed(f"feed for {token} is {self.age}s old (max {self.max_age}s)"))
        elif self.feed_says_stale:
            found.append(
                StaleFeed(
                    f"feed for {token} is stale: its last answer is {self.age / 3600:.1f} h old "
                    f"(heartbeat {(self.heartbeat or 0) / 3600:.1f} h)"
                )
            )
        if self.reopens_at is not None:
            found.append(MarketClosed(f"feed for {token}: market closed until {self.reopens_at} (unix time)"))
        return found

    def usd_price(self) -> Decimal:
        problems = self.problems()
        if problems:
            raise problems[0]
        return Decimal(self.answer) / (Decimal(10) ** self.decimals)


# ------------------------------------------------------------------ policy and limits


@dataclass(frozen=True)
class QuotePolicy:
    """How far from mid the maker quotes.

    spread_bps: charged on every quote (half of a bid/ask spread).
    skew_bps: at most this much more (or less) when inventories sit at their bounds: the maker quotes
      worse for buying a token it is long in, and better for selling a token it is long in.
    ttl: seconds a quote stays valid.
    """

    spread_bps: int = 20
    skew_bps: int = 10
    ttl: int = 60

    def __post_init__(self) -> None:
        if not 0 <= self.spread_bps < 1_000 or not 0 <= self.skew_bps <= self.spread_bps or self.ttl <= 0:
            raise ValueError("need 0 <= skew_bps <= spread_bps < 1000 and ttl > 0")


@dataclass(frozen=True)
class MakerLimits:
    """The maker's own risk limits, checked before signing.

    max_quote_usd: largest quote, valued at mid.
    min_inventory / max_inventory: balance bounds per token (base units), including outstanding quotes.
    target_inventory: the balance the skew steers toward (defaults to the middle of the bounds).
    max_ttl: no quote lives longer than this.
    """

    max_quote_usd: Decimal | int | str = 100_000
    min_inventory: Mapping[str, int] = field(default_factory=dict)
    max_inventory: Mapping[str, int] = field(default_factory=dict)
    target_inventory: Mapping[str, int] = field(default_factory=dict)
    max_ttl: int = 300


def maker_settings(section: Mapping[str, object], ttl: int | None = None) -> tuple[QuotePolicy, MakerLimits]:
    """The policy and limits of a `market_maker:` settings section (config/<network>.yaml):
    spread_bps, skew_bps, ttl, max_ttl, max_quote_usd. `ttl` overrides the section's (a payment's)."""
    known = {"spread_bps", "skew_bps", "ttl", "max_ttl", "max_quote_usd"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ValueError(
            f"market_maker: unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    missing = sorted(known - set(section))
    if missing:
        raise ValueError(f"market_maker: missing setting(s) {', '.join(missing)}")
    policy = QuotePolicy(
        spread_bps=int(section["spread_bps"]),  # type: ignore[arg-type]
        skew_bps=int(section["skew_bps"]),  # type: ignore[arg-type]
        ttl=int(section["ttl"] if ttl is None else ttl),  # type: ignore[arg-type]
    )
    limits = MakerLimits(max_quote_usd=section["max_quote_usd"], max_ttl=int(section["max_ttl"]))  # type: ignore[arg-type]
    if policy.ttl > limits.max_ttl:
        raise ValueError(f"market_maker: ttl {policy.ttl} is above max_ttl {limits.max_ttl}")
    return policy, limits


# ------------------------------------------------------------------ nonces


@dataclass
class NonceBook:
    """Hands out unordered nonces bit by bit, word by word, skipping any the venue shows as used."""

    next_nonce: int = 0
    issued: list[tuple[int, int]] = field(default_factory=list)  # (nonce, expiry)

    def take(self, used: Callable[[int], bool] | None = None) -> int:
        while used is not None and used(self.next_nonce):
            self.next_nonce += 1
        nonce = self.next_nonce
        self.next_nonce += 1
        return nonce

    def live_masks(self, now: int) -> dict[int, int]:
        """{word: mask} of nonces issued and not yet expired (what `cancel_outstanding` cancels)."""
        masks: dict[int, int] = {}
        for nonce, expiry in self.issued:
            if expiry >= now:
                word, bit = rfq.nonce_position(nonce)
                masks[word] = masks.get(word, 0) | (1 << bit)
        return masks


@dataclass(frozen=True)
class _Outstanding:
    token_out: str
    amount_out: int
    token_in: str
    amount_in: int
    expiry: int


# ------------------------------------------------------------------ the maker


class MarketMaker:
    """Signs firm quotes for one venue.

    `private_key` signs; `maker` is the registered maker address (defaults to the key's address; pass
    an ERC-1271 wallet's address when the key is one the wallet accepts). Inventory is read from chain
    (the maker's token balances) minus what outstanding quotes may still take.
    """

    def __init__(
        self,
        w3: Web3,
        venue: str,
        private_key: str | bytes,
        mids: MidSource,
        policy: QuotePolicy | None = None,
        limits: MakerLimits | None = None,
        maker: str | None = None,
    ) -> None:
        self.w3 = w3
        self.venue = artifacts.at(w3, "RfqVenue", rfq.address(venue))
        self.private_key = private_key
        self.maker = rfq.address(maker or Account.from_key(private_key).address)
        self.mids = mids
        self.policy = policy or QuotePolicy()
        self.limits = limits or MakerLimits()
        self.domain = rfq.venue_domain(w3.eth.chain_id, self.venue.address)
        self.nonces = NonceBook()
        self._outstanding: list[_Outstanding] = []
        self._decimals: dict[str, int] = {}

    # ---------------------------------------------------------------- chain reads

    def now(self) -> int:
        try:
            return int(self.w3.eth.get_block("latest")["timestamp"])
        except Exception:  # noqa: BLE001 - an RPC without blocks (never on a real node)
            return int(time.time())

    def decimals(self, token: str) -> int:
        token = rfq.address(token)
        if token not in self._decimals:
            self._decimals[token] = (
                artifacts.at(self.w3, "IERC20Metadata", rfq.address(token)).functions.decimals().call()
            )
        return self._decimals[token]

    def balance(self, token: str) -> int:
        return artifacts.at(self.w3, "IERC20", rfq.address(token)).functions.balanceOf(self.maker).call()

    def fee_bps(self) -> int:
        return int(self.venue.functions.feeBps().call())

    # ---------------------------------------------------------------- pricing

    def mid(self, token_in: str, token_out: str) -> Decimal:
        """Mid price in base units: token_out units per token_in unit."""
        human = self.mids.usd_price(token_in) / self.mids.usd_price(token_out)
        return human * Decimal(10) ** (self.decimals(token_out) - self.decimals(token_in))

    def _position(self, token: str) -> Decimal:
        """Where the inventory sits between its bounds: -1 at min (short), 0 at target, +1 at max (long)."""
        token = rfq.address(token)
        lo = {rfq.address(k): v for k, v in self.limits.min_inventory.items()}.get(token)
        hi = {rfq.address(k): v for k, v in self.limits.max_inventory.items()}.get(token)
        if lo is None or hi is None or hi <= lo:
            return Decimal(0)
        target = {rfq.address(k): v for k, v in self.limits.target_inventory.items()}.get(
            token, (lo + hi) // 2
        )
        bal = Decimal(self.balance(token))
        if bal >= target:
            return min(Decimal(1), (bal - target) / max(Decimal(1), Decimal(hi - target)))
        return max(Decimal(-1), (bal - target) / max(Decimal(1), Decimal(target - lo)))

    def markdown_bps(self, token_in: str, token_out: str) -> Decimal:
        """How much worse than mid this quote is: spread plus skew (never below zero)."""
        skew = Decimal(self.policy.skew_bps) * (self._position(token_in) - self._position(token_out)) / 2
        return max(Decimal(0), Decimal(self.policy.spread_bps) + skew)

    def price(self, token_in: str, token_out: str) -> Decimal:
        """The maker's price in base units (token_out per token_in), before the venue fee."""
        return self.mid(token_in, token_out) * (1 - self.markdown_bps(token_in, token_out) / Decimal(rfq.BPS))

    # ---------------------------------------------------------------- quoting

    def quote_exact_in(
        self,
        token_in: str,
        token_out: str,
        amount_in: int,
        taker: str = rfq.ZERO_ADDRESS,
        hub: str | None = None,
    ) -> rfq.SignedQuote:
        """A quote taking `amount_in` of token_in (the taker may fill any part of it with fillExactIn)."""
        if amount_in <= 0:
            raise QuoteRefused("amount_in must be positive")
        amount_out = int(
            (Decimal(amount_in) * self.price(token_in, token_out)).to_integral_value(ROUND_FLOOR)
        )
        return self._sign(token_in, token_out, amount_in, amount_out, taker, hub)

    def quote_exact_out(
        self,
        token_in: str,
        token_out: str,
        amount_out: int,
        taker: str = rfq.ZERO_ADDRESS,
        hub: str | None = None,
    ) -> rfq.SignedQuote:
        """A quote sized so that fillExactOut(amount_out) delivers `amount_out` of token_out net of the
        venue fee (e.g. a merchant's invoice), using all of the quote."""
        if amount_out <= 0:
            raise QuoteRefused("amount_out must be positive")
        fee = self.fee_bps()
        gross = -(-amount_out * rfq.BPS // (rfq.BPS - fee)) if fee else amount_out
        amount_in = int((Decimal(gross) / self.price(token_in, token_out)).to_integral_value(ROUND_CEILING))
        return self._sign(token_in, token_out, amount_in, gross, taker, hub)

    def _sign(
        self, token_in: str, token_out: str, amount_in: int, amount_out: int, taker: str, hub: str | None
    ) -> rfq.SignedQuote:
        if amount_out <= 0:
            raise QuoteRefused("the quote rounds to nothing")
        now = self.now()
        self._check_limits(token_in, token_out, amount_in, amount_out, now)
        expiry = now + min(self.policy.ttl, self.limits.max_ttl)
        nonce = self.nonces.take(lambda n: self.venue.functions.isNonceUsed(self.maker, n).call())
        fields = dict(
            maker=self.maker,
            taker=rfq.address(taker),
            token_in=rfq.address(token_in),
            token_out=rfq.address(token_out),
            amount_in=amount_in,
            amount_out=amount_out,
            nonce=nonce,
            expiry=expiry,
        )
        if hub is None:
            quote: rfq.Quote = rfq.Quote(**fields)
        else:
            hub_units = Decimal(amount_in) * self.mid(token_in, hub)
            quote = rfq.CrossQuote(
                **fields, hub=rfq.address(hub), hub_amount=int(hub_units.to_integral_value(ROUND_FLOOR))
            )
            if quote.hub_amount <= 0:
                raise QuoteRefused("the hub leg rounds to nothing")
        self.nonces.issued.append((nonce, expiry))
        self._outstanding.append(_Outstanding(quote.token_out, amount_out, quote.token_in, amount_in, expiry))
        return rfq.sign_quote(self.private_key, self.domain, quote)

    def _check_limits(self, token_in: str, token_out: str, amount_in: int, amount_out: int, now: int) -> None:
        value = Decimal(amount_in) / Decimal(10) ** self.decimals(token_in) * self.mids.usd_price(token_in)
        if value > Decimal(str(self.limits.max_quote_usd)):
            raise QuoteRefused(
                f"quote worth {value:.2f} USD exceeds the {self.limits.max_quote_usd} USD limit"
            )
        self._outstanding = [o for o in self._outstanding if o.expiry >= now]
        t_in, t_out = rfq.address(token_in), rfq.address(token_out)
        committed_out = sum(o.amount_out for o in self._outstanding if o.token_out == t_out)
        incoming_in = sum(o.amount_in for o in self._outstanding if o.token_in == t_in)
        floor = {rfq.address(k): v for k, v in self.limits.min_inventory.items()}.get(t_out, 0)
        available = self.balance(t_out) - committed_out
        if available - amount_out < floor:
            raise QuoteRefused(f"would take {t_out} inventory below {floor} (available {available})")
        cap = {rfq.address(k): v for k, v in self.limits.max_inventory.items()}.get(t_in)
        if cap is not None and self.balance(t_in) + incoming_in + amount_in > cap:
            raise QuoteRefused(f"would take {t_in} inventory above {cap}")

    # ---------------------------------------------------------------- nonce management (sends transactions)

    def cancel_outstanding(self) -> list[str]:
        """Cancels every issued, unexpired nonce word by word (one cancelNonces per word); returns tx hashes.
        The maker's key must be the maker's own EOA (a contract wallet cancels through its own call)."""
        hashes = []
        for word, mask in sorted(self.nonces.live_masks(self.now()).items()):
            receipt = tx.send(self.w3, self.venue.functions.cancelNonces(word, mask), self.private_key)
            hashes.append(tx.hash_of(receipt))
        self._outstanding.clear()
        return hashes

    def approve_venue(self, token: str, amount: int = 2**256 - 1) -> str:
        """Approves the venue to pull `token` (outputs and fees) from the maker's EOA."""
        erc20 = artifacts.at(self.w3, "IERC20", rfq.address(token))
        return tx.hash_of(
            tx.send(self.w3, erc20.functions.approve(self.venue.address, amount), self.private_key)
        )
