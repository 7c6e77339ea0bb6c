// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title StableSwapMath
/// @notice Curve's StableSwap invariant for two coins, on balances already scaled to a common unit
///         (USD × 1e18). `amp` is A × A_PRECISION. With n = 2:
///
///             4·A·(x0 + x1) + D = 4·A·D + D³ / (4·x0·x1)
///
///         Both solvers are Newton iterations, transcribed from curve-contract's `get_D` / `get_y`
///         (n = 2 unrolled); corridor/exchange/stableswap.py is the same math in Python.
library StableSwapMath {
    uint256 internal constant A_PRECISION = 100;
    uint256 private constant MAX_ITERATIONS = 255;

    /// @notice Newton's method did not converge within 255 iterations.
    error NotConverged();

    /// @notice The invariant D of scaled balances `x0`, `x1` (both non-zero, or both zero for D = 0).
    function getD(uint256 x0, uint256 x1, uint256 amp) internal pure returns (uint256 d) {
        uint256 s = x0 + x1;
        if (s == 0) return 0;
        d = s;
        uint256 ann = amp * 2;
        for (uint256 k; k < MAX_ITERATIONS; ++k) {
            // D_P = D^3 / (4·x0·x1), rounded down step by step as in curve-contract.
            // Curve's stepwise form, on purpose: it bounds intermediates and corridor/exchange/stableswap.py mirrors
            // this exact rounding (the tests require equality); the Newton loop absorbs the step error.
            // slither-disable-next-line divide-before-multiply
            uint256 dP = (((d * d) / (x0 * 2)) * d) / (x1 * 2);
            uint256 prev = d;
            // As above: curve-contract's formula, mirrored exactly by the reference model.
            // slither-disable-next-line divide-before-multiply
            d = ((ann * s / A_PRECISION + dP * 2) * d) / (((ann - A_PRECISION) * d) / A_PRECISION + 3 * dP);
            if (d > prev ? d - prev <= 1 : prev - d <= 1) return d;
        }
        revert NotConverged();
    }

    /// @notice The scaled balance of one coin that keeps the invariant at `d` when the other coin's
    ///         scaled balance is `x` (x > 0).
    function getY(uint256 x, uint256 d, uint256 amp) internal pure returns (uint256 y) {
        uint256 ann = amp * 2;
        // c = D^3 / (4·x·Ann) (× A_PRECISION), b = x + D / Ann (× A_PRECISION)
        // As in getD: curve-contract's stepwise form, mirrored exactly by the reference model.
        // slither-disable-next-line divide-before-multiply
        uint256 c = (((d * d) / (x * 2)) * d * A_PRECISION) / (ann * 2);
        uint256 b = x + (d * A_PRECISION) / ann;
        y = d;
        for (uint256 k; k < MAX_ITERATIONS; ++k) {
            uint256 prev = y;
            y = (y * y + c) / (2 * y + b - d);
            if (y > prev ? y - prev <= 1 : prev - y <= 1) return y;
        }
        revert NotConverged();
    }
}
