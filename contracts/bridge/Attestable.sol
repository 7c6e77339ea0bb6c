// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {IAttestable} from "../../interfaces/IAttestable.sol";

/// @title Attestable
/// @notice The validator set and the attestation check: exactly `threshold` signatures over an EIP-712 digest,
/// signers strictly ascending, current-epoch validators only (CCTP `Attestable`; rules in IAttestable).
/// @dev The inheriting contract keeps the epoch and the threshold (`_attestationConfig` /
/// `_setAttestationConfig`), so it can pack them with whatever else its hot path reads: BakongBridge keeps them
/// in one slot with its pause flag and timings, read once per mint. For the same reason `_verify` takes them as
/// arguments instead of reading them again. The EIP-712 domain is the inheriting contract's (it calls the
/// `EIP712` constructor).
abstract contract Attestable is IAttestable, EIP712 {
    /// @notice Upper bound on the validator set (keeps rotation and verification gas bounded).
    uint256 public constant MAX_VALIDATORS = 32;

    address[] private _validators;
    /// @dev Validator => the epoch it was (last) appointed for; valid only while equal to the current epoch.
    mapping(address validator => uint64 epoch) private _validatorEpoch;

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAttestable
    function epoch() external view returns (uint64 current) {
        (current,) = _attestationConfig();
    }

    /// @inheritdoc IAttestable
    function threshold() external view returns (uint8 required) {
        (, required) = _attestationConfig();
    }

    /// @inheritdoc IAttestable
    function validators() external view returns (address[] memory) {
        return _validators;
    }

    /// @inheritdoc IAttestable
    function isValidator(address account) external view returns (bool) {
        (uint64 current,) = _attestationConfig();
        return account != address(0) && _validatorEpoch[account] == current;
    }

    // ---------------------------------------------------------------- internals

    /// @dev The current epoch and threshold, wherever the inheriting contract keeps them.
    function _attestationConfig() internal view virtual returns (uint64 epoch_, uint8 threshold_);

    /// @dev Stores a new epoch and threshold (called by `_setValidators` only).
    function _setAttestationConfig(uint64 epoch_, uint8 threshold_) internal virtual;

    /// @dev Accepts exactly `threshold_` signatures (r ‖ s ‖ v each) over the EIP-712 digest of `structHash`,
    /// from validators of `epoch_` in strictly ascending order: one comparison rules out duplicates. The caller
    /// passes the current epoch and threshold (read with the rest of its configuration).
    function _verify(bytes32 structHash, bytes calldata signatures, uint64 epoch_, uint256 threshold_)
        internal
        view
    {
        uint256 m = threshold_;
        if (signatures.length != m * 65) revert SignatureLengthMismatch(signatures.length, m * 65);
        bytes32 digest = _hashTypedDataV4(structHash);
        address previous = address(0);
        for (uint256 i; i < m; ++i) {
            uint256 o = i * 65;
            address signer = ECDSA.recover(
                digest, uint8(signatures[o + 64]), bytes32(signatures[o:o + 32]), bytes32(signatures[o + 32:o + 64])
            );
            if (signer <= previous) revert SignersNotAscending(previous, signer);
            if (_validatorEpoch[signer] != epoch_) revert SignerNotValidator(signer);
            previous = signer;
        }
    }

    /// @dev Appoints `validators_` (non-empty, at most MAX_VALIDATORS, strictly ascending) with `threshold_` (a
    /// strict majority) for the next epoch, which voids every earlier signature.
    function _setValidators(address[] memory validators_, uint8 threshold_) internal {
        uint256 n = validators_.length;
        if (n == 0) revert ValidatorSetEmpty();
        if (n > MAX_VALIDATORS) revert ValidatorSetTooLarge(n, MAX_VALIDATORS);
        if (threshold_ == 0 || threshold_ > n || uint256(threshold_) * 2 <= n) revert InvalidThreshold(threshold_, n);
        (uint64 current,) = _attestationConfig();
        uint64 newEpoch = current + 1;
        address previous = address(0);
        for (uint256 i; i < n; ++i) {
            address v = validators_[i];
            if (v <= previous) revert ValidatorsNotAscending(previous, v);
            _validatorEpoch[v] = newEpoch;
            previous = v;
        }
        _validators = validators_;
        _setAttestationConfig(newEpoch, threshold_);
        emit ValidatorSetUpdated(newEpoch, validators_, threshold_);
    }
}
