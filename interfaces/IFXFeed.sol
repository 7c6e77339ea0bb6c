// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFXAggregatorV3} from "./IFXAggregatorV3.sol";

/// @title IFXFeed
/// @notice An FX rate feed (price of one unit of the base currency in USD) written by reporters,
///         read through the Chainlink interface. Guards: a heartbeat (an answer older than it is
///         stale), a maximum move over any heartbeat (circuit breaker), market hours (while the market
///         is closed - weekend, bank holiday - reporters may only re-confirm the last official rate)
///         and fixing windows: the rate changes only inside a window the reporter scheduled, during
///         which `latestRoundData` reports a round in progress (`answeredInRound < roundId`).
interface IFXFeed is IFXAggregatorV3 {
    /// @notice A reporter published `answer` as round `roundId`.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    /// @notice A new round started (Chainlink compatibility: emitted with every answer).
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);
    /// @notice The admin changed the heartbeat (maximum age of a fresh answer).
    event HeartbeatSet(uint32 heartbeat);
    /// @notice The admin changed the maximum move per update, in basis points.
    event MaxMoveSet(uint16 maxMoveBps);
    /// @notice The market was declared closed until `reopensAt` (UNIX seconds).
    event MarketClosed(uint64 reopensAt);
    /// @notice The market was declared open again before its scheduled reopening.
    event MarketOpened();
    /// @notice The reporter scheduled the next fixing window to open at `fixingAt` (UNIX seconds).
    event FixingScheduled(uint64 fixingAt);

    error AnswerNotPositive(int256 answer);
    error AnswerOutOfRange(int256 answer);
    error MoveTooLarge(int256 previous, int256 answer, uint256 moveBps, uint256 maxMoveBps);
    error MarketIsClosed(uint64 reopensAt, int256 previous, int256 answer);
    error MarketNotClosed();
    error ReopeningNotInFuture(uint64 reopensAt);
    error ClosureTooLong(uint64 reopensAt, uint64 latestAllowed);
    error RoundNotFound(uint80 roundId);
    error InvalidHeartbeat(uint32 heartbeat);
    error InvalidMaxMove(uint16 maxMoveBps);
    error InvalidDecimals(uint8 decimals);
    error FixingWindowNotOpen(uint64 fixingAt);
    error FixingWindowOpen(uint64 fixingAt);
    error InvalidFixingTime(uint64 at);

    /// @notice Publishes a new answer (REPORTER_ROLE) and closes the fixing window if one is open.
    ///         Re-confirming the latest answer is always accepted. A different answer reverts while
    ///         the market is closed, outside an open fixing window, or if it moves more than
    ///         `maxMoveBps()` from any answer published less than a heartbeat before (measured from
    ///         that earlier answer; see `acceptedRange()`).
    /// @param answer The new answer, USD per unit with `decimals()` decimals.
    /// @return roundId The new round's id.
    function submit(int256 answer) external returns (uint80 roundId);

    /// @notice Schedules the next fixing window (REPORTER_ROLE): from `at` (now if `at` has passed)
    ///         until the next round lands, consumers see a round in progress and the rate may change.
    ///         Schedule it no later than the moment the fixing becomes known off chain. Reverts
    ///         while a window is open or if `at` is zero; a window not yet open may be rescheduled.
    /// @param at Start of the window, UNIX seconds.
    function scheduleFixing(uint64 at) external;

    /// @notice Overrides the circuit breaker, market hours and fixing windows for one answer
    ///         (DEFAULT_ADMIN_ROLE), e.g. after a devaluation, and restarts the breaker from it; it
    ///         answers an open fixing window. Still reverts on a non-positive answer.
    /// @param answer The forced answer.
    /// @return roundId The new round's id.
    function forceSubmit(int256 answer) external returns (uint80 roundId);

    /// @notice Declares the market closed until `reopensAt` (MARKET_HOURS_ROLE).
    /// @param reopensAt When the market reopens, UNIX seconds (in the future, within `maxClosure()`).
    function closeMarket(uint64 reopensAt) external;

    /// @notice Declares the market open again before its scheduled reopening (MARKET_HOURS_ROLE).
    function openMarket() external;

    /// @notice Sets the heartbeat (DEFAULT_ADMIN_ROLE).
    /// @param heartbeat Maximum age of a fresh answer, in seconds (non-zero).
    function setHeartbeat(uint32 heartbeat) external;

    /// @notice Sets the maximum move per update in basis points (DEFAULT_ADMIN_ROLE).
    /// @param maxMoveBps Maximum move per update, in basis points (non-zero).
    function setMaxMove(uint16 maxMoveBps) external;

    /// @notice Maximum age, in seconds, of a fresh answer.
    /// @return Seconds.
    function heartbeat() external view returns (uint32);

    /// @notice Maximum move of one update relative to the previous answer, in basis points.
    /// @return Basis points.
    function maxMoveBps() external view returns (uint16);

    /// @notice Longest closure the market-hours role may declare, in seconds.
    /// @return Seconds.
    function maxClosure() external view returns (uint32);

    /// @notice True unless the market was declared closed and `block.timestamp < reopensAt`.
    /// @return True while the market is open.
    function marketOpen() external view returns (bool);

    /// @notice When a declared closure ends (0 if none was ever declared).
    /// @return UNIX seconds, or 0.
    function reopensAt() external view returns (uint64);

    /// @notice Start of the scheduled (or open) fixing window, 0 if none.
    /// @return UNIX seconds, or 0.
    function fixingAt() external view returns (uint64);

    /// @notice Lowest and highest answer the circuit breaker lets a `submit` now change the rate to.
    /// @return minAnswer The lowest answer `submit` accepts now.
    /// @return maxAnswer The highest answer `submit` accepts now.
    function acceptedRange() external view returns (int256 minAnswer, int256 maxAnswer);

    /// @notice True if the latest answer is older than the heartbeat.
    /// @return True when stale.
    function isStale() external view returns (bool);
}
