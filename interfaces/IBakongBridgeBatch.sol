// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBakongBridgeBatch
/// @notice Batched mints: validators sign once over a list of deposits of one currency, and one transaction mints
/// them all. Same EIP-712 domain, epoch and expiry rules as a single mint, and every per-deposit rule still holds
/// per deposit: one mint per Bakong transaction whichever path (single, hooked, batched) and batch it comes in,
/// the per-message cap, the large-mint queue; the inbound bucket and the reserve ceiling (with its staleness
/// bound) hold for the batch's total.
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

    /// @notice A batch of `count` deposits of `currency` (hash `depositsHash`, `total` in all) was processed. A
    /// queued or deferred deposit also has its own `MintQueued` event; a minted one has its token `Transfer` (no
    /// `Minted` event: 2.4k gas a deposit) and is read from the transaction's calldata, which `depositsHash`
    /// commits to.
    event BatchMinted(uint16 indexed currency, bytes32 indexed depositsHash, uint256 count, uint256 total);

    /// @notice The token refused to mint deposit `bakongTxHash` to `recipient` (for example a recipient without
    /// KYC): the deposit waits in the large-mint queue instead (`MintQueued`), where the guardian vetoes it for a
    /// refund on Bakong or anyone executes it once the token accepts the recipient. The batch goes on.
    event MintDeferred(bytes32 indexed bakongTxHash, address indexed recipient);

    /// @notice A batch holds at least one deposit.
    error EmptyBatch();
    /// @notice The deposits given do not match the attested count, total or hash.
    error BatchMismatch(uint256 count, uint256 total, bytes32 depositsHash);

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
}
