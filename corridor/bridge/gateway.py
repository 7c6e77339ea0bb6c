"""The bridge contract as the off-chain services see it: typed reads and attested writes over web3.py.

`BridgeGateway` is the only place that knows ABI names; the relayer and the validators speak in
`corridor.bridge.attest` values. It runs against any RPC (standalone, ABIs from corridor.artifacts)
or against brownie's `web3` inside tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from corridor import artifacts, tx
from corridor.bridge import attest
from corridor.bridge.attest import (
    BatchDeposit,
    BatchMintAttestation,
    HookedMintAttestation,
    MintAttestation,
    Reconciliation,
    RedemptionFinalization,
    RedemptionRejection,
    ReserveAttestation,
)
from corridor.eip712 import Domain

BRIDGE_CONTRACT = "BakongBridge"
TOKEN_INTERFACE = "IERC20"


def text_bytes32(raw: bytes) -> str:
    """A string the contract stored left-aligned in a bytes32 (the redemption's Bakong account id)."""
    return bytes(raw).rstrip(b"\0").decode("utf-8")


class MintStatus(IntEnum):
    NONE = 0
    MINTED = 1
    QUEUED = 2
    VETOED = 3


class RedemptionStatus(IntEnum):
    NONE = 0
    PENDING = 1
    FINALIZED = 2
    REJECTED = 3
    RECLAIMED = 4


@dataclass(frozen=True)
class Redemption:
    """A redemption as the contract stores it (`bakong_account` decoded from its bytes32)."""

    redemption_id: int
    holder: str
    currency: int
    status: RedemptionStatus
    deadline: int
    amount: int
    bakong_account: str


@dataclass(frozen=True)
class RedemptionRequest:
    """A `RedemptionRequested` event."""

    redemption_id: int
    currency: int
    holder: str
    amount: int
    bakong_account: str
    deadline: int
    block_number: int
    tx_hash: str = ""
    log_index: int = 0

    @property
    def source(self) -> str:
        """Where the event came from: `<tx hash>:<log index>`."""
        return f"{self.tx_hash}:{self.log_index}"


@dataclass(frozen=True)
class UndecodableLog:
    """A log under the `RedemptionRequested` signature that does not decode (e.g. an account id that is
    not UTF-8). `redemption_id` is read from the indexed topic when there is one."""

    tx_hash: str
    log_index: int
    block_number: int
    reason: str
    redemption_id: int | None = None

    @property
    def source(self) -> str:
        return f"{self.tx_hash}:{self.log_index}"


@dataclass(frozen=True)
class QueuedMint:
    recipient: str
    currency: int
    executable_at: int
    amount: int


class BridgeView(Protocol):
    """What a validator reads from the chain to check a request on its own."""

    def domain(self) -> Domain: ...
    def epoch(self) -> int: ...
    def redemption(self, redemption_id: int) -> Redemption: ...
    def total_supply(self, currency: int) -> int: ...
    def timestamp(self) -> int: ...


class BridgeGateway:
    """web3.py access to a deployed BakongBridge. `sender` is an unlocked node account (address) or a
    LocalAccount that signs locally."""

    def __init__(
        self,
        w3: Web3,
        address: str,
        sender: str | LocalAccount | None = None,
        contract_name: str = BRIDGE_CONTRACT,
    ) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract: Contract = artifacts.at(w3, contract_name, self.address)
        self.sender = sender
        self._domain: Domain | None = None

    # ------------------------------------------------------------------ reads

    def domain(self) -> Domain:
        """The EIP-712 domain, read from the contract (ERC-5267 `eip712Domain()`), chain id from the node."""
        if self._domain is None:
            _, name, version, chain_id, verifying, _, _ = self.contract.functions.eip712Domain().call()
            self._domain = Domain(name=name, version=version, chain_id=chain_id, verifying_contract=verifying)
        return self._domain

    def epoch(self) -> int:
        return int(self.contract.functions.epoch().call())

    def threshold(self) -> int:
        return int(self.contract.functions.threshold().call())

    def validators(self) -> list[str]:
        return [Web3.to_checksum_address(a) for a in self.contract.functions.validators().call()]

    def token(self, currency: int) -> Contract:
        address = self.contract.functions.tokenOf(currency).call()
        return artifacts.at(self.w3, TOKEN_INTERFACE, address)

    def is_bridged(self, currency: int) -> bool:
        return int(self.contract.functions.tokenOf(currency).call(), 16) != 0

    def total_supply(self, currency: int) -> int:
        return int(self.token(currency).functions.totalSupply().call())

    def reserve_of(self, currency: int) -> tuple[int, int]:
        balance, as_of = self.contract.functions.reserveOf(currency).call()
        return int(balance), int(as_of)

    def max_reserve_age(self) -> int:
        return int(self.contract.functions.timings().call()[0])

    def max_per_message(self, currency: int) -> int:
        """The largest single mint or redemption of `currency` (`CurrencyLimits.maxPerMessage`)."""
        return int(self.contract.functions.limitsOf(currency).call()[0])

    def minting_stopped(self, currency: int) -> bool:
        return bool(self.contract.functions.mintingStopped(currency).call())

    def mint_status(self, bakong_tx_hash: bytes) -> MintStatus:
        return MintStatus(self.contract.functions.mintStatus(bakong_tx_hash).call())

    def queued_mint(self, bakong_tx_hash: bytes) -> QueuedMint:
        recipient, currency, executable_at, amount = self.contract.functions.queuedMint(bakong_tx_hash).call()
        return QueuedMint(recipient, int(currency), int(executable_at), int(amount))

    def redemption(self, redemption_id: int) -> Redemption:
        holder, currency, status, deadline, amount, _beneficiary, account = (
            self.contract.functions.redemption(redemption_id).call()
        )
        return Redemption(
            redemption_id,
            holder,
            int(currency),
            RedemptionStatus(status),
            int(deadline),
            int(amount),
            text_bytes32(account),
        )

    def block_number(self) -> int:
        return int(self.w3.eth.block_number)

    def timestamp(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def redemption_requests(self, from_block: int, to_block: int) -> list[RedemptionRequest | UndecodableLog]:
        """The `RedemptionRequested` logs of the bridge in `[from_block, to_block]`, decoded one by one:
        a log that does not decode comes back as an `UndecodableLog` instead of failing the others."""
        event = self.contract.events.RedemptionRequested()
        raw = self.w3.eth.get_logs(
            {
                "address": self.address,
                "fromBlock": from_block,
                "toBlock": to_block,
                "topics": [event.topic],
            }
        )
        return [self._decode_request(event, log) for log in raw]

    @staticmethod
    def _decode_request(event: Any, log: Any) -> RedemptionRequest | UndecodableLog:
        tx_hash, log_index = "0x" + bytes(log["transactionHash"]).hex(), int(log["logIndex"])
        try:
            e = event.process_log(log)
            return RedemptionRequest(
                redemption_id=int(e.args.redemptionId),
                currency=int(e.args.currency),
                holder=e.args.holder,
                amount=int(e.args.amount),
                bakong_account=e.args.bakongAccountId,
                deadline=int(e.args.deadline),
                block_number=int(e.blockNumber),
                tx_hash=tx_hash,
                log_index=log_index,
            )
        except Exception as exc:  # noqa: BLE001 (any decode failure makes this one log a dead letter)
            topics = log["topics"]
            rid = int.from_bytes(bytes(topics[1]), "big") if len(topics) > 1 else None
            return UndecodableLog(
                tx_hash, log_index, int(log["blockNumber"]), f"{type(exc).__name__}: {exc}", rid
            )

    # ------------------------------------------------------------------ writes

    def _send(self, fn: Any) -> dict:
        if self.sender is None:
            raise RuntimeError("this gateway is read-only (no sender)")
        return tx.send(self.w3, fn, self.sender)

    def mint(self, attestation: MintAttestation, signatures: bytes) -> dict:
        return self._send(self.contract.functions.mint(attestation.as_tuple(), signatures))

    def mint_batch(
        self, attestation: BatchMintAttestation, deposits: list[BatchDeposit], signatures: bytes
    ) -> dict:
        return self._send(
            self.contract.functions.mintBatch(
                attestation.as_tuple(), [d.as_tuple() for d in deposits], signatures
            )
        )

    def queued_in(self, receipt: dict) -> set[bytes]:
        """The Bakong tx hashes a mined transaction queued (its `MintQueued` events): after a `mintBatch`,
        every other deposit of the batch was minted (the batch is all or nothing)."""
        events = self.contract.events.MintQueued().process_receipt(receipt, errors=DISCARD)
        return {bytes(e["args"]["bakongTxHash"]) for e in events}

    def mint_with_hook(self, attestation: HookedMintAttestation, signatures: bytes) -> dict:
        return self._send(self.contract.functions.mintWithHook(attestation.as_tuple(), signatures))

    def execute_queued_mint(self, bakong_tx_hash: bytes) -> dict:
        return self._send(self.contract.functions.executeQueuedMint(bakong_tx_hash))

    def attest_reserve(self, attestation: ReserveAttestation, signatures: bytes) -> dict:
        return self._send(self.contract.functions.attestReserve(attestation.as_tuple(), signatures))

    def reconcile(self, report: Reconciliation, signatures: bytes) -> dict:
        return self._send(self.contract.functions.reconcile(report.as_tuple(), signatures))

    def finalize_redemption(self, finalization: RedemptionFinalization, signatures: bytes) -> dict:
        return self._send(self.contract.functions.finalizeRedemption(finalization.as_tuple(), signatures))

    def finalize_redemption_batch(
        self,
        attestation: attest.BatchRedemptionFinalization,
        payouts: list[attest.BatchPayout],
        signatures: bytes,
    ) -> dict:
        """`finalizeRedemptionBatch`: all or nothing (the gas estimate simulates it before anything is sent)."""
        return self._send(
            self.contract.functions.finalizeRedemptionBatch(
                attestation.as_tuple(), [p.as_tuple() for p in payouts], signatures
            )
        )

    def reject_redemption(self, rejection: RedemptionRejection, signatures: bytes) -> dict:
        return self._send(self.contract.functions.rejectRedemption(rejection.as_tuple(), signatures))


class KhqrPayerGateway:
    """web3.py access to the suite's KhqrPayer for the relayer: after the bridge rejects one of its redemptions
    (Bakong refused the payout), the bridge token that came back is sold for JPYS straight to the payer."""

    def __init__(
        self, w3: Web3, address: str, bridge: BridgeGateway, sender: str | LocalAccount | None
    ) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract: Contract = artifacts.at(w3, "KhqrPayer", self.address)
        self.bridge = bridge
        self.sender = sender

    def refunded(self, redemption_id: int) -> bool:
        return bool(self.contract.functions.refunded(redemption_id).call())

    def refund_path(self, currency: int, hub: int) -> list[str]:
        """The bridge token of `currency` -> (the hub's token ->) JPYS: the router path of the refund."""
        tokens = [self.bridge.contract.functions.tokenOf(c).call() for c in dict.fromkeys((currency, hub))]
        return [Web3.to_checksum_address(t) for t in tokens] + [self.contract.functions.JPYS().call()]

    def returned(self, redemption: Redemption) -> int:
        """What the rejection gave back to KhqrPayer: the escrow less the bridge's rejection fee in force."""
        fee, _ = self.bridge.contract.functions.rejectionFeeOf(redemption.currency).call()
        return max(redemption.amount - int(fee), 0)

    def refund_floor(self, path: list[str], back: int) -> int:
        """The least JPYS anyone but the payer may refund with (`KhqrPayer.refundFloor`)."""
        return int(self.contract.functions.refundFloor(path, back).call()) if back else 0

    def refund(self, redemption_id: int, path: list[str], min_jpy_out: int, deadline: int) -> dict:
        if self.sender is None:
            raise RuntimeError("this gateway is read-only (no sender)")
        fn = self.contract.functions.refund(redemption_id, path, min_jpy_out, deadline)
        return tx.send(self.w3, fn, self.sender)


@dataclass(frozen=True)
class OwedBank:
    """A (currency, bank) the settlement contract owed refunds to (a `RefundOwedToBank` or `RejectedRefundReturned`
    event): its returns may need sweeping."""

    currency: int
    bank: bytes


class InvoiceSettlementGateway:
    """web3.py access to the suite's InvoiceSettlement for the relayer: a settlement refund Bakong rejected, or one
    not above the bridge's rejection fee, is owed to the payer's bank and swept to its `returns@<bank>` account
    (docs/security.md §7). Reads first: the relayer never relies on the contract's refusal of a double."""

    def __init__(
        self, w3: Web3, address: str, bridge: BridgeGateway, sender: str | LocalAccount | None
    ) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract: Contract = artifacts.at(w3, "InvoiceSettlement", self.address)
        self.bridge = bridge
        self.sender = sender

    def is_returned(self, refund_id: int) -> bool:
        return bool(self.contract.functions.isReturned(refund_id).call())

    def bank_returns(self, currency: int, bank: bytes) -> int:
        return int(self.contract.functions.bankReturns(currency, bank).call())

    def rejection_fee(self, currency: int) -> int:
        """The bridge's rejection fee in force for `currency`: a sweep not above it reverts."""
        fee, _ = self.bridge.contract.functions.rejectionFeeOf(currency).call()
        return int(fee)

    def owed_banks(self, from_block: int, to_block: int) -> set[OwedBank]:
        """The (currency, bank) pairs credited in `[from_block, to_block]` (both crediting events)."""
        found: set[OwedBank] = set()
        for event in (self.contract.events.RefundOwedToBank(), self.contract.events.RejectedRefundReturned()):
            logs = self.w3.eth.get_logs(
                {
                    "address": self.address,
                    "fromBlock": from_block,
                    "toBlock": to_block,
                    "topics": [event.topic],
                }
            )
            for log in logs:
                e = event.process_log(log)
                found.add(OwedBank(int(e.args.currency), bytes(e.args.bank)))
        return found

    def _send(self, fn: Any) -> dict:
        if self.sender is None:
            raise RuntimeError("this gateway is read-only (no sender)")
        return tx.send(self.w3, fn, self.sender)

    def return_rejected_refund(self, refund_id: int) -> dict:
        return self._send(self.contract.functions.returnRejectedRefund(refund_id))

    def sweep_bank_returns(self, currency: int, bank: bytes) -> int:
        """Sweeps what `bank` is owed in `currency` into the escrow for `returns@<bank>`; the new redemption's id."""
        receipt = self._send(self.contract.functions.sweepBankReturns(currency, bank))
        events = self.contract.events.BankReturnsSwept().process_receipt(receipt, errors=DISCARD)
        return int(events[0]["args"]["redemptionId"])
