"""Bridge fixtures: five validators (3-of-5), bUSD + bKHR, the bridge, and signing helpers.

Module-scoped deployments; `fn_isolation` (root conftest) resets the chain after every test.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from eth_account import Account
from eth_utils import keccak

from corridor.bridge import attest
from corridor.bridge.attest import KHR, USD
from corridor.bridge.deploy import default_config, deploy_bridge

VALIDATOR_COUNT = 5
THRESHOLD = 3
RESERVE = 10**15
"""Reserve attested by the `funded` fixture (well above every limit)."""


def validator_keys(n: int, salt: str = "bakong-validator") -> list[bytes]:
    """`n` deterministic keys, ordered by their address (ascending)."""
    keys = [keccak(text=f"{salt}-{i}") for i in range(n)]
    return sorted(keys, key=lambda k: int(Account.from_key(k).address, 16))


_tx_counter = itertools.count(1)


def fresh_tx_hash() -> bytes:
    """A new non-zero Bakong transaction hash."""
    return keccak(text=f"bakong-tx-{next(_tx_counter)}")


class Signers:
    """The validators of the current epoch, and helpers that build and sign attestations."""

    def __init__(self, chain: Any, bridge: Any, keys: list[bytes]):
        self.chain = chain
        self.bridge = bridge
        self.keys = keys

    @property
    def domain(self) -> attest.Domain:
        return attest.bridge_domain(self.chain.id, self.bridge.address)

    @property
    def addresses(self) -> list[str]:
        return [Account.from_key(k).address for k in self.keys]

    def now(self) -> int:
        return self.chain[-1].timestamp

    def sign(self, att: Any, keys: list[bytes] | None = None, domain: attest.Domain | None = None) -> bytes:
        """`threshold` signatures from the lowest-address keys (or exactly `keys`, in the given order)."""
        domain = domain or self.domain
        if keys is not None:
            return b"".join(attest.validator_signature(k, domain, att).signature.packed for k in keys)
        return attest.collect_signatures(domain, att, self.keys, threshold=self.bridge.threshold())

    def mint_att(self, currency: int, amount: int, recipient: Any, **kw: Any) -> attest.MintAttestation:
        return attest.MintAttestation(
            currency=currency,
            amount=amount,
            recipient=str(recipient),
            bakong_tx_hash=kw.get("bakong_tx_hash") or fresh_tx_hash(),
            khqr_md5=kw.get("khqr_md5", attest.khqr_md5(f"khqr-{amount}")),
            expiry=kw.get("expiry", self.now() + 3600),
            epoch=kw.get("epoch", self.bridge.epoch()),
        )

    def newer_than(self, latest: int) -> int:
        """The latest block time, after mining a block if needed so that it is > `latest`."""
        if self.now() <= latest:
            self.chain.sleep(latest - self.now() + 1)
            self.chain.mine()
        return self.now()

    def reserve_att(self, currency: int, balance: int, **kw: Any) -> attest.ReserveAttestation:
        as_of = kw["as_of"] if "as_of" in kw else self.newer_than(self.bridge.reserveOf(currency)[1])
        return attest.ReserveAttestation(currency, balance, as_of, kw.get("epoch", self.bridge.epoch()))

    def reconciliation(self, currency: int, balance: int, **kw: Any) -> attest.Reconciliation:
        # the contract's reconciliation clock is private; a fresh block is always newer than the last report
        as_of = kw["as_of"] if "as_of" in kw else self.newer_than(self.now())
        return attest.Reconciliation(currency, balance, as_of, kw.get("epoch", self.bridge.epoch()))

    def finalization(self, redemption_id: int, payout: bytes | None = None, **kw: Any):
        return attest.RedemptionFinalization(
            redemption_id, payout or fresh_tx_hash(), kw.get("epoch", self.bridge.epoch())
        )

    def rejection(self, redemption_id: int, reason: str = "UNKNOWN_ACCOUNT", **kw: Any):
        return attest.RedemptionRejection(
            redemption_id, attest.reason_bytes32(reason), kw.get("epoch", self.bridge.epoch())
        )

    def deposit(self, amount: int, recipient: Any, **kw: Any) -> attest.BatchDeposit:
        """One deposit of a batch (a fresh Bakong hash unless `bakong_tx_hash` is given)."""
        return attest.BatchDeposit(
            amount,
            str(recipient),
            kw.get("bakong_tx_hash") or fresh_tx_hash(),
            kw.get("khqr_md5", attest.khqr_md5(f"khqr-{amount}")),
        )

    def batch_att(
        self, currency: int, deposits: list[attest.BatchDeposit], **kw: Any
    ) -> attest.BatchMintAttestation:
        return attest.batch_mint_attestation(
            currency, deposits, kw.get("expiry", self.now() + 3600), kw.get("epoch", self.bridge.epoch())
        )

    def mint_batch(self, currency: int, deposits: list[attest.BatchDeposit], sender: Any, **kw: Any):
        att = self.batch_att(currency, deposits, **kw)
        return self.bridge.mintBatch(
            att.as_tuple(), [d.as_tuple() for d in deposits], self.sign(att), {"from": sender}
        )

    def payout(self, redemption_id: int, **kw: Any) -> attest.BatchPayout:
        """One payout of a finalization batch (a fresh payout hash unless `payout_tx_hash` is given)."""
        return attest.BatchPayout(redemption_id, kw.get("payout_tx_hash") or fresh_tx_hash())

    def finalization_batch_att(
        self, currency: int, payouts: list[attest.BatchPayout], **kw: Any
    ) -> attest.BatchRedemptionFinalization:
        """The batch's attestation; the total is the escrow the chain holds for its redemptions unless
        `amounts` is given."""
        amounts = kw.get("amounts") or [int(self.bridge.redemption(p.redemption_id)[4]) for p in payouts]
        return attest.batch_finalization(
            currency,
            payouts,
            amounts,
            kw.get("expiry", self.now() + 3600),
            kw.get("epoch", self.bridge.epoch()),
        )

    def finalize_batch(self, currency: int, payouts: list[attest.BatchPayout], sender: Any, **kw: Any):
        att = self.finalization_batch_att(currency, payouts, **kw)
        return self.bridge.finalizeRedemptionBatch(
            att.as_tuple(), [p.as_tuple() for p in payouts], self.sign(att), {"from": sender}
        )

    # one-call actions -----------------------------------------------------------------------
    def mint(self, currency: int, amount: int, recipient: Any, sender: Any, **kw: Any):
        att = self.mint_att(currency, amount, recipient, **kw)
        return self.bridge.mint(att.as_tuple(), self.sign(att), {"from": sender})

    def attest_reserve(self, currency: int, balance: int, sender: Any):
        att = self.reserve_att(currency, balance)
        return self.bridge.attestReserve(att.as_tuple(), self.sign(att), {"from": sender})


@pytest.fixture(scope="module")
def keys():
    return validator_keys(VALIDATOR_COUNT)


KYC_TIER = 3
"""Tier of the holders verified by `deployment` (unlimited under the default tier limits)."""
CAMBODIA = 116


@pytest.fixture(scope="module")
def deployment(BakongBridge, BridgeToken, admin, operator, guardian, alice, bob, merchant, customer, keys):
    """bUSD + bKHR (BridgeToken proxies) and the bridge; alice, bob, merchant, customer verified on both."""
    from brownie import project

    cfg = default_config(
        [Account.from_key(k).address for k in keys],
        THRESHOLD,
        pauser=operator,
        guardian=guardian,
    )
    d = deploy_bridge(project.get_loaded_projects()[0], admin, cfg)
    d.verify_holders(admin, [alice, bob, merchant, customer], tier=KYC_TIER, jurisdiction=CAMBODIA)
    return d


@pytest.fixture(scope="module")
def bridge(deployment):
    return deployment.bridge


@pytest.fixture(scope="module")
def busd(deployment):
    return deployment.tokens[USD]


@pytest.fixture(scope="module")
def bkhr(deployment):
    return deployment.tokens[KHR]


@pytest.fixture(scope="module")
def signers(chain, bridge, keys):
    return Signers(chain, bridge, keys)


@pytest.fixture
def funded(signers, relayer, bridge):
    """Both currencies have a fresh reserve attestation of RESERVE (function scope: tests without it have none)."""
    signers.attest_reserve(USD, RESERVE, relayer)
    signers.attest_reserve(KHR, RESERVE, relayer)
    return RESERVE
