// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBakongBridgeBatch
/// @notice Batched mints: validators sign once over a list of deposits of one currency, and one transaction mints
/// them all. Same EIP-712 domain, epoch and expiry rules as a single mint, and every per-deposit rule still holds
/// per deposit: one mint per Bakong transaction whichever path (single, hooked, batched) and batch it comes in,
/// the per-message cap, the large-mint queue; the inbound bucket and the reserve ceiling (with its staleness
/// bound) hold for the batch's total.
/// Batched finalizations: validators sign once over a list of Bakong payouts of one currency's redemptions, and one
/// transaction finalizes them all, each under the single finalization's rules (pending only, one redemption per
/// payout hash whichever path and batch it comes in, the escrow burned).
interface IBakongBridgeBatch {
    /// @notice One deposit of a batch: `amount` arrived in the omnibus account in Bakong transaction `bakongTxHash`
    /// (KHQR MD5 `khqrMd5`), owed to `recipient`. 128 bytes of calldata (four words).
    struct BatchDeposit {
        uint256 amount;
        address recipient;
        bytes32 bakongTxHash;
        bytes16 khqrMd5;
    }

    /// @notice Validators saw the `count` deposits of `currency` hashed into `depositsHash`, `total` in all.
    /// @dev EIP-712 type: BatchMintAttestation(uint16 currency,uint32 count,uint256 total,bytes32 depositsHash,
    /// uint64 expiry,uint64 epoch). `depositsHash` is keccak256 of the deposits' ABI encodings concatenated in
    /// batch order (`abi.encode(amount, recipient, bakongTxHash, khqrMd5)` each, 128 bytes): exactly the calldata
    /// of the `BatchDeposit[]` array after its length word.
    struct BatchMintAttestation {
        uint16 currency;
        uint32 count;
        uint256 total;
        bytes32 depositsHash;
        uint64 expiry;
        uint64 epoch;
    }

    /// @notice One payout of a finalization batch: redemption `redemptionId` was paid out on Bakong in transaction
    /// `payoutTxHash`. 64 bytes of calldata (two words).
    struct BatchPayout {
        uint256 redemptionId;
        bytes32 payoutTxHash;
    }

    /// @notice Validators paid out the `count` redemptions of `currency` hashed into `payoutsHash`, `total` in all.
    /// @dev EIP-712 type: BatchRedemptionFinalization(uint16 currency,uint32 count,uint256 total,bytes32 payoutsHash,
    /// uint64 expiry,uint64 epoch). `payoutsHash` is keccak256 of the payouts' ABI encodings concatenated in batch
    /// order (`abi.encode(redemptionId, payoutTxHash)` each, 64 bytes): exactly the calldata of the `BatchPayout[]`
    /// array after its length word. `total` is the sum of the redemptions' escrowed amounts, as the validators
    /// read them from `RedemptionRequested`; the bridge burns exactly that.
    struct BatchRedemptionFinalization {
        uint16 currency;
        uint32 count;
        uint256 total;
        bytes32 payoutsHash;
        uint64 expiry;
        uint64 epoch;
    }

    /// @notice A batch of `count` deposits of `currency` (hash `depositsHash`, `total` in all) was processed. A
    /// queued or deferred deposit also has its own `MintQueued` event; a minted one has its token `Transfer` (no
    /// `Minted` event: 2.4k gas a deposit) and is read from the transaction's calldata, which `depositsHash`
    /// commits to.
    event BatchMinted(uint16 indexed currency, bytes32 indexed depositsHash, uint256 count, uint256 total);

    /// @notice The token refused to mint deposit `bakongTxHash` to `recipient` (for example a recipient without
    /// KYC): the deposit waits in the large-mint queue instead (`MintQueued`), where the guardian vetoes it for a
    /// refund on Bakong or anyone executes it once the token accepts the recipient. The batch goes on.
    event MintDeferred(bytes32 indexed bakongTxHash, address indexed recipient);

    /// @notice A batch of `count` redemptions of `currency` (hash `payoutsHash`) was finalized and `total` of their
    /// escrow burned. Each redemption also has its own `RedemptionFinalized` event, as from `finalizeRedemption`.
    event BatchFinalized(uint16 indexed currency, bytes32 indexed payoutsHash, uint256 count, uint256 total);

    /// @notice A batch holds at least one deposit or payout.
    error EmptyBatch();
    /// @notice The deposits (or payouts) given do not match the attested count, total or hash.
    error BatchMismatch(uint256 count, uint256 total, bytes32 depositsHash);
    /// @notice Redemption `redemptionId` is of `currency`, not the batch's: a batch finalizes one currency.
    error RedemptionCurrencyMismatch(uint256 redemptionId, uint16 currency);

    /// @notice Mints (or queues) every deposit of an attested batch.
    /// @dev Refuses the whole batch when any deposit breaks a rule (zero field, above the per-message cap,
    /// already processed, a duplicate inside the batch), when the batch total exceeds the inbound bucket, or when
    /// the deposits to mint now would lift the supply above a fresh attested reserve. A deposit above the
    /// large-mint threshold is queued; one the token refuses is deferred ({MintDeferred}).
    /// @param attestation The batch as the validators signed it.
    /// @param deposits The deposits, in the signed order.
    /// @param signatures Exactly `threshold` signatures over `attestation` (IAttestable).
    /// @return queued How many deposits were queued (large or deferred) instead of minted.
    function mintBatch(
        BatchMintAttestation calldata attestation,
        BatchDeposit[] calldata deposits,
        bytes calldata signatures
    ) external returns (uint256 queued);

    /// @notice Finalizes every redemption of an attested batch of Bakong payouts and burns their escrow.
    /// @dev All or nothing: refuses the whole batch when any payout breaks a rule of `finalizeRedemption` (zero or
    /// already used payout hash, a duplicate inside the batch, a redemption not pending: unknown, finalized,
    /// rejected or reclaimed) or is of another currency, when the attested count, hash or total do not match, or
    /// when the attestation has expired or is of another epoch. Not paused by `pause` (like `finalizeRedemption`:
    /// the payouts have happened on Bakong). Why a non-pending redemption refuses the batch rather than being
    /// skipped: docs/bridge.md.
    /// @param attestation The batch as the validators signed it.
    /// @param payouts The payouts, in the signed order.
    /// @param signatures Exactly `threshold` signatures over `attestation` (IAttestable).
    function finalizeRedemptionBatch(
        BatchRedemptionFinalization calldata attestation,
        BatchPayout[] calldata payouts,
        bytes calldata signatures
    ) external;
}
