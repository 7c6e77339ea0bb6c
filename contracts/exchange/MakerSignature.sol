// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title MakerSignature
/// @notice Verifies a market maker's signature: ECDSA for an account without code, ERC-1271 otherwise.
/// @dev The behaviour of OpenZeppelin's `SignatureChecker.isValidSignatureNow(address,bytes32,bytes)` in
/// its v4.9 order (ECDSA first, then ERC-1271), re-stated here because: OZ 5.4's SignatureChecker imports
/// `Bytes.sol` (uses `mcopy`), which does not compile for the berlin (Ganache) profile; v5 checks
/// `signer.code.length` first, a cold EXTCODESIZE (2,600 gas) on every EOA fill (gas goal: fill <= 90,000);
/// and reading r/s/v straight from calldata saves a memory copy. Trying ECDSA first is safe: no key
/// signs for a contract's address (an EIP-7702 account's own key is valid for it anyway). Same rules as
/// OZ: 65-byte signatures only, low-s only (ECDSA.tryRecover), and for contracts a successful static
/// call returning at least 32 bytes whose first word is the ERC-1271 magic value.
library MakerSignature {
    /// @notice Whether `signature` is `signer`'s valid signature of `hash` right now.
    function isValidNow(address signer, bytes32 hash, bytes calldata signature) internal view returns (bool) {
        if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            // Reads r ‖ s ‖ v from calldata (the 65-byte length was checked above), as ECDSA.tryRecover(bytes) does from memory.
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            // The RecoverError is checked; the third value (the error argument) only details a revert not rethrown.
            // slither-disable-next-line unused-return
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, v, r, s);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        }
        if (signer.code.length == 0) return false;
        (bool success, bytes memory result) =
            signer.staticcall(abi.encodeCall(IERC1271.isValidSignature, (hash, signature)));
        return success && result.length >= 32
            && abi.decode(result, (bytes32)) == bytes32(IERC1271.isValidSignature.selector);
    }
}
