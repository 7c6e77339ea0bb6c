// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBridgeMintHook
/// @notice A contract the bridge admin registered as a mint hook target (Circle CCTP v2 hooks): the bridge mints
/// an attested deposit to it and calls {onBridgeMint} in the same transaction with the hook data the validators
/// signed together with the deposit.
interface IBridgeMintHook {
    /// @notice `amount` of `token` (the bridge token of `currency`) was just minted to this contract for Bakong
    /// transaction `bakongTxHash`; `hookData` is exactly what the validators signed.
    /// @dev Called by the bridge only. A revert undoes the whole mint (the deposit stays unprocessed), so a hook
    /// should handle every failure of its own by refunding, not by reverting.
    /// @param currency ISO 4217 numeric code of the minted bridge token.
    /// @param token The bridge token minted.
    /// @param amount Amount minted to this contract.
    /// @param bakongTxHash The Bakong deposit the mint is for (deduplicated by the bridge).
    /// @param hookData The validator-signed instructions.
    function onBridgeMint(uint16 currency, address token, uint256 amount, bytes32 bakongTxHash, bytes calldata hookData)
        external;
}
