// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title MockERC1271Wallet
/// @notice Test-only smart-contract wallet: valid signatures are its owner's ECDSA signatures; the owner
/// makes it call anything (approve tokens, cancel RFQ nonces).
contract MockERC1271Wallet is IERC1271 {
    error NotOwner(address caller);
    error CallFailed(bytes returndata);

    address public owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Calls `target` with `data` from the wallet (owner only).
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) revert CallFailed(ret);
        return ret;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == owner ? this.isValidSignature.selector : bytes4(0xffffffff);
    }
}
