// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MockBadERC1271Wallet
/// @notice Test-only contract wallet that answers ERC-1271 wrongly, in the mode chosen:
/// 0 wrong magic value, 1 revert, 2 return nothing, 3 (or more) the magic value in 4 bytes only (too short).
contract MockBadERC1271Wallet {
    error Rejected();

    uint8 public mode;

    /// @notice Selects how {isValidSignature} misbehaves.
    function setMode(uint8 mode_) external {
        mode = mode_;
    }

    /// @notice Approves `spender` for `token` from the wallet (test plumbing, anyone may call).
    function approve(address token, address spender, uint256 amount) external {
        (bool ok,) = token.call(abi.encodeWithSignature("approve(address,uint256)", spender, amount));
        require(ok);
    }

    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        uint8 m = mode;
        if (m == 0) return bytes4(0x12345678);
        if (m == 1) revert Rejected();
        if (m == 2) {
            assembly {
                return(0, 0)
            }
        }
        // Returns the magic value's 4 bytes only: ABI decoding of bytes32 needs 32.
        assembly {
            mstore(0, shl(224, 0x1626ba7e))
            return(0, 4)
        }
    }
}
