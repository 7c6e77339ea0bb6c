// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title ISignedAuthorizations
/// @notice Approvals and transfers a holder signs off chain and anyone submits: EIP-2612 `permit` and EIP-3009
/// transfer / receive / cancel authorizations, for EOA signers (ECDSA) and contract signers (ERC-1271), each with
/// a `v, r, s` and a packed-signature form (Circle FiatTokenV2_2).
/// @dev Signatures are EIP-712 over the token's domain (name, version "1", chain id, token address). An EIP-3009
/// nonce is any unused bytes32 of the authorizer, used once (by a transfer, a receive or a cancel).
interface ISignedAuthorizations is IERC20Permit {
    // ---------------------------------------------------------------- events

    /// @notice `authorizer`'s authorization `nonce` was used by a transfer or a receive.
    /// @param authorizer The signer of the authorization (its `from`).
    /// @param nonce The authorization's nonce, now used.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    /// @notice `authorizer` canceled its unused authorization `nonce`.
    /// @param authorizer The signer of the cancellation.
    /// @param nonce The nonce, now used.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    // ---------------------------------------------------------------- errors

    /// @notice The permit's `deadline` has passed (same error as OpenZeppelin's ERC20Permit).
    error ERC2612ExpiredSignature(uint256 deadline);
    /// @notice The permit was signed by `signer`, not by `owner` (same error as OpenZeppelin's ERC20Permit).
    error ERC2612InvalidSigner(address signer, address owner);
    /// @notice The authorization is valid only after `validAfter`.
    error AuthorizationNotYetValid(uint256 validAfter);
    /// @notice The authorization expired at `validBefore`.
    error AuthorizationExpired(uint256 validBefore);
    /// @notice `nonce` of `authorizer` was already used or canceled.
    error AuthorizationAlreadyUsed(address authorizer, bytes32 nonce);
    /// @notice The signature is neither `signer`'s ECDSA signature nor one its ERC-1271 check accepts.
    error InvalidSignature(address signer);
    /// @notice A receive authorization may only be submitted by its payee.
    error CallerNotPayee(address caller, address payee);

    // ---------------------------------------------------------------- constants

    /// @notice EIP-712 type hash of an EIP-2612 `Permit`.
    /// @return keccak256 of the `Permit(...)` type string.
    function PERMIT_TYPEHASH() external view returns (bytes32);
    /// @notice EIP-712 type hash of an EIP-3009 `TransferWithAuthorization`.
    /// @return keccak256 of the `TransferWithAuthorization(...)` type string.
    function TRANSFER_WITH_AUTHORIZATION_TYPEHASH() external view returns (bytes32);
    /// @notice EIP-712 type hash of an EIP-3009 `ReceiveWithAuthorization`.
    /// @return keccak256 of the `ReceiveWithAuthorization(...)` type string.
    function RECEIVE_WITH_AUTHORIZATION_TYPEHASH() external view returns (bytes32);
    /// @notice EIP-712 type hash of an EIP-3009 `CancelAuthorization`.
    /// @return keccak256 of the `CancelAuthorization(...)` type string.
    function CANCEL_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    // ---------------------------------------------------------------- EIP-2612

    /// @notice EIP-2612 permit with a packed signature (EOA r‖s‖v, or anything an ERC-1271 owner accepts).
    /// @param owner The holder whose allowance is set (the signer).
    /// @param spender The account allowed to spend.
    /// @param value The allowance to set.
    /// @param deadline Last timestamp at which the permit is valid.
    /// @param signature `owner`'s signature over the EIP-712 `Permit` with its current nonce.
    function permit(address owner, address spender, uint256 value, uint256 deadline, bytes calldata signature)
        external;

    // ---------------------------------------------------------------- EIP-3009

    /// @notice EIP-3009: executes a transfer signed by `from` (anyone may submit it).
    /// @param from The payer and signer.
    /// @param to The payee.
    /// @param value Amount in base units.
    /// @param validAfter The authorization is valid only after this timestamp.
    /// @param validBefore The authorization is valid only before this timestamp.
    /// @param nonce A unique bytes32 chosen by `from`, used once.
    /// @param v Signature recovery byte.
    /// @param r Signature half r.
    /// @param s Signature half s.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice EIP-3009 with a packed signature (EOA or ERC-1271 `from`).
    /// @param from The payer and signer.
    /// @param to The payee.
    /// @param value Amount in base units.
    /// @param validAfter The authorization is valid only after this timestamp.
    /// @param validBefore The authorization is valid only before this timestamp.
    /// @param nonce A unique bytes32 chosen by `from`, used once.
    /// @param signature `from`'s signature (r‖s‖v for an EOA; anything its ERC-1271 check accepts).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice EIP-3009: executes a transfer signed by `from`; only the payee `to` may submit it.
    /// @param from The payer and signer.
    /// @param to The payee, who must be the caller.
    /// @param value Amount in base units.
    /// @param validAfter The authorization is valid only after this timestamp.
    /// @param validBefore The authorization is valid only before this timestamp.
    /// @param nonce A unique bytes32 chosen by `from`, used once.
    /// @param v Signature recovery byte.
    /// @param r Signature half r.
    /// @param s Signature half s.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice EIP-3009 receive with a packed signature.
    /// @param from The payer and signer.
    /// @param to The payee, who must be the caller.
    /// @param value Amount in base units.
    /// @param validAfter The authorization is valid only after this timestamp.
    /// @param validBefore The authorization is valid only before this timestamp.
    /// @param nonce A unique bytes32 chosen by `from`, used once.
    /// @param signature `from`'s signature (r‖s‖v for an EOA; anything its ERC-1271 check accepts).
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice EIP-3009: burns an unused authorization nonce of `authorizer`.
    /// @param authorizer The signer whose nonce is canceled.
    /// @param nonce The unused nonce.
    /// @param v Signature recovery byte.
    /// @param r Signature half r.
    /// @param s Signature half s.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice EIP-3009 cancel with a packed signature.
    /// @param authorizer The signer whose nonce is canceled.
    /// @param nonce The unused nonce.
    /// @param signature `authorizer`'s signature (r‖s‖v for an EOA; anything its ERC-1271 check accepts).
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external;

    /// @notice True once `nonce` of `authorizer` was used or canceled.
    /// @param authorizer The signer.
    /// @param nonce The nonce asked about.
    /// @return True when the nonce can no longer be used.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);
}
