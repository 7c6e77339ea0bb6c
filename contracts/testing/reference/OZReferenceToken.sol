// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title OZReferenceToken
/// @notice Gas benchmark reference only (`make gas`): a plain OpenZeppelin v5 ERC20 + ERC20Permit.
contract OZReferenceToken is ERC20, ERC20Permit {
    constructor(address holder, uint256 supply) ERC20("OZ Reference", "OZR") ERC20Permit("OZ Reference") {
        _mint(holder, supply);
    }
}
