// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AdversarialERC1271Wallet
/// @notice Test-only contract wallet whose ERC-1271 answer misbehaves in ways {MockBadERC1271Wallet} does not cover.
/// Callers (CompliantToken, IssuerRegistry, RfqVenue) reach it through STATICCALL, so the modes show what a hostile
/// wallet can and cannot do from inside a signature check:
///  - BURN_GAS: loops until the forwarded gas is gone (63/64 of what the caller had);
///  - RETURN_BOMB: answers with 64 KiB of non-magic data (the caller copies it into memory);
///  - REENTER: tries a state-changing call (`target`, `data`) and answers the magic value whatever happened
///    (point it at a call that does not ask this wallet again, or the check recurses until the gas is gone);
///  - ALWAYS_VALID: answers the magic value for every hash (the wallet vouches for anything);
///  - MAGIC_LONG: the magic word followed by a second word (accepted, as OpenZeppelin's SignatureChecker does);
///  - DIRTY_MAGIC: the 4 magic bytes with non-zero low-order bytes in the same word (must be refused).
/// @dev `isValidSignature` is deliberately not `view` (REENTER needs a plain CALL); callers still use STATICCALL.
contract AdversarialERC1271Wallet {
    error CallFailed(bytes returndata);

    uint8 public constant BURN_GAS = 0;
    uint8 public constant RETURN_BOMB = 1;
    uint8 public constant REENTER = 2;
    uint8 public constant ALWAYS_VALID = 3;
    uint8 public constant MAGIC_LONG = 4;
    uint8 public constant DIRTY_MAGIC = 5;

    bytes4 private constant _MAGIC = 0x1626ba7e;

    uint8 public mode;
    address public target;
    bytes public data;

    /// @notice Selects the misbehaviour, and for REENTER the call to attempt.
    function setMode(uint8 mode_, address target_, bytes calldata data_) external {
        mode = mode_;
        target = target_;
        data = data_;
    }

    /// @notice Calls `to` with `callData` from the wallet (test plumbing: approvals; anyone may call).
    function exec(address to, bytes calldata callData) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(callData);
        if (!ok) revert CallFailed(ret);
        return ret;
    }

    /// @notice The ERC-1271 entry point, answering according to `mode`.
    function isValidSignature(bytes32, bytes calldata) external returns (bytes4) {
        uint8 m = mode;
        if (m == BURN_GAS) {
            uint256 i;
            while (true) {
                // Burns every unit of forwarded gas (the loop never ends; the call runs out of gas).
                unchecked {
                    ++i;
                }
            }
        }
        if (m == RETURN_BOMB) {
            assembly {
                // 64 KiB of zero bytes: not the magic value, but the caller pays to copy it.
                return(0, 0x10000)
            }
        }
        if (m == REENTER) {
            // In the caller's STATICCALL context any state change in `target` reverts; the wallet answers
            // "valid" anyway, so the test sees whether the attempted side effect happened.
            (bool ok,) = target.call(data);
            ok;
            return _MAGIC;
        }
        if (m == ALWAYS_VALID) return _MAGIC;
        if (m == MAGIC_LONG) {
            assembly {
                mstore(0, shl(224, 0x1626ba7e))
                mstore(0x20, 1)
                return(0, 0x40)
            }
        }
        // DIRTY_MAGIC: the magic value in the high 4 bytes, garbage below.
        assembly {
            mstore(0, or(shl(224, 0x1626ba7e), 0xdead))
            return(0, 0x20)
        }
    }
}
