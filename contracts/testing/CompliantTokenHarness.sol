// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CompliantToken} from "../shared/CompliantToken.sol";
import {PackedStorage} from "../shared/PackedStorage.sol";

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

    /// @notice transferFrom through the Solidity reference path (allowance, then {_transferChecked}).
    function transferFromChecked(address from, address to, uint256 amount) external returns (bool) {
        _spendAllowance(from, msg.sender, amount);
        _transferChecked(from, to, amount);
        return true;
    }

    /// @notice Test-only: sets the freeze epoch (to test its exhaustion without 2^24 freezes). Writes the config
    /// word at its ERC-7201 slot (member 2 of corridor.storage.CompliantToken) directly, so the production
    /// contract needs no setter. Can break the epoch invariants; only for the exhaustion and tag tests.
    function setFreezeEpochForTesting(uint256 epoch) external {
        require(epoch <= PackedStorage.MAX_FREEZE_EPOCH, "epoch too large");
        uint256 slot = 0x171c15278549b321fc6307279ee79cd767667b111976338c43f58e5f7f45ad02;
        uint256 config;
        assembly {
            config := sload(slot)
        }
        config = PackedStorage.withFreezeEpoch(config, epoch);
        assembly {
            sstore(slot, config)
        }
    }
}
