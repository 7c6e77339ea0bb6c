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
///         - circuit breaker: an answer may differ by at most `maxMoveBps` from every answer published
///           less than one heartbeat before it (measured from the earlier answer), so repeated steps
///           cannot walk the rate, not even across a window boundary; a larger move (devaluation,
///           re-peg) needs the admin's `forceSubmit`, which also restarts the windows;
///         - fixing windows: the rate may only change inside a fixing window the reporter scheduled
///           (`scheduleFixing`). From its start until a round lands, `latestRoundData` reports a
///           round in progress (`answeredInRound < roundId`, Chainlink's convention), which {FXPool}
///           refuses to trade on: nobody can trade on the old rate once the fixing is known;
///         - market hours: the market-hours role declares closures (weekends, bank holidays). While
///           closed there is no official fixing, so reporters may only re-confirm the last answer
///           (a new round with the same value keeps the heartbeat alive); the first fixing after
///           the reopening is again bounded by the circuit breaker.
///         Staleness therefore measures the reporter's liveness, never the market's calendar.
/// @dev The latest round and the pending fixing are one packed slot so a consumer pays one SLOAD.
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

    /// @dev The latest round plus the start of the scheduled fixing window (0: none scheduled).
    struct Head {
        uint64 roundId;
        int112 answer;
        uint40 updatedAt;
        uint40 fixingAt;
    }

    struct Settings {
        uint32 heartbeat;
        uint16 maxMoveBps;
        uint32 maxClosure;
        uint64 reopensAt;
        uint64 windowStart;
    }

    uint8 private _decimals;
    string private _description;
    /// @dev Lowest and highest answer of a breaker window. Windows last at least a heartbeat and
    ///      start with the answer before them; a new answer is checked against the current window
    ///      and the previous one, which together hold every answer of the last heartbeat.
    struct Range {
        int112 lo;
        int112 hi;
    }

    Head private _latest;
    Settings private _settings;
    Range private _window;
    Range private _previousWindow;
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
        _record(initialAnswer, 0);
        _restartWindows(initialAnswer);
    }

    // ---------------------------------------------------------------- Chainlink interface

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
    /// @dev While a fixing window is open the round after the latest is in progress: it reports
    ///      (latest + 1, latest answer, window start, latest updatedAt, latest), Chainlink's
    ///      `answeredInRound < roundId`.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Head memory h = _latest;
        if (h.fixingAt != 0 && block.timestamp >= h.fixingAt) {
            return (h.roundId + 1, h.answer, h.fixingAt, h.updatedAt, h.roundId);
        }
        return (h.roundId, h.answer, h.updatedAt, h.updatedAt, h.roundId);
    }

    // ---------------------------------------------------------------- reporting

    /// @inheritdoc IFXFeed
    function submit(int256 answer) external onlyRole(REPORTER_ROLE) returns (uint80) {
        if (answer <= 0) revert AnswerNotPositive(answer);
        Head memory h = _latest;
        int256 previous = h.answer;
        Settings memory s = _settings;
        bool windowOpen = h.fixingAt != 0 && block.timestamp >= h.fixingAt;
        // A re-confirmation moves nothing: always accepted (it keeps the heartbeat alive).
        if (answer != previous) {
            if (block.timestamp < s.reopensAt) revert MarketIsClosed(s.reopensAt, previous, answer);
            if (!windowOpen) revert FixingWindowNotOpen(h.fixingAt);
            (int256 lo, int256 hi) = _bounds(s, h);
            _checkMove(lo, answer, s.maxMoveBps);
            _checkMove(hi, answer, s.maxMoveBps);
        }
        _extend(answer);
        return _record(answer, windowOpen ? 0 : h.fixingAt);
    }

    /// @inheritdoc IFXFeed
    function scheduleFixing(uint64 at) external onlyRole(REPORTER_ROLE) {
        if (at == 0) revert InvalidFixingTime(at);
        uint40 current = _latest.fixingAt;
        if (current != 0 && block.timestamp >= current) revert FixingWindowOpen(current);
        uint40 start = uint40(at < block.timestamp ? block.timestamp : at);
        _latest.fixingAt = start;
        emit FixingScheduled(start);
    }

    /// @inheritdoc IFXFeed
    function forceSubmit(int256 answer) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint80 roundId) {
        uint40 fixingAt = _latest.fixingAt;
        // An open window is answered; an announced one stays announced.
        if (block.timestamp >= fixingAt) fixingAt = 0;
        roundId = _record(answer, fixingAt);
        _restartWindows(answer);
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

    // ---------------------------------------------------------------- configuration

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
    function fixingAt() external view returns (uint64) {
        return _latest.fixingAt;
    }

    /// @inheritdoc IFXFeed
    function acceptedRange() external view returns (int256 minAnswer, int256 maxAnswer) {
        Settings memory s = _settings;
        (int256 lo, int256 hi) = _bounds(s, _latest);
        minAnswer = hi - (hi * int256(uint256(s.maxMoveBps))) / int256(BPS);
        maxAnswer = lo + (lo * int256(uint256(s.maxMoveBps))) / int256(BPS);
    }

    /// @inheritdoc IFXFeed
    function isStale() external view returns (bool) {
        return block.timestamp > uint256(_latest.updatedAt) + _settings.heartbeat;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Writes round `latest + 1` and leaves `fixingAt` as the next scheduled window (0: none).
    function _record(int256 answer, uint40 fixingAt_) private returns (uint80 roundId) {
        if (answer <= 0) revert AnswerNotPositive(answer);
        if (answer > type(int112).max) revert AnswerOutOfRange(answer);
        roundId = _latest.roundId + 1;
        _latest = Head(uint64(roundId), int112(answer), uint40(block.timestamp), fixingAt_);
        _rounds[roundId] = Round(roundId, int112(answer), uint64(block.timestamp));
        emit NewRound(roundId, msg.sender, block.timestamp);
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    /// @dev Lowest and highest answer published less than a heartbeat ago (conservatively: of the
    ///      current and previous windows, as they will stand once a submission now rolls them).
    function _bounds(Settings memory s, Head memory h) private view returns (int256 lo, int256 hi) {
        (Range memory current, Range memory previous) = _windowsAt(s, h);
        lo = current.lo < previous.lo ? current.lo : previous.lo;
        hi = current.hi > previous.hi ? current.hi : previous.hi;
    }

    /// @dev The two windows as a submission now sees them: once the current window is a heartbeat
    ///      old a new one starts from the latest answer, and the old one becomes the previous window
    ///      (dropped if even its latest answer is a heartbeat old).
    function _windowsAt(Settings memory s, Head memory h)
        private
        view
        returns (Range memory current, Range memory previous)
    {
        if (block.timestamp < uint256(s.windowStart) + s.heartbeat) return (_window, _previousWindow);
        current = Range(h.answer, h.answer);
        previous = block.timestamp < uint256(h.updatedAt) + s.heartbeat ? _window : current;
    }

    /// @dev Rolls the windows if due and widens the current one to `answer`.
    function _extend(int256 answer) private {
        Settings memory s = _settings;
        (Range memory current, Range memory previous) = _windowsAt(s, _latest);
        if (block.timestamp >= uint256(s.windowStart) + s.heartbeat) {
            _previousWindow = previous;
            _settings.windowStart = uint64(block.timestamp);
        }
        if (answer < current.lo) current.lo = int112(answer);
        if (answer > current.hi) current.hi = int112(answer);
        _window = current;
    }

    /// @dev Both windows restart from `answer` now (deployment, forced answer).
    function _restartWindows(int256 answer) private {
        Range memory r = Range(int112(answer), int112(answer));
        _window = r;
        _previousWindow = r;
        _settings.windowStart = uint64(block.timestamp);
    }

    /// @dev Reverts if `answer` moves more than `maxMove` bps from the earlier answer `from`.
    function _checkMove(int256 from, int256 answer, uint256 maxMove) private pure {
        uint256 moveBps = _moveBps(from, answer);
        if (moveBps > maxMove) revert MoveTooLarge(from, answer, moveBps, maxMove);
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
