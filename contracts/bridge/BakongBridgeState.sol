// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IBakongBridge} from "../../interfaces/IBakongBridge.sol";
import {IBridgeToken} from "../../interfaces/IBridgeToken.sol";
import {Attestable} from "./Attestable.sol";
import {RateLimiter} from "./RateLimiter.sol";

/// @title BakongBridgeState
/// @notice The bridge's storage and the helpers both of its halves use: {BakongBridge} (attested actions,
/// holders, views) and {BakongBridgeAdmin} (configuration), which runs in the bridge's storage by `delegatecall`.
/// @dev Both contracts inherit exactly this base and declare no state of their own, so their storage layouts are
/// one layout (Aave v2's LendingPool / LendingPoolCollateralManager split, for the same reason: EIP-170).
/// Never add a state variable outside this contract.
abstract contract BakongBridgeState is Attestable, AccessControlDefaultAdminRules, ReentrancyGuard {
    using RateLimiter for RateLimiter.Bucket;

    /// @notice May pause the bridge (only the admin unpauses).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May veto queued large mints.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice May record redemptions it has funded itself in the same transaction ({redeemPrefunded}).
    bytes32 public constant ESCROW_AGENT_ROLE = keccak256("ESCROW_AGENT_ROLE");

    /// @dev Everything an attestation check reads, in one slot (Attestable reads and writes the epoch and the
    /// threshold through `_attestationConfig` / `_setAttestationConfig`). The pause flag lives here instead of in
    /// OZ `Pausable`'s own slot to save a cold SLOAD (2,100 gas) on every mint: the 3-of-5 mint goal (<= 120k gas)
    /// forces it. Same errors and events as OZ `Pausable` (tests/bridge/test_admin.py).
    struct Config {
        uint64 epoch;
        uint8 threshold;
        bool paused;
        uint32 maxReserveAge;
        uint32 mintDelay;
        uint32 redemptionTimeout;
    }

    /// @dev Per-currency state; the mint path reads slots 0, 1 and 3 and writes slot 3; redeem reads slots 0, 2
    /// and 4 and writes slot 4.
    struct Currency {
        // slot 0
        IBridgeToken token;
        uint64 maxPerMessage;
        bool mintingStopped;
        // slot 1
        uint128 reserve;
        uint40 reserveAsOf;
        uint64 largeMintThreshold;
        // slot 2
        uint64 maxDrift;
        uint40 reconciledAsOf;
        uint64 rejectionFee;
        // fees kept and not collected yet: bounded by the token's supply, itself bounded by the attested reserve
        uint64 feesCollectable;
        // slot 3, 4
        RateLimiter.Bucket inbound;
        RateLimiter.Bucket outbound;
    }

    Config internal _config;
    mapping(uint16 currency => Currency) internal _currencies;
    mapping(bytes32 bakongTxHash => IBakongBridge.MintStatus) internal _mintStatus;
    mapping(bytes32 bakongTxHash => IBakongBridge.QueuedMint) internal _queuedMints;
    mapping(uint256 redemptionId => IBakongBridge.Redemption) internal _redemptions;
    mapping(bytes32 payoutTxHash => bool) internal _payoutUsed;
    uint256 internal _redemptionCount;
    // Slither's uninitialized-state is a false positive here: BakongBridgeAdmin.setMintHook writes it, in the
    // bridge's storage by delegatecall, which Slither does not follow.
    // slither-disable-next-line uninitialized-state
    mapping(address hook => bool) internal _mintHooks;

    /// @inheritdoc Attestable
    function _attestationConfig() internal view override returns (uint64 epoch_, uint8 threshold_) {
        Config storage cfg = _config;
        return (cfg.epoch, cfg.threshold);
    }

    /// @inheritdoc Attestable
    function _setAttestationConfig(uint64 epoch_, uint8 threshold_) internal override {
        _config.epoch = epoch_;
        _config.threshold = threshold_;
    }

    function _setTimings(IBakongBridge.Timings memory t) internal {
        if (t.maxReserveAge == 0 || t.mintDelay == 0 || t.redemptionTimeout == 0) revert IBakongBridge.ZeroTiming();
        _config.maxReserveAge = t.maxReserveAge;
        _config.mintDelay = t.mintDelay;
        _config.redemptionTimeout = t.redemptionTimeout;
        emit IBakongBridge.TimingsUpdated(t.maxReserveAge, t.mintDelay, t.redemptionTimeout);
    }

    function _currency(uint16 currency) internal view returns (Currency storage c) {
        c = _currencies[currency];
        if (address(c.token) == address(0)) revert IBakongBridge.UnknownCurrency(currency);
    }
}
