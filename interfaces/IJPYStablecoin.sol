// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICompliantToken} from "./ICompliantToken.sol";

/// @title IJPYStablecoin
/// @notice The multi-issuer JPY stablecoin token: a CompliantToken whose supply only its IssuerRegistry changes.
interface IJPYStablecoin is ICompliantToken {
    error CallerNotIssuerRegistry(address caller);

    /// @notice The IssuerRegistry, the only address allowed to mint and burn (set once at initialization).
    function issuerRegistry() external view returns (address);

    /// @notice Mints `amount` to `to` for an issuer (registry only; compliance of `to` applies).
    function issue(address to, uint256 amount) external;

    /// @notice Burns `amount` from `from` for an issuer `operator`, spending `from`'s allowance to `operator`
    /// unless `from` is the operator (registry only).
    function redeemFrom(address from, address operator, uint256 amount) external;
}
