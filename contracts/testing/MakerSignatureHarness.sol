// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MakerSignature} from "../exchange/MakerSignature.sol";

/// @title MakerSignatureHarness
/// @notice Test-only: exposes {MakerSignature-isValidNow} so tests can hold it to OZ SignatureChecker's rules.
contract MakerSignatureHarness {
    function isValidNow(address signer, bytes32 hash, bytes calldata signature) external view returns (bool) {
        return MakerSignature.isValidNow(signer, hash, signature);
    }
}
