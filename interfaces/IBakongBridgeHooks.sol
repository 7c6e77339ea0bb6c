// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBakongBridgeHooks
/// @notice Mints that run code at the destination (Circle CCTP v2 hooks): validators attest a deposit together with
/// hook data, and the bridge mints it to a hook target the bridge admin registered, then calls
/// {IBridgeMintHook-onBridgeMint} with that data, in one transaction. Same domain, epoch, expiry, dedupe and limits
/// as a plain mint; a hooked mint above the large-mint threshold is refused (it cannot wait in the queue).
interface IBakongBridgeHooks {
    /// @notice Validators saw `amount` arrive in the omnibus account in Bakong transaction `bakongTxHash` (KHQR MD5
    /// `khqrMd5`), to be minted to the registered hook `hook` and handed to it with `hookData`.
    /// @dev EIP-712 type: HookedMintAttestation(uint16 currency,uint256 amount,address hook,bytes32 bakongTxHash,
    /// bytes16 khqrMd5,uint64 expiry,uint64 epoch,bytes hookData) (`hookData` hashed with keccak256, as EIP-712
    /// encodes `bytes`).
    struct HookedMintAttestation {
        uint16 currency;
        uint256 amount;
        address hook;
        bytes32 bakongTxHash;
        bytes16 khqrMd5;
        uint64 expiry;
        uint64 epoch;
        bytes hookData;
    }

    /// @notice The admin registered (`registered` true) or removed a mint hook target.
    event MintHookSet(address indexed hook, bool registered);

    /// @notice `hook` is not a registered mint hook target.
    error MintHookNotRegistered(address hook);
    /// @notice A hooked mint of `amount` is above the large-mint threshold `threshold` (it would have to queue).
    error HookedMintAboveThreshold(uint256 amount, uint256 threshold);
    /// @notice `hook` has no code.
    error InvalidMintHook(address hook);

    /// @notice Verifies `a` (exactly `threshold` signatures), mints `a.amount` to `a.hook` and calls its
    /// `onBridgeMint` with `a.hookData`. Anyone may submit it (the relayer does).
    /// @param a The attestation.
    /// @param signatures Packed `r ‖ s ‖ v` signatures in ascending signer order.
    function mintWithHook(HookedMintAttestation calldata a, bytes calldata signatures) external;

    /// @notice Registers or removes a mint hook target (DEFAULT_ADMIN_ROLE).
    /// @param hook The hook contract.
    /// @param registered Whether mints may target it.
    function setMintHook(address hook, bool registered) external;

    /// @notice Whether `hook` is a registered mint hook target.
    /// @param hook The address.
    function isMintHook(address hook) external view returns (bool);
}
