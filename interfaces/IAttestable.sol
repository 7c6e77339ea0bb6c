// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAttestable
/// @notice An M-of-N validator set whose signatures over EIP-712 structs attest facts (CCTP `Attestable`).
/// @dev The set is appointed for an epoch: replacing it starts a new epoch and voids every signature made for an
/// earlier one at once (Ronin). An attestation carries the epoch it was signed for and needs exactly `threshold`
/// signatures, packed `r ‖ s ‖ v` (65 bytes each), from distinct current validators in strictly ascending
/// signer order; the threshold is a strict majority of the set (Harmony).
interface IAttestable {
    // ---------------------------------------------------------------- events

    /// @notice A new validator set took over; signatures for earlier epochs are void from now on.
    /// @param epoch The epoch the set was appointed for.
    /// @param validators The validators, ascending.
    /// @param threshold The number of signatures every attestation needs from now on.
    event ValidatorSetUpdated(uint64 indexed epoch, address[] validators, uint8 threshold);

    // ---------------------------------------------------------------- errors

    /// @notice A validator set must not be empty.
    error ValidatorSetEmpty();
    /// @notice A validator set holds at most `max` validators.
    error ValidatorSetTooLarge(uint256 count, uint256 max);
    /// @notice Validators (and signers) must be non-zero and strictly ascending.
    error ValidatorsNotAscending(address previous, address next);
    /// @notice The threshold must be a strict majority of the set (so never zero).
    error InvalidThreshold(uint256 threshold, uint256 count);
    /// @notice The attestation was signed for `given`, but the current epoch is `current`.
    error EpochMismatch(uint64 current, uint64 given);
    /// @notice Exactly `expected` bytes of signatures (threshold × 65) are required.
    error SignatureLengthMismatch(uint256 given, uint256 expected);
    /// @notice Signers must be strictly ascending (no duplicates).
    error SignersNotAscending(address previous, address signer);
    /// @notice `signer` is not a validator of the current epoch.
    error SignerNotValidator(address signer);

    // ---------------------------------------------------------------- views

    /// @notice The current validator-set epoch (starts at 1).
    /// @return The epoch every attestation must carry.
    function epoch() external view returns (uint64);

    /// @notice The number of signatures every attestation needs.
    /// @return A strict majority of the current validators.
    function threshold() external view returns (uint8);

    /// @notice The current validators, ascending.
    /// @return The validators of the current epoch.
    function validators() external view returns (address[] memory);

    /// @notice Whether `account` is a validator of the current epoch.
    /// @param account Any address (zero is never a validator).
    /// @return True when `account` may sign attestations now.
    function isValidator(address account) external view returns (bool);
}
