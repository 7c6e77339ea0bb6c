// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Brownie only builds containers for contracts reachable from the project's sources: this import makes
// OpenZeppelin's `ERC1967Proxy` available as a container (tests compare it with CorridorProxy and some deploy
// test-only implementations behind it).
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
