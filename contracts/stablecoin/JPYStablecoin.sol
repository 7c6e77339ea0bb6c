// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CompliantToken} from "../shared/CompliantToken.sol";
import {IJPYStablecoin} from "../../interfaces/IJPYStablecoin.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title JPYStablecoin
/// @notice The JPY leg of the corridor: a compliant, upgradeable ERC-20 issued by several regulated issuers.
/// Minting and redemption go through the {IssuerRegistry} (issuers, allowances, reserve attestations,
/// outstanding supply per issuer, cross-issuer claims); this contract only enforces that the registry is the sole
/// supply changer, so Σ issuer outstanding == totalSupply holds by construction.
/// @dev The registry is a separate contract (as Circle's MasterMinter or Paxos' SupplyControl are) because the
/// token alone is close to the 24 KB code-size limit.
contract JPYStablecoin is CompliantToken, IJPYStablecoin {
    /// @custom:storage-location erc7201:corridor.storage.JPYStablecoin
    struct JPYStablecoinStorage {
        address issuerRegistry;
    }

    // keccak256(abi.encode(uint256(keccak256("corridor.storage.JPYStablecoin")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _JPY_STORAGE_LOCATION = 0xa64d9ab6d8d2c3ed04a1692397698a73471eb387d5fe100e7f75aae320e5b100;

    function _jpyStorage() private pure returns (JPYStablecoinStorage storage $) {
        assembly {
            $.slot := _JPY_STORAGE_LOCATION
        }
    }

    /// @notice Initializes the proxy. `limits[t-1]` are the limits of tier t in base units.
    /// @param registry The IssuerRegistry proxy (fixed for the life of the token; upgrade the registry instead).
    function initialize(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address admin,
        uint48 adminDelay,
        TierLimits[3] memory limits,
        address registry
    ) external initializer {
        if (registry == address(0)) revert ZeroAddress();
        __CompliantToken_init(name_, symbol_, decimals_, admin, adminDelay, limits);
        _jpyStorage().issuerRegistry = registry;
    }

    /// @inheritdoc IJPYStablecoin
    function issuerRegistry() external view returns (address) {
        return _jpyStorage().issuerRegistry;
    }

    /// @inheritdoc IJPYStablecoin
    function issue(address to, uint256 amount) external onlyIssuerRegistry {
        _mint(to, amount);
    }

    /// @inheritdoc IJPYStablecoin
    function redeemFrom(address from, address operator, uint256 amount) external onlyIssuerRegistry {
        if (from != operator) _spendAllowance(from, operator, amount);
        _burn(from, amount);
    }

    /// @inheritdoc CompliantToken
    function nonces(address owner) public view override(CompliantToken, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    modifier onlyIssuerRegistry() {
        if (msg.sender != _jpyStorage().issuerRegistry) revert CallerNotIssuerRegistry(msg.sender);
        _;
    }
}
