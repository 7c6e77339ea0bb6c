// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {ISignedAuthorizations} from "./ISignedAuthorizations.sol";

/// @title ICompliantToken
/// @notice A permissioned ERC-20: KYC tiers with jurisdiction, frozen accounts, per-tier per-transfer and daily
/// limits, seizure with a legal reason code, lost-key recovery, global pause, EIP-2612 permit and EIP-3009
/// transfer authorizations (EOA and ERC-1271 signers; {ISignedAuthorizations}). Shared by the JPY stablecoin and
/// the bridge tokens.
/// @dev Tier 0 means "not verified". Tiers 1..3 are limited tiers whose limits the compliance officer sets;
/// tier 4 (INSTITUTIONAL_TIER) has no per-transfer or daily limit: it is for regulated institutions and for
/// contracts that must hold the token (AMM pools, RFQ venues, bridges). Limits bound what leaves an account: a
/// self-transfer (`from == to`) moves no value, so it is neither limited nor counted (it stays a valid ERC-20
/// transfer with its Transfer event, and a spender's transferFrom(owner, owner, v) still spends the allowance).
interface ICompliantToken is IERC20Metadata, ISignedAuthorizations, IERC20Errors {
    /// @notice Limits of one tier in base units; type(uint256).max means "no limit".
    struct TierLimits {
        uint256 perTransfer;
        uint256 daily;
    }

    // ---------------------------------------------------------------- errors
    error AccountNotVerified(address account);
    error AccountFrozen(address account);
    error AccountNotFrozen(address account);
    error TransferLimitExceeded(address account, uint256 amount, uint256 limit);
    error DailyLimitExceeded(address account, uint256 spentToday, uint256 amount, uint256 limit);
    error InvalidTier(uint8 tier);
    error InvalidJurisdiction();
    error InvalidLimit(uint8 tier, uint256 limit);
    error InvalidDecimals(uint8 decimals);
    error InvalidReasonCode();
    error InvalidAmount();
    error ZeroAddress();
    error SameAccount(address account);
    error ArrayLengthMismatch(uint256 recipients, uint256 values);
    error SupplyCapExceeded(uint256 totalSupply, uint256 amount, uint256 cap);
    error EnforcedPause();
    error ExpectedPause();
    /// @notice 2^24-1 freezes have been made: `freeze` and a `recover` that freezes revert (an upgrade must
    /// migrate the allowances' spender epochs before it resets the freeze epoch; see PackedStorage).
    error FreezeEpochExhausted();

    // ---------------------------------------------------------------- events
    event KycSet(address indexed account, uint8 tier, uint16 jurisdiction);
    event KycRevoked(address indexed account);
    event Frozen(address indexed account);
    event Unfrozen(address indexed account);
    event Seized(address indexed from, address indexed to, uint256 amount, bytes32 indexed reasonCode);
    event AccountRecovered(address indexed lost, address indexed recovered, uint256 amount, bytes32 indexed reasonCode);
    event TierLimitsSet(uint8 indexed tier, uint256 perTransfer, uint256 daily);
    event Paused(address account);
    event Unpaused(address account);
    event TransferReference(address indexed from, address indexed to, uint256 value, bytes32 indexed paymentReference);
    event TokensRescued(address indexed token, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- constants
    function COMPLIANCE_ROLE() external view returns (bytes32);
    function PAUSER_ROLE() external view returns (bytes32);
    function UPGRADER_ROLE() external view returns (bytes32);
    function RESCUER_ROLE() external view returns (bytes32);
    function INSTITUTIONAL_TIER() external view returns (uint8);

    // ---------------------------------------------------------------- payments
    /// @notice Transfers `value` to `to` and emits `TransferReference` carrying an invoice id / UETR.
    function transferWithReference(address to, uint256 value, bytes32 paymentReference) external returns (bool);

    /// @notice Transfers `values[i]` to `recipients[i]` for every i; limits apply to each transfer.
    function batchTransfer(address[] calldata recipients, uint256[] calldata values) external returns (bool);

    // ---------------------------------------------------------------- compliance
    /// @notice Verifies `account` with KYC `tier` (1..4) and ISO 3166-1 numeric `jurisdiction` (non-zero).
    function setKyc(address account, uint8 tier, uint16 jurisdiction) external;

    /// @notice Removes the verification of `account`; its balance stays but cannot move until seized.
    function revokeKyc(address account) external;

    /// @notice Freezes `account`: it can neither send, receive nor spend allowances (`transferFrom` refuses a frozen
    /// spender); only `seize` moves its balance. Increments the freeze epoch (FreezeEpochExhausted at 2^24-1).
    function freeze(address account) external;

    /// @notice Lifts the freeze of `account`.
    function unfreeze(address account) external;

    /// @notice Moves `amount` from the frozen `from` to the verified `to` under a legal order `reasonCode`.
    function seize(address from, address to, uint256 amount, bytes32 reasonCode) external;

    /// @notice Moves the whole balance of `lost` to the verified `recovered`; `lost` ends frozen and unverified, so its
    /// key can no longer spend allowances given to it.
    function recover(address lost, address recovered, bytes32 reasonCode) external;

    /// @notice Sets the limits of a limited tier (1..3) in base units (whole tokens; max = unlimited).
    function setTierLimits(uint8 tier, uint256 perTransfer, uint256 daily) external;

    /// @notice Stops every transfer, mint, burn and authorization (seize and recovery stay available).
    function pause() external;

    /// @notice Resumes the token.
    function unpause() external;

    /// @notice Sends `amount` of `token` held by this contract to `to`.
    function rescueERC20(address token, address to, uint256 amount) external;

    // ---------------------------------------------------------------- views
    /// @notice KYC state of `account`: tier (0 = not verified), jurisdiction and frozen flag.
    function kycOf(address account) external view returns (uint8 tier, uint16 jurisdiction, bool frozen);

    /// @notice Amount `account` has sent today (UTC day) that counts towards its daily limit (self-transfers
    /// excluded).
    function spentToday(address account) external view returns (uint256);

    /// @notice Limits of `tier` in base units (type(uint256).max = unlimited).
    function tierLimits(uint8 tier) external view returns (TierLimits memory);

    /// @notice Largest total supply the packed balance field can hold.
    function supplyCap() external pure returns (uint256);

    /// @notice True while the token is paused.
    function paused() external view returns (bool);
}
