"""One state machine over the whole corridor, deployed by `corridor.suite.deploy_suite` (no second wiring).

Stablecoin (issuers, reserve attestations, KYC, freezes, seizures, EIP-3009), bridge (the real BakongBridge,
the Python validators and relayer, the Bakong ledger simulator), exchange (feeds, pools, router) and RFQ
(the Python market maker's signed quotes) are driven by random parties with random amounts, prices, pauses,
freezes and validator rotations. Every rule predicts, from chain state, which custom errors must (or may)
stop its transaction and asserts the outcome; after EVERY step the invariants below are checked.

Invariants (see docs/corridor-machine.md for the reasoning):
- value is conserved between Bakong and the chain: per currency, omnibus balance on the ledger ==
  bridge token supply + deposits paid on Bakong but not minted − payouts made on Bakong but not yet
  finalized on chain; no redemption is ever both paid out on Bakong and refunded on chain; the relayer's
  own reconciliation shows zero drift;
- bridge supply == supply at start + Σ minted deposits − Σ finalized redemptions (no Bakong tx minted
  twice, nothing minted without a deposit); supply <= attested reserve unless minting is stopped; the
  bridge holds exactly the pending escrow; escrowed + burned + refunded == redeemed;
- for every token, Σ balances of all holders == totalSupply; JPY totalSupply == Σ issuer outstanding;
  no issuer above its allowance or its attested reserve;
- every pool holds exactly its reserves + protocol fees;
- frozen balances never move except by seizure; no tier-limited holder above its daily limit;
- a used EIP-3009 authorization, RFQ nonce, mint attestation, reserve attestation or redemption
  finalization is never accepted again (asserted by replaying them in the rules);
- every invoice paid by KHQR and minted into the settlement ended in exactly one settlement event, the shop
  holds exactly the yen of the invoices it settled (each serial once), the settlement holds only parked refunds;
- every outbound KHQR payment or remittance (KhqrPayer, direct or gasless) is paid out on Bakong or refunded in
  JPYS, never both; KhqrPayer holds no JPYS and only the bridge tokens of rejected payouts not yet refunded;
- no party gains by a round trip at unchanged prices (pool, router one and two hops, RFQ, LP
  add/remove, and a whole-corridor trip Bakong KHR → bKHR → JPY → bKHR → Bakong KHR), and RFQ fills are
  never better than the oracle mid.

The rules and invariants live by family in tests/integration/corridor_machine/ (bridge, settlement, outbound,
stablecoin, exchange, rfq, operations: one mixin each, on the common `CorridorRules`); this module composes them and
adds the rules that cross families. A new family of rules is one mixin module listed in `CorridorMachine`.

Size: CORRIDOR_MACHINE_EXAMPLES (default 16) examples of at most CORRIDOR_MACHINE_STEPS (default 25) steps
(hypothesis keeps its first ~10 examples short by design; the run prints how many steps it checked).
"""

from __future__ import annotations

import os

import hypothesis
import pytest

from corridor.bridge.attest import KHR
from tests.fixtures.machines import RELAXED_HEALTH

from .corridor_machine.base import PATHS
from .corridor_machine.bridge import BridgeRules
from .corridor_machine.exchange import ExchangeRules
from .corridor_machine.helpers import OUTCOMES, World, attempt
from .corridor_machine.operations import OperationsRules
from .corridor_machine.outbound import OutboundRules
from .corridor_machine.rfq import RfqRules
from .corridor_machine.settlement import SettlementRules
from .corridor_machine.stablecoin import StablecoinRules

EXAMPLES = int(os.environ.get("CORRIDOR_MACHINE_EXAMPLES", "16"))
STEPS = int(os.environ.get("CORRIDOR_MACHINE_STEPS", "25"))
# shrinking a long corridor sequence can take many minutes: CORRIDOR_MACHINE_SHRINK=0 reports the failing
# sequence as found
SHRINK = (
    {} if os.environ.get("CORRIDOR_MACHINE_SHRINK", "1") != "0" else {"phases": [hypothesis.Phase.generate]}
)
VERBOSE = {"verbosity": hypothesis.Verbosity.debug} if os.environ.get("CORRIDOR_MACHINE_VERBOSE") else {}


class CorridorMachine(
    OutboundRules, SettlementRules, BridgeRules, StablecoinRules, ExchangeRules, RfqRules, OperationsRules
):
    """Random parties move value through Bakong, the bridge, the JPY issuers, the pools and the RFQ venue,
    while compliance, pausers, reporters and the bridge admin act; the corridor's books always balance.

    One mixin per family of rules (each with its model state, rules and invariants); the rules below cross
    families."""

    # ================================================================== across families

    def rule_corridor_round_trip(self, st_user, st_cents):
        """Riel goes all the way round: a Bakong KHR deposit is minted, swapped bKHR -> JPY -> bKHR through
        the router and redeemed back to the same Bakong account.

        Must stay true: the party's Bakong riel never grows by the trip."""
        party = self._user(st_user)
        ledger, bkhr = self.side.ledger, self.w.bkhr
        amount = self._units("KHR", st_cents, 0)
        if ledger.balance(party.bakong, "KHR") < amount:
            return
        held = bkhr.balanceOf(party.address)
        self.rule_bakong_deposit(st_user, 0, st_cents, 0)
        got = bkhr.balanceOf(party.address) - held
        if got != amount:
            return  # stays in flight (paused bridge, frozen or unverified party): nothing to compare
        khr_to_jpy = PATHS.index(("KHR", "JPY"))
        leg1 = self._router_swap(party.address, party.address, khr_to_jpy, amount, exact_out=False)
        if leg1 is None:
            return
        leg2 = self._router_swap(party.address, party.address, PATHS.index(("JPY", "KHR")), leg1[1], False)
        if leg2 is None:
            return
        before = ledger.balance(party.bakong, "KHR")
        err, tx = attempt(self.w.bridge.redeem, KHR, leg2[1], party.bakong, {"from": party.account})
        if err is not None:
            return
        rid = tx.events["RedemptionRequested"]["redemptionId"]
        self.redemptions[rid] = {"holder": party.address, "currency": KHR, "amount": leg2[1], "status": None}
        self.redeemed[KHR] += leg2[1]
        self._relay()
        assert ledger.balance(party.bakong, "KHR") == before + leg2[1]  # paid out exactly the escrow
        assert leg2[1] <= amount, f"a corridor round trip turned {amount} riel into {leg2[1]}"
        OUTCOMES[("roundtrip", "corridor")] += 1


@pytest.fixture(scope="module")
def world(accounts):
    from brownie import project

    return World.build(project.get_loaded_projects()[0], accounts)


def test_corridor_state_machine(state_machine, world):
    OUTCOMES.clear()
    state_machine(
        CorridorMachine,
        world,
        settings={
            **RELAXED_HEALTH,
            "max_examples": EXAMPLES,
            "stateful_step_count": STEPS,
            # no example database: the examples of another size or an older rule set would replace fresh ones
            "database": None,
            **SHRINK,
            **VERBOSE,
        },
    )
    print(f"\ncorridor machine: {EXAMPLES} examples x {STEPS} steps; outcomes:")
    for (action, outcome), n in sorted(OUTCOMES.items()):
        print(f"  {action:<10} {outcome:<28} {n}")
