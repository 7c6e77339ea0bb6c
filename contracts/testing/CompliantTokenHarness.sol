// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CompliantToken} from "../shared/CompliantToken.sol";

/// @title CompliantTokenHarness
/// @notice Test-only concrete CompliantToken with an open mint/burn, to test the base without issuer logic.
contract CompliantTokenHarness is CompliantToken {
    function initialize(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address admin,
        uint48 adminDelay,
        TierLimits[3] memory limits
    ) external initializer {
        __CompliantToken_init(name_, symbol_, decimals_, admin, adminDelay, limits);
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }

    /// @notice The Solidity reference transfer path, bypassing the assembly fast path (equivalence tests).
    function transferChecked(address to, uint256 amount) external returns (bool) {
        _transferChecked(msg.sender, to, amount);
        return true;
    }
}
