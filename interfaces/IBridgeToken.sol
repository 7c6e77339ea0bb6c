// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IBridgeToken
/// @notice What `BakongBridge` needs from a Bakong-backed token (bUSD, bKHR): an ERC-20 whose supply only
/// the bridge changes. Amounts are in Bakong's own units (USD cents, whole riel): 1 token unit = 1 unit
/// held in the bridge's Bakong omnibus account.
interface IBridgeToken is IERC20 {
    /// @notice Emitted when the admin points the token at a (new) bridge.
    event BridgeUpdated(address indexed previousBridge, address indexed newBridge);

    /// @notice The caller is not the bridge.
    error BridgeTokenUnauthorizedBridge(address caller);

    /// @notice The bridge that may mint and burn (a single address: migrating = pointing at a new bridge).
    /// @return The bridge's address.
    function bridge() external view returns (address);

    /// @notice Mints `amount` to `to`; only the bridge. Compliance rules of the token apply to `to`.
    /// @param to The receiver (verified, not frozen).
    /// @param amount Amount in base units.
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` from the bridge's own balance (escrowed redemptions); only the bridge.
    /// @param amount Amount in base units.
    function burn(uint256 amount) external;
}
