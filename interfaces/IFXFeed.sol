// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFXAggregatorV3} from "./IFXAggregatorV3.sol";

/// @title IFXFeed
/// @notice An FX rate feed (price of one unit of the base currency in USD) written by reporters,
///         read through the Chainlink interface. Guards: a heartbeat (an answer older than it is
///         stale), a maximum move per update (circuit breaker) and market hours: while the market is
///         closed (weekend, bank holiday) reporters may only re-confirm the last official rate.
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

    /// @notice Publishes a new answer (REPORTER_ROLE). Reverts if it is not positive, moves more than
    ///         `maxMoveBps()` from the previous answer or from the answer the current heartbeat window
    ///         started from, or changes the rate while the market is closed.
    function submit(int256 answer) external returns (uint80 roundId);

    /// @notice Overrides the circuit breaker for one answer (DEFAULT_ADMIN_ROLE), e.g. after a
    ///         devaluation, and starts a new window from it. Still reverts on a non-positive answer.
    function forceSubmit(int256 answer) external returns (uint80 roundId);

    /// @notice Declares the market closed until `reopensAt` (MARKET_HOURS_ROLE).
    function closeMarket(uint64 reopensAt) external;

    /// @notice Declares the market open again before its scheduled reopening (MARKET_HOURS_ROLE).
    function openMarket() external;

    /// @notice Sets the heartbeat (DEFAULT_ADMIN_ROLE).
    function setHeartbeat(uint32 heartbeat) external;

    /// @notice Sets the maximum move per update in basis points (DEFAULT_ADMIN_ROLE).
    function setMaxMove(uint16 maxMoveBps) external;

    /// @notice Maximum age, in seconds, of a fresh answer.
    function heartbeat() external view returns (uint32);

    /// @notice Maximum move of one update relative to the previous answer, in basis points.
    function maxMoveBps() external view returns (uint16);

    /// @notice Longest closure the market-hours role may declare, in seconds.
    function maxClosure() external view returns (uint32);

    /// @notice True unless the market was declared closed and `block.timestamp < reopensAt`.
    function marketOpen() external view returns (bool);

    /// @notice When a declared closure ends (0 if none was ever declared).
    function reopensAt() external view returns (uint64);

    /// @notice True if the latest answer is older than the heartbeat.
    function isStale() external view returns (bool);
}
