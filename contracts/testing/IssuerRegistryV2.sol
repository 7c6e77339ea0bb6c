// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IssuerRegistry} from "../stablecoin/IssuerRegistry.sol";

/// @title IssuerRegistryV2
/// @notice Test-only upgrade target: IssuerRegistry plus a version getter, same storage.
contract IssuerRegistryV2 is IssuerRegistry {
    /// @notice Proves the new implementation is live.
    function version() external pure returns (string memory) {
        return "2";
    }
}
