// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from
    "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title OZReferenceTokenUpgradeable
/// @notice Gas benchmark reference only (`make gas`): OpenZeppelin v5 ERC20 + ERC20Permit, UUPS, used
///         behind an ERC1967Proxy so the proxy overhead is measured on the reference too.
contract OZReferenceTokenUpgradeable is
    Initializable,
    ERC20Upgradeable,
    ERC20PermitUpgradeable,
    OwnableUpgradeable,
    UUPSUpgradeable
{
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes name, symbol, owner and mints `supply` to `holder`.
    function initialize(address holder, uint256 supply) external initializer {
        __ERC20_init("OZ Reference", "OZR");
        __ERC20Permit_init("OZ Reference");
        __Ownable_init(holder);
        _mint(holder, supply);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}

/// @title OZReferenceProxy
/// @notice Gas benchmark reference only: OpenZeppelin's ERC1967Proxy, unchanged (brownie exposes only
///         contracts defined in project sources, so it is declared here).
contract OZReferenceProxy is ERC1967Proxy {
    constructor(address implementation, bytes memory data) payable ERC1967Proxy(implementation, data) {}
}
