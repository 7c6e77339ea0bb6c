// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title CorridorProxy
/// @notice OpenZeppelin's ERC1967Proxy, unchanged, under a project name: brownie only builds containers for
/// contracts reachable from the project's sources, so this file makes `ERC1967Proxy` (and this alias)
/// available as containers. Every upgradeable corridor contract is deployed behind one.
contract CorridorProxy is ERC1967Proxy {
    constructor(address implementation, bytes memory data) payable ERC1967Proxy(implementation, data) {}
}
