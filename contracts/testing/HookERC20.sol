// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title HookERC20
/// @notice Test-only ERC-20 that, like an ERC-777 token, calls out during every transfer: once armed,
///         the next transfer calls `target` with `data` and records the outcome. Used to prove that a
///         reentrant call into a pool (state-changing or view) is refused mid-transfer.
contract HookERC20 is ERC20 {
    uint8 private immutable _decimals;
    address public target;
    bytes public data;
    bool public armed;
    bool public lastSuccess;
    bytes public lastResult;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice Mints `amount` to `to` (anyone may call: test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: the next transfer calls `target_` with `data_` once.
    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed) {
            armed = false;
            (lastSuccess, lastResult) = target.call(data);
        }
    }
}
