// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title MockRfqRouter
/// @notice Test-only stand-in for the exchange family's FX router (same quote/swap selectors as
/// IFXRouter): swaps along a path at a fixed rate per (tokenIn, tokenOut) pair, paying from its own
/// balance. Lets best-execution tests set the AMM price on either side of an RFQ quote.
contract MockRfqRouter {
    error NoRate(address tokenIn, address tokenOut);
    error InsufficientOutput(uint256 amountOut, uint256 minOut);
    error ExcessiveInput(uint256 amountIn, uint256 maxIn);

    event Swapped(address indexed payer, address indexed recipient, bytes32 indexed paymentReference,
        address tokenIn, address tokenOut, uint256 amountIn, uint256 amountOut);

    /// @dev amountOut = amountIn * num / den for a (tokenIn, tokenOut) pair.
    mapping(address => mapping(address => uint256[2])) public rates;
    uint256 public midNum = 1;
    uint256 public midDen = 1;

    /// @notice Sets the rate out/in = num/den for the path's end tokens.
    function setRate(address tokenIn, address tokenOut, uint256 num, uint256 den) external {
        rates[tokenIn][tokenOut] = [num, den];
    }

    function _rate(address[] calldata path) private view returns (uint256 num, uint256 den) {
        uint256[2] memory r = rates[path[0]][path[path.length - 1]];
        if (r[1] == 0) revert NoRate(path[0], path[path.length - 1]);
        return (r[0], r[1]);
    }

    function quoteExactIn(address[] calldata path, uint256 amountIn) public view returns (uint256) {
        (uint256 num, uint256 den) = _rate(path);
        return amountIn * num / den;
    }

    function quoteExactOut(address[] calldata path, uint256 amountOut) public view returns (uint256) {
        (uint256 num, uint256 den) = _rate(path);
        return (amountOut * den + num - 1) / num;
    }

    function swapExactIn(address[] calldata path, uint256 amountIn, uint256 minOut, address recipient, uint256, bytes32 ref)
        external
        returns (uint256 amountOut)
    {
        amountOut = quoteExactIn(path, amountIn);
        if (amountOut < minOut) revert InsufficientOutput(amountOut, minOut);
        _swap(path, amountIn, amountOut, recipient, ref);
    }

    function swapExactOut(address[] calldata path, uint256 amountOut, uint256 maxIn, address recipient, uint256, bytes32 ref)
        external
        returns (uint256 amountIn)
    {
        amountIn = quoteExactOut(path, amountOut);
        if (amountIn > maxIn) revert ExcessiveInput(amountIn, maxIn);
        _swap(path, amountIn, amountOut, recipient, ref);
    }

    function _swap(address[] calldata path, uint256 amountIn, uint256 amountOut, address recipient, bytes32 ref) private {
        address tokenIn = path[0];
        address tokenOut = path[path.length - 1];
        IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        IERC20(tokenOut).transfer(recipient, amountOut);
        emit Swapped(msg.sender, recipient, ref, tokenIn, tokenOut, amountIn, amountOut);
    }
}
