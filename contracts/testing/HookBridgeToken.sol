// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockBridgeToken} from "./MockBridgeToken.sol";

/// @title HookBridgeToken
/// @notice Test-only bridge token that, like {HookERC20}, calls out during a transfer, mint or burn once armed:
/// the next balance change calls `target` with `data` and records the outcome. Shows that the bridge's state
/// is final before it hands control to a token (checks-effects-interactions plus its reentrancy guard).
contract HookBridgeToken is MockBridgeToken {
    address public target;
    bytes public data;
    bool public armed;
    bool public lastSuccess;
    bytes public lastResult;

    constructor(string memory name_, string memory symbol_, uint8 decimals_)
        MockBridgeToken(name_, symbol_, decimals_)
    {}

    /// @notice Arms the hook: the next balance change calls `target_` with `data_` once.
    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed) {
            armed = false;
            (lastSuccess, lastResult) = target.call(data);
        }
    }
}
