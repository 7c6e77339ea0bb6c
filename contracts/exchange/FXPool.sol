// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFXPool} from "../../interfaces/IFXPool.sol";
import {IFXAggregatorV3} from "../../interfaces/IFXAggregatorV3.sol";
import {StableSwapMath} from "./StableSwapMath.sol";
import {StableSwapPricing} from "./StableSwapPricing.sol";

/// @title FXPool
/// @notice Two-coin StableSwap pool anchored to an FX oracle: coin 0 (JPY, KHR, ...) is valued at
///         the feed's rate in USD, coin 1 is the USD hub token, and the invariant runs on those
///         USD values (Curve's rate multipliers). Around the oracle rate the curve is flat (low
///         impact); far from balance it bends like x·y = k, so the pool cannot be emptied.
///
///         Accounting: LP balances live in `_reserves`; tokens sent without a call (donations) are
///         ignored by share pricing, which with the dead shares defeats the first-depositor attack.
///         Rounding: every conversion rounds in the pool's favour, in each coin's minor unit.
///         Oracle: an answer must be positive, younger than `maxAge`, within `maxJumpBps` of the
///         last answer the pool used, and no round may be in progress (a fixing being published:
///         `answeredInRound < roundId`); otherwise swaps, deposits and one-coin withdrawals stop
///         (balanced withdrawals never need the oracle and always work).
///         Gas: coins, feed and scales are immutables and the mutable state is packed in three
///         slots (reserves, accrued fees + jump reference, configuration) for the swap gas goal.
contract FXPool is IFXPool, ERC20, AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Pauses, unpauses and re-syncs the oracle reference after a legitimate jump.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 public constant A_PRECISION = StableSwapMath.A_PRECISION;
    uint256 public constant MAX_A = 1_000_000;
    uint256 public constant MAX_A_CHANGE = 10;
    uint256 public constant MIN_RAMP_TIME = 1 days;
    uint256 public constant MAX_FEE_BPS = 100;
    uint256 public constant MAX_JUMP_BPS = 2_000;
    uint256 public constant MAX_ORACLE_AGE = 7 days;
    uint256 public constant BPS = StableSwapPricing.BPS;
    /// @notice Shares locked forever at the first deposit (1e-12 USD of value).
    uint256 public constant MINIMUM_SHARES = 1e6;
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;
    uint256 private constant PRECISION = StableSwapPricing.PRECISION;

    struct Params {
        string name;
        string symbol;
        address coin0;
        address coin1;
        address feed;
        uint256 a;
        uint256 feeBps;
        uint256 protocolShareBps;
        uint256 maxAge;
        uint256 maxJumpBps;
        address admin;
        uint48 adminDelay;
    }

    /// @dev Balances plus the reentrancy and pause flags: the one slot every swap touches.
    struct Reserves {
        uint120 balance0;
        uint120 balance1;
        bool entered;
        bool paused;
    }

    struct Accrued {
        uint96 fee0;
        uint96 fee1;
        uint64 refAnswer; // last feed answer the pool used: the reference for jump detection
    }

    struct Config {
        uint32 initialA;
        uint32 futureA;
        uint40 initialATime;
        uint40 futureATime;
        uint16 feeBps;
        uint16 protocolShareBps;
        uint16 maxJumpBps;
        uint32 maxAge;
    }

    /// @dev Result of pricing a swap, in raw token amounts.
    struct Trade {
        uint256 amountIn;
        uint256 amountOut;
        uint256 protocolFee;
        uint256 rate0;
        uint64 answer;
    }

    IERC20 private immutable _COIN0;
    IERC20 private immutable _COIN1;
    IFXAggregatorV3 private immutable _FEED;
    /// @dev rate0 = answer * _SCALE0 = 10^(36 - decimals0 - feedDecimals) * answer.
    uint256 private immutable _SCALE0;
    /// @dev rate1 = 10^(36 - decimals1): one USD token unit in USD × 1e18 × 1e18.
    uint256 private immutable _RATE1;

    Reserves private _reserves;
    Accrued private _accrued;
    Config private _config;

    /// @dev Reverts once `deadline` has passed.
    modifier checkDeadline(uint256 deadline) {
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        _;
    }

    // OpenZeppelin's ReentrancyGuard and Pausable, re-implemented on two flags packed into the
    // reserves slot, which every swap reads and writes anyway: this saves a cold SLOAD for each
    // (~4,400 gas per pool call, ~8,800 on a two-hop route) for the router gas goals. Same errors,
    // events and semantics as OpenZeppelin's (the tests assert them); a storage lock, no transient
    // storage, so it compiles for berlin.

    /// @dev OpenZeppelin's `nonReentrant`.
    modifier nonReentrant() {
        if (_reserves.entered) revert ReentrancyGuardReentrantCall();
        _reserves.entered = true;
        _;
        _reserves.entered = false;
    }

    /// @dev Views revert while a state-changing call is in progress (read-only reentrancy).
    modifier nonReentrantView() {
        if (_reserves.entered) revert ReentrancyGuardReentrantCall();
        _;
    }

    /// @dev OpenZeppelin's `whenNotPaused`.
    modifier whenNotPaused() {
        if (_reserves.paused) revert EnforcedPause();
        _;
    }

    constructor(Params memory p) ERC20(p.name, p.symbol) AccessControlDefaultAdminRules(p.adminDelay, p.admin) {
        if (p.coin0 == address(0) || p.coin1 == address(0) || p.feed == address(0)) revert ZeroAddress();
        uint8 dec0 = IERC20Metadata(p.coin0).decimals();
        uint8 dec1 = IERC20Metadata(p.coin1).decimals();
        uint8 feedDec = IFXAggregatorV3(p.feed).decimals();
        if (dec0 > 18) revert InvalidDecimals(dec0);
        if (dec1 > 18) revert InvalidDecimals(dec1);
        if (feedDec > 18) revert InvalidDecimals(feedDec);
        _COIN0 = IERC20(p.coin0);
        _COIN1 = IERC20(p.coin1);
        _FEED = IFXAggregatorV3(p.feed);
        _SCALE0 = 10 ** (36 - uint256(dec0) - feedDec);
        _RATE1 = 10 ** (36 - uint256(dec1));
        if (p.a == 0 || p.a > MAX_A) revert InvalidA(p.a);
        _config.initialA = uint32(p.a * A_PRECISION);
        _config.futureA = uint32(p.a * A_PRECISION);
        _setFee(p.feeBps, p.protocolShareBps);
        _setOracleGuards(p.maxAge, p.maxJumpBps);
        // Only the answer (and its time) are used: this feed's roundId/startedAt/answeredInRound carry no
        // extra staleness information (answeredInRound == roundId by construction).
        // slither-disable-next-line unused-return
        (, int256 answer,,,) = _FEED.latestRoundData();
        _accrued.refAnswer = _checkedAnswer(answer);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IFXPool
    function coins(uint256 i) external view returns (address) {
        if (i > 1) revert InvalidCoin(i);
        return i == 0 ? address(_COIN0) : address(_COIN1);
    }

    /// @inheritdoc IFXPool
    function feed() external view returns (address) {
        return address(_FEED);
    }

    /// @inheritdoc IFXPool
    function balances() external view nonReentrantView returns (uint256, uint256) {
        Reserves memory r = _reserves;
        return (r.balance0, r.balance1);
    }

    /// @inheritdoc IFXPool
    function protocolFees() external view nonReentrantView returns (uint256, uint256) {
        Accrued memory acc = _accrued;
        return (acc.fee0, acc.fee1);
    }

    /// @inheritdoc IFXPool
    function rates() external view nonReentrantView returns (uint256 rate0, uint256 rate1) {
        (rate0,) = _readRate(_config, _accrued.refAnswer);
        rate1 = _RATE1;
    }

    /// @inheritdoc IFXPool
    function A() external view returns (uint256) {
        return _amp(_config);
    }

    /// @inheritdoc IFXPool
    function fee() external view returns (uint256 feeBps, uint256 protocolShareBps) {
        Config memory c = _config;
        return (c.feeBps, c.protocolShareBps);
    }

    /// @inheritdoc IFXPool
    function oracleGuards() external view returns (uint256 maxAge, uint256 maxJumpBps) {
        Config memory c = _config;
        return (c.maxAge, c.maxJumpBps);
    }

    /// @inheritdoc IFXPool
    function invariant() public view nonReentrantView returns (uint256) {
        Config memory c = _config;
        (uint256 rate0,) = _readRate(c, _accrued.refAnswer);
        Reserves memory r = _reserves;
        return StableSwapMath.getD(
            StableSwapPricing.xp(r.balance0, rate0), StableSwapPricing.xp(r.balance1, _RATE1), _amp(c)
        );
    }

    /// @inheritdoc IFXPool
    function virtualPrice() external view returns (uint256) {
        uint256 supply = totalSupply();
        return supply == 0 ? 0 : (invariant() * PRECISION) / supply;
    }

    /// @inheritdoc IFXPool
    function getAmountOut(uint256 i, uint256 amountIn) external view nonReentrantView returns (uint256) {
        return _priceExactIn(i, amountIn).amountOut;
    }

    /// @inheritdoc IFXPool
    function getAmountIn(uint256 i, uint256 amountOut) external view nonReentrantView returns (uint256) {
        return _priceExactOut(i, amountOut).amountIn;
    }

    /// @inheritdoc IFXPool
    function getMidAmountOut(uint256 i, uint256 amountIn) external view nonReentrantView returns (uint256) {
        if (i > 1) revert InvalidCoin(i);
        (uint256 rate0,) = _readRate(_config, _accrued.refAnswer);
        return _mid(i, amountIn, rate0);
    }

    /// @inheritdoc IFXPool
    function calcAddLiquidity(uint256[2] calldata amounts) external view nonReentrantView returns (uint256 shares) {
        (shares,,,) = _priceDeposit(amounts);
    }

    /// @inheritdoc IFXPool
    function calcRemoveLiquidityOneCoin(uint256 shares, uint256 i)
        external
        view
        nonReentrantView
        returns (uint256 amount)
    {
        (amount,,,) = _priceWithdrawOne(shares, i);
    }

    // ---------------------------------------------------------------- swaps

    /// @inheritdoc IFXPool
    function swapExactIn(uint256 i, uint256 amountIn, uint256 minOut, address recipient, uint256 deadline)
        external
        nonReentrant
        whenNotPaused
        checkDeadline(deadline)
        returns (uint256 amountOut)
    {
        Trade memory t = _priceExactIn(i, amountIn);
        if (t.amountOut < minOut) revert InsufficientOutput(t.amountOut, minOut);
        _settle(i, t, recipient);
        (i == 0 ? _COIN0 : _COIN1).safeTransferFrom(msg.sender, address(this), amountIn);
        return t.amountOut;
    }

    /// @inheritdoc IFXPool
    function swapExactOut(uint256 i, uint256 amountOut, uint256 maxIn, address recipient, uint256 deadline)
        external
        nonReentrant
        whenNotPaused
        checkDeadline(deadline)
        returns (uint256 amountIn)
    {
        Trade memory t = _priceExactOut(i, amountOut);
        if (t.amountIn > maxIn) revert ExcessiveInput(t.amountIn, maxIn);
        _settle(i, t, recipient);
        (i == 0 ? _COIN0 : _COIN1).safeTransferFrom(msg.sender, address(this), t.amountIn);
        return t.amountIn;
    }

    /// @inheritdoc IFXPool
    function swapPrepaidExactIn(uint256 i, uint256 minOut, address recipient)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 amountOut, uint256 midOut)
    {
        uint256 received = _prepaid(i);
        Trade memory t = _priceExactIn(i, received);
        if (t.amountOut < minOut) revert InsufficientOutput(t.amountOut, minOut);
        _settle(i, t, recipient);
        return (t.amountOut, _mid(i, received, t.rate0));
    }

    /// @inheritdoc IFXPool
    function swapPrepaidExactOut(uint256 i, uint256 amountOut, address recipient)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 amountIn, uint256 midOut)
    {
        uint256 received = _prepaid(i);
        Trade memory t = _priceExactOut(i, amountOut);
        if (received < t.amountIn) revert InsufficientPrepayment(received, t.amountIn);
        // The whole prepayment is taken: any excess over the price stays with the LPs.
        t.amountIn = received;
        _settle(i, t, recipient);
        return (received, _mid(i, received, t.rate0));
    }

    // ---------------------------------------------------------------- liquidity

    /// @inheritdoc IFXPool
    function addLiquidity(uint256[2] calldata amounts, uint256 minShares, address recipient, uint256 deadline)
        external
        nonReentrant
        whenNotPaused
        checkDeadline(deadline)
        returns (uint256 shares)
    {
        if (recipient == address(0)) revert ZeroAddress();
        uint256[2] memory fees;
        uint256[2] memory newBalances;
        uint64 answer;
        (shares, fees, newBalances, answer) = _priceDeposit(amounts);
        if (shares < minShares) revert InsufficientOutput(shares, minShares);
        Accrued memory acc = _accrued;
        uint256 share = _config.protocolShareBps;
        uint256 pf0 = (fees[0] * share) / BPS;
        uint256 pf1 = (fees[1] * share) / BPS;
        _accrued = Accrued((acc.fee0 + pf0).toUint96(), (acc.fee1 + pf1).toUint96(), answer);
        _reserves.balance0 = (newBalances[0] - pf0).toUint120();
        _reserves.balance1 = (newBalances[1] - pf1).toUint120();
        if (totalSupply() == 0) {
            _mint(DEAD, MINIMUM_SHARES);
        }
        _mint(recipient, shares);
        emit LiquidityAdded(msg.sender, recipient, amounts, fees, shares);
        if (amounts[0] > 0) _COIN0.safeTransferFrom(msg.sender, address(this), amounts[0]);
        if (amounts[1] > 0) _COIN1.safeTransferFrom(msg.sender, address(this), amounts[1]);
    }

    /// @inheritdoc IFXPool
    function removeLiquidity(uint256 shares, uint256[2] calldata minAmounts, address recipient, uint256 deadline)
        external
        nonReentrant
        checkDeadline(deadline)
        returns (uint256[2] memory amounts)
    {
        if (shares == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroAddress();
        uint256 supply = totalSupply();
        Reserves memory r = _reserves;
        // Rounded down: the withdrawer never gets more than its pro-rata part.
        amounts[0] = (uint256(r.balance0) * shares) / supply;
        amounts[1] = (uint256(r.balance1) * shares) / supply;
        if (amounts[0] < minAmounts[0]) revert InsufficientOutput(amounts[0], minAmounts[0]);
        if (amounts[1] < minAmounts[1]) revert InsufficientOutput(amounts[1], minAmounts[1]);
        _burn(msg.sender, shares);
        _reserves.balance0 = uint120(r.balance0 - amounts[0]);
        _reserves.balance1 = uint120(r.balance1 - amounts[1]);
        emit LiquidityRemoved(msg.sender, recipient, amounts, shares);
        if (amounts[0] > 0) _COIN0.safeTransfer(recipient, amounts[0]);
        if (amounts[1] > 0) _COIN1.safeTransfer(recipient, amounts[1]);
    }

    /// @inheritdoc IFXPool
    function removeLiquidityOneCoin(uint256 shares, uint256 i, uint256 minAmount, address recipient, uint256 deadline)
        external
        nonReentrant
        whenNotPaused
        checkDeadline(deadline)
        returns (uint256 amount)
    {
        return _withdrawOne(shares, i, minAmount, recipient);
    }

    // ---------------------------------------------------------------- administration

    /// @inheritdoc IFXPool
    function rampA(uint256 futureA, uint256 futureTime) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Config memory c = _config;
        if (block.timestamp < uint256(c.initialATime) + MIN_RAMP_TIME) {
            revert RampTooSoon(uint256(c.initialATime) + MIN_RAMP_TIME);
        }
        if (futureTime < block.timestamp + MIN_RAMP_TIME) revert RampTooShort(futureTime, block.timestamp + MIN_RAMP_TIME);
        if (futureA == 0 || futureA > MAX_A) revert InvalidA(futureA);
        uint256 current = _amp(c);
        uint256 future = futureA * A_PRECISION;
        if (future > current ? future > current * MAX_A_CHANGE : future * MAX_A_CHANGE < current) {
            revert RampTooSteep(current, future);
        }
        c.initialA = uint32(current);
        c.futureA = uint32(future);
        c.initialATime = uint40(block.timestamp);
        c.futureATime = futureTime.toUint40();
        _config = c;
        emit RampStarted(current, future, block.timestamp, futureTime);
    }

    /// @inheritdoc IFXPool
    function stopRampA() external onlyRole(DEFAULT_ADMIN_ROLE) {
        Config memory c = _config;
        uint256 current = _amp(c);
        c.initialA = uint32(current);
        c.futureA = uint32(current);
        c.initialATime = uint40(block.timestamp);
        c.futureATime = uint40(block.timestamp);
        _config = c;
        emit RampStopped(current, block.timestamp);
    }

    /// @inheritdoc IFXPool
    function setFee(uint256 feeBps, uint256 protocolShareBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFee(feeBps, protocolShareBps);
    }

    /// @inheritdoc IFXPool
    function setOracleGuards(uint256 maxAge, uint256 maxJumpBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setOracleGuards(maxAge, maxJumpBps);
    }

    /// @inheritdoc IFXPool
    function syncRate() external onlyRole(GUARDIAN_ROLE) {
        // Only the answer (and its time) are used: this feed's roundId/startedAt/answeredInRound carry no
        // extra staleness information (answeredInRound == roundId by construction).
        // slither-disable-next-line unused-return
        (, int256 answer,, uint256 updatedAt,) = _FEED.latestRoundData();
        uint64 checked = _checkedAnswer(answer);
        uint256 maxAge = _config.maxAge;
        if (updatedAt + maxAge < block.timestamp) revert StaleRate(updatedAt, maxAge);
        uint256 previous = _accrued.refAnswer;
        _accrued.refAnswer = checked;
        emit RateSynced(previous, checked);
    }

    /// @inheritdoc IFXPool
    function claimProtocolFees(address recipient)
        external
        nonReentrant
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (uint256[2] memory amounts)
    {
        if (recipient == address(0)) revert ZeroAddress();
        Accrued memory acc = _accrued;
        amounts = [uint256(acc.fee0), uint256(acc.fee1)];
        _accrued = Accrued(0, 0, acc.refAnswer);
        emit ProtocolFeesClaimed(recipient, amounts);
        if (amounts[0] > 0) _COIN0.safeTransfer(recipient, amounts[0]);
        if (amounts[1] > 0) _COIN1.safeTransfer(recipient, amounts[1]);
    }

    /// @inheritdoc IFXPool
    function pause() external onlyRole(GUARDIAN_ROLE) {
        if (_reserves.paused) revert EnforcedPause();
        _reserves.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IFXPool
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        if (!_reserves.paused) revert ExpectedPause();
        _reserves.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IFXPool
    function paused() external view returns (bool) {
        return _reserves.paused;
    }

    // ---------------------------------------------------------------- pricing

    /// @dev Prices selling exactly `dx` of coin `i`.
    function _priceExactIn(uint256 i, uint256 dx) private view returns (Trade memory t) {
        if (dx == 0) revert ZeroAmount();
        (StableSwapPricing.Side memory s, Config memory c) = _side(i, t);
        t.amountIn = dx;
        (t.amountOut, t.protocolFee) = StableSwapPricing.exactIn(s, dx, c.feeBps, c.protocolShareBps);
    }

    /// @dev Prices buying exactly `dy` of coin `1 - i` with coin `i`.
    function _priceExactOut(uint256 i, uint256 dy) private view returns (Trade memory t) {
        if (dy == 0) revert ZeroAmount();
        (StableSwapPricing.Side memory s, Config memory c) = _side(i, t);
        (t.amountIn, t.protocolFee) = StableSwapPricing.exactOut(s, dy, c.feeBps, c.protocolShareBps);
        t.amountOut = dy;
    }

    /// @dev Reads the oracle into `t` and lays out the pool from the seller's (coin `i`) side.
    function _side(uint256 i, Trade memory t)
        private
        view
        returns (StableSwapPricing.Side memory s, Config memory c)
    {
        if (i > 1) revert InvalidCoin(i);
        c = _config;
        (t.rate0, t.answer) = _readRate(c, _accrued.refAnswer);
        Reserves memory r = _reserves;
        if (i == 0) {
            (s.rateIn, s.rateOut, s.balOut) = (t.rate0, _RATE1, r.balance1);
            s.xIn = StableSwapPricing.xp(r.balance0, t.rate0);
            s.xOut = StableSwapPricing.xp(r.balance1, _RATE1);
        } else {
            (s.rateIn, s.rateOut, s.balOut) = (_RATE1, t.rate0, r.balance0);
            s.xIn = StableSwapPricing.xp(r.balance1, _RATE1);
            s.xOut = StableSwapPricing.xp(r.balance0, t.rate0);
        }
        s.amp = _amp(c);
    }

    /// @dev Prices a deposit at the oracle rate ({StableSwapPricing-deposit}).
    function _priceDeposit(uint256[2] calldata amounts)
        private
        view
        returns (uint256 shares, uint256[2] memory fees, uint256[2] memory newBalances, uint64 answer)
    {
        if (amounts[0] == 0 && amounts[1] == 0) revert ZeroAmount();
        StableSwapPricing.Pool memory p;
        (p, answer,) = _pool();
        (shares, fees, newBalances) = StableSwapPricing.deposit(p, amounts, MINIMUM_SHARES);
    }

    /// @dev Prices a one-coin withdrawal at the oracle rate ({StableSwapPricing-withdrawOne}).
    function _priceWithdrawOne(uint256 shares, uint256 i)
        private
        view
        returns (uint256 dy, uint256 fee_, uint256 protocolFee, uint64 answer)
    {
        if (i > 1) revert InvalidCoin(i);
        if (shares == 0) revert ZeroAmount();
        StableSwapPricing.Pool memory p;
        uint256 protocolShareBps;
        (p, answer, protocolShareBps) = _pool();
        (dy, fee_) = StableSwapPricing.withdrawOne(p, shares, i);
        protocolFee = (fee_ * protocolShareBps) / BPS;
    }

    /// @dev Reads the oracle, the configuration and the reserves into the pool a deposit or withdrawal prices on.
    function _pool() private view returns (StableSwapPricing.Pool memory p, uint64 answer, uint256 protocolShareBps) {
        Config memory c = _config;
        (p.rate0, answer) = _readRate(c, _accrued.refAnswer);
        p.rate1 = _RATE1;
        p.amp = _amp(c);
        Reserves memory r = _reserves;
        (p.balance0, p.balance1) = (r.balance0, r.balance1);
        p.supply = totalSupply();
        p.feeBps = c.feeBps;
        protocolShareBps = c.protocolShareBps;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Books a priced swap and pays the output; the caller collects the input.
    function _settle(uint256 i, Trade memory t, address recipient) private {
        if (recipient == address(0)) revert ZeroAddress();
        Reserves memory r = _reserves;
        Accrued memory acc = _accrued;
        if (i == 0) {
            r.balance0 = (r.balance0 + t.amountIn).toUint120();
            r.balance1 -= uint120(t.amountOut + t.protocolFee);
            acc.fee1 += t.protocolFee.toUint96();
        } else {
            r.balance1 = (r.balance1 + t.amountIn).toUint120();
            r.balance0 -= uint120(t.amountOut + t.protocolFee);
            acc.fee0 += t.protocolFee.toUint96();
        }
        acc.refAnswer = t.answer;
        _reserves = r;
        _accrued = acc;
        emit Swapped(msg.sender, recipient, i, t.amountIn, t.amountOut, t.protocolFee, t.rate0);
        (i == 0 ? _COIN1 : _COIN0).safeTransfer(recipient, t.amountOut);
    }

    /// @dev Prices, books and pays a one-coin withdrawal.
    function _withdrawOne(uint256 shares, uint256 i, uint256 minAmount, address recipient)
        private
        returns (uint256)
    {
        if (recipient == address(0)) revert ZeroAddress();
        (uint256 dy, uint256 fee_, uint256 protocolFee, uint64 answer) = _priceWithdrawOne(shares, i);
        if (dy < minAmount) revert InsufficientOutput(dy, minAmount);
        _burn(msg.sender, shares);
        _bookWithdrawOne(i, dy, protocolFee, answer);
        emit LiquidityRemovedOneCoin(msg.sender, recipient, i, dy, fee_, shares);
        (i == 0 ? _COIN0 : _COIN1).safeTransfer(recipient, dy);
        return dy;
    }

    /// @dev Books a one-coin withdrawal of `dy` plus the protocol's part of its fee.
    function _bookWithdrawOne(uint256 i, uint256 dy, uint256 protocolFee, uint64 answer) private {
        Reserves memory r = _reserves;
        Accrued memory acc = _accrued;
        acc.refAnswer = answer;
        if (i == 0) {
            r.balance0 -= uint120(dy + protocolFee);
            acc.fee0 += protocolFee.toUint96();
        } else {
            r.balance1 -= uint120(dy + protocolFee);
            acc.fee1 += protocolFee.toUint96();
        }
        _reserves = r;
        _accrued = acc;
    }

    /// @dev Coin `i` held beyond the pool's accounting (reserves + protocol fees).
    function _prepaid(uint256 i) private view returns (uint256 received) {
        if (i > 1) revert InvalidCoin(i);
        Reserves memory r = _reserves;
        Accrued memory acc = _accrued;
        uint256 accounted = i == 0 ? uint256(r.balance0) + acc.fee0 : uint256(r.balance1) + acc.fee1;
        uint256 held = (i == 0 ? _COIN0 : _COIN1).balanceOf(address(this));
        if (held <= accounted) revert InsufficientPrepayment(0, 1);
        return held - accounted;
    }

    /// @dev The feed's answer as coin 0's rate multiplier, after the staleness and jump checks.
    function _readRate(Config memory c, uint64 refAnswer) private view returns (uint256 rate0, uint64 answer) {
        (uint80 roundId, int256 raw, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            _FEED.latestRoundData();
        // A round in progress is a fixing being published: its value may already be known off chain, so
        // trading on the previous answer would hand a free option to whoever knows it (FXFeed's windows).
        if (answeredInRound < roundId) revert FixingPending(roundId, startedAt);
        answer = _checkedAnswer(raw);
        if (updatedAt + c.maxAge < block.timestamp) revert StaleRate(updatedAt, c.maxAge);
        uint256 diff = answer > refAnswer ? answer - refAnswer : refAnswer - answer;
        if (diff * BPS > uint256(refAnswer) * c.maxJumpBps) revert RateJumped(refAnswer, answer, c.maxJumpBps);
        rate0 = answer * _SCALE0;
    }

    /// @dev A feed answer as uint64; zero, negative and oversized answers are refused.
    function _checkedAnswer(int256 raw) private pure returns (uint64) {
        if (raw <= 0 || raw > int256(uint256(type(uint64).max))) revert InvalidRate(raw);
        return uint64(uint256(raw));
    }

    /// @dev `amount` of coin `i` at the oracle mid, in units of the other coin (rounded down).
    function _mid(uint256 i, uint256 amount, uint256 rate0) private view returns (uint256) {
        return i == 0 ? (amount * rate0) / _RATE1 : (amount * _RATE1) / rate0;
    }

    /// @dev Current A × A_PRECISION, linearly interpolated during a ramp.
    function _amp(Config memory c) private view returns (uint256) {
        uint256 a1 = c.futureA;
        if (block.timestamp >= c.futureATime) return a1;
        uint256 a0 = c.initialA;
        uint256 t0 = c.initialATime;
        uint256 elapsed = block.timestamp - t0;
        uint256 span = uint256(c.futureATime) - t0;
        return a1 > a0 ? a0 + ((a1 - a0) * elapsed) / span : a0 - ((a0 - a1) * elapsed) / span;
    }

    /// @dev Fee in (0, MAX_FEE_BPS], protocol share in [0, BPS].
    function _setFee(uint256 feeBps, uint256 protocolShareBps) private {
        if (feeBps == 0 || feeBps > MAX_FEE_BPS || protocolShareBps > BPS) {
            revert InvalidFee(feeBps, protocolShareBps);
        }
        _config.feeBps = uint16(feeBps);
        _config.protocolShareBps = uint16(protocolShareBps);
        emit FeeUpdated(feeBps, protocolShareBps);
    }

    /// @dev Max age in (0, MAX_ORACLE_AGE], max jump in (0, MAX_JUMP_BPS].
    function _setOracleGuards(uint256 maxAge, uint256 maxJumpBps) private {
        if (maxAge == 0 || maxAge > MAX_ORACLE_AGE || maxJumpBps == 0 || maxJumpBps > MAX_JUMP_BPS) {
            revert InvalidOracleGuards(maxAge, maxJumpBps);
        }
        _config.maxAge = uint32(maxAge);
        _config.maxJumpBps = uint16(maxJumpBps);
        emit OracleGuardsSet(maxAge, maxJumpBps);
    }
}
