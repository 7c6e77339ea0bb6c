"""Stateful test of the whole stablecoin family against a Python model.

After every step: Σ balances == totalSupply == Σ issuer outstanding; no issuer above its granted allowance or
its attested reserve; the registry's claims and claims owed match the model; with honest attestations (the
model keeps each issuer's trust-account balance and the attestor attests it whenever yen move: deposits,
withdrawals of surplus, redemption payouts, claim settlements), every issuer's outstanding <= reserve − claims
owed + claims due, and so Σ outstanding <= Σ (reserve − claims owed + claims due); frozen balances never move
except by seizure; a frozen spender never moves funds
(transferFrom); allowances match the model; no account sends more than its tier allows per transfer or per UTC day;
an EIP-3009 signature is never usable twice, on another chain, after cancel or after expiry. Every rule predicts
success or the exact custom error from the model before sending.
"""

import brownie
from brownie import chain
from brownie.test import strategy
from hypothesis import HealthCheck

from corridor.eip712 import Domain
from corridor.stablecoin import signing

PER_TRANSFER = 1_000_000  # tier 1 (deploy config, decimals 0)
DAILY = 3_000_000
# Steps land mid-day, so attestation ages are whole days ± seconds: a quarter day of margin makes "stale" exact.
MAX_AGE = 3 * 86_400 + 21_600
NONCES = [bytes([k]) * 32 for k in range(1, 5)]
REF = b"STATEFUL".ljust(32, b"\0")
REASON = b"COURT-ORDER".ljust(32, b"\0")
MAX = 2**256 - 1


def _error(fn, *args):
    """None if the call succeeded, else the custom error's name."""
    try:
        return None, fn(*args)
    except brownie.exceptions.VirtualMachineError as e:
        return e.revert_msg.split(":")[0], None


class StablecoinMachine:
    """Transfers (self-transfers included), signed transfers, approvals and transferFrom, mints, redemptions with
    cross-issuer claims and their settlement, trust-account deposits and withdrawals with honest attestations,
    freezes, seizures and day changes.

    The trust accounts: an issuer pays a redemption out of its own trust account, first topping it up from its
    own funds if it holds less (the holder is paid at par whatever happens); a settlement moves yen from the
    debtor's trust account to the creditor's (the debtor topping up likewise); a deposit adds yen, a withdrawal
    takes out at most the surplus the registry leaves it (reserve − claims owed − outstanding). Each of these is
    followed by the attestation of the accounts it touched, so the registry's reserve is the account balance."""

    st_holder = strategy("uint8", max_value=4)
    st_issuer = strategy("uint8", min_value=1, max_value=2)
    st_amount = strategy("uint256", max_value=1_500_000)
    st_big = strategy("uint256", min_value=1, max_value=5_000_000)
    st_nonce = strategy("uint8", max_value=3)
    st_variant = strategy("uint8", max_value=4)
    st_bool = strategy("bool")

    def __init__(cls, token, registry, holders, operators, compliance, attestor, signer):
        cls.token, cls.registry = token, registry
        cls.holders, cls.operators = holders, operators
        cls.compliance, cls.attestor, cls.signer = compliance, attestor, signer
        cls.domain = signing.token_domain(token.name(), chain.id, token.address)
        registry.setMaxAttestationAge(MAX_AGE, {"from": compliance})
        for h in holders:
            for op in operators.values():
                token.approve(op, MAX, {"from": h})

    def setup(self):
        # Start in the middle of a UTC day so a sequence of steps never straddles midnight by accident.
        t = chain.time()
        chain.sleep((t // 86_400 + 1) * 86_400 + 43_200 - t)
        chain.mine()
        self.day = chain[-1].timestamp // 86_400
        self.balance = {a: self.token.balanceOf(a) for a in self.holders + list(self.operators.values())}
        self.frozen: set = set()
        self.frozen_balance: dict = {}
        self.spent = {a: 0 for a in self.holders}
        self.used: set = set()
        # holder i approves holder i + 1 (mod 5); the spender pays from its approver to the holder after it
        self.allowance = {
            (h, s): self.token.allowance(h, s)
            for h, s in zip(self.holders, self.holders[1:] + self.holders[:1], strict=True)
        }
        self.frozen_spender_moves: list = []
        self.issuers = {}
        for i in (1, 2):
            s = self.registry.issuer(i)
            self.issuers[i] = {
                "outstanding": s["outstanding"],
                "allowance": s["mintAllowance"],
                "reserve": s["reserve"],
                "granted": s["mintAllowance"] + s["outstanding"],
                "minted": s["outstanding"],
            }
        # yen in each issuer's trust account: exactly its outstanding at the start (no surplus)
        self.trust = {i: self.issuers[i]["outstanding"] for i in (1, 2)}
        self.claims = {(1, 2): 0, (2, 1): 0}  # (creditor, debtor) -> yen the debtor owes
        self._attest(1, 2)

    def initialize_claims(self, st_bool):
        """Half of the runs start with issuer 1 owing issuer 2: bob (issuer 2's 2,000,000) and alice (2,000,000 of
        issuer 1's) redeem their whole balances through issuer 2, the second redemption taken from issuer 1."""
        if st_bool:
            self.rule_redeem(2, 1, 1, 0)
            self.rule_redeem(2, 0, 1, 0)
            assert self.claims[(2, 1)] == 2_000_000

    # -------------------------------------------------------------- model helpers
    def _attest(self, *issuer_ids):
        """Honest attestations: the attestor reports each trust account's balance now."""
        chain.sleep(1)
        chain.mine()
        as_of = chain[-1].timestamp
        for issuer_id in issuer_ids:
            amount = self.trust[issuer_id]
            self.registry.attestReserve(issuer_id, amount, as_of, {"from": self.attestor})
            self.issuers[issuer_id]["reserve"] = amount
            self.issuers[issuer_id]["as_of"] = as_of

    def _owed(self, issuer_id):
        return sum(amount for (_, debtor), amount in self.claims.items() if debtor == issuer_id)

    def _due(self, issuer_id):
        return sum(amount for (creditor, _), amount in self.claims.items() if creditor == issuer_id)

    def _pay_out(self, issuer_id, amount):
        """`issuer_id` pays `amount` yen out of its trust account, topping it up from its own funds if short."""
        self.trust[issuer_id] = max(self.trust[issuer_id], amount) - amount

    def _limited(self, account):
        return account in self.holders

    def _expect_transfer(self, sender, to, amount):
        if sender in self.frozen:
            return "AccountFrozen"
        if self.balance[sender] < amount:
            return "ERC20InsufficientBalance"
        if self._limited(sender):
            if amount > PER_TRANSFER:
                return "TransferLimitExceeded"
            if self.spent[sender] + amount > DAILY:
                return "DailyLimitExceeded"
        if to in self.frozen:
            return "AccountFrozen"
        return None

    def _apply_transfer(self, sender, to, amount):
        self.balance[sender] -= amount
        self.balance[to] += amount
        if self._limited(sender):
            self.spent[sender] += amount

    # -------------------------------------------------------------- rules
    def rule_transfer(self, st_holder, st_amount):
        """A holder pays another (or an issuer operator); compliance decides exactly as the model."""
        sender = self.holders[st_holder]
        to = self.holders[(st_holder + 1) % len(self.holders)]
        expected = self._expect_transfer(sender, to, st_amount)
        error, _ = _error(self.token.transfer, to, st_amount, {"from": sender})
        assert error == expected
        if error is None:
            self._apply_transfer(sender, to, st_amount)

    def rule_self_transfer(self, st_holder, st_big):
        """A holder pays itself, up to 5x the per-transfer limit: it moves no value, so no limit applies and today's
        counter stays (only balance, freeze and verification are checked)."""
        holder = self.holders[st_holder]
        if holder in self.frozen:
            expected = "AccountFrozen"
        elif self.balance[holder] < st_big:
            expected = "ERC20InsufficientBalance"
        else:
            expected = None
        error, _ = _error(self.token.transfer, holder, st_big, {"from": holder})
        assert error == expected

    def rule_approve(self, st_holder, st_big, st_variant):
        """A holder approves the next holder, sometimes an infinite allowance; frozen or not, approving succeeds."""
        owner = self.holders[st_holder]
        spender = self.holders[(st_holder + 1) % len(self.holders)]
        value = MAX if st_variant == 0 else st_big
        self.token.approve(spender, value, {"from": owner})
        self.allowance[(owner, spender)] = value

    def rule_transfer_from(self, st_holder, st_amount):
        """A holder spends what the previous holder approved it, paying the holder after itself. A frozen spender
        is refused first (AccountFrozen), then the allowance, then the transfer's own checks."""
        n = len(self.holders)
        spender = self.holders[st_holder]
        owner, to = self.holders[(st_holder - 1) % n], self.holders[(st_holder + 1) % n]
        current = self.allowance[(owner, spender)]
        if spender in self.frozen:
            expected = "AccountFrozen"
        elif current < st_amount:
            expected = "ERC20InsufficientAllowance"
        else:
            expected = self._expect_transfer(owner, to, st_amount)
        before = (self.token.balanceOf(owner), self.token.balanceOf(to))
        error, _ = _error(self.token.transferFrom, owner, to, st_amount, {"from": spender})
        if spender in self.frozen and error is None and st_amount:
            self.frozen_spender_moves.append((spender, owner, to, st_amount))
        assert error == expected
        if error is None:
            self._apply_transfer(owner, to, st_amount)
            if current != MAX:
                self.allowance[(owner, spender)] = current - st_amount
        else:
            assert (self.token.balanceOf(owner), self.token.balanceOf(to)) == before

    def rule_signed_transfer(self, st_holder, st_amount, st_nonce, st_variant):
        """The signer authorises an EIP-3009 transfer: normal, replayed, other chain, expired or cancelled."""
        sender, to = self.signer, self.holders[st_holder % 4]
        nonce = NONCES[st_nonce]
        domain = self.domain
        before = chain.time() + 3_600
        if st_variant == 1:
            domain = Domain(domain.name, domain.version, domain.chain_id + 1, domain.verifying_contract)
        if st_variant == 2:
            before = chain[-1].timestamp  # already expired for the next block
        if st_variant == 3 and (sender.address, nonce) not in self.used:
            cancel = signing.sign_cancel_authorization(sender.private_key, self.domain, sender.address, nonce)
            self.token.cancelAuthorization["address,bytes32,bytes"](
                sender, nonce, cancel.packed, {"from": to}
            )
            self.used.add((sender.address, nonce))
        sig = signing.sign_transfer_authorization(
            sender.private_key, domain, sender.address, to.address, st_amount, 0, before, nonce
        )
        if st_variant == 2:
            expected = "AuthorizationExpired"
        elif (sender.address, nonce) in self.used:
            expected = "AuthorizationAlreadyUsed"
        elif st_variant == 1:
            expected = "InvalidSignature"
        else:
            expected = self._expect_transfer(sender, to, st_amount)
        error, _ = _error(
            self.token.transferWithAuthorization["address,address,uint256,uint256,uint256,bytes32,bytes"],
            sender,
            to,
            st_amount,
            0,
            before,
            nonce,
            sig.packed,
            {"from": to},
        )
        assert error == expected
        if error is None:
            self.used.add((sender.address, nonce))
            self._apply_transfer(sender, to, st_amount)

    def rule_mint(self, st_issuer, st_holder, st_big, st_variant):
        """An issuer mints to a holder within allowance and a fresh attested reserve net of the claims it owes. One
        time in five it tries everything its attestation shows above its outstanding (reserve − outstanding), which
        includes the yen it owes when it is a debtor: refused then (ReserveExceeded)."""
        issuer, to = self.issuers[st_issuer], self.holders[st_holder]
        if st_variant == 0:
            st_big = max(1, issuer["reserve"] - issuer["outstanding"])
        if st_big > issuer["allowance"]:
            expected = "MintAllowanceExceeded"
        elif chain.time() - issuer["as_of"] > MAX_AGE:
            expected = "AttestationStale"
        elif issuer["outstanding"] + self._owed(st_issuer) + st_big > issuer["reserve"]:
            # the yen of unsettled claims on the issuer are in its trust account but belong to the creditor
            expected = "ReserveExceeded"
        elif to in self.frozen:
            expected = "AccountFrozen"
        else:
            expected = None
        error, _ = _error(self.registry.mint, st_issuer, to, st_big, REF, {"from": self.operators[st_issuer]})
        assert error == expected
        if error is None:
            issuer["allowance"] -= st_big
            issuer["outstanding"] += st_big
            issuer["minted"] += st_big
            self.balance[to] += st_big

    def rule_redeem(self, st_issuer, st_holder, st_big, st_variant):
        """A holder redeems through an issuer (two times in five its whole balance, which often exceeds the
        issuer's outstanding); any shortfall of its outstanding becomes claims on the other."""
        holder = self.holders[st_holder]
        if st_variant <= 1 and self.balance[holder]:
            st_big = self.balance[holder]
        if st_big > sum(i["outstanding"] for i in self.issuers.values()):
            # the registry takes the amount from the issuers' outstanding before the token burns: more than all
            # of it (Σ outstanding == totalSupply) is refused there, before the token's frozen/balance checks
            expected = "InvalidAmount"
        elif holder in self.frozen:
            expected = "AccountFrozen"
        elif self.balance[holder] < st_big:
            expected = "ERC20InsufficientBalance"
        else:
            expected = None
        error, _ = _error(
            self.registry.redeem, st_issuer, holder, st_big, REF, {"from": self.operators[st_issuer]}
        )
        assert error == expected
        if error is None:
            own = min(self.issuers[st_issuer]["outstanding"], st_big)
            self.issuers[st_issuer]["outstanding"] -= own
            other = 3 - st_issuer
            self.issuers[other]["outstanding"] -= st_big - own
            self.claims[(st_issuer, other)] += st_big - own
            self.balance[holder] -= st_big
            self._pay_out(st_issuer, st_big)  # the redeeming issuer pays the holder the whole amount
            self._attest(st_issuer)

    def rule_settle_claim(self, st_issuer, st_big):
        """The other issuer pays `st_issuer` (part of) what it owes: the yen move between the trust accounts,
        both are attested; more than the claim is refused (ClaimExceeded)."""
        creditor, debtor = st_issuer, 3 - st_issuer
        claim = self.claims[(creditor, debtor)]
        amount = min(st_big, claim) if claim else st_big
        expected = "ClaimExceeded" if amount > claim else None
        error, _ = _error(self.registry.settleClaim, creditor, debtor, amount, REF, {"from": self.compliance})
        assert error == expected
        if error is None:
            self.claims[(creditor, debtor)] -= amount
            self._pay_out(debtor, amount)
            self.trust[creditor] += amount
            self._attest(creditor, debtor)

    def rule_deposit(self, st_issuer, st_big):
        """Yen arrive in an issuer's trust account (a customer's deposit before a mint, or the bank's own funds);
        the attestor attests the new balance."""
        self.trust[st_issuer] += st_big
        self._attest(st_issuer)

    def rule_withdraw_surplus(self, st_issuer, st_big):
        """The bank takes yen out of its trust account, at most the surplus the registry leaves it (reserve −
        claims owed − outstanding); the attestor attests the new balance."""
        issuer = self.issuers[st_issuer]
        surplus = issuer["reserve"] - self._owed(st_issuer) - issuer["outstanding"]
        amount = min(st_big, max(surplus, 0))
        if amount:
            self.trust[st_issuer] -= amount
            self._attest(st_issuer)

    def rule_top_up_allowance(self, st_issuer, st_big):
        """The issuer admin sets a new mint allowance."""
        self.registry.setMintAllowance(st_issuer, st_big, {"from": self.compliance})
        issuer = self.issuers[st_issuer]
        issuer["granted"] += st_big - issuer["allowance"]
        issuer["allowance"] = st_big

    def rule_freeze(self, st_holder):
        """Compliance freezes (or unfreezes) a holder."""
        holder = self.holders[st_holder]
        if holder in self.frozen:
            self.token.unfreeze(holder, {"from": self.compliance})
            self.frozen.discard(holder)
            del self.frozen_balance[holder]
        else:
            self.token.freeze(holder, {"from": self.compliance})
            self.frozen.add(holder)
            self.frozen_balance[holder] = self.balance[holder]

    def rule_seize(self, st_holder, st_big):
        """Compliance seizes from a frozen holder to issuer 1's operator."""
        holder, to = self.holders[st_holder], self.operators[1]
        if holder not in self.frozen:
            expected = "AccountNotFrozen"
        elif self.balance[holder] < st_big:
            expected = "ERC20InsufficientBalance"
        else:
            expected = None
        error, _ = _error(self.token.seize, holder, to, st_big, REASON, {"from": self.compliance})
        assert error == expected
        if error is None:
            self.balance[holder] -= st_big
            self.balance[to] += st_big
            self.frozen_balance[holder] -= st_big

    def rule_next_day(self):
        """Time moves to the middle of the next UTC day: daily counters restart."""
        t = chain.time()
        chain.sleep((t // 86_400 + 1) * 86_400 + 43_200 - t)
        chain.mine()
        self.spent = {a: 0 for a in self.holders}

    # -------------------------------------------------------------- invariants
    def invariant_supply(self):
        """Σ balances == totalSupply == Σ issuer outstanding (on-chain and in the model)."""
        supply = self.token.totalSupply()
        assert sum(self.balance.values()) == supply
        assert self.registry.totalOutstanding() == supply
        assert sum(i["outstanding"] for i in self.issuers.values()) == supply

    def invariant_balances(self):
        for account, amount in self.balance.items():
            assert self.token.balanceOf(account) == amount

    def invariant_issuers_within_allowance_and_reserve(self):
        for issuer_id, model in self.issuers.items():
            state = self.registry.issuer(issuer_id)
            assert state["outstanding"] == model["outstanding"]
            assert state["mintAllowance"] == model["allowance"]
            assert model["minted"] <= model["granted"]
            assert state["outstanding"] <= state["reserve"]

    def invariant_claims(self):
        """claimOf and each issuer's claimsOwed (the sum of the claims on it) match the model."""
        for (creditor, debtor), amount in self.claims.items():
            assert self.registry.claimOf(creditor, debtor) == amount
        for issuer_id in self.issuers:
            assert self.registry.issuer(issuer_id)["claimsOwed"] == self._owed(issuer_id)

    def invariant_reserves_cover_supply(self):
        """With honest attestations (the registry's reserve is the trust account's balance), each issuer's
        outstanding <= reserve − claims owed + claims due, hence Σ outstanding (== totalSupply) <= Σ (reserve −
        claims owed + claims due). Σ owed == Σ due, so the sum is Σ reserve: the supply never exceeds the yen
        in the trust accounts. Before the fix a debtor minted against the yen it owed (the per-issuer form
        fails at once, the sum once the claim is settled and the creditor mints its yen again)."""
        covered = 0
        for issuer_id in self.issuers:
            state = self.registry.issuer(issuer_id)
            assert state["reserve"] == self.trust[issuer_id]
            net = state["reserve"] - state["claimsOwed"] + self._due(issuer_id)
            assert state["outstanding"] <= net
            covered += net
        assert self.token.totalSupply() == self.registry.totalOutstanding() <= covered
        assert covered == sum(self.trust.values())

    def invariant_frozen_balances_only_move_by_seizure(self):
        for account, amount in self.frozen_balance.items():
            assert self.token.balanceOf(account) == amount

    def invariant_frozen_spender_never_moves_funds(self):
        assert self.frozen_spender_moves == []

    def invariant_allowances(self):
        for (owner, spender), amount in self.allowance.items():
            assert self.token.allowance(owner, spender) == amount

    def invariant_limits(self):
        for account in self.holders:
            assert self.token.spentToday(account) == self.spent[account] <= DAILY

    def invariant_signatures_single_use(self):
        for owner, nonce in self.used:
            assert self.token.authorizationState(owner, nonce) is True


def test_stablecoin_state_machine(
    state_machine, token, registry, alice, bob, merchant, customer, signer, bank_a, bank_b, operator, attestor
):
    state_machine(
        StablecoinMachine,
        token,
        registry,
        [alice, bob, merchant, customer, signer],
        {1: bank_a, 2: bank_b},
        operator,
        attestor,
        signer,
        # 14 rules draw many values per step: hypothesis's data_too_large health check fires on some seeds
        # (seen once the approve/transferFrom rules were added); it is about generation, not about the contract.
        settings={
            "max_examples": 20,
            "stateful_step_count": 20,
            "suppress_health_check": [HealthCheck.data_too_large, HealthCheck.too_slow],
        },
    )
