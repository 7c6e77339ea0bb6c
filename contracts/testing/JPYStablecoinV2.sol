// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {JPYStablecoin} from "../stablecoin/JPYStablecoin.sol";

/// @title JPYStablecoinV2
/// @notice Test-only upgrade target: JPYStablecoin plus a version getter, same storage.
contract JPYStablecoinV2 is JPYStablecoin {
    /// @notice Proves the new implementation is live.
    function version() external pure returns (string memory) {
        return "2";
    }
}
