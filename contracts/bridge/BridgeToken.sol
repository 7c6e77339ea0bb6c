// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CompliantToken} from "../shared/CompliantToken.sol";
import {IBridgeToken} from "../../interfaces/IBridgeToken.sol";

/// @title BridgeToken
/// @notice A Bakong-backed token (bUSD with 2 decimals, bKHR with 0; one proxy per currency): the shared
/// {CompliantToken} (KYC tiers, freeze, limits, pause, permit, EIP-3009, UUPS) plus a supply that only the
/// bridge changes. 1 token unit = 1 unit (cent / riel) in the bridge's Bakong omnibus account.
/// @dev The bridge escrows redemptions, so it must be verified on this token (tier 4, institutional): the
/// compliance officer calls `setKyc(bridge, INSTITUTIONAL_TIER, 116)` when wiring (corridor/bridge/deploy.py).
/// Migrating to a new bridge is `setBridge` by the admin once the old bridge holds no escrow.
contract BridgeToken is CompliantToken, IBridgeToken {
    /// @custom:storage-location erc7201:corridor.storage.BridgeToken
    struct BridgeTokenStorage {
        address bridge;
    }

    // keccak256(abi.encode(uint256(keccak256("corridor.storage.BridgeToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _BRIDGE_TOKEN_STORAGE = 0x529660e0cbdae6668deb68fcb32fc4e60302a998dd9bfb295aa3d3b04bf32c00;

    /// @notice Initializes the proxy.
    /// @param name_ Token name, e.g. "Bakong Riel".
    /// @param symbol_ Token symbol, e.g. "bKHR".
    /// @param decimals_ 0 for KHR (whole riel), 2 for USD (cents): Bakong's own units.
    /// @param admin Default admin (roles, upgrades through UPGRADER_ROLE it grants).
    /// @param adminDelay Delay of a default-admin transfer.
    /// @param bridge_ The bridge allowed to mint and burn (non-zero).
    /// @param limits Limits of KYC tiers 1..3 in base units.
    function initialize(
        string calldata name_,
        string calldata symbol_,
        uint8 decimals_,
        address admin,
        uint48 adminDelay,
        address bridge_,
        TierLimits[3] calldata limits
    ) external initializer {
        __CompliantToken_init(name_, symbol_, decimals_, admin, adminDelay, limits);
        _setBridge(bridge_);
    }

    /// @notice Points the token at `newBridge` (non-zero); only the default admin.
    function setBridge(address newBridge) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setBridge(newBridge);
    }

    /// @inheritdoc IBridgeToken
    function bridge() external view returns (address) {
        return _bridgeStorage().bridge;
    }

    /// @inheritdoc IBridgeToken
    function mint(address to, uint256 amount) external {
        _onlyBridge();
        _mint(to, amount);
    }

    /// @inheritdoc IBridgeToken
    function burn(uint256 amount) external {
        _onlyBridge();
        _burn(msg.sender, amount);
    }

    function _onlyBridge() private view {
        if (msg.sender != _bridgeStorage().bridge) revert BridgeTokenUnauthorizedBridge(msg.sender);
    }

    function _setBridge(address newBridge) private {
        if (newBridge == address(0)) revert ZeroAddress();
        BridgeTokenStorage storage $ = _bridgeStorage();
        address previous = $.bridge;
        $.bridge = newBridge;
        emit BridgeUpdated(previous, newBridge);
    }

    function _bridgeStorage() private pure returns (BridgeTokenStorage storage $) {
        assembly {
            $.slot := _BRIDGE_TOKEN_STORAGE
        }
    }
}
