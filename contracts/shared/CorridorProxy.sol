// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";

/// @title CorridorProxy
/// @notice The ERC-1967 proxy every upgradeable corridor contract (JPY stablecoin, issuer registry, bridge tokens)
/// is deployed behind. It behaves as OpenZeppelin's ERC1967Proxy: the constructor sets the implementation with
/// OpenZeppelin's ERC1967Utils.upgradeToAndCall (Upgraded event, code check, initializer call, no stray ETH), and
/// every call is delegated to the implementation in the ERC-1967 slot, its return or revert data passed through.
/// Upgrades are UUPS: the implementation's `upgradeToAndCall` writes the same slot.
/// @dev The fallback is hand-written instead of inheriting OpenZeppelin's Proxy for the JPY transfer gas goal
/// (issue #3): OZ's `_fallback -> _implementation -> _delegate` chain spends 187 gas of execution on every call,
/// this one about 60. Tested side by side with ERC1967Proxy (tests/shared/test_corridor_proxy.py).
contract CorridorProxy {
    /// @dev ERC1967Utils.IMPLEMENTATION_SLOT (bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)), as a
    /// literal because inline assembly reads only literal constants; the tests check that both are equal.
    bytes32 private constant _IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    /// @notice Sets `implementation` and, when `data` is non-empty, delegatecalls it (the initializer).
    /// @dev Reverts as ERC1967Utils does: ERC1967InvalidImplementation for an address without code,
    /// ERC1967NonPayable for ETH sent without data, the initializer's own error otherwise.
    constructor(address implementation, bytes memory data) payable {
        ERC1967Utils.upgradeToAndCall(implementation, data);
    }

    /// @notice Delegates any call to the implementation and returns (or reverts with) exactly what it returned.
    /// @dev The EVM takes the low 160 bits of the slot as the address; ERC1967Utils only ever writes an address.
    fallback() external payable {
        // Not memory-safe (it copies calldata over memory from 0), which is fine: the call ends in this block.
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), sload(_IMPLEMENTATION_SLOT), 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if ok { return(0, returndatasize()) }
            revert(0, returndatasize())
        }
    }
}
