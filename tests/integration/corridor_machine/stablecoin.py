"""The JPY stablecoin's issuers: mints and redemptions through the registry, suspensions, reserve
attestations (sent and signed, then replayed) and EIP-3009 transfers (then replayed); the issuer invariant."""

from __future__ import annotations

from brownie import chain
from brownie.test import strategy

from corridor.stablecoin import signing

from .base import EDGE, REF, CorridorRules
from .helpers import Expectation, attempt, batch_call, expect_receive, expect_transfer, tier_of


class StablecoinRules(CorridorRules):
    """The two trust-bank issuers, the attestor and signed JPY transfers."""

    st_issuer = strategy("uint8", max_value=1)
    st_yen = strategy("uint256", min_value=1, max_value=2_000_000)

    def setup(self) -> None:
        super().setup()
        w = self.w
        # issuer model
        self.issuers = {}
        for spec in w.settings["stablecoin"]["issuers"]:
            issuer_id = w.issuer_ids[spec["name"]]
            s = w.registry.issuer(issuer_id)
            self.issuers[issuer_id] = {
                "operator": w.who[spec["operator"]],
                "outstanding": s["outstanding"],
                "allowance": s["mintAllowance"],
                "granted": s["mintAllowance"] + s["outstanding"],
                "minted": s["outstanding"],
            }
        self.auth_seq = 0

    def rule_issuer_mint(self, st_issuer, st_user, st_yen, st_scale):
        """An issuer's operator mints JPY to a party against its allowance and attested reserve.

        Must stay true: the outcome is exactly the predicted custom error or success; supply and the
        issuer's outstanding grow by the amount."""
        w = self.w
        issuer_id = sorted(self.issuers)[st_issuer]
        m = self.issuers[issuer_id]
        party = self._user(st_user)
        amount = st_yen * (60 if st_scale == 9 else 1)
        s = w.registry.issuer(issuer_id)
        max_age = w.registry.maxAttestationAge()
        now = self._now() + 1
        exp = Expectation()
        if s["suspended"]:
            exp.add("IssuerIsSuspended")
        elif amount > s["mintAllowance"]:
            exp.add("MintAllowanceExceeded")
        elif now - s["reserveAsOf"] > max_age + EDGE:
            exp.add("AttestationStale")
        else:
            if now - s["reserveAsOf"] > max_age - EDGE:
                exp.add("AttestationStale", sure=False)
            if s["outstanding"] + s["claimsOwed"] + amount > s["reserve"]:
                exp.add("ReserveExceeded")
            elif w.jpy.paused():
                exp.add("EnforcedPause")
            else:
                expect_receive(exp, w.jpy, party.address)
        err, _ = attempt(w.registry.mint, issuer_id, party.address, amount, REF, {"from": m["operator"]})
        exp.check(err, f"jpy-mint {amount} by issuer {issuer_id} to {party.name}")
        if err is None:
            m["allowance"] -= amount
            m["outstanding"] += amount
            m["minted"] += amount

    def rule_issuer_redeem(self, st_issuer, st_user, st_yen):
        """A party redeems JPY through an issuer (bank transfer off-chain); beyond the issuer's own
        outstanding the rest is taken from the other issuer as a recorded claim.

        Must stay true: exact predicted outcome; Σ outstanding keeps equal to the supply."""
        w = self.w
        issuer_id = sorted(self.issuers)[st_issuer]
        m = self.issuers[issuer_id]
        party = self._user(st_user)
        balance = w.jpy.balanceOf(party.address)
        amount = st_yen if st_yen % 3 else max(1, min(st_yen, balance))
        exp = Expectation()
        tier, frozen = tier_of(w.jpy, party.address)
        if w.registry.issuer(issuer_id)["suspended"]:
            exp.add("IssuerIsSuspended")
        elif w.jpy.paused():
            exp.add("EnforcedPause")
        elif tier == 0:
            exp.add("AccountNotVerified")
        elif frozen:
            exp.add("AccountFrozen")
        elif balance < amount:
            exp.add("ERC20InsufficientBalance")
        err, _ = attempt(w.registry.redeem, issuer_id, party.address, amount, REF, {"from": m["operator"]})
        exp.check(err, f"jpy-redeem {amount} by {party.name} via issuer {issuer_id}")
        if err is None:
            own = min(m["outstanding"], amount)
            m["outstanding"] -= own
            other = next(v for k, v in self.issuers.items() if k != issuer_id)
            other["outstanding"] -= amount - own

    def rule_toggle_suspend(self, st_issuer):
        """The issuer admin suspends (or resumes) one issuer without pausing the token.

        Must stay true: a suspended issuer neither mints nor redeems (IssuerIsSuspended, predicted)."""
        issuer_id = sorted(self.issuers)[st_issuer]
        registry = self.w.registry
        if registry.issuer(issuer_id)["suspended"]:
            registry.resumeIssuer(issuer_id, {"from": self.w.admin})
        else:
            registry.suspendIssuer(issuer_id, {"from": self.w.admin})

    def rule_attest_jpy_reserve(self, st_issuer, st_yen, st_bool):
        """The attestor attests an issuer's trust-account balance (never below its outstanding), by
        transaction or by EIP-712 signature; a signed attestation is then replayed.

        Must stay true: the replay is refused (AttestationNotNewer); the reserve follows the attestation."""
        w = self.w
        issuer_id = sorted(self.issuers)[st_issuer]
        amount = self.issuers[issuer_id]["outstanding"] + st_yen * 20
        chain.sleep(1)
        chain.mine()
        as_of = self._now()
        if st_bool:
            w.registry.attestReserve(issuer_id, amount, as_of, {"from": w.admin})
        else:
            domain = signing.registry_domain(chain.id, w.registry.address)
            sig = signing.sign_reserve_attestation(w.attestor.private_key, domain, issuer_id, amount, as_of)
            args = (issuer_id, amount, as_of, w.attestor.address, sig.packed)
            w.registry.attestReserveWithSignature(*args, {"from": self._user(0).account})
            err, _ = attempt(w.registry.attestReserveWithSignature, *args, {"from": self._user(1).account})
            assert err == "AttestationNotNewer", err
        s = w.registry.issuer(issuer_id)
        assert (s["reserve"], s["reserveAsOf"]) == (amount, as_of)

    def rule_signed_transfer(self, st_other, st_yen, st_bool):
        """alice pays a party with an EIP-3009 authorization (optionally cancelled first), then it is replayed.

        Must stay true: a used or cancelled authorization never moves tokens again (AuthorizationAlreadyUsed)."""
        w = self.w
        alice = next(p for p in w.users if p.name == "alice")
        to = self._user(st_other)
        if to is alice:
            to = self._user(st_other + 1)
        self.auth_seq += 1
        nonce = (b"MACHINE" + self.auth_seq.to_bytes(8, "big")).ljust(32, b"\0")
        domain = signing.token_domain(w.jpy.name(), chain.id, w.jpy.address)
        valid_before = self._now() + 3_600
        sig = signing.sign_transfer_authorization(
            alice.account.private_key, domain, alice.address, to.address, st_yen, 0, valid_before, nonce
        )
        fn = w.jpy.transferWithAuthorization["address,address,uint256,uint256,uint256,bytes32,bytes"]
        args = (alice.address, to.address, st_yen, 0, valid_before, nonce, sig.packed)
        exp = Expectation()
        if st_bool:
            cancel = signing.sign_cancel_authorization(
                alice.account.private_key, domain, alice.address, nonce
            )
            w.jpy.cancelAuthorization["address,bytes32,bytes"](
                alice.address, nonce, cancel.packed, {"from": to.account}
            )
            self.used_authorizations.add((alice.address, nonce))
            exp.add("AuthorizationAlreadyUsed")
        else:
            expect_transfer(exp, w.jpy, alice.address, to.address, st_yen, self._day_edge())
        err, _ = attempt(fn, *args, {"from": to.account})
        exp.check(err, "EIP-3009 transfer")
        if err is None:
            self.used_authorizations.add((alice.address, nonce))
            err, _ = attempt(fn, *args, {"from": self._user(0).account})
            assert err == "AuthorizationAlreadyUsed", err

    # ================================================================== invariants

    def invariant_issuers(self):
        """JPY totalSupply == Σ issuer outstanding (on chain and in the model); no issuer above its
        granted allowance or its attested reserve."""
        w = self.w
        ids = sorted(self.issuers)
        got = batch_call(
            [(w.jpy.totalSupply, ()), (w.registry.totalOutstanding, ())]
            + [(w.registry.issuer, (i,)) for i in ids]
        )
        supply = got[0]
        assert got[1] == supply
        assert sum(m["outstanding"] for m in self.issuers.values()) == supply
        for issuer_id, s in zip(ids, got[2:], strict=True):
            m = self.issuers[issuer_id]
            assert (s["outstanding"], s["mintAllowance"]) == (m["outstanding"], m["allowance"])
            assert m["minted"] <= m["granted"]
            assert s["outstanding"] <= s["reserve"]
