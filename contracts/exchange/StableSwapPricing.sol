// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFXPool} from "../../interfaces/IFXPool.sol";
import {StableSwapMath} from "./StableSwapMath.sol";

/// @title StableSwapPricing
/// @notice FXPool's prices as pure functions of the pool's state: swaps (exact in, exact out), deposits and
///         one-coin withdrawals, fees included, on balances scaled to USD × 1e18 by the oracle rates
///         (Curve's rate multipliers). FXPool reads storage and the oracle, calls these, then books the result.
///         Rounding: every conversion rounds in the pool's favour, in each coin's minor unit; the reference
///         model (corridor/exchange/stableswap.py) mirrors each step, and the tests require equality.
library StableSwapPricing {
    uint256 internal constant PRECISION = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @dev The pool seen from the coin being sold: rates, scaled balances (USD × 1e18), A.
    struct Side {
        uint256 rateIn;
        uint256 rateOut;
        uint256 xIn;
        uint256 xOut;
        uint256 balOut;
        uint256 amp;
    }

    /// @dev The pool as a deposit or a withdrawal sees it: raw balances, rates, A × A_PRECISION, LP supply, fee.
    struct Pool {
        uint256 balance0;
        uint256 balance1;
        uint256 rate0;
        uint256 rate1;
        uint256 amp;
        uint256 supply;
        uint256 feeBps;
    }

    /// @dev Selling exactly `dx` (> 0) of the coin `s` sells: the output and the protocol's part of the fee, in
    ///      the output coin's units. Reverts with DustAmount when the output rounds to zero.
    function exactIn(Side memory s, uint256 dx, uint256 feeBps, uint256 protocolShareBps)
        internal
        pure
        returns (uint256 amountOut, uint256 protocolFee)
    {
        uint256 d = StableSwapMath.getD(s.xIn, s.xOut, s.amp);
        uint256 y = StableSwapMath.getY(s.xIn + (dx * s.rateIn) / PRECISION, d, s.amp);
        // The extra -1 absorbs Newton's ±1 tolerance in the pool's favour (as curve-contract does).
        // y < xOut always holds for dx > 0 up to that tolerance, so y + 1 >= xOut means dust.
        uint256 dyGross = y + 1 < s.xOut ? s.xOut - y - 1 : 0;
        uint256 feeXp = ceilDiv(dyGross * feeBps, BPS);
        amountOut = ((dyGross - feeXp) * PRECISION) / s.rateOut;
        if (amountOut == 0) revert IFXPool.DustAmount(dx);
        // Rounds the protocol's share down twice (bps share, then into token units): in the LPs' favour,
        // never above the fee; mirrored by the reference model.
        // slither-disable-next-line divide-before-multiply
        protocolFee = (((feeXp * protocolShareBps) / BPS) * PRECISION) / s.rateOut;
    }

    /// @dev Buying exactly `dy` (> 0) of the other coin with the coin `s` sells: the input and the protocol's
    ///      part of the fee, in the output coin's units. Reverts with InsufficientLiquidity when the pool cannot
    ///      pay `dy`.
    function exactOut(Side memory s, uint256 dy, uint256 feeBps, uint256 protocolShareBps)
        internal
        pure
        returns (uint256 amountIn, uint256 protocolFee)
    {
        // Every step rounds up: the output is valued high, the fee grossed up, the input valued low.
        uint256 dyNet = ceilDiv(dy * s.rateOut, PRECISION);
        uint256 dyGross = ceilDiv(dyNet * BPS, BPS - feeBps);
        if (dyGross + 1 >= s.xOut) revert IFXPool.InsufficientLiquidity(dy, s.balOut);
        uint256 xNew =
            StableSwapMath.getY(s.xOut - dyGross - 1, StableSwapMath.getD(s.xIn, s.xOut, s.amp), s.amp);
        amountIn = ceilDiv((xNew > s.xIn ? xNew - s.xIn + 1 : 1) * PRECISION, s.rateIn);
        // Rounds the protocol's share down twice (bps share, then into token units): in the LPs' favour,
        // never above the fee; mirrored by the reference model.
        // slither-disable-next-line divide-before-multiply
        protocolFee = ((((dyGross - dyNet) * protocolShareBps) / BPS) * PRECISION) / s.rateOut;
    }

    /// @dev A deposit of `amounts` (Curve's add_liquidity: imbalance pays half the swap fee per coin): the shares
    ///      it mints (the first deposit keeps `minimumShares` back, to be locked), the fee kept per coin and the
    ///      pool's balances after it.
    function deposit(Pool memory p, uint256[2] calldata amounts, uint256 minimumShares)
        internal
        pure
        returns (uint256 shares, uint256[2] memory fees, uint256[2] memory newBalances)
    {
        if (p.supply == 0 && (amounts[0] == 0 || amounts[1] == 0)) revert IFXPool.FirstDepositNeedsBothCoins();
        newBalances[0] = p.balance0 + amounts[0];
        newBalances[1] = p.balance1 + amounts[1];
        uint256 d1 = StableSwapMath.getD(xp(newBalances[0], p.rate0), xp(newBalances[1], p.rate1), p.amp);
        if (p.supply == 0) {
            if (d1 <= minimumShares) revert IFXPool.InsufficientOutput(d1, minimumShares + 1);
            return (d1 - minimumShares, fees, newBalances);
        }
        uint256 d0 = StableSwapMath.getD(xp(p.balance0, p.rate0), xp(p.balance1, p.rate1), p.amp);
        // Imbalance fee: half the swap fee on each coin's distance from a proportional deposit, rounded
        // up as one division (halving feeBps first would round an odd fee down, in the depositor's favour).
        for (uint256 k; k < 2; ++k) {
            uint256 old = k == 0 ? p.balance0 : p.balance1;
            uint256 ideal = (d1 * old) / d0;
            uint256 diff = ideal > newBalances[k] ? ideal - newBalances[k] : newBalances[k] - ideal;
            fees[k] = ceilDiv(diff * p.feeBps, 2 * BPS);
        }
        uint256 d2 = StableSwapMath.getD(
            xp(newBalances[0] - fees[0], p.rate0), xp(newBalances[1] - fees[1], p.rate1), p.amp
        );
        if (d2 <= d0) revert IFXPool.ZeroAmount();
        shares = (p.supply * (d2 - d0)) / d0;
        if (shares == 0) revert IFXPool.ZeroAmount();
    }

    /// @dev A withdrawal of `shares` (> 0) in coin `i` alone (Curve's _calc_withdraw_one_coin for n = 2): the
    ///      amount paid and the fee kept, in coin `i`'s units.
    function withdrawOne(Pool memory p, uint256 shares, uint256 i) internal pure returns (uint256 dy, uint256 fee) {
        uint256[2] memory x = [xp(p.balance0, p.rate0), xp(p.balance1, p.rate1)];
        uint256 d0 = StableSwapMath.getD(x[0], x[1], p.amp);
        if (shares >= p.supply) revert IFXPool.InsufficientLiquidity(shares, p.supply);
        uint256 d1 = d0 - (shares * d0) / p.supply;
        (uint256 dyXp, uint256 dyNoFeeXp) = _withdrawOneXp(x, i, d0, d1, p.amp, p.feeBps);
        if (dyXp == 0) revert IFXPool.InsufficientLiquidity(shares, i == 0 ? p.balance0 : p.balance1);
        uint256 rateI = i == 0 ? p.rate0 : p.rate1;
        dy = (dyXp * PRECISION) / rateI;
        uint256 dyNoFee = (dyNoFeeXp * PRECISION) / rateI;
        fee = dyNoFee > dy ? dyNoFee - dy : 0;
    }

    /// @dev A raw balance in USD × 1e18, rounded down (the pool's favour).
    function xp(uint256 balance, uint256 rate) internal pure returns (uint256) {
        return (balance * rate) / PRECISION;
    }

    /// @dev ⌈a / b⌉.
    function ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    /// @dev Scaled amount of coin `i` paid when D falls from `d0` to `d1`, after and before the
    ///      imbalance fee (half of the swap fee `feeBps`, rounded up, on each coin's distance from a
    ///      proportional exit).
    function _withdrawOneXp(uint256[2] memory x, uint256 i, uint256 d0, uint256 d1, uint256 amp, uint256 feeBps)
        private
        pure
        returns (uint256 dyXp, uint256 dyNoFeeXp)
    {
        uint256 xj = x[1 - i];
        uint256 newY = StableSwapMath.getY(xj, d1, amp);
        dyNoFeeXp = x[i] - newY;
        uint256 reducedI;
        {
            uint256 idealI = (x[i] * d1) / d0;
            reducedI = x[i] - ceilDiv((idealI > newY ? idealI - newY : 0) * feeBps, 2 * BPS);
        }
        uint256 yAfterFee = StableSwapMath.getY(xj - ceilDiv((xj - (xj * d1) / d0) * feeBps, 2 * BPS), d1, amp);
        if (yAfterFee + 1 >= reducedI) return (0, 0);
        dyXp = reducedI - yAfterFee - 1;
    }
}
