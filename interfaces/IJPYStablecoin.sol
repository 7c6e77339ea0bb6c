// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICompliantToken} from "./ICompliantToken.sol";

/// @title IJPYStablecoin
/// @notice The multi-issuer JPY stablecoin token: a CompliantToken whose supply only its IssuerRegistry changes.
interface IJPYStablecoin is ICompliantToken {
    error CallerNotIssuerRegistry(address caller);

    /// @notice The IssuerRegistry, the only address allowed to mint and burn (set once at initialization).
    /// @return The registry's address.
    function issuerRegistry() external view returns (address);

    /// @notice Mints `amount` to `to` for an issuer (registry only; compliance of `to` applies).
    /// @param to The receiver (verified, not frozen).
    /// @param amount Amount in base units.
    function issue(address to, uint256 amount) external;

    /// @notice Burns `amount` from `from` for an issuer `operator`, spending `from`'s allowance to `operator`
    /// unless `from` is the operator (registry only).
    /// @param from The holder whose tokens are burned (verified, not frozen).
    /// @param operator The issuer's operator that redeems (spends `from`'s allowance unless it is `from`).
    /// @param amount Amount in base units.
    function redeemFrom(address from, address operator, uint256 amount) external;
}
