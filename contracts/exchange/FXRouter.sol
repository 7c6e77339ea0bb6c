// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IFXRouter} from "../../interfaces/IFXRouter.sol";
import {IFXPool} from "../../interfaces/IFXPool.sol";

/// @title FXRouter
/// @notice Routes swaps through {FXPool}s that all quote against one USD hub token. The payer's
///         tokens go straight into the first pool and each pool pays the next one (Uniswap V2's
///         "prepaid" pattern), so a two-hop JPY → USD → KHR payment costs one `transferFrom` and two
///         pool swaps. The router never holds tokens, so it needs no reentrancy guard of its own:
///         every pool entry point is guarded.
contract FXRouter is IFXRouter, AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;

    /// @dev One hop: the pool, the index of the coin sold into it, and its minimum output.
    struct Hop {
        address pool;
        uint256 i;
        uint256 minOut;
    }

    address private immutable _HUB;
    mapping(address token => address pool) private _pools;

    constructor(address hub_, address admin, uint48 adminDelay) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (hub_ == address(0)) revert ZeroAddress();
        _HUB = hub_;
    }

    /// @inheritdoc IFXRouter
    function hub() external view returns (address) {
        return _HUB;
    }

    /// @inheritdoc IFXRouter
    function poolOf(address token) external view returns (address) {
        return _pools[token];
    }

    /// @inheritdoc IFXRouter
    function setPool(address pool) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (pool == address(0)) revert ZeroAddress();
        address hub_ = IFXPool(pool).coins(1);
        if (hub_ != _HUB) revert PoolHubMismatch(pool, hub_);
        address token = IFXPool(pool).coins(0);
        _pools[token] = pool;
        emit PoolSet(token, pool);
    }

    // ---------------------------------------------------------------- quotes

    /// @inheritdoc IFXRouter
    function quoteExactIn(address[] calldata path, uint256 amountIn) external view returns (uint256 amountOut) {
        uint256 hops = _hops(path);
        amountOut = amountIn;
        for (uint256 k; k < hops; ++k) {
            (address pool, uint256 i) = _hop(path[k], path[k + 1]);
            amountOut = IFXPool(pool).getAmountOut(i, amountOut);
        }
    }

    /// @inheritdoc IFXRouter
    function quoteExactOut(address[] calldata path, uint256 amountOut) external view returns (uint256 amountIn) {
        amountIn = _amountsIn(_route(path), amountOut)[0];
    }

    /// @inheritdoc IFXRouter
    function quoteMid(address[] calldata path, uint256 amountIn) external view returns (uint256 amountOut) {
        uint256 hops = _hops(path);
        amountOut = amountIn;
        for (uint256 k; k < hops; ++k) {
            (address pool, uint256 i) = _hop(path[k], path[k + 1]);
            amountOut = IFXPool(pool).getMidAmountOut(i, amountOut);
        }
    }

    // ---------------------------------------------------------------- swaps

    /// @inheritdoc IFXRouter
    function swapExactIn(
        address[] calldata path,
        uint256 amountIn,
        uint256 minOut,
        address recipient,
        uint256 deadline,
        bytes32 paymentReference
    ) external returns (uint256 amountOut) {
        _checkCommon(deadline, amountIn, recipient);
        Hop[] memory route = _route(path);
        IERC20(path[0]).safeTransferFrom(msg.sender, route[0].pool, amountIn);
        uint256 mid;
        (amountOut, mid) = _swapHops(route, amountIn, minOut, recipient, 0);
        _emitSwapped(path, amountIn, amountOut, mid, recipient, paymentReference);
    }

    /// @inheritdoc IFXRouter
    function swapExactOut(
        address[] calldata path,
        uint256 amountOut,
        uint256 maxIn,
        address recipient,
        uint256 deadline,
        bytes32 paymentReference
    ) external returns (uint256 amountIn) {
        _checkCommon(deadline, amountOut, recipient);
        Hop[] memory route = _route(path);
        uint256[] memory amounts = _amountsIn(route, amountOut);
        amountIn = amounts[0];
        if (amountIn > maxIn) revert ExcessiveInput(amountIn, maxIn);
        IERC20(path[0]).safeTransferFrom(msg.sender, route[0].pool, amountIn);
        (, uint256 mid) = _swapHops(route, amountIn, amountOut, recipient, amountOut);
        _emitSwapped(path, amountIn, amountOut, mid, recipient, paymentReference);
    }

    /// @dev Runs the prepaid swaps along `route`, each pool paying the next. With `exactOut` > 0
    ///      the last hop pays exactly `exactOut`, otherwise the last hop must pay at least `minOut`.
    ///      Returns the final output and the input converted at the oracle mid along the route.
    function _swapHops(Hop[] memory route, uint256 amountIn, uint256 minOut, address recipient, uint256 exactOut)
        private
        returns (uint256 amountOut, uint256 mid)
    {
        uint256 last = route.length - 1;
        amountOut = amountIn;
        for (uint256 k; k <= last; ++k) {
            Hop memory h = route[k];
            uint256 out;
            uint256 hopMid;
            if (k < last) {
                // Intermediate hop: must cover the next pool's quoted input when routing exact-out.
                (out, hopMid) = IFXPool(h.pool).swapPrepaidExactIn(h.i, h.minOut, route[k + 1].pool);
            } else if (exactOut > 0) {
                // The input of the last exact-out hop was quoted and prepaid before; only its mid is needed here.
                // slither-disable-next-line unused-return
                (, hopMid) = IFXPool(h.pool).swapPrepaidExactOut(h.i, exactOut, recipient);
                out = exactOut;
            } else {
                (out, hopMid) = IFXPool(h.pool).swapPrepaidExactIn(h.i, minOut, recipient);
            }
            // A pool's mid is linear in its input: chain this hop's mid rate onto the running mid.
            mid = k == 0 ? hopMid : Math.mulDiv(hopMid, mid, amountOut);
            amountOut = out;
        }
    }

    // ---------------------------------------------------------------- internals

    /// @dev Inputs needed at each step of `route` to end with `amountOut` (index 0: the payer's
    ///      input); each intermediate hop's `minOut` is set to the next hop's input.
    function _amountsIn(Hop[] memory route, uint256 amountOut) private view returns (uint256[] memory amounts) {
        uint256 hops = route.length;
        amounts = new uint256[](hops + 1);
        amounts[hops] = amountOut;
        for (uint256 k = hops; k > 0; --k) {
            Hop memory h = route[k - 1];
            amounts[k - 1] = IFXPool(h.pool).getAmountIn(h.i, amounts[k]);
            if (k < hops) h.minOut = amounts[k];
        }
    }

    /// @dev The pools of `path`, one per hop.
    function _route(address[] calldata path) private view returns (Hop[] memory route) {
        uint256 hops = _hops(path);
        route = new Hop[](hops);
        for (uint256 k; k < hops; ++k) {
            (route[k].pool, route[k].i) = _hop(path[k], path[k + 1]);
        }
    }

    /// @dev The pool and the sold coin's index for one hop; one side must be the hub.
    function _hop(address tokenIn, address tokenOut) private view returns (address pool, uint256 i) {
        if (tokenOut == _HUB) {
            pool = _pools[tokenIn];
        } else if (tokenIn == _HUB) {
            (pool, i) = (_pools[tokenOut], 1);
        }
        if (pool == address(0)) revert NoPool(tokenIn, tokenOut);
    }

    function _hops(address[] calldata path) private pure returns (uint256) {
        if (path.length < 2) revert InvalidPath();
        return path.length - 1;
    }

    function _checkCommon(uint256 deadline, uint256 amount, address recipient) private view {
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroAddress();
    }

    function _emitSwapped(
        address[] calldata path,
        uint256 amountIn,
        uint256 amountOut,
        uint256 mid,
        address recipient,
        bytes32 paymentReference
    ) private {
        int256 deviationBps = 0; // no mid (zero-rate path): no deviation reported
        if (mid > 0) {
            deviationBps = mid >= amountOut
                ? int256(((mid - amountOut) * BPS) / mid)
                : -int256(((amountOut - mid) * BPS) / mid);
        }
        emit Swapped(
            msg.sender,
            recipient,
            paymentReference,
            path[0],
            path[path.length - 1],
            amountIn,
            amountOut,
            mid,
            deviationBps
        );
    }
}
