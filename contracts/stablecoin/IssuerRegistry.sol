// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {AccessControlDefaultAdminRulesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/access/extensions/AccessControlDefaultAdminRulesUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

import {IIssuerRegistry} from "../../interfaces/IIssuerRegistry.sol";
import {IJPYStablecoin} from "../../interfaces/IJPYStablecoin.sol";

/// @title IssuerRegistry
/// @notice The issuers of the JPY stablecoin (Progmat-style: several trust banks issue one fungible coin).
/// Each issuer has a mint allowance (spent by minting, topped up by the issuer admin), an outstanding-supply
/// counter, a reserve attestation and the total of the claims other issuers hold on it; a mint needs allowance, a
/// fresh attestation and outstanding + claims owed + amount <= reserve. Redemption works through any issuer: what
/// exceeds its own outstanding is taken from the other issuers' outstanding (registration order) and recorded as
/// claims creditor → debtor, settled off-chain in fiat. The debtor's trust account still holds the yen of those
/// claims but owes them to the creditor, which paid the holder: until {settleClaim} records the payment they are
/// not the debtor's reserve, so its mint headroom is reserve − claims owed − outstanding.
/// Invariants: Σ issuers' outstanding == token.totalSupply() (the registry is the token's only supply changer);
/// with honest attestations, Σ outstanding <= Σ (reserve − claims owed + claims due) (tests/stablecoin/
/// test_stateful.py).
/// @dev Roles: DEFAULT_ADMIN (two-step, delayed), ISSUER_ADMIN (issuers, allowances, suspension, claims),
/// ATTESTOR (reserve attestations), UPGRADER; per issuer `issuerRole(id)` (administered by ISSUER_ADMIN) mints
/// and redeems through that issuer.
contract IssuerRegistry is
    IIssuerRegistry,
    Initializable,
    UUPSUpgradeable,
    AccessControlDefaultAdminRulesUpgradeable,
    EIP712Upgradeable
{
    bytes32 public constant ISSUER_ADMIN_ROLE = keccak256("ISSUER_ADMIN_ROLE");
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");
    /// @notice Bounds the cross-issuer redemption loop.
    uint256 public constant MAX_ISSUERS = 16;
    bytes32 public constant RESERVE_ATTESTATION_TYPEHASH =
        keccak256("ReserveAttestation(uint32 issuerId,uint256 amount,uint64 asOf)");

    /// @custom:storage-location erc7201:corridor.storage.IssuerRegistry
    struct IssuerRegistryStorage {
        address token;
        uint32 nextIssuerId;
        uint32 maxAttestationAge;
        uint32[] issuerIds;
        mapping(uint32 issuerId => Issuer) issuers;
        mapping(uint32 creditor => mapping(uint32 debtor => uint256)) claims;
    }

    // keccak256(abi.encode(uint256(keccak256("corridor.storage.IssuerRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE_LOCATION = 0xf4bff85daa66cb3b9df339789fa43caa7fb82235b4fa44a70697b9331c410300;

    function _storage() private pure returns (IssuerRegistryStorage storage $) {
        assembly {
            $.slot := _STORAGE_LOCATION
        }
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy; bind the token with {bindToken} once it is deployed.
    function initialize(address admin, uint48 adminDelay, uint32 maxAge) external initializer {
        __AccessControlDefaultAdminRules_init(adminDelay, admin);
        __EIP712_init("JPY Issuer Registry", "1");
        _setMaxAttestationAge(maxAge);
        _storage().nextIssuerId = 1;
    }

    // ---------------------------------------------------------------- setup

    /// @inheritdoc IIssuerRegistry
    function bindToken(address token_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        IssuerRegistryStorage storage $ = _storage();
        if ($.token != address(0)) revert TokenAlreadyBound($.token);
        if (token_ == address(0)) revert ZeroAddress();
        address registry = IJPYStablecoin(token_).issuerRegistry();
        if (registry != address(this)) revert TokenRegistryMismatch(token_, registry);
        $.token = token_;
        emit TokenBound(token_);
    }

    /// @inheritdoc IIssuerRegistry
    function addIssuer(string calldata name, bytes32 trustAccountHash, address operator)
        external
        onlyRole(ISSUER_ADMIN_ROLE)
        returns (uint32 issuerId)
    {
        if (bytes(name).length == 0) revert InvalidName();
        if (trustAccountHash == bytes32(0)) revert InvalidTrustAccount();
        if (operator == address(0)) revert ZeroAddress();
        IssuerRegistryStorage storage $ = _storage();
        if ($.issuerIds.length >= MAX_ISSUERS) revert TooManyIssuers(MAX_ISSUERS);
        issuerId = $.nextIssuerId++;
        Issuer storage i = $.issuers[issuerId];
        i.name = name;
        i.trustAccountHash = trustAccountHash;
        i.registered = true;
        $.issuerIds.push(issuerId);
        emit IssuerAdded(issuerId, name, trustAccountHash, operator);
        bytes32 role = issuerRole(issuerId);
        _setRoleAdmin(role, ISSUER_ADMIN_ROLE);
        _grantRole(role, operator);
    }

    /// @inheritdoc IIssuerRegistry
    function removeIssuer(uint32 issuerId) external onlyRole(ISSUER_ADMIN_ROLE) {
        IssuerRegistryStorage storage $ = _storage();
        Issuer storage i = _issuer(issuerId);
        if (i.outstanding != 0) revert IssuerHasOutstanding(issuerId, i.outstanding);
        // Its claims owed live in the deleted record: settle them first (claims it holds stay in `claims`).
        if (i.claimsOwed != 0) revert IssuerOwesClaims(issuerId, i.claimsOwed);
        delete $.issuers[issuerId];
        uint32[] storage ids = $.issuerIds;
        for (uint256 k; k < ids.length; ++k) {
            if (ids[k] == issuerId) {
                ids[k] = ids[ids.length - 1];
                ids.pop();
                break;
            }
        }
        emit IssuerRemoved(issuerId);
    }

    /// @inheritdoc IIssuerRegistry
    function setMintAllowance(uint32 issuerId, uint256 allowance) external onlyRole(ISSUER_ADMIN_ROLE) {
        _issuer(issuerId).mintAllowance = allowance;
        emit MintAllowanceSet(issuerId, allowance);
    }

    /// @inheritdoc IIssuerRegistry
    function suspendIssuer(uint32 issuerId) external onlyRole(ISSUER_ADMIN_ROLE) {
        Issuer storage i = _issuer(issuerId);
        if (i.suspended) revert IssuerIsSuspended(issuerId);
        i.suspended = true;
        emit IssuerSuspended(issuerId);
    }

    /// @inheritdoc IIssuerRegistry
    function resumeIssuer(uint32 issuerId) external onlyRole(ISSUER_ADMIN_ROLE) {
        Issuer storage i = _issuer(issuerId);
        if (!i.suspended) revert IssuerNotSuspended(issuerId);
        i.suspended = false;
        emit IssuerResumed(issuerId);
    }

    /// @inheritdoc IIssuerRegistry
    function setMaxAttestationAge(uint32 maxAge) external onlyRole(ISSUER_ADMIN_ROLE) {
        _setMaxAttestationAge(maxAge);
    }

    // ---------------------------------------------------------------- reserves

    /// @inheritdoc IIssuerRegistry
    function attestReserve(uint32 issuerId, uint256 amount, uint64 asOf) external onlyRole(ATTESTOR_ROLE) {
        _recordAttestation(issuerId, amount, asOf, msg.sender);
    }

    /// @inheritdoc IIssuerRegistry
    function attestReserveWithSignature(
        uint32 issuerId,
        uint256 amount,
        uint64 asOf,
        address attestor,
        bytes calldata signature
    ) external {
        if (!hasRole(ATTESTOR_ROLE, attestor)) revert InvalidAttestor(attestor);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(RESERVE_ATTESTATION_TYPEHASH, issuerId, amount, asOf)));
        if (!_isValidSignature(attestor, digest, signature)) revert InvalidAttestationSignature(attestor);
        // Replay is impossible: asOf must be strictly newer than the issuer's latest attestation.
        _recordAttestation(issuerId, amount, asOf, attestor);
    }

    // ---------------------------------------------------------------- supply

    /// @inheritdoc IIssuerRegistry
    function mint(uint32 issuerId, address to, uint256 amount, bytes32 depositReference)
        external
        onlyRole(issuerRole(issuerId))
    {
        IJPYStablecoin token_ = _token();
        Issuer storage i = _activeIssuer(issuerId);
        if (amount == 0) revert InvalidAmount();
        if (amount > i.mintAllowance) revert MintAllowanceExceeded(issuerId, i.mintAllowance, amount);
        if (i.reserveAsOf == 0) revert ReserveNotAttested(issuerId);
        uint32 maxAge = _storage().maxAttestationAge;
        if (block.timestamp - i.reserveAsOf > maxAge) revert AttestationStale(issuerId, i.reserveAsOf, maxAge);
        // The yen of unsettled claims on this issuer sit in its trust account but belong to the creditors.
        uint256 owed = i.claimsOwed;
        if (i.outstanding + owed + amount > i.reserve) {
            revert ReserveExceeded(issuerId, i.outstanding, owed, amount, i.reserve);
        }
        // amount <= mintAllowance
        unchecked {
            i.mintAllowance -= amount;
        }
        i.outstanding += amount;
        emit Minted(issuerId, msg.sender, to, amount, depositReference);
        token_.issue(to, amount);
    }

    /// @inheritdoc IIssuerRegistry
    function redeem(uint32 issuerId, address from, uint256 amount, bytes32 redemptionReference)
        external
        onlyRole(issuerRole(issuerId))
    {
        IJPYStablecoin token_ = _token();
        Issuer storage i = _activeIssuer(issuerId);
        if (amount == 0) revert InvalidAmount();
        uint256 own = i.outstanding < amount ? i.outstanding : amount;
        // own <= outstanding
        unchecked {
            i.outstanding -= own;
        }
        if (own < amount) _takeFromOtherIssuers(issuerId, amount - own);
        emit Redeemed(issuerId, msg.sender, from, amount, redemptionReference);
        token_.redeemFrom(from, msg.sender, amount);
    }

    /// @inheritdoc IIssuerRegistry
    function settleClaim(uint32 creditor, uint32 debtor, uint256 amount, bytes32 settlementReference)
        external
        onlyRole(ISSUER_ADMIN_ROLE)
    {
        if (amount == 0) revert InvalidAmount();
        IssuerRegistryStorage storage $ = _storage();
        mapping(uint32 => uint256) storage claims = $.claims[creditor];
        uint256 claim = claims[debtor];
        if (amount > claim) revert ClaimExceeded(creditor, debtor, claim, amount);
        // amount <= claim
        unchecked {
            claims[debtor] = claim - amount;
        }
        // claim <= claimsOwed (the sum of every claim on the debtor; a debtor is never removed while it owes):
        // checked anyway, as a guard on that sum.
        $.issuers[debtor].claimsOwed -= amount;
        emit ClaimSettled(creditor, debtor, amount, settlementReference);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IIssuerRegistry
    function token() external view returns (address) {
        return _storage().token;
    }

    /// @inheritdoc IIssuerRegistry
    function issuer(uint32 issuerId) external view returns (Issuer memory) {
        return _storage().issuers[issuerId];
    }

    /// @inheritdoc IIssuerRegistry
    function issuerIds() external view returns (uint32[] memory) {
        return _storage().issuerIds;
    }

    /// @inheritdoc IIssuerRegistry
    function issuerRole(uint32 issuerId) public pure returns (bytes32) {
        return keccak256(abi.encode("ISSUER_ROLE", issuerId));
    }

    /// @inheritdoc IIssuerRegistry
    function claimOf(uint32 creditor, uint32 debtor) external view returns (uint256) {
        return _storage().claims[creditor][debtor];
    }

    /// @inheritdoc IIssuerRegistry
    function totalOutstanding() external view returns (uint256 total) {
        IssuerRegistryStorage storage $ = _storage();
        for (uint256 k; k < $.issuerIds.length; ++k) {
            total += $.issuers[$.issuerIds[k]].outstanding;
        }
    }

    /// @inheritdoc IIssuerRegistry
    function maxAttestationAge() external view returns (uint32) {
        return _storage().maxAttestationAge;
    }

    /// @inheritdoc IIssuerRegistry
    function isReserveFresh(uint32 issuerId) external view returns (bool) {
        Issuer storage i = _storage().issuers[issuerId];
        return i.reserveAsOf != 0 && block.timestamp - i.reserveAsOf <= _storage().maxAttestationAge;
    }

    /// @notice The EIP-712 domain separator of reserve attestations.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internals

    /// @dev Takes `shortfall` from the other issuers' outstanding in registration order, recording each part as a
    /// claim of `creditor` on that issuer (and in the debtor's claimsOwed, which its mint check subtracts from its
    /// reserve). Reverts with InvalidAmount when the other issuers' outstanding does not cover `shortfall`.
    function _takeFromOtherIssuers(uint32 creditor, uint256 shortfall) private {
        IssuerRegistryStorage storage $ = _storage();
        uint32[] storage ids = $.issuerIds;
        for (uint256 k; k < ids.length && shortfall != 0; ++k) {
            uint32 debtor = ids[k];
            if (debtor == creditor) continue;
            Issuer storage d = $.issuers[debtor];
            uint256 take = d.outstanding < shortfall ? d.outstanding : shortfall;
            if (take == 0) continue;
            // take <= outstanding and take <= shortfall
            unchecked {
                d.outstanding -= take;
                shortfall -= take;
            }
            $.claims[creditor][debtor] += take;
            d.claimsOwed += take;
            emit ClaimRecorded(creditor, debtor, take);
        }
        // Reached when the redeemed amount exceeds Σ outstanding (== totalSupply): no holder has that much, and the
        // registry refuses before the token would (tests/stablecoin/test_issuers.py::
        // test_redeem_above_total_outstanding_reverts_in_registry).
        if (shortfall != 0) revert InvalidAmount();
    }

    function _recordAttestation(uint32 issuerId, uint256 amount, uint64 asOf, address attestor) private {
        Issuer storage i = _issuer(issuerId);
        if (asOf > block.timestamp) revert AttestationInFuture(asOf);
        if (asOf <= i.reserveAsOf) revert AttestationNotNewer(issuerId, asOf, i.reserveAsOf);
        i.reserve = amount;
        i.reserveAsOf = asOf;
        emit ReserveAttested(issuerId, amount, asOf, attestor);
    }

    function _setMaxAttestationAge(uint32 maxAge) private {
        if (maxAge == 0) revert InvalidMaxAttestationAge();
        _storage().maxAttestationAge = maxAge;
        emit MaxAttestationAgeSet(maxAge);
    }

    function _issuer(uint32 issuerId) private view returns (Issuer storage i) {
        i = _storage().issuers[issuerId];
        if (!i.registered) revert UnknownIssuer(issuerId);
    }

    function _activeIssuer(uint32 issuerId) private view returns (Issuer storage i) {
        i = _issuer(issuerId);
        if (i.suspended) revert IssuerIsSuspended(issuerId);
    }

    function _token() private view returns (IJPYStablecoin token_) {
        token_ = IJPYStablecoin(_storage().token);
        if (address(token_) == address(0)) revert TokenNotBound();
    }

    /// @dev EOA (ECDSA) or ERC-1271 contract attestor.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        // The RecoverError is checked; the third value (the error argument) only details a revert not rethrown.
        // slither-disable-next-line unused-return
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        if (signer.code.length == 0) return false;
        (bool success, bytes memory result) =
            signer.staticcall(abi.encodeCall(IERC1271.isValidSignature, (digest, signature)));
        return success && result.length >= 32
            && abi.decode(result, (bytes32)) == bytes32(IERC1271.isValidSignature.selector);
    }

    /// @dev Only UPGRADER_ROLE may upgrade (UUPS).
    function _authorizeUpgrade(address) internal override onlyRole(UPGRADER_ROLE) {}
}
