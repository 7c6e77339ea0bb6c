// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IFXFeed} from "../../interfaces/IFXFeed.sol";
import {IFXAggregatorV3} from "../../interfaces/IFXAggregatorV3.sol";

/// @title FXFeed
/// @notice An FX rate (USD per unit of the base currency) published by reporters and read through
///         Chainlink's AggregatorV3Interface. Three guards:
///         - heartbeat: `isStale()` once the latest answer is older than `heartbeat` seconds
///           (consumers such as {FXPool} enforce their own maximum age from `updatedAt`);
///         - circuit breaker: an update may move the rate by at most `maxMoveBps`, both from the
///           previous answer and from the answer a heartbeat window started from (so repeated
///           steps cannot walk the rate); a larger move (devaluation, re-peg) needs the admin's
///           `forceSubmit`, which also restarts the window;
///         - market hours: the market-hours role declares closures (weekends, bank holidays). While
///           closed there is no official fixing, so reporters may only re-confirm the last answer
///           (a new round with the same value keeps the heartbeat alive); the first fixing after
///           the reopening is again bounded by the circuit breaker.
///         Staleness therefore measures the reporter's liveness, never the market's calendar.
/// @dev The latest round is one packed slot (id, answer, timestamp) so a consumer pays one SLOAD.
contract FXFeed is IFXFeed, AccessControlDefaultAdminRules {
    /// @notice May publish answers.
    bytes32 public constant REPORTER_ROLE = keccak256("REPORTER_ROLE");
    /// @notice May declare the market closed or open.
    bytes32 public constant MARKET_HOURS_ROLE = keccak256("MARKET_HOURS_ROLE");

    uint256 public constant override version = 1;
    uint256 private constant BPS = 10_000;

    struct Round {
        uint80 roundId;
        int112 answer;
        uint64 updatedAt;
    }

    struct Settings {
        uint32 heartbeat;
        uint16 maxMoveBps;
        uint32 maxClosure;
        uint64 reopensAt;
    }

    uint8 private _decimals;
    string private _description;
    /// @dev The answer a heartbeat window started from: the circuit breaker also bounds the move
    ///      from it, so the rate moves at most `maxMoveBps` per window however many updates.
    struct Anchor {
        int112 answer;
        uint64 since;
    }

    Round private _latest;
    Settings private _settings;
    Anchor private _anchor;
    mapping(uint80 roundId => Round) private _rounds;

    /// @param decimals_ Decimals of the answer (8 like Chainlink's fiat feeds).
    /// @param description_ The pair, e.g. "JPY / USD".
    /// @param initialAnswer First answer (round 1).
    /// @param heartbeat_ Maximum age of a fresh answer, in seconds.
    /// @param maxMoveBps_ Maximum move of one update, in basis points (1..10000).
    /// @param maxClosure_ Longest closure the market-hours role may declare, in seconds.
    constructor(
        uint8 decimals_,
        string memory description_,
        int256 initialAnswer,
        uint32 heartbeat_,
        uint16 maxMoveBps_,
        uint32 maxClosure_,
        address admin,
        uint48 adminDelay
    ) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (decimals_ == 0 || decimals_ > 18) revert InvalidDecimals(decimals_);
        if (maxClosure_ == 0) revert InvalidHeartbeat(maxClosure_);
        _decimals = decimals_;
        _description = description_;
        _settings.maxClosure = maxClosure_;
        _setHeartbeat(heartbeat_);
        _setMaxMove(maxMoveBps_);
        _record(initialAnswer);
        _anchor = Anchor(int112(initialAnswer), uint64(block.timestamp));
    }

    // ---- Chainlink interface ----------------------------------------------------------------

    /// @inheritdoc IFXAggregatorV3
    function decimals() external view returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc IFXAggregatorV3
    function description() external view returns (string memory) {
        return _description;
    }

    /// @inheritdoc IFXAggregatorV3
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256, uint256, uint256, uint80)
    {
        Round memory r = _rounds[roundId];
        // Exact zero is the point: a round that was never written has updatedAt 0 (Chainlink's convention).
        // slither-disable-next-line incorrect-equality
        if (r.updatedAt == 0) revert RoundNotFound(roundId);
        return (r.roundId, r.answer, r.updatedAt, r.updatedAt, r.roundId);
    }

    /// @inheritdoc IFXAggregatorV3
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _latest;
        return (r.roundId, r.answer, r.updatedAt, r.updatedAt, r.roundId);
    }

    // ---- reporting ---------------------------------------------------------------------------

    /// @inheritdoc IFXFeed
    function submit(int256 answer) external onlyRole(REPORTER_ROLE) returns (uint80) {
        if (answer <= 0) revert AnswerNotPositive(answer);
        int256 previous = _latest.answer;
        Settings memory s = _settings;
        if (block.timestamp < s.reopensAt && answer != previous) revert MarketIsClosed(s.reopensAt, previous, answer);
        uint256 moveBps = _moveBps(previous, answer);
        if (moveBps > s.maxMoveBps) revert MoveTooLarge(previous, answer, moveBps, s.maxMoveBps);
        // The same bound over a heartbeat window: a reporter cannot walk the rate by repeated steps.
        Anchor memory a = _anchor;
        if (block.timestamp >= uint256(a.since) + s.heartbeat) {
            a = Anchor(int112(previous), uint64(block.timestamp));
            _anchor = a;
        }
        moveBps = _moveBps(a.answer, answer);
        if (moveBps > s.maxMoveBps) revert MoveTooLarge(a.answer, answer, moveBps, s.maxMoveBps);
        return _record(answer);
    }

    /// @inheritdoc IFXFeed
    function forceSubmit(int256 answer) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint80 roundId) {
        roundId = _record(answer);
        _anchor = Anchor(int112(answer), uint64(block.timestamp));
    }

    /// @inheritdoc IFXFeed
    function closeMarket(uint64 reopensAt_) external onlyRole(MARKET_HOURS_ROLE) {
        if (reopensAt_ <= block.timestamp) revert ReopeningNotInFuture(reopensAt_);
        uint64 latestAllowed = uint64(block.timestamp) + _settings.maxClosure;
        if (reopensAt_ > latestAllowed) revert ClosureTooLong(reopensAt_, latestAllowed);
        _settings.reopensAt = reopensAt_;
        emit MarketClosed(reopensAt_);
    }

    /// @inheritdoc IFXFeed
    function openMarket() external onlyRole(MARKET_HOURS_ROLE) {
        if (block.timestamp >= _settings.reopensAt) revert MarketNotClosed();
        _settings.reopensAt = uint64(block.timestamp);
        emit MarketOpened();
    }

    // ---- configuration -----------------------------------------------------------------------

    /// @inheritdoc IFXFeed
    function setHeartbeat(uint32 heartbeat_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setHeartbeat(heartbeat_);
    }

    /// @inheritdoc IFXFeed
    function setMaxMove(uint16 maxMoveBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxMove(maxMoveBps_);
    }

    /// @inheritdoc IFXFeed
    function heartbeat() external view returns (uint32) {
        return _settings.heartbeat;
    }

    /// @inheritdoc IFXFeed
    function maxMoveBps() external view returns (uint16) {
        return _settings.maxMoveBps;
    }

    /// @inheritdoc IFXFeed
    function maxClosure() external view returns (uint32) {
        return _settings.maxClosure;
    }

    /// @inheritdoc IFXFeed
    function marketOpen() external view returns (bool) {
        return block.timestamp >= _settings.reopensAt;
    }

    /// @inheritdoc IFXFeed
    function reopensAt() external view returns (uint64) {
        return _settings.reopensAt;
    }

    /// @inheritdoc IFXFeed
    function isStale() external view returns (bool) {
        return block.timestamp > uint256(_latest.updatedAt) + _settings.heartbeat;
    }

    // ---- internals ---------------------------------------------------------------------------

    function _record(int256 answer) private returns (uint80 roundId) {
        if (answer <= 0) revert AnswerNotPositive(answer);
        if (answer > type(int112).max) revert AnswerOutOfRange(answer);
        roundId = _latest.roundId + 1;
        Round memory r = Round(roundId, int112(answer), uint64(block.timestamp));
        _latest = r;
        _rounds[roundId] = r;
        emit NewRound(roundId, msg.sender, block.timestamp);
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    function _moveBps(int256 previous, int256 answer) private pure returns (uint256) {
        uint256 diff = uint256(answer > previous ? answer - previous : previous - answer);
        // Rounded up so a move just above the limit is never let through.
        return (diff * BPS + uint256(previous) - 1) / uint256(previous);
    }

    function _setHeartbeat(uint32 heartbeat_) private {
        if (heartbeat_ == 0) revert InvalidHeartbeat(heartbeat_);
        _settings.heartbeat = heartbeat_;
        emit HeartbeatSet(heartbeat_);
    }

    function _setMaxMove(uint16 maxMoveBps_) private {
        if (maxMoveBps_ == 0 || maxMoveBps_ > BPS) revert InvalidMaxMove(maxMoveBps_);
        _settings.maxMoveBps = maxMoveBps_;
        emit MaxMoveSet(maxMoveBps_);
    }
}
