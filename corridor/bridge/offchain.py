"""The Bakong side of the corridor wired in one process, for scripts and tests (`make demo` runs it as the
services instead: corridor/demo_side.py).

    side = bakong_side(web3, bridge.address, sender=relayer_account, validator_keys=keys)
    side.ledger.open_account("sokha@wing"); side.ledger.cash_in("sokha@wing", "KHR", 1_000_000)
    intent = side.relayer.request_deposit("KHR", 40_000, customer_evm_address)
    side.ledger.pay_khqr("sokha@wing", intent.khqr)       # the customer scans and pays
    print(side.relayer.run_once().summary())               # mints bKHR
    ...                                                    # bridge.redeem(KHR, amount, "sokha@wing")
    print(side.relayer.run_once().summary())               # pays out on Bakong and finalizes
    side.relayer.expect_invoice(invoice.khqr, settlement, hook_data)  # an invoice's KHQR (corridor/invoices.py)
    for line in side.relayer.reconciliation(): print(line)

Each validator gets its own Bakong client and a read-only view of the chain (sharing one ledger
simulator, since there is one Bakong), so none of them trusts the relayer's word.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3

from corridor.bridge.client import BakongClient, simulator_client
from corridor.bridge.gateway import BridgeGateway
from corridor.bridge.ledger import Ledger
from corridor.bridge.relayer import LedgerPayer, Relayer, RelayerConfig
from corridor.bridge.store import RelayerStore
from corridor.bridge.validator import Validator

DEFAULT_OMNIBUS = "bridge@nbcq"


@dataclass
class BakongSide:
    ledger: Ledger
    client: BakongClient
    validators: list[Validator]
    relayer: Relayer

    @property
    def omnibus(self) -> str:
        return self.relayer.config.omnibus_account


def bakong_side(
    w3: Web3,
    bridge_address: str,
    sender: str | LocalAccount,
    validator_keys: Sequence[str | bytes],
    omnibus_account: str = DEFAULT_OMNIBUS,
    ledger_path: str = ":memory:",
    state_path: str = ":memory:",
    start_block: int | None = None,
    hooks: Collection[str] = (),
    linked_origins: Mapping[str, str] | None = None,
    clock: Callable[[], int] | None = None,
    khqr_payer: str | None = None,
    batch_size: int = 1,
    settlement: str | None = None,
    batch_latency_ms: int = 2000,
) -> BakongSide:
    """A ledger simulator (with the omnibus account opened), validators and a relayer for `bridge_address`.

    `sender` pays gas for the relayer's transactions: an unlocked node address (brownie accounts) or a
    LocalAccount. `start_block` defaults to the current block (redemptions before it are ignored).
    `hooks`: the mint hooks (the InvoiceSettlement contract) the validators sign invoice payments to;
    `linked_origins`: a linked scheme's settlement account on Bakong -> its origin (`TH:PROMPTPAY`);
    `khqr_payer`: the suite's KhqrPayer, whose rejected redemptions the relayer refunds to the payer in JPYS.
    `settlement`: the suite's InvoiceSettlement, whose refunds Bakong rejects the relayer returns to the payer's bank.
    `batch_size` / `batch_latency_ms`: the relayer's batching (RelayerConfig; 1 = every deposit its own mint).
    `clock` (Unix ms, default the wall clock) is the ledger's and the relayer's: on a development chain whose time
    runs ahead of or behind the wall clock, pass the chain's so KHQR expiries mean the same on both sides.
    """
    ledger = Ledger(ledger_path, clock)  # clock: Unix ms (default the wall clock)
    if not ledger.account_exists(omnibus_account):
        ledger.open_account(omnibus_account, "Corridor bridge omnibus")
    validators = [
        Validator(
            key,
            simulator_client(ledger),
            BridgeGateway(w3, bridge_address),
            omnibus_account,
            hooks,
            linked_origins,
        )
        for key in validator_keys
    ]
    client = simulator_client(ledger)
    relayer = Relayer(
        BridgeGateway(w3, bridge_address, sender if isinstance(sender, LocalAccount) else str(sender)),
        client,
        LedgerPayer(ledger, omnibus_account),
        validators,
        RelayerStore(state_path),
        RelayerConfig(
            omnibus_account=omnibus_account,
            start_block=w3.eth.block_number if start_block is None else start_block,
            linked_origins=dict(linked_origins or {}),
            khqr_payer=khqr_payer,
            batch_size=batch_size,
            batch_latency_ms=batch_latency_ms,
            settlement=settlement,
        ),
        clock_ms=clock,  # one clock for the whole Bakong side: the KHQRs it issues expire on the ledger's clock
    )
    return BakongSide(ledger, client, validators, relayer)
