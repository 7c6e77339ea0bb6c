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
    uint256 public constant BPS = 10_000;
    /// @notice Shares locked forever at the first deposit (1e-12 USD of value).
    uint256 public constant MINIMUM_SHARES = 1e6;
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;
    uint256 private constant PRECISION = 1e18;

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

    /// @dev The pool seen from the coin being sold: rates, scaled balances (USD × 1e18), A.
    struct Side {
        uint256 rateIn;
        uint256 rateOut;
        uint256 xIn;
        uint256 xOut;
        uint256 balOut;
        uint256 amp;
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

    // ---------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------

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
        return StableSwapMath.getD(_xp(r.balance0, rate0), _xp(r.balance1, _RATE1), _amp(c));
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

    // ---------------------------------------------------------------------------------------
    // Swaps
    // ---------------------------------------------------------------------------------------

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

    // ---------------------------------------------------------------------------------------
    // Liquidity
    // ---------------------------------------------------------------------------------------

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

    // ---------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------

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

    // ---------------------------------------------------------------------------------------
    // Pricing (pure functions of storage and the oracle; no state changes)
    // ---------------------------------------------------------------------------------------

    /// @dev Prices selling exactly `dx` of coin `i`.
    function _priceExactIn(uint256 i, uint256 dx) private view returns (Trade memory t) {
        if (dx == 0) revert ZeroAmount();
        (Side memory s, Config memory c) = _side(i, t);
        uint256 d = StableSwapMath.getD(s.xIn, s.xOut, s.amp);
        uint256 y = StableSwapMath.getY(s.xIn + (dx * s.rateIn) / PRECISION, d, s.amp);
        // The extra -1 absorbs Newton's ±1 tolerance in the pool's favour (as curve-contract does).
        // y < xOut always holds for dx > 0 up to that tolerance, so y + 1 >= xOut means dust.
        uint256 dyGross = y + 1 < s.xOut ? s.xOut - y - 1 : 0;
        uint256 feeXp = _ceilDiv(dyGross * c.feeBps, BPS);
        t.amountIn = dx;
        t.amountOut = ((dyGross - feeXp) * PRECISION) / s.rateOut;
        if (t.amountOut == 0) revert DustAmount(dx);
        // Rounds the protocol's share down twice (bps share, then into token units): in the LPs' favour,
        // never above the fee; mirrored by the reference model.
        // slither-disable-next-line divide-before-multiply
        t.protocolFee = (((feeXp * c.protocolShareBps) / BPS) * PRECISION) / s.rateOut;
    }

    /// @dev Prices buying exactly `dy` of coin `1 - i` with coin `i`.
    function _priceExactOut(uint256 i, uint256 dy) private view returns (Trade memory t) {
        if (dy == 0) revert ZeroAmount();
        (Side memory s, Config memory c) = _side(i, t);
        // Every step rounds up: the output is valued high, the fee grossed up, the input valued low.
        uint256 dyNet = _ceilDiv(dy * s.rateOut, PRECISION);
        uint256 dyGross = _ceilDiv(dyNet * BPS, BPS - c.feeBps);
        if (dyGross + 1 >= s.xOut) revert InsufficientLiquidity(dy, s.balOut);
        uint256 xNew =
            StableSwapMath.getY(s.xOut - dyGross - 1, StableSwapMath.getD(s.xIn, s.xOut, s.amp), s.amp);
        t.amountIn = _ceilDiv((xNew > s.xIn ? xNew - s.xIn + 1 : 1) * PRECISION, s.rateIn);
        t.amountOut = dy;
        // Rounds the protocol's share down twice (bps share, then into token units): in the LPs' favour,
        // never above the fee; mirrored by the reference model.
        // slither-disable-next-line divide-before-multiply
        t.protocolFee = ((((dyGross - dyNet) * c.protocolShareBps) / BPS) * PRECISION) / s.rateOut;
    }

    /// @dev Reads the oracle into `t` and lays out the pool from the seller's (coin `i`) side.
    function _side(uint256 i, Trade memory t) private view returns (Side memory s, Config memory c) {
        if (i > 1) revert InvalidCoin(i);
        c = _config;
        (t.rate0, t.answer) = _readRate(c, _accrued.refAnswer);
        Reserves memory r = _reserves;
        if (i == 0) {
            (s.rateIn, s.rateOut, s.balOut) = (t.rate0, _RATE1, r.balance1);
            s.xIn = _xp(r.balance0, t.rate0);
            s.xOut = _xp(r.balance1, _RATE1);
        } else {
            (s.rateIn, s.rateOut, s.balOut) = (_RATE1, t.rate0, r.balance0);
            s.xIn = _xp(r.balance1, _RATE1);
            s.xOut = _xp(r.balance0, t.rate0);
        }
        s.amp = _amp(c);
    }

    /// @dev Prices a deposit (Curve's add_liquidity: imbalance pays half the swap fee per coin).
    function _priceDeposit(uint256[2] calldata amounts)
        private
        view
        returns (uint256 shares, uint256[2] memory fees, uint256[2] memory newBalances, uint64 answer)
    {
        if (amounts[0] == 0 && amounts[1] == 0) revert ZeroAmount();
        Config memory c = _config;
        uint256 rate0;
        (rate0, answer) = _readRate(c, _accrued.refAnswer);
        uint256 amp = _amp(c);
        Reserves memory r = _reserves;
        uint256 supply = totalSupply();
        if (supply == 0 && (amounts[0] == 0 || amounts[1] == 0)) revert FirstDepositNeedsBothCoins();
        newBalances[0] = r.balance0 + amounts[0];
        newBalances[1] = r.balance1 + amounts[1];
        uint256 d1 = StableSwapMath.getD(_xp(newBalances[0], rate0), _xp(newBalances[1], _RATE1), amp);
        if (supply == 0) {
            if (d1 <= MINIMUM_SHARES) revert InsufficientOutput(d1, MINIMUM_SHARES + 1);
            return (d1 - MINIMUM_SHARES, fees, newBalances, answer);
        }
        uint256 d0 = StableSwapMath.getD(_xp(r.balance0, rate0), _xp(r.balance1, _RATE1), amp);
        // Imbalance fee: half the swap fee on each coin's distance from a proportional deposit, rounded
        // up as one division (halving feeBps first would round an odd fee down, in the depositor's favour).
        for (uint256 k; k < 2; ++k) {
            uint256 old = k == 0 ? r.balance0 : r.balance1;
            uint256 ideal = (d1 * old) / d0;
            uint256 diff = ideal > newBalances[k] ? ideal - newBalances[k] : newBalances[k] - ideal;
            fees[k] = _ceilDiv(diff * c.feeBps, 2 * BPS);
        }
        uint256 d2 = StableSwapMath.getD(
            _xp(newBalances[0] - fees[0], rate0), _xp(newBalances[1] - fees[1], _RATE1), amp
        );
        if (d2 <= d0) revert ZeroAmount();
        shares = (supply * (d2 - d0)) / d0;
        if (shares == 0) revert ZeroAmount();
    }

    /// @dev Prices a one-coin withdrawal (Curve's _calc_withdraw_one_coin for n = 2).
    function _priceWithdrawOne(uint256 shares, uint256 i)
        private
        view
        returns (uint256 dy, uint256 fee_, uint256 protocolFee, uint64 answer)
    {
        if (i > 1) revert InvalidCoin(i);
        if (shares == 0) revert ZeroAmount();
        Config memory c = _config;
        uint256 rate0;
        (rate0, answer) = _readRate(c, _accrued.refAnswer);
        uint256 amp = _amp(c);
        Reserves memory r = _reserves;
        uint256[2] memory xp = [_xp(r.balance0, rate0), _xp(r.balance1, _RATE1)];
        uint256 d0 = StableSwapMath.getD(xp[0], xp[1], amp);
        uint256 d1;
        {
            uint256 supply = totalSupply();
            if (shares >= supply) revert InsufficientLiquidity(shares, supply);
            d1 = d0 - (shares * d0) / supply;
        }
        (uint256 dyXp, uint256 dyNoFeeXp) = _withdrawOneXp(xp, i, d0, d1, amp, c.feeBps);
        if (dyXp == 0) revert InsufficientLiquidity(shares, i == 0 ? r.balance0 : r.balance1);
        uint256 rateI = i == 0 ? rate0 : _RATE1;
        dy = (dyXp * PRECISION) / rateI;
        uint256 dyNoFee = (dyNoFeeXp * PRECISION) / rateI;
        fee_ = dyNoFee > dy ? dyNoFee - dy : 0;
        protocolFee = (fee_ * c.protocolShareBps) / BPS;
    }

    /// @dev Scaled amount of coin `i` paid when D falls from `d0` to `d1`, after and before the
    ///      imbalance fee (half of the swap fee `feeBps`, rounded up, on each coin's distance from a
    ///      proportional exit).
    function _withdrawOneXp(uint256[2] memory xp, uint256 i, uint256 d0, uint256 d1, uint256 amp, uint256 feeBps)
        private
        pure
        returns (uint256 dyXp, uint256 dyNoFeeXp)
    {
        uint256 xj = xp[1 - i];
        uint256 newY = StableSwapMath.getY(xj, d1, amp);
        dyNoFeeXp = xp[i] - newY;
        uint256 reducedI;
        {
            uint256 idealI = (xp[i] * d1) / d0;
            reducedI = xp[i] - _ceilDiv((idealI > newY ? idealI - newY : 0) * feeBps, 2 * BPS);
        }
        uint256 yAfterFee = StableSwapMath.getY(xj - _ceilDiv((xj - (xj * d1) / d0) * feeBps, 2 * BPS), d1, amp);
        if (yAfterFee + 1 >= reducedI) return (0, 0);
        dyXp = reducedI - yAfterFee - 1;
    }

    // ---------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------

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
        emit FeeSet(feeBps, protocolShareBps);
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

    /// @dev A raw balance in USD × 1e18, rounded down (the pool's favour).
    function _xp(uint256 balance, uint256 rate) private pure returns (uint256) {
        return (balance * rate) / PRECISION;
    }

    /// @dev ⌈a / b⌉.
    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
