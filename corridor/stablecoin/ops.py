"""Issuer and compliance operations on a deployed JPY stablecoin, for scripts, the demo and `brownie console`.

    ops = StablecoinOps(d.token, d.registry)
    ops.verify(alice, TIER_RETAIL, JAPAN, sender=compliance)
    ops.attest_reserve(issuer_id, ops.units(10_000_000), sender=attestor)
    ops.mint(issuer_id, alice, ops.units(50_000), "DEPOSIT-0001", sender=bank_a)
    ops.pay(alice, merchant, ops.units(1_200), "INV-2024-0042")
    ops.redeem(issuer_id, alice, ops.units(10_000), "WD-0001", sender=bank_b)  # needs alice's approve/permit

Amounts are base units (`units()` converts whole tokens). References are bytes32: short text is stored
left-aligned (readable in explorers), longer text (or a UETR) as its keccak256 (see `reference`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from brownie import chain
from brownie._config import CONFIG
from eth_utils import keccak

from corridor.eip712 import Domain, Signature
from corridor.stablecoin import signing


def reference(value: str | bytes) -> bytes:
    """A bytes32 payment / deposit / legal reference: text up to 32 bytes left-aligned, else keccak256."""
    raw = value.encode() if isinstance(value, str) else bytes(value)
    if len(raw) <= 32:
        return raw.ljust(32, b"\0")
    return keccak(raw)


def reason_code(text: str) -> bytes:
    """A bytes32 legal reason code for seize / recover (e.g. "COURT-ORDER-2025-123")."""
    return reference(text)


@dataclass
class StablecoinOps:
    """Thin, typed wrappers over the token and registry transactions; every method returns the brownie tx."""

    token: Any
    registry: Any

    # -------------------------------------------------------------- helpers
    def units(self, whole: int) -> int:
        return whole * 10 ** self.token.decimals()

    def token_domain(self) -> Domain:
        return signing.token_domain(self.token.name(), chain.id, self.token.address)

    def registry_domain(self) -> Domain:
        return signing.registry_domain(chain.id, self.registry.address)

    # -------------------------------------------------------------- compliance
    def verify(self, account: Any, tier: int, jurisdiction: int, sender: Any) -> Any:
        """KYC `account` (tier 1..4, ISO 3166-1 numeric jurisdiction)."""
        return self.token.setKyc(account, tier, jurisdiction, {"from": sender})

    def freeze(self, account: Any, sender: Any) -> Any:
        return self.token.freeze(account, {"from": sender})

    def unfreeze(self, account: Any, sender: Any) -> Any:
        return self.token.unfreeze(account, {"from": sender})

    def seize(self, frozen: Any, to: Any, amount: int, reason: str, sender: Any) -> Any:
        """Moves `amount` from a frozen account to `to` under a legal reason code."""
        return self.token.seize(frozen, to, amount, reason_code(reason), {"from": sender})

    def recover(self, lost: Any, new_account: Any, reason: str, sender: Any) -> Any:
        """Lost-key recovery: the whole balance of `lost` to the verified `new_account`."""
        return self.token.recover(lost, new_account, reason_code(reason), {"from": sender})

    # -------------------------------------------------------------- issuers
    def fresh_as_of(self, issuer_id: int) -> int:
        """The latest block's time, once it is later than the issuer's last attestation.

        The registry takes only strictly newer attestations (`AttestationNotNewer`), and a local chain that
        mines a block per transaction stamps several blocks with the same second: the deploy's attestation
        and the next one could share a timestamp. On a development chain the clock is moved on by a block;
        on a live chain this waits for a block of a later second."""
        last = self.registry.issuer(issuer_id)["reserveAsOf"]
        latest = chain[-1].timestamp
        while latest <= last:
            if CONFIG.network_type == "development":
                chain.sleep(1)
                chain.mine()
            else:
                time.sleep(1)
            latest = chain[-1].timestamp
        return latest

    def attest_reserve(self, issuer_id: int, amount: int, sender: Any, as_of: int | None = None) -> Any:
        """Records the issuer's reserve (base units) as of `as_of` (default: {fresh_as_of})."""
        as_of = self.fresh_as_of(issuer_id) if as_of is None else as_of
        return self.registry.attestReserve(issuer_id, amount, as_of, {"from": sender})

    def attest_reserve_signed(
        self,
        issuer_id: int,
        amount: int,
        attestor_key: str,
        attestor: str,
        submitter: Any,
        as_of: int | None = None,
    ) -> Any:
        """Signs an attestation with the attestor's key (off-chain) and submits it from `submitter`."""
        as_of = self.fresh_as_of(issuer_id) if as_of is None else as_of
        sig = signing.sign_reserve_attestation(attestor_key, self.registry_domain(), issuer_id, amount, as_of)
        return self.registry.attestReserveWithSignature(
            issuer_id, amount, as_of, attestor, sig.packed, {"from": submitter}
        )

    def mint(self, issuer_id: int, to: Any, amount: int, deposit_reference: str, sender: Any) -> Any:
        return self.registry.mint(issuer_id, to, amount, reference(deposit_reference), {"from": sender})

    def redeem(self, issuer_id: int, holder: Any, amount: int, redemption_reference: str, sender: Any) -> Any:
        """Burns `amount` of `holder` through `issuer_id` (holder == sender, or holder approved the sender)."""
        return self.registry.redeem(
            issuer_id, holder, amount, reference(redemption_reference), {"from": sender}
        )

    # -------------------------------------------------------------- payments
    def pay(self, sender: Any, to: Any, amount: int, payment_reference: str) -> Any:
        """transferWithReference: a payment carrying an invoice id / UETR."""
        return self.token.transferWithReference(to, amount, reference(payment_reference), {"from": sender})

    def sign_permit(self, owner_key: str, owner: str, spender: str, value: int, deadline: int) -> Signature:
        nonce = self.token.nonces(owner)
        return signing.sign_permit(owner_key, self.token_domain(), owner, spender, value, nonce, deadline)

    def sign_transfer_authorization(
        self,
        from_key: str,
        from_: str,
        to: str,
        value: int,
        valid_before: int,
        valid_after: int = 0,
        nonce: bytes | None = None,
    ) -> tuple[bytes, Signature]:
        """Returns (nonce, signature) of an EIP-3009 TransferWithAuthorization."""
        nonce = signing.new_authorization_nonce() if nonce is None else nonce
        sig = signing.sign_transfer_authorization(
            from_key, self.token_domain(), from_, to, value, valid_after, valid_before, nonce
        )
        return nonce, sig
