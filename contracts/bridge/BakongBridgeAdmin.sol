// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {IBakongBridge} from "../../interfaces/IBakongBridge.sol";
import {IBakongBridgeHooks} from "../../interfaces/IBakongBridgeHooks.sol";
import {IBridgeToken} from "../../interfaces/IBridgeToken.sol";
import {BakongBridgeState} from "./BakongBridgeState.sol";
import {RateLimiter} from "./RateLimiter.sol";

/// @title BakongBridgeAdmin
/// @notice The bridge's configuration by its roles (validator rotation, timings, currencies and their limits,
/// rejection fees, mint hooks, resuming minting, vetoing queued mints), split out of {BakongBridge} so the bridge
/// stays under EIP-170's 24,576-byte limit with room for batched mints. None of it is on a hot path.
/// @dev Runs only by `delegatecall` from the bridge that created it, in the bridge's storage (both inherit
/// {BakongBridgeState} and nothing else with state): `msg.sender`, roles, events and errors are the bridge's.
/// Called directly it reverts ({NotDelegated}), so its own (empty) storage can never be configured.
/// The selectors, NatSpec and behaviour are those of {IBakongBridge} / {IBakongBridgeHooks}; the bridge forwards
/// each of them here unchanged.
contract BakongBridgeAdmin is BakongBridgeState {
    using SafeERC20 for IBridgeToken;
    using RateLimiter for RateLimiter.Bucket;

    /// @notice The functions of this contract run only through the bridge that created it.
    error NotDelegated();

    address private immutable _self = address(this);

    /// @dev The base constructors write only this contract's own storage, which is never read: the admin (the
    /// creating bridge) and the domain are placeholders the bridge's own constructor sets for real.
    constructor() EIP712("BakongBridge", "1") AccessControlDefaultAdminRules(0, msg.sender) {}

    modifier onlyDelegated() {
        if (address(this) == _self) revert NotDelegated();
        _;
    }

    /// @notice See {IBakongBridge-vetoQueuedMint}.
    /// @param bakongTxHash The queued deposit.
    /// @param reason Why (non-zero).
    function vetoQueuedMint(bytes32 bakongTxHash, bytes32 reason) external onlyDelegated onlyRole(GUARDIAN_ROLE) {
        if (reason == bytes32(0)) revert IBakongBridge.ZeroReason();
        if (_mintStatus[bakongTxHash] != IBakongBridge.MintStatus.Queued) {
            revert IBakongBridge.MintNotQueued(bakongTxHash);
        }
        _mintStatus[bakongTxHash] = IBakongBridge.MintStatus.Vetoed;
        delete _queuedMints[bakongTxHash];
        emit IBakongBridge.QueuedMintVetoed(bakongTxHash, msg.sender, reason);
    }

    /// @notice See {IBakongBridge-resumeMinting}.
    /// @param currency A registered currency.
    function resumeMinting(uint16 currency) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        _currency(currency).mintingStopped = false;
        emit IBakongBridge.MintingResumed(currency, msg.sender);
    }

    /// @notice See {IBakongBridgeHooks-setMintHook}.
    /// @param hook A contract.
    /// @param registered Whether hooked mints may pay it.
    function setMintHook(address hook, bool registered) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        if (hook.code.length == 0) revert IBakongBridgeHooks.InvalidMintHook(hook);
        _mintHooks[hook] = registered;
        emit IBakongBridgeHooks.MintHookSet(hook, registered);
    }

    /// @notice See {IBakongBridge-setValidators}.
    /// @param validators_ The new validators, strictly ascending.
    /// @param threshold_ A strict majority of them.
    function setValidators(address[] calldata validators_, uint8 threshold_)
        external
        onlyDelegated
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setValidators(validators_, threshold_);
    }

    /// @notice See {IBakongBridge-setTimings}.
    /// @param timings_ The new timings (none zero).
    function setTimings(IBakongBridge.Timings calldata timings_) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTimings(timings_);
    }

    /// @notice See {IBakongBridge-addCurrency}.
    /// @param currency ISO 4217 numeric code (non-zero, not registered yet).
    /// @param token A contract whose `bridge()` is this bridge.
    /// @param limits The currency's limits.
    function addCurrency(uint16 currency, address token, IBakongBridge.CurrencyLimits calldata limits)
        external
        onlyDelegated
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (currency == 0) revert IBakongBridge.ZeroCurrency();
        if (token.code.length == 0 || IBridgeToken(token).bridge() != address(this)) {
            revert IBakongBridge.InvalidToken(token);
        }
        Currency storage c = _currencies[currency];
        if (address(c.token) != address(0)) revert IBakongBridge.CurrencyAlreadyAdded(currency);
        c.token = IBridgeToken(token);
        emit IBakongBridge.CurrencyAdded(currency, token);
        _setLimits(c, currency, limits);
    }

    /// @notice See {IBakongBridge-setCurrencyLimits}.
    /// @param currency A registered currency.
    /// @param limits The new limits.
    function setCurrencyLimits(uint16 currency, IBakongBridge.CurrencyLimits calldata limits)
        external
        onlyDelegated
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setLimits(_currency(currency), currency, limits);
    }

    /// @notice See {IBakongBridge-setRejectionFee}.
    /// @param currency A registered currency.
    /// @param fee Below the currency's per-message cap.
    function setRejectionFee(uint16 currency, uint64 fee) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        Currency storage c = _currency(currency);
        if (fee >= c.maxPerMessage) revert IBakongBridge.RejectionFeeTooHigh(fee, c.maxPerMessage);
        c.rejectionFee = fee;
        emit IBakongBridge.RejectionFeeUpdated(currency, fee);
    }

    /// @notice See {IBakongBridge-collectRejectionFees}.
    /// @param currency A registered currency with fees to collect.
    /// @param to Receives them (non-zero).
    function collectRejectionFees(uint16 currency, address to) external onlyDelegated onlyRole(DEFAULT_ADMIN_ROLE) {
        if (to == address(0)) revert IBakongBridge.ZeroRecipient();
        Currency storage c = _currency(currency);
        uint256 amount = c.feesCollectable;
        if (amount == 0) revert IBakongBridge.ZeroAmount();
        c.feesCollectable = 0;
        emit IBakongBridge.RejectionFeesCollected(currency, to, amount);
        c.token.safeTransfer(to, amount);
    }

    function _setLimits(Currency storage c, uint16 currency, IBakongBridge.CurrencyLimits calldata l) private {
        if (
            l.maxPerMessage == 0 || l.largeMintThreshold == 0 || l.largeMintThreshold > l.maxPerMessage
                || l.inboundCapacity < l.maxPerMessage || l.outboundCapacity < l.maxPerMessage
                || l.inboundRefillPerSecond == 0 || l.outboundRefillPerSecond == 0
        ) revert IBakongBridge.InvalidLimits();
        // a new currency has no fee yet; an existing one keeps its fee below the cap
        if (c.rejectionFee >= l.maxPerMessage) revert IBakongBridge.RejectionFeeTooHigh(c.rejectionFee, l.maxPerMessage);
        c.maxPerMessage = l.maxPerMessage;
        c.largeMintThreshold = l.largeMintThreshold;
        c.maxDrift = l.maxDrift;
        c.inbound._resize(l.inboundCapacity, l.inboundRefillPerSecond);
        c.outbound._resize(l.outboundCapacity, l.outboundRefillPerSecond);
        emit IBakongBridge.CurrencyLimitsUpdated(currency, l);
    }
}
