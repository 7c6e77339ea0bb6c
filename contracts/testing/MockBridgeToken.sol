// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IBridgeToken} from "../../interfaces/IBridgeToken.sol";

/// @title MockBridgeToken
/// @notice Test-only bridge token without compliance controls: a plain ERC-20 whose supply only `bridge` changes.
/// Lets the bridge be tested in isolation from the compliant token base. Never deployed by scripts.
contract MockBridgeToken is ERC20, IBridgeToken {
    uint8 private immutable _decimals;
    address public bridge;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice Points the token at `newBridge` (anyone: test token).
    function setBridge(address newBridge) external {
        emit BridgeUpdated(bridge, newBridge);
        bridge = newBridge;
    }

    /// @inheritdoc IBridgeToken
    function mint(address to, uint256 amount) external {
        if (msg.sender != bridge) revert BridgeTokenUnauthorizedBridge(msg.sender);
        _mint(to, amount);
    }

    /// @inheritdoc IBridgeToken
    function burn(uint256 amount) external {
        if (msg.sender != bridge) revert BridgeTokenUnauthorizedBridge(msg.sender);
        _burn(msg.sender, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
