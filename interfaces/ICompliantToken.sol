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
    /// @notice `account` has no KYC tier (tier 0).
    error AccountNotVerified(address account);
    /// @notice `account` is frozen.
    error AccountFrozen(address account);
    /// @notice `account` is not frozen (unfreeze and seize need a frozen account).
    error AccountNotFrozen(address account);
    /// @notice `amount` is above the per-transfer `limit` of `account`'s tier.
    error TransferLimitExceeded(address account, uint256 amount, uint256 limit);
    /// @notice `spentToday + amount` is above the daily `limit` of `account`'s tier.
    error DailyLimitExceeded(address account, uint256 spentToday, uint256 amount, uint256 limit);
    /// @notice `tier` is not a valid tier here (1..4; 1..3 for limits).
    error InvalidTier(uint8 tier);
    /// @notice A zero jurisdiction is never valid.
    error InvalidJurisdiction();
    /// @notice `limit` is zero, not whole tokens, or too large for tier `tier`.
    error InvalidLimit(uint8 tier, uint256 limit);
    /// @notice `decimals` is above 18.
    error InvalidDecimals(uint8 decimals);
    /// @notice A zero reason code is never valid.
    error InvalidReasonCode();
    /// @notice A zero amount is never valid.
    error InvalidAmount();
    /// @notice A zero address is never valid here.
    error ZeroAddress();
    /// @notice Recovery to the lost account itself.
    error SameAccount(address account);
    /// @notice `recipients` and `values` differ in length.
    error ArrayLengthMismatch(uint256 recipients, uint256 values);
    /// @notice Minting `amount` would take `totalSupply` above `cap`.
    error SupplyCapExceeded(uint256 totalSupply, uint256 amount, uint256 cap);
    /// @notice The token is paused (same error as OZ `Pausable`).
    error EnforcedPause();
    /// @notice The token is not paused (same error as OZ `Pausable`).
    error ExpectedPause();
    /// @notice 2^24-1 freezes have been made: `freeze` and a `recover` that freezes revert (an upgrade must
    /// migrate the allowances' spender epochs before it resets the freeze epoch; see PackedStorage).
    error FreezeEpochExhausted();

    // ---------------------------------------------------------------- events
    /// @notice `account` was verified with `tier` in `jurisdiction`.
    event KycSet(address indexed account, uint8 tier, uint16 jurisdiction);
    /// @notice `account`'s verification was removed.
    event KycRevoked(address indexed account);
    /// @notice `account` was frozen.
    event Frozen(address indexed account);
    /// @notice `account` was unfrozen.
    event Unfrozen(address indexed account);
    /// @notice `amount` was seized from `from` to `to` under `reasonCode`.
    event Seized(address indexed from, address indexed to, uint256 amount, bytes32 indexed reasonCode);
    /// @notice The balance `amount` of `lost` was moved to `recovered` under `reasonCode`.
    event AccountRecovered(address indexed lost, address indexed recovered, uint256 amount, bytes32 indexed reasonCode);
    /// @notice The limits of `tier` were set (base units; type(uint256).max = unlimited).
    event TierLimitsSet(uint8 indexed tier, uint256 perTransfer, uint256 daily);
    /// @notice `account` paused the token (same event as OZ `Pausable`).
    event Paused(address account);
    /// @notice `account` unpaused the token (same event as OZ `Pausable`).
    event Unpaused(address account);
    /// @notice A transfer of `value` from `from` to `to` carried `paymentReference` (emitted after its Transfer).
    event TransferReference(address indexed from, address indexed to, uint256 value, bytes32 indexed paymentReference);
    /// @notice `amount` of `token` held by the token contract was sent to `to`.
    event TokensRescued(address indexed token, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- constants
    /// @notice Role id of the compliance officer.
    /// @return The role that verifies, freezes, seizes, recovers and sets limits.
    function COMPLIANCE_ROLE() external view returns (bytes32);
    /// @notice Role id of the pauser.
    /// @return The role that pauses and unpauses the token.
    function PAUSER_ROLE() external view returns (bytes32);
    /// @notice Role id of the upgrader.
    /// @return The role that authorizes UUPS upgrades.
    function UPGRADER_ROLE() external view returns (bytes32);
    /// @notice Role id of the rescuer.
    /// @return The role that sends out ERC-20s sent to the token by mistake.
    function RESCUER_ROLE() external view returns (bytes32);
    /// @notice The institutional tier number.
    /// @return The tier without limits (4).
    function INSTITUTIONAL_TIER() external view returns (uint8);

    // ---------------------------------------------------------------- payments
    /// @notice Transfers `value` to `to` and emits `TransferReference` carrying an invoice id / UETR.
    /// @param to The receiver (verified, not frozen).
    /// @param value Amount in base units.
    /// @param paymentReference Invoice id / UETR echoed in `TransferReference` (any bytes32).
    /// @return True (reverts on failure).
    function transferWithReference(address to, uint256 value, bytes32 paymentReference) external returns (bool);

    /// @notice Transfers `values[i]` to `recipients[i]` for every i; limits apply to each transfer.
    /// @param recipients The receivers, each verified and not frozen.
    /// @param values The amounts in base units, one per recipient (same length).
    /// @return True (reverts on failure; all transfers or none).
    function batchTransfer(address[] calldata recipients, uint256[] calldata values) external returns (bool);

    // ---------------------------------------------------------------- compliance
    /// @notice Verifies `account` with KYC `tier` (1..4) and ISO 3166-1 numeric `jurisdiction` (non-zero).
    /// @param account The account concerned (non-zero).
    /// @param tier KYC tier: 1..3 limited, 4 institutional (0 is never valid here).
    /// @param jurisdiction ISO 3166-1 numeric country code (non-zero).
    function setKyc(address account, uint8 tier, uint16 jurisdiction) external;

    /// @notice Removes the verification of `account`; its balance stays but cannot move until seized.
    /// @param account The account concerned (non-zero).
    function revokeKyc(address account) external;

    /// @notice Freezes `account`: it can neither send, receive nor spend allowances (`transferFrom` refuses a frozen
    /// spender); only `seize` moves its balance. Increments the freeze epoch (FreezeEpochExhausted at 2^24-1).
    /// @param account The account concerned (non-zero).
    function freeze(address account) external;

    /// @notice Lifts the freeze of `account`.
    /// @param account The account concerned (non-zero).
    function unfreeze(address account) external;

    /// @notice Moves `amount` from the frozen `from` to the verified `to` under a legal order `reasonCode`.
    /// @param from The frozen account seized from.
    /// @param to The receiver (verified, not frozen).
    /// @param amount Amount in base units (non-zero).
    /// @param reasonCode The legal order or case id (non-zero).
    function seize(address from, address to, uint256 amount, bytes32 reasonCode) external;

    /// @notice Moves the whole balance of `lost` to the verified `recovered`; `lost` ends frozen and unverified, so its
    /// key can no longer spend allowances given to it.
    /// @param lost The account whose key was lost (not `recovered`).
    /// @param recovered The verified, unfrozen account that receives the balance.
    /// @param reasonCode The legal order or case id (non-zero).
    function recover(address lost, address recovered, bytes32 reasonCode) external;

    /// @notice Sets the limits of a limited tier (1..3) in base units (whole tokens; max = unlimited).
    /// @param tier A limited tier, 1..3.
    /// @param perTransfer Largest single transfer in base units (whole tokens; type(uint256).max = unlimited).
    /// @param daily Largest total sent per UTC day in base units (whole tokens; type(uint256).max = unlimited).
    function setTierLimits(uint8 tier, uint256 perTransfer, uint256 daily) external;

    /// @notice Stops every transfer, mint, burn and authorization (seize and recovery stay available).
    function pause() external;

    /// @notice Resumes the token.
    function unpause() external;

    /// @notice Sends `amount` of `token` held by this contract to `to`.
    /// @param token The ERC-20 sent by mistake to this contract (non-zero).
    /// @param to The receiver (non-zero).
    /// @param amount Amount in `token`'s base units (non-zero).
    function rescueERC20(address token, address to, uint256 amount) external;

    // ---------------------------------------------------------------- views
    /// @notice KYC state of `account`: tier (0 = not verified), jurisdiction and frozen flag.
    /// @param account Any account.
    /// @return tier The KYC tier (0 = not verified).
    /// @return jurisdiction The ISO 3166-1 numeric code (0 = none).
    /// @return frozen Whether the account is frozen.
    function kycOf(address account) external view returns (uint8 tier, uint16 jurisdiction, bool frozen);

    /// @notice Amount `account` has sent today (UTC day) that counts towards its daily limit (self-transfers
    /// excluded).
    /// @param account Any account.
    /// @return Base units counted towards today's daily limit.
    function spentToday(address account) external view returns (uint256);

    /// @notice Limits of `tier` in base units (type(uint256).max = unlimited).
    /// @param tier A tier, 1..4 (4 has no limits).
    /// @return The per-transfer and daily limits in base units (type(uint256).max = unlimited).
    function tierLimits(uint8 tier) external view returns (TierLimits memory);

    /// @notice Largest total supply the packed balance field can hold.
    /// @return 2^112 - 1 base units.
    function supplyCap() external pure returns (uint256);

    /// @notice True while the token is paused.
    /// @return True while paused.
    function paused() external view returns (bool);
}
