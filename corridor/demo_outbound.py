"""The outbound world on a deployed suite (tests/outbound, `make gas` and the outbound demo flows share it):
the suite's KhqrPayer (deployed and wired by corridor.suite.deploy_suite), the market maker funded with bKHR/bUSD through attested Bakong deposits and approving the
venue, the pools seeded, and a yen payer holding JPYS. `OutboundWorld` also signs RFQ quotes and the
validators' finalizations/rejections, the way the relayer does after paying out (or failing to) on Bakong.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD
from corridor.codes import JAPAN
from corridor.exchange import rfq
from corridor.exchange.deploy import balanced_hub_amount, seed_pool
from corridor.khqr_pay import Payment
from corridor.stablecoin.ops import StablecoinOps
from corridor.suite import dev_party_key, dev_validator_keys, parties

MAX = 2**256 - 1
_counter = itertools.count(1)


def _bakong_hash(label: str) -> bytes:
    return keccak(text=f"outbound {label} {next(_counter)}")


@dataclass
class OutboundWorld:
    suite: Any
    settings: dict[str, Any]
    payer_contract: Any
    who: dict[str, Any]
    maker_key: str
    validator_keys: list[str]
    chain: Any
    nonces: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def jpys(self) -> Any:
        return self.suite.stablecoin.token

    @property
    def bridge(self) -> Any:
        return self.suite.bridge.bridge

    @property
    def venue(self) -> Any:
        return self.suite.rfq.venue

    @property
    def router(self) -> Any:
        return self.suite.exchange.router

    def token(self, currency: int) -> Any:
        return self.suite.bridge.token(currency)

    def quote(self, p: Payment, rate_num: int = 30, rate_den: int = 1, expiry: int | None = None, **kw: Any):
        """A signed quote selling the payment's bridge token for JPYS: `rate_num / rate_den` minor units per
        yen, sized at twice the payment (room for the venue fee; `taker` the KhqrPayer unless given)."""
        amount_out = kw.get("amount_out", 2 * p.amount)
        q = rfq.Quote(
            maker=self.who["market_maker"].address,
            taker=kw.get("taker", self.payer_contract.address),
            token_in=kw.get("token_in", self.jpys.address),
            token_out=kw.get("token_out", self.token(p.currency.value).address),
            amount_in=-(-amount_out * rate_den // rate_num) + kw.get("extra_in", 0),
            amount_out=amount_out,
            nonce=kw.get("nonce", next(self.nonces)),
            expiry=expiry if expiry is not None else self.chain.time() + 600,
        )
        return rfq.sign_quote(self.maker_key, rfq.venue_domain(self.chain.id, self.venue.address), q)

    def path(self, currency: int, inbound: bool = False) -> list[str]:
        """JPYS -> USD -> token (or back with inbound), or one hop for USD."""
        busd = self.token(USD).address
        out = (
            [self.jpys.address, busd]
            if currency == USD
            else [self.jpys.address, busd, self.token(currency).address]
        )
        return out[::-1] if inbound else out

    def _domain(self) -> attest.Domain:
        return attest.bridge_domain(self.chain.id, self.bridge.address)

    def finalization(self, redemption_id: int) -> tuple[tuple, bytes]:
        f = attest.RedemptionFinalization(redemption_id, _bakong_hash("payout"), self.bridge.epoch())
        return f.as_tuple(), attest.collect_signatures(
            self._domain(), f, self.validator_keys, self.bridge.threshold()
        )

    def rejection(self, redemption_id: int, reason: str = "UNKNOWN_ACCOUNT") -> tuple[tuple, bytes]:
        j = attest.RedemptionRejection(redemption_id, attest.reason_bytes32(reason), self.bridge.epoch())
        return j.as_tuple(), attest.collect_signatures(
            self._domain(), j, self.validator_keys, self.bridge.threshold()
        )

    def mint(self, currency: int, amount: int, recipient: Any, relayer: Any) -> None:
        h = _bakong_hash("deposit")
        att = attest.MintAttestation(
            currency, amount, str(recipient), h, h[:16], self.chain.time() + 3600, self.bridge.epoch()
        )
        sigs = attest.collect_signatures(self._domain(), att, self.validator_keys, self.bridge.threshold())
        tx = self.bridge.mint(att.as_tuple(), sigs, {"from": relayer})
        if tx.return_value:  # queued large mint: wait out the delay
            self.chain.sleep(int(self.settings["bridge"]["timings"]["mint_delay"]) + 1)
            self.chain.mine()
            self.bridge.executeQueuedMint(h, {"from": relayer})


def build_world(suite: Any, settings: dict[str, Any], accounts: Any, chain: Any) -> OutboundWorld:
    """Funds the parties around the suite's KhqrPayer (see the module docstring)."""
    who = parties(settings, accounts)
    relayer, lp, mm = accounts[9], who["liquidity"], who["market_maker"]
    payer_contract = suite.khqr_payer
    keys = dev_validator_keys(int(settings["validators"]["dev_keys"]))
    world = OutboundWorld(
        suite,
        settings,
        payer_contract,
        who,
        dev_party_key(str(settings["parties"]["market_maker"])[4:]),
        keys,
        chain,
    )
    bridge = suite.bridge.bridge
    for currency in (KHR, USD):
        chain.sleep(1)
        chain.mine()
        # the chain's own clock (the latest block): brownie's chain.time() can run ahead of it (ObservationFromFuture)
        att = attest.ReserveAttestation(currency, 10**15, chain[-1].timestamp, bridge.epoch())
        bridge.attestReserve(
            att.as_tuple(),
            attest.collect_signatures(world._domain(), att, keys, bridge.threshold()),
            {"from": relayer},
        )
    limits = {c: bridge.limitsOf(c)[0] for c in (KHR, USD)}  # maxPerMessage
    for currency, holder, amount in (
        (KHR, mm, 4 * 10**8),
        (USD, mm, 10**7),
        (KHR, lp, 8 * 10**7),
        (USD, lp, 4_500_000),
    ):
        while amount:
            step = min(amount, limits[currency])
            world.mint(currency, step, holder, relayer)
            amount -= step
    for currency in (KHR, USD):
        world.token(currency).approve(suite.rfq.venue, MAX, {"from": mm})
    ops = StablecoinOps(suite.stablecoin.token, suite.stablecoin.registry)
    issuer_id = next(iter(suite.stablecoin.issuer_ids.values()))
    issuer = who["issuer_a"]
    ops.mint(issuer_id, lp, 3_000_000, "OUT-LP", issuer)
    busd = world.token(USD)
    for symbol, token, amount in (
        ("JPY", suite.stablecoin.token, 3_000_000),
        ("KHR", world.token(KHR), 80_000_000),
    ):
        feed = suite.exchange.feeds[symbol]
        hub = balanced_hub_amount(
            amount, feed.latestRoundData()[1], feed.decimals(), token.decimals(), busd.decimals()
        )
        seed_pool(suite.exchange.pools[symbol], token, busd, lp, amount, hub)
    return world


def fund_payer(world: OutboundWorld, payer: Any, jpy: int, tier: int = 1) -> None:
    """Verifies `payer` on JPYS (Japan) and issues it `jpy` yen; it approves the KhqrPayer."""
    suite, who = world.suite, world.who
    world.jpys.setKyc(payer, tier, JAPAN, {"from": who["admin"]})
    ops = StablecoinOps(suite.stablecoin.token, suite.stablecoin.registry)
    ops.mint(
        next(iter(suite.stablecoin.issuer_ids.values())), payer, jpy, f"OUT-{payer}"[:32], who["issuer_a"]
    )
    world.jpys.approve(world.payer_contract, MAX, {"from": payer})
