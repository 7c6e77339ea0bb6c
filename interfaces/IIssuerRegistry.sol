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
    /// @notice Role id of the issuer administrator (adds, removes, suspends issuers; sets allowances).
    /// @return The role id.
    function ISSUER_ADMIN_ROLE() external view returns (bytes32);
    /// @notice Role id of the reserve attestors.
    /// @return The role id.
    function ATTESTOR_ROLE() external view returns (bytes32);
    /// @notice Role id of the upgrader.
    /// @return The role id.
    function UPGRADER_ROLE() external view returns (bytes32);
    /// @notice Upper bound on the number of issuers.
    /// @return The largest number of issuers.
    function MAX_ISSUERS() external view returns (uint256);
    /// @notice EIP-712 type hash of a signed reserve attestation.
    /// @return keccak256 of the `ReserveAttestation(...)` type string.
    function RESERVE_ATTESTATION_TYPEHASH() external view returns (bytes32);

    // ---------------------------------------------------------------- setup
    /// @notice Binds the stablecoin (once); the token must name this registry as its issuer registry.
    /// @param token The JPYStablecoin whose `issuerRegistry()` is this registry.
    function bindToken(address token) external;

    /// @notice Registers an issuer and grants its issuer role to `operator`; returns the new id (1, 2, ...).
    /// @param name The issuer's name (non-empty).
    /// @param trustAccountHash Hash of the issuer's trust account reference (non-zero).
    /// @param operator The issuer's operator, granted the issuer's role (non-zero).
    /// @return The new issuer's id.
    function addIssuer(string calldata name, bytes32 trustAccountHash, address operator) external returns (uint32);

    /// @notice Deregisters an issuer with no outstanding supply and no unsettled claims on it (the claims it holds
    /// on others stay queryable and settleable).
    /// @param issuerId A registered issuer's id.
    function removeIssuer(uint32 issuerId) external;

    /// @notice Sets how much more `issuerId` may mint (decreases with every mint, as USDC's minter allowance).
    /// @param issuerId A registered issuer's id.
    /// @param allowance How much more the issuer may mint, in base units.
    function setMintAllowance(uint32 issuerId, uint256 allowance) external;

    /// @notice Stops minting and redeeming through `issuerId` without pausing the token.
    /// @param issuerId A registered issuer's id.
    function suspendIssuer(uint32 issuerId) external;

    /// @notice Lifts the suspension of `issuerId`.
    /// @param issuerId A registered issuer's id.
    function resumeIssuer(uint32 issuerId) external;

    /// @notice Sets how old (seconds) the latest reserve attestation of an issuer may be for it to mint.
    /// @param maxAge Seconds (non-zero).
    function setMaxAttestationAge(uint32 maxAge) external;

    // ---------------------------------------------------------------- reserves
    /// @notice Records `amount` of reserves held for `issuerId` as of `asOf` (ATTESTOR_ROLE).
    /// @param issuerId A registered issuer's id.
    /// @param amount Amount in base units.
    /// @param asOf When the reserves were observed (not in the future, newer than the issuer's last attestation).
    function attestReserve(uint32 issuerId, uint256 amount, uint64 asOf) external;

    /// @notice Records an attestation signed (EIP-712 `ReserveAttestation`) by `attestor`, who must hold
    /// ATTESTOR_ROLE; anyone may submit it. EOA and ERC-1271 attestors.
    /// @param issuerId A registered issuer's id.
    /// @param amount Amount in base units.
    /// @param asOf When the reserves were observed (not in the future, newer than the issuer's last attestation).
    /// @param attestor The signer, holding ATTESTOR_ROLE.
    /// @param signature `attestor`'s EIP-712 signature (ECDSA or ERC-1271).
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
    /// @param issuerId A registered issuer's id.
    /// @param to The receiver (verified, not frozen).
    /// @param amount Amount in base units.
    /// @param depositReference The fiat deposit's reference (non-zero; for the record).
    function mint(uint32 issuerId, address to, uint256 amount, bytes32 depositReference) external;

    /// @notice Burns `amount` from `from` (the caller, or with `from`'s allowance to the caller) through
    /// `issuerId`; any amount beyond its outstanding is taken from other issuers' outstanding as claims.
    /// @param issuerId A registered issuer's id.
    /// @param from The holder redeemed from (the caller, or one that gave the caller an allowance).
    /// @param amount Amount in base units.
    /// @param redemptionReference The fiat payout's reference (non-zero; for the record).
    function redeem(uint32 issuerId, address from, uint256 amount, bytes32 redemptionReference) external;

    /// @notice Records that `debtor` paid `creditor` `amount` of fiat off-chain against their claim; lowers the
    /// debtor's claimsOwed (its next attestation shows the yen gone, the creditor's shows them arrived).
    /// @param creditor The issuer owed the claim.
    /// @param debtor The issuer that owes it.
    /// @param amount Amount in base units.
    /// @param settlementReference The off-chain settlement's reference (non-zero; for the record).
    function settleClaim(uint32 creditor, uint32 debtor, uint256 amount, bytes32 settlementReference) external;

    // ---------------------------------------------------------------- views
    /// @notice The stablecoin this registry issues.
    /// @return The bound token (zero before `bindToken`).
    function token() external view returns (address);
    /// @notice Issuer `issuerId` (zeroed when none).
    /// @param issuerId A registered issuer's id.
    /// @return The issuer as stored.
    function issuer(uint32 issuerId) external view returns (Issuer memory);
    /// @notice The registered issuers.
    /// @return The ids of the registered issuers.
    function issuerIds() external view returns (uint32[] memory);
    /// @notice The role of `issuerId`'s operators.
    /// @param issuerId A registered issuer's id.
    /// @return The role id of the issuer's operators.
    function issuerRole(uint32 issuerId) external pure returns (bytes32);
    /// @notice What `debtor` owes `creditor` for tokens it redeemed that `creditor` issued.
    /// @param creditor The issuer owed the claim.
    /// @param debtor The issuer that owes it.
    /// @return Base units `debtor` owes `creditor`.
    function claimOf(uint32 creditor, uint32 debtor) external view returns (uint256);
    /// @notice Tokens outstanding over all issuers.
    /// @return The sum of every issuer's outstanding supply (== the token's totalSupply).
    function totalOutstanding() external view returns (uint256);
    /// @notice How old the latest reserve attestation of an issuer may be for it to mint.
    /// @return Seconds.
    function maxAttestationAge() external view returns (uint32);
    /// @notice True when `issuerId` has an attestation recent enough to mint.
    /// @param issuerId A registered issuer's id.
    /// @return True when fresh.
    function isReserveFresh(uint32 issuerId) external view returns (bool);
}
