// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IFXPool
/// @notice A two-coin StableSwap pool on oracle-scaled balances: coin 0 is a currency priced by an
///         FX feed in USD (JPY, KHR), coin 1 is the USD hub token. The pool is its own LP token
///         (ERC-20 shares). Coin index `i` in swap functions is the coin sold; the other is bought.
interface IFXPool is IERC20 {
    /// @notice `sender` sold `amountIn` of coin `i` for `amountOut` of coin `1 - i`, paid to
    ///         `recipient`, at the oracle rate `rate0` (coin 0 multiplier, 1e18 USD per 1e18 units).
    event Swapped(
        address indexed sender,
        address indexed recipient,
        uint256 i,
        uint256 amountIn,
        uint256 amountOut,
        uint256 protocolFee,
        uint256 rate0
    );
    /// @notice `provider` deposited `amounts` and `recipient` received `shares`.
    event LiquidityAdded(
        address indexed provider, address indexed recipient, uint256[2] amounts, uint256[2] fees, uint256 shares
    );
    /// @notice `provider` burned `shares` and `recipient` received `amounts` (balanced withdrawal).
    event LiquidityRemoved(address indexed provider, address indexed recipient, uint256[2] amounts, uint256 shares);
    /// @notice `provider` burned `shares` and `recipient` received `amount` of coin `i`.
    event LiquidityRemovedOneCoin(
        address indexed provider, address indexed recipient, uint256 i, uint256 amount, uint256 fee, uint256 shares
    );
    /// @notice Amplification ramps linearly from `initialA` to `futureA` (both × A_PRECISION).
    event RampStarted(uint256 initialA, uint256 futureA, uint256 initialTime, uint256 futureTime);
    /// @notice The ramp was stopped at `currentA`.
    event RampStopped(uint256 currentA, uint256 time);
    /// @notice The swap fee and the protocol's share of it changed.
    event FeeUpdated(uint256 feeBps, uint256 protocolShareBps);
    /// @notice The oracle guards changed: maximum answer age and maximum jump from the cached rate.
    event OracleGuardsSet(uint256 maxAge, uint256 maxJumpBps);
    /// @notice The guardian accepted the feed's current answer as the new reference for jumps.
    event RateSynced(uint256 previousAnswer, uint256 answer);
    /// @notice Accrued protocol fees were sent to `recipient`.
    event ProtocolFeesClaimed(address indexed recipient, uint256[2] amounts);

    /// @notice The guardian paused swaps, deposits and one-coin withdrawals (OpenZeppelin's event).
    event Paused(address account);
    /// @notice The guardian resumed them.
    event Unpaused(address account);

    error ReentrancyGuardReentrantCall();
    error EnforcedPause();
    error ExpectedPause();
    error DeadlinePassed(uint256 deadline);
    error InvalidCoin(uint256 i);
    error ZeroAmount();
    error ZeroAddress();
    error InsufficientOutput(uint256 amountOut, uint256 minOut);
    error ExcessiveInput(uint256 amountIn, uint256 maxIn);
    /// @notice Selling `amountIn` pays less than one minor unit of the other coin.
    error DustAmount(uint256 amountIn);
    error InsufficientPrepayment(uint256 received, uint256 required);
    error InsufficientLiquidity(uint256 requested, uint256 available);
    error FirstDepositNeedsBothCoins();
    error StaleRate(uint256 updatedAt, uint256 maxAge);
    error InvalidRate(int256 answer);
    error RateJumped(uint256 cached, uint256 answer, uint256 maxJumpBps);
    error FixingPending(uint256 roundId, uint256 startedAt);
    error InvalidA(uint256 a);
    error RampTooSoon(uint256 earliest);
    error RampTooShort(uint256 futureTime, uint256 earliest);
    error RampTooSteep(uint256 currentA, uint256 futureA);
    error InvalidFee(uint256 feeBps, uint256 protocolShareBps);
    error InvalidOracleGuards(uint256 maxAge, uint256 maxJumpBps);
    error InvalidDecimals(uint8 decimals);

    // ---------------------------------------------------------------- views

    /// @notice Coin `i` (0: the feed-priced currency, 1: USD hub).
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @return The coin's token address.
    function coins(uint256 i) external view returns (address);

    /// @notice The FX feed pricing coin 0 in USD.
    /// @return The feed's address.
    function feed() external view returns (address);

    /// @notice LP-owned balances of the two coins (excludes accrued protocol fees and donations).
    /// @return balance0 Coin 0 owned by LPs.
    /// @return balance1 Coin 1 owned by LPs.
    function balances() external view returns (uint256 balance0, uint256 balance1);

    /// @notice Protocol fees accrued and not yet claimed.
    /// @return fee0 Coin 0 accrued for the protocol.
    /// @return fee1 Coin 1 accrued for the protocol.
    function protocolFees() external view returns (uint256 fee0, uint256 fee1);

    /// @notice Curve-style rate multipliers: `balance_i * rate_i / 1e18` is the value in USD × 1e18.
    ///         Reverts if the feed is stale or jumped.
    /// @return rate0 Coin 0's multiplier (from the feed).
    /// @return rate1 Coin 1's multiplier (constant).
    function rates() external view returns (uint256 rate0, uint256 rate1);

    /// @notice Current amplification coefficient, × A_PRECISION (100).
    /// @return A × A_PRECISION, interpolated during a ramp.
    function A() external view returns (uint256);

    /// @notice Swap fee in basis points and the protocol's share of it in basis points.
    /// @return feeBps The swap fee.
    /// @return protocolShareBps The protocol's share of it.
    function fee() external view returns (uint256 feeBps, uint256 protocolShareBps);

    /// @notice Oracle guards: maximum answer age (seconds) and maximum jump from the cached rate (bps).
    /// @return maxAge Seconds.
    /// @return maxJumpBps Basis points.
    function oracleGuards() external view returns (uint256 maxAge, uint256 maxJumpBps);

    /// @notice Value of one share in USD × 1e18 (D / totalSupply); only grows from fees.
    /// @return USD × 1e18 per share (0 before the first deposit).
    function virtualPrice() external view returns (uint256);

    /// @notice The StableSwap invariant D of the current balances at the current rate (USD × 1e18).
    /// @return D in USD × 1e18.
    function invariant() external view returns (uint256);

    /// @notice Output of selling `amountIn` of coin `i` (what {swapExactIn} would pay).
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param amountIn Amount of coin `i` sold, in its base units.
    /// @return amountOut Output of the other coin, fee deducted.
    function getAmountOut(uint256 i, uint256 amountIn) external view returns (uint256 amountOut);

    /// @notice Input of coin `i` needed to buy `amountOut` of the other coin (what {swapExactOut} takes).
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param amountOut Amount of the other coin bought, in its base units.
    /// @return amountIn Input of coin `i`, fee included.
    function getAmountIn(uint256 i, uint256 amountOut) external view returns (uint256 amountIn);

    /// @notice `amountIn` of coin `i` converted at the oracle mid rate, no fee, no curve.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param amountIn Amount of coin `i` sold, in its base units.
    /// @return amountOut Output of the other coin at the mid rate.
    function getMidAmountOut(uint256 i, uint256 amountIn) external view returns (uint256 amountOut);

    /// @notice Shares minted for depositing `amounts` (what {addLiquidity} would mint).
    /// @param amounts Amounts of coin 0 and coin 1 deposited, in their base units.
    /// @return shares Shares minted.
    function calcAddLiquidity(uint256[2] calldata amounts) external view returns (uint256 shares);

    /// @notice Amount of coin `i` paid for burning `shares` (what {removeLiquidityOneCoin} would pay).
    /// @param shares LP shares burned.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @return amount Coin `i` paid.
    function calcRemoveLiquidityOneCoin(uint256 shares, uint256 i) external view returns (uint256 amount);

    // ---------------------------------------------------------------- swaps

    /// @notice Sells exactly `amountIn` of coin `i` (pulled from the caller) for at least `minOut`.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param amountIn Amount of coin `i` sold, in its base units.
    /// @param minOut Least output accepted (slippage bound).
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the call may execute.
    /// @return amountOut Output paid to `recipient`.
    function swapExactIn(uint256 i, uint256 amountIn, uint256 minOut, address recipient, uint256 deadline)
        external
        returns (uint256 amountOut);

    /// @notice Buys exactly `amountOut` of the other coin for at most `maxIn` of coin `i`.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param amountOut Amount of the other coin bought, in its base units.
    /// @param maxIn Most input accepted (slippage bound).
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the call may execute.
    /// @return amountIn Input taken from the caller.
    function swapExactOut(uint256 i, uint256 amountOut, uint256 maxIn, address recipient, uint256 deadline)
        external
        returns (uint256 amountIn);

    /// @notice Router entry: sells whatever coin `i` was transferred to the pool beyond its
    ///         accounting, for at least `minOut`. Returns the output and the input at the oracle mid.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param minOut Least output accepted (slippage bound).
    /// @param recipient Receiver of the output (non-zero).
    /// @return amountOut Output paid to `recipient`.
    /// @return midOut The prepaid input at the oracle mid rate.
    function swapPrepaidExactIn(uint256 i, uint256 minOut, address recipient)
        external
        returns (uint256 amountOut, uint256 midOut);

    /// @notice Router entry: pays exactly `amountOut` of the other coin if the coin `i` transferred
    ///         beyond the pool's accounting covers it; any excess stays with the LPs.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param amountOut Amount of the other coin bought, in its base units.
    /// @param recipient Receiver of the output (non-zero).
    /// @return amountIn Input used (the excess stays in the pool as a donation).
    /// @return midOut That input at the oracle mid rate.
    function swapPrepaidExactOut(uint256 i, uint256 amountOut, address recipient)
        external
        returns (uint256 amountIn, uint256 midOut);

    // ---------------------------------------------------------------- liquidity

    /// @notice Deposits `amounts` (either may be 0 after the first deposit) for at least `minShares`.
    /// @param amounts Amounts of coin 0 and coin 1 deposited, in their base units.
    /// @param minShares Fewest shares accepted (slippage bound).
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the call may execute.
    /// @return shares Shares minted to `recipient`.
    function addLiquidity(uint256[2] calldata amounts, uint256 minShares, address recipient, uint256 deadline)
        external
        returns (uint256 shares);

    /// @notice Burns `shares` for a pro-rata part of both balances. Works while paused or stale.
    /// @param shares LP shares burned.
    /// @param minAmounts Least amounts of coin 0 and coin 1 accepted.
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the call may execute.
    /// @return amounts Coin 0 and coin 1 paid to `recipient`.
    function removeLiquidity(uint256 shares, uint256[2] calldata minAmounts, address recipient, uint256 deadline)
        external
        returns (uint256[2] memory amounts);

    /// @notice Burns `shares` for coin `i` only, for at least `minAmount`.
    /// @param shares LP shares burned.
    /// @param i The coin sold, paid or asked about: 0 (the feed-priced currency) or 1 (the USD hub).
    /// @param minAmount Least amount of coin `i` accepted.
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the call may execute.
    /// @return amount Coin `i` paid to `recipient`.
    function removeLiquidityOneCoin(uint256 shares, uint256 i, uint256 minAmount, address recipient, uint256 deadline)
        external
        returns (uint256 amount);

    // ---------------------------------------------------------------- administration

    /// @notice Ramps A to `futureA` (× A_PRECISION) by `futureTime` (DEFAULT_ADMIN_ROLE).
    /// @param futureA The target A (1..MAX_A; within a factor MAX_A_CHANGE of the current A).
    /// @param futureTime When the ramp ends (at least MIN_RAMP_TIME from now).
    function rampA(uint256 futureA, uint256 futureTime) external;

    /// @notice Freezes A at its current value (DEFAULT_ADMIN_ROLE).
    function stopRampA() external;

    /// @notice Sets the swap fee and the protocol share (DEFAULT_ADMIN_ROLE).
    /// @param feeBps Swap fee in basis points (0 < fee <= MAX_FEE_BPS).
    /// @param protocolShareBps The protocol's share of the fee in basis points (<= BPS).
    function setFee(uint256 feeBps, uint256 protocolShareBps) external;

    /// @notice Sets the oracle guards (DEFAULT_ADMIN_ROLE).
    /// @param maxAge Maximum answer age in seconds (0 < age <= MAX_ORACLE_AGE).
    /// @param maxJumpBps Maximum jump from the reference answer in basis points (0 < jump <= MAX_JUMP_BPS).
    function setOracleGuards(uint256 maxAge, uint256 maxJumpBps) external;

    /// @notice Accepts the feed's answer as the new jump reference after a legitimate large move
    ///         (GUARDIAN_ROLE).
    function syncRate() external;

    /// @notice Sends accrued protocol fees to `recipient` (DEFAULT_ADMIN_ROLE).
    /// @param recipient Receiver of the output (non-zero).
    /// @return amounts Coin 0 and coin 1 sent.
    function claimProtocolFees(address recipient) external returns (uint256[2] memory amounts);

    /// @notice Stops swaps, deposits and one-coin withdrawals (GUARDIAN_ROLE). Balanced withdrawals stay open.
    function pause() external;

    /// @notice Resumes (GUARDIAN_ROLE).
    function unpause() external;

    /// @notice True while paused.
    /// @return True while paused.
    function paused() external view returns (bool);
}
