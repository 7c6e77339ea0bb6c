// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBakongBridge} from "../../interfaces/IBakongBridge.sol";

/// @title BakongAccountId
/// @notice The Bakong account-id format a redemption pays out to: `name@bank`, 3..32 bytes of `a-z 0-9 _ . -`
/// and exactly one at sign, neither first nor last (the rule and its order: IBakongBridge.BakongAccountIdFault;
/// Python twin: corridor/bridge/khqr.py `account_id_fault`, tests/bridge/test_account_ids.py checks both agree).
library BakongAccountId {
    /// @dev Bit `c` is set for every byte `c` a Bakong account id may hold besides its at sign: `a-z 0-9 _ . -`.
    uint256 private constant _ACCOUNT_ID_BYTES = (((1 << 26) - 1) << 0x61) | (((1 << 10) - 1) << 0x30)
        | (1 << 0x5f) | (1 << 0x2e) | (1 << 0x2d);

    /// @dev Only lower-case ASCII passes, so every accepted id is valid UTF-8 for the relayer. Returned
    /// left-aligned in a bytes32 (it fits by construction) for storage; the loop reads that word, not calldata.
    /// Reverts with IBakongBridge.InvalidBakongAccountId naming the first rule broken.
    function parse(string calldata id) internal pure returns (bytes32 packed) {
        uint256 n = bytes(id).length;
        if (n < 3) revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.TooShort, n);
        if (n > 32) revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.TooLong, n);
        packed = bytes32(bytes(id));
        uint256 at = n;
        for (uint256 i; i < n; ++i) {
            uint8 c = uint8(packed[i]);
            if (c == 0x40) {
                if (at != n) {
                    revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.SecondAtSign, i);
                }
                at = i;
            } else if ((_ACCOUNT_ID_BYTES >> c) & 1 == 0) {
                revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.ForbiddenByte, i);
            }
        }
        if (at == n) revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.NoAtSign, n);
        if (at == 0) revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.EmptyName, 0);
        if (at == n - 1) {
            revert IBakongBridge.InvalidBakongAccountId(IBakongBridge.BakongAccountIdFault.EmptyBank, at);
        }
    }
}
