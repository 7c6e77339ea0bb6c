// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IIssuerRegistry
/// @notice Issuers of the JPY stablecoin: each with a mint allowance, an outstanding-supply counter and attested
/// reserves; redemption through any issuer, with cross-issuer claims so Σ outstanding == totalSupply.
interface IIssuerRegistry {
    /// @notice One issuer as stored (amounts in token base units).
    struct Issuer {
        string name;
        bytes32 trustAccountHash;
        uint256 mintAllowance;
        uint256 outstanding;
        uint256 reserve;
        uint64 reserveAsOf;
        bool suspended;
        bool registered;
        /// Σ claimOf(creditor, this issuer) over every creditor: yen it owes issuers that redeemed its supply, held
        /// in its trust account until settled and subtracted from its reserve by the mint check.
        uint256 claimsOwed;
    }

    // ---------------------------------------------------------------- errors
    error UnknownIssuer(uint32 issuerId);
    error IssuerIsSuspended(uint32 issuerId);
    error IssuerNotSuspended(uint32 issuerId);
    error InvalidName();
    error InvalidTrustAccount();
    error TooManyIssuers(uint256 max);
    error IssuerHasOutstanding(uint32 issuerId, uint256 outstanding);
    error IssuerOwesClaims(uint32 issuerId, uint256 claimsOwed);
    error MintAllowanceExceeded(uint32 issuerId, uint256 allowance, uint256 amount);
    /// @notice outstanding + claimsOwed + amount > reserve.
    error ReserveExceeded(uint32 issuerId, uint256 outstanding, uint256 claimsOwed, uint256 amount, uint256 reserve);
    error ReserveNotAttested(uint32 issuerId);
    error AttestationStale(uint32 issuerId, uint64 asOf, uint32 maxAge);
    error AttestationNotNewer(uint32 issuerId, uint64 asOf, uint64 latest);
    error AttestationInFuture(uint64 asOf);
    error InvalidAttestor(address attestor);
    error InvalidAttestationSignature(address attestor);
    error InvalidAmount();
    error InvalidMaxAttestationAge();
    error ZeroAddress();
    error TokenNotBound();
    error TokenAlreadyBound(address token);
    error TokenRegistryMismatch(address token, address registry);
    error ClaimExceeded(uint32 creditor, uint32 debtor, uint256 claim, uint256 amount);

    // ---------------------------------------------------------------- events
    event TokenBound(address indexed token);
    event IssuerAdded(uint32 indexed issuerId, string name, bytes32 trustAccountHash, address operator);
    event IssuerRemoved(uint32 indexed issuerId);
    event MintAllowanceSet(uint32 indexed issuerId, uint256 allowance);
    event IssuerSuspended(uint32 indexed issuerId);
    event IssuerResumed(uint32 indexed issuerId);
    event MaxAttestationAgeSet(uint32 maxAge);
    event ReserveAttested(uint32 indexed issuerId, uint256 amount, uint64 asOf, address indexed attestor);
    event Minted(
        uint32 indexed issuerId, address indexed operator, address indexed to, uint256 amount, bytes32 depositReference
    );
    event Redeemed(
        uint32 indexed issuerId,
        address indexed operator,
        address indexed from,
        uint256 amount,
        bytes32 redemptionReference
    );
    event ClaimRecorded(uint32 indexed creditor, uint32 indexed debtor, uint256 amount);
    event ClaimSettled(uint32 indexed creditor, uint32 indexed debtor, uint256 amount, bytes32 settlementReference);

    // ---------------------------------------------------------------- constants
    function ISSUER_ADMIN_ROLE() external view returns (bytes32);
    function ATTESTOR_ROLE() external view returns (bytes32);
    function UPGRADER_ROLE() external view returns (bytes32);
    function MAX_ISSUERS() external view returns (uint256);
    function RESERVE_ATTESTATION_TYPEHASH() external view returns (bytes32);

    // ---------------------------------------------------------------- setup
    /// @notice Binds the stablecoin (once); the token must name this registry as its issuer registry.
    function bindToken(address token) external;

    /// @notice Registers an issuer and grants its issuer role to `operator`; returns the new id (1, 2, ...).
    function addIssuer(string calldata name, bytes32 trustAccountHash, address operator) external returns (uint32);

    /// @notice Deregisters an issuer with no outstanding supply and no unsettled claims on it (the claims it holds
    /// on others stay queryable and settleable).
    function removeIssuer(uint32 issuerId) external;

    /// @notice Sets how much more `issuerId` may mint (decreases with every mint, as USDC's minter allowance).
    function setMintAllowance(uint32 issuerId, uint256 allowance) external;

    /// @notice Stops minting and redeeming through `issuerId` without pausing the token.
    function suspendIssuer(uint32 issuerId) external;

    /// @notice Lifts the suspension of `issuerId`.
    function resumeIssuer(uint32 issuerId) external;

    /// @notice Sets how old (seconds) the latest reserve attestation of an issuer may be for it to mint.
    function setMaxAttestationAge(uint32 maxAge) external;

    // ---------------------------------------------------------------- reserves
    /// @notice Records `amount` of reserves held for `issuerId` as of `asOf` (ATTESTOR_ROLE).
    function attestReserve(uint32 issuerId, uint256 amount, uint64 asOf) external;

    /// @notice Records an attestation signed (EIP-712 `ReserveAttestation`) by `attestor`, who must hold
    /// ATTESTOR_ROLE; anyone may submit it. EOA and ERC-1271 attestors.
    function attestReserveWithSignature(
        uint32 issuerId,
        uint256 amount,
        uint64 asOf,
        address attestor,
        bytes calldata signature
    ) external;

    // ---------------------------------------------------------------- supply
    /// @notice Mints `amount` to `to` against `issuerId`'s allowance and fresh attested reserve, net of the claims
    /// it owes: outstanding + claimsOwed + amount <= reserve (issuer role).
    function mint(uint32 issuerId, address to, uint256 amount, bytes32 depositReference) external;

    /// @notice Burns `amount` from `from` (the caller, or with `from`'s allowance to the caller) through
    /// `issuerId`; any amount beyond its outstanding is taken from other issuers' outstanding as claims.
    function redeem(uint32 issuerId, address from, uint256 amount, bytes32 redemptionReference) external;

    /// @notice Records that `debtor` paid `creditor` `amount` of fiat off-chain against their claim; lowers the
    /// debtor's claimsOwed (its next attestation shows the yen gone, the creditor's shows them arrived).
    function settleClaim(uint32 creditor, uint32 debtor, uint256 amount, bytes32 settlementReference) external;

    // ---------------------------------------------------------------- views
    function token() external view returns (address);
    function issuer(uint32 issuerId) external view returns (Issuer memory);
    function issuerIds() external view returns (uint32[] memory);
    function issuerRole(uint32 issuerId) external pure returns (bytes32);
    function claimOf(uint32 creditor, uint32 debtor) external view returns (uint256);
    function totalOutstanding() external view returns (uint256);
    function maxAttestationAge() external view returns (uint32);
    /// @notice True when `issuerId` has an attestation recent enough to mint.
    function isReserveFresh(uint32 issuerId) external view returns (bool);
}
