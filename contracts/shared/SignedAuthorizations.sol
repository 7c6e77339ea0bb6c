// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {ISignedAuthorizations} from "../../interfaces/ISignedAuthorizations.sol";

/// @title SignedAuthorizations
/// @notice EIP-2612 permit and EIP-3009 transfer / receive / cancel authorizations, for EOA and ERC-1271 signers,
/// as an abstract contract the token inherits (Circle FiatTokenV2_2's EIP2612 and EIP3009).
/// @dev The token supplies the effects through three hooks: `_approve` and `_transfer` (with every compliance
/// check of the token) and `_authorizations`, the used-nonce map, which lives in the token's ERC-7201 namespace
/// (CompliantTokenStorage.authorizations) so the upgradeable layout does not depend on this split. No state of
/// its own besides OpenZeppelin's namespaced EIP712 and Nonces storage. The EIP-712 domain is initialized by the
/// token (`__EIP712_init(name, "1")`); its version is the constant "1" ({_EIP712Version}).
abstract contract SignedAuthorizations is ISignedAuthorizations, EIP712Upgradeable, NoncesUpgradeable {
    bytes32 public constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    // ---------------------------------------------------------------- EIP-2612

    /// @inheritdoc IERC20Permit
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        _permit(owner, spender, value, deadline, abi.encodePacked(r, s, v));
    }

    /// @inheritdoc ISignedAuthorizations
    function permit(address owner, address spender, uint256 value, uint256 deadline, bytes calldata signature)
        external
    {
        _permit(owner, spender, value, deadline, signature);
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view virtual override(IERC20Permit, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IERC20Permit
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev The domain version is the constant "1": returning it from code instead of storage saves a cold SLOAD
    /// (2,100 gas) on every permit and EIP-3009 authorization (the EIP-3009 gas goal).
    function _EIP712Version() internal pure override returns (string memory) {
        return "1";
    }

    function _permit(address owner, address spender, uint256 value, uint256 deadline, bytes memory signature)
        private
    {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline))
        );
        // Slither's unused-return is a false positive here: the RecoverError is checked; the third value (the
        // error argument) only details a revert this code does not rethrow.
        // slither-disable-next-line unused-return
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (!(err == ECDSA.RecoverError.NoError && recovered == owner) && !_isValidERC1271(owner, digest, signature)) {
            revert ERC2612InvalidSigner(recovered, owner);
        }
        _approve(owner, spender, value);
    }

    // ---------------------------------------------------------------- EIP-3009

    /// @inheritdoc ISignedAuthorizations
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
    ) external {
        bytes32 digest =
            _useAuthorization(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce);
        _requireSignature(from, digest, v, r, s);
        _transfer(from, to, value);
    }

    /// @inheritdoc ISignedAuthorizations
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        bytes32 digest =
            _useAuthorization(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce);
        _requireSignature(from, digest, signature);
        _transfer(from, to, value);
    }

    /// @inheritdoc ISignedAuthorizations
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
    ) external {
        if (msg.sender != to) revert CallerNotPayee(msg.sender, to);
        bytes32 digest =
            _useAuthorization(RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce);
        _requireSignature(from, digest, v, r, s);
        _transfer(from, to, value);
    }

    /// @inheritdoc ISignedAuthorizations
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        if (msg.sender != to) revert CallerNotPayee(msg.sender, to);
        bytes32 digest =
            _useAuthorization(RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce);
        _requireSignature(from, digest, signature);
        _transfer(from, to, value);
    }

    /// @inheritdoc ISignedAuthorizations
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _requireSignature(authorizer, _useCancel(authorizer, nonce), v, r, s);
    }

    /// @inheritdoc ISignedAuthorizations
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external {
        _requireSignature(authorizer, _useCancel(authorizer, nonce), signature);
    }

    /// @inheritdoc ISignedAuthorizations
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizations()[authorizer][nonce];
    }

    /// @dev Checks the validity window, marks the nonce used and returns the EIP-712 digest to verify.
    function _useAuthorization(
        bytes32 typehash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce
    ) private returns (bytes32) {
        if (block.timestamp <= validAfter) revert AuthorizationNotYetValid(validAfter);
        if (block.timestamp >= validBefore) revert AuthorizationExpired(validBefore);
        _markAuthorizationUsed(from, nonce);
        emit AuthorizationUsed(from, nonce);
        return _hashTypedDataV4(keccak256(abi.encode(typehash, from, to, value, validAfter, validBefore, nonce)));
    }

    function _useCancel(address authorizer, bytes32 nonce) private returns (bytes32) {
        _markAuthorizationUsed(authorizer, nonce);
        emit AuthorizationCanceled(authorizer, nonce);
        return _hashTypedDataV4(keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce)));
    }

    function _markAuthorizationUsed(address authorizer, bytes32 nonce) private {
        mapping(bytes32 => bool) storage used = _authorizations()[authorizer];
        if (used[nonce]) revert AuthorizationAlreadyUsed(authorizer, nonce);
        used[nonce] = true;
    }

    // ---------------------------------------------------------------- signatures

    /// @dev ECDSA first, ERC-1271 only when that fails and `signer` has code. OpenZeppelin's SignatureChecker checks
    /// the code size first, which costs a cold EXTCODESIZE (2,600 gas) on every EOA authorization; the order here
    /// keeps the EIP-3009 gas goal. No key is known for a contract address, so accepting its ECDSA recovery first
    /// admits nothing ERC-1271 would refuse except for EIP-7702 accounts, which are controlled by that key anyway.
    function _requireSignature(address signer, bytes32 digest, uint8 v, bytes32 r, bytes32 s) private view {
        // Slither's unused-return is a false positive here: the RecoverError is checked; the third value (the
        // error argument) only details a revert this code does not rethrow.
        // slither-disable-next-line unused-return
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (!_isValidERC1271(signer, digest, abi.encodePacked(r, s, v))) revert InvalidSignature(signer);
    }

    function _requireSignature(address signer, bytes32 digest, bytes memory signature) private view {
        // Slither's unused-return is a false positive here: the RecoverError is checked; the third value (the
        // error argument) only details a revert this code does not rethrow.
        // slither-disable-next-line unused-return
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (!_isValidERC1271(signer, digest, signature)) revert InvalidSignature(signer);
    }

    /// @dev ERC-1271 check, as OpenZeppelin's SignatureChecker.isValidERC1271SignatureNow (not imported: that file
    /// pulls in Bytes.sol, whose `mcopy` does not compile for the berlin profile).
    function _isValidERC1271(address signer, bytes32 digest, bytes memory signature) private view returns (bool) {
        if (signer.code.length == 0) return false;
        (bool success, bytes memory result) =
            signer.staticcall(abi.encodeCall(IERC1271.isValidSignature, (digest, signature)));
        return success && result.length >= 32
            && abi.decode(result, (bytes32)) == bytes32(IERC1271.isValidSignature.selector);
    }

    // ---------------------------------------------------------------- hooks for the token

    /// @dev Sets the allowance of `spender` over `owner`'s tokens to `value` (the token's checks, Approval event).
    function _approve(address owner, address spender, uint256 value) internal virtual;

    /// @dev Moves `value` from `from` to `to` with every check of a transfer (the token's compliance rules).
    function _transfer(address from, address to, uint256 value) internal virtual;

    /// @dev The used-nonce map of EIP-3009, authorizer => nonce => used (kept in the token's storage namespace).
    function _authorizations()
        internal
        view
        virtual
        returns (mapping(address authorizer => mapping(bytes32 nonce => bool)) storage);
}
