// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAttestable} from "./IAttestable.sol";

/// @title IBakongBridge
/// @notice Mints Bakong-backed tokens (bUSD, bKHR) against M-of-N validator attestations of deposits into the
/// bridge's Bakong omnibus account, and escrows redemptions until validators attest the Bakong payout.
/// @dev Currencies are ISO 4217 numeric codes, the same numbers KHQR carries in tag 53 (116 = KHR, 840 = USD).
/// Every attestation is an EIP-712 struct bound to this bridge and chain id, carries the validator-set epoch it
/// was signed for, and is accepted only with exactly `threshold` signatures from distinct current validators in
/// strictly ascending signer order (IAttestable, CCTP `Attestable`). Signatures are packed `r ‖ s ‖ v` (65 bytes
/// each).
interface IBakongBridge is IAttestable {
    // ---------------------------------------------------------------- structs

    /// @notice Validators saw `amount` arrive in the omnibus account in Bakong transaction `bakongTxHash`,
    /// paid through the KHQR whose string hashes (MD5) to `khqrMd5`, and it is owed to `recipient`.
    struct MintAttestation {
        uint16 currency;
        uint256 amount;
        address recipient;
        bytes32 bakongTxHash;
        bytes16 khqrMd5;
        uint64 expiry;
        uint64 epoch;
    }

    /// @notice Validators saw the omnibus account hold `balance` of `currency` at time `asOf`.
    struct ReserveAttestation {
        uint16 currency;
        uint256 balance;
        uint64 asOf;
        uint64 epoch;
    }

    /// @notice Validators paid redemption `redemptionId` out on Bakong in transaction `payoutTxHash`.
    struct RedemptionFinalization {
        uint256 redemptionId;
        bytes32 payoutTxHash;
        uint64 epoch;
    }

    /// @notice Validators refuse to pay redemption `redemptionId` out (for example an unknown Bakong account).
    struct RedemptionRejection {
        uint256 redemptionId;
        bytes32 reason;
        uint64 epoch;
    }

    /// @notice Validators' reconciliation of the books: the omnibus account held `omnibusBalance` at `asOf`.
    /// The bridge compares it with the token's supply and stops minting the currency on a break.
    struct Reconciliation {
        uint16 currency;
        uint256 omnibusBalance;
        uint64 asOf;
        uint64 epoch;
    }

    /// @notice Per-currency limits, in token units.
    /// @param maxPerMessage Largest single mint or redemption (CCTP per-message cap).
    /// @param largeMintThreshold Mints above this wait `mintDelay` in the queue, where a guardian may veto them.
    /// @param maxDrift Largest |supply - omnibus balance| a reconciliation tolerates before minting stops.
    /// @param inboundCapacity Token-bucket capacity for mints (CCIP / NTT).
    /// @param inboundRefillPerSecond Token-bucket refill rate for mints.
    /// @param outboundCapacity Token-bucket capacity for redemptions.
    /// @param outboundRefillPerSecond Token-bucket refill rate for redemptions.
    struct CurrencyLimits {
        uint64 maxPerMessage;
        uint64 largeMintThreshold;
        uint64 maxDrift;
        uint64 inboundCapacity;
        uint64 inboundRefillPerSecond;
        uint64 outboundCapacity;
        uint64 outboundRefillPerSecond;
    }

    /// @notice Bridge-wide timings, in seconds; none may be zero.
    /// @param maxReserveAge Minting needs a reserve attestation at most this old.
    /// @param mintDelay How long a large mint waits in the queue.
    /// @param redemptionTimeout After this the holder may reclaim a pending redemption.
    struct Timings {
        uint32 maxReserveAge;
        uint32 mintDelay;
        uint32 redemptionTimeout;
    }

    /// @notice State of a Bakong deposit (by its transaction hash).
    enum MintStatus {
        None,
        Minted,
        Queued,
        Vetoed
    }

    /// @notice State of a redemption.
    enum RedemptionStatus {
        None,
        Pending,
        Finalized,
        Rejected,
        Reclaimed
    }

    /// @notice A redemption, as stored.
    struct Redemption {
        address holder;
        uint16 currency;
        RedemptionStatus status;
        uint40 deadline;
        uint64 amount;
        // who an escrow agent ({redeemPrefunded}) acts for; zero for a holder's own redemption. Packed with
        // `amount` (slot 1), so it costs no extra storage write.
        address beneficiary;
        bytes32 bakongAccountId;
    }

    /// @notice Which rule of the Bakong account-id format (name, at sign, bank) an id breaks, checked in this
    /// order: length (3..32 bytes), then byte by byte (only `a-z 0-9 _ . -` and a single at sign), then the at
    /// sign itself (present, not first, not last). Mirrored by corridor/bridge/khqr.py `AccountIdFault`.
    enum BakongAccountIdFault {
        TooShort,
        TooLong,
        ForbiddenByte,
        SecondAtSign,
        NoAtSign,
        EmptyName,
        EmptyBank
    }

    /// @notice A large mint waiting in the queue.
    struct QueuedMint {
        address recipient;
        uint16 currency;
        uint40 executableAt;
        uint64 amount;
    }

    // ---------------------------------------------------------------- events

    /// @notice `account` paused the bridge (same event as OZ `Pausable`).
    event Paused(address account);
    /// @notice `account` lifted the pause (same event as OZ `Pausable`).
    event Unpaused(address account);
    /// @notice The bridge-wide timings changed.
    event TimingsUpdated(uint32 maxReserveAge, uint32 mintDelay, uint32 redemptionTimeout);
    /// @notice `currency` is now bridged through `token`.
    event CurrencyAdded(uint16 indexed currency, address indexed token);
    /// @notice The limits of `currency` changed (buckets keep their current level, clamped to the new capacity).
    event CurrencyLimitsUpdated(uint16 indexed currency, CurrencyLimits limits);
    /// @notice `amount` of `currency` was minted to `recipient` for Bakong deposit `bakongTxHash`. For a queued
    /// mint (executed by `executeQueuedMint`) `khqrMd5` is zero: it was in `MintQueued`.
    event Minted(
        uint16 indexed currency, bytes32 indexed bakongTxHash, address indexed recipient, uint256 amount, bytes16 khqrMd5
    );
    /// @notice A large mint was accepted and can be executed from `executableAt` unless a guardian vetoes it.
    event MintQueued(
        uint16 indexed currency,
        bytes32 indexed bakongTxHash,
        address indexed recipient,
        uint256 amount,
        bytes16 khqrMd5,
        uint256 executableAt
    );
    /// @notice A guardian vetoed a queued mint; the deposit stays consumed and is refunded off-chain.
    event QueuedMintVetoed(bytes32 indexed bakongTxHash, address indexed guardian, bytes32 reason);
    /// @notice The attested omnibus balance of `currency` (the supply ceiling) is now `balance` as of `asOf`.
    event ReserveAttested(uint16 indexed currency, uint256 balance, uint64 asOf);
    /// @notice Validators reconciled `currency`: the omnibus held `omnibusBalance` while the supply was `supply`.
    event Reconciled(uint16 indexed currency, uint256 omnibusBalance, uint256 supply, uint64 asOf);
    /// @notice Minting of `currency` stopped because supply and omnibus balance disagree.
    event MintingAutoPaused(uint16 indexed currency, uint256 supply, uint256 omnibusBalance);
    /// @notice The admin resumed minting of `currency`.
    event MintingResumed(uint16 indexed currency, address indexed admin);
    /// @notice `holder` escrowed `amount` to be paid out to Bakong account `bakongAccountId`.
    event RedemptionRequested(
        uint256 indexed redemptionId,
        uint16 indexed currency,
        address indexed holder,
        uint256 amount,
        string bakongAccountId,
        uint64 deadline
    );
    /// @notice Redemption paid out on Bakong in `payoutTxHash`; its escrow was burned.
    event RedemptionFinalized(uint256 indexed redemptionId, bytes32 indexed payoutTxHash, uint256 amount);
    /// @notice Validators refused the redemption: its escrow `amount` went back to the holder less `fee`, which
    /// the bridge keeps (`rejectionFeeOf`), and `amount` went back to the outbound bucket.
    event RedemptionRejected(uint256 indexed redemptionId, bytes32 reason, uint256 amount, uint256 fee);
    /// @notice The holder took back the escrow of a redemption that timed out (it went back to the outbound
    /// bucket too).
    event RedemptionReclaimed(uint256 indexed redemptionId, uint256 amount);
    /// @notice The fee kept from each rejected redemption of `currency` is now `fee` (token units).
    event RejectionFeeUpdated(uint16 indexed currency, uint256 fee);
    /// @notice The admin sent the rejection fees kept for `currency` (`amount`) to `to`.
    event RejectionFeesCollected(uint16 indexed currency, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice The bridge is paused (same error as OZ `Pausable`).
    error EnforcedPause();
    /// @notice The bridge is not paused (same error as OZ `Pausable`).
    error ExpectedPause();

    /// @notice No timing may be zero.
    error ZeroTiming();
    /// @notice The currency code must be non-zero.
    error ZeroCurrency();
    /// @notice The token must be a contract whose `bridge()` is this bridge.
    error InvalidToken(address token);
    /// @notice `currency` is not bridged.
    error UnknownCurrency(uint16 currency);
    /// @notice `currency` is already bridged.
    error CurrencyAlreadyAdded(uint16 currency);
    /// @notice Limits must be non-zero (drift excepted), the threshold and caps must fit the buckets.
    error InvalidLimits();
    /// @notice A zero amount is never valid.
    error ZeroAmount();
    /// @notice A zero recipient is never valid.
    error ZeroRecipient();
    /// @notice A zero Bakong transaction hash (deposit or payout) is never valid.
    error ZeroBakongTxHash();
    /// @notice A zero KHQR MD5 is never valid.
    error ZeroKhqrMd5();
    /// @notice A zero rejection reason is never valid.
    error ZeroReason();
    /// @notice The attestation expired at `expiry`.
    error AttestationExpired(uint64 expiry);
    /// @notice Deposit `bakongTxHash` was already minted, queued or vetoed.
    error BakongTxAlreadyProcessed(bytes32 bakongTxHash);
    /// @notice `amount` exceeds the per-message cap `cap`.
    error AmountAboveMessageCap(uint256 amount, uint256 cap);
    /// @notice Minting of `currency` is stopped until the admin resumes it.
    error MintingStopped(uint16 currency);
    /// @notice The latest reserve attestation of `currency` (as of `asOf`) is too old to mint against.
    error ReserveStale(uint16 currency, uint64 asOf);
    /// @notice Minting would take the supply to `supplyAfter`, above the attested omnibus balance `reserve`.
    error ReserveExceeded(uint16 currency, uint256 supplyAfter, uint256 reserve);
    /// @notice No mint is queued for `bakongTxHash`.
    error MintNotQueued(bytes32 bakongTxHash);
    /// @notice The queued mint can only be executed from `executableAt`.
    error MintNotReady(bytes32 bakongTxHash, uint256 executableAt);
    /// @notice A balance observation dated `asOf` lies in the future.
    error ObservationFromFuture(uint64 asOf);
    /// @notice A balance observation must be newer than the latest one (`latest`).
    error ObservationNotNewer(uint64 asOf, uint64 latest);
    /// @notice A balance observation dated `asOf` is already older than the staleness bound.
    error ObservationTooOld(uint64 asOf);
    /// @notice The Bakong account id breaks rule `fault` at byte `index` (for TooShort, TooLong and NoAtSign:
    /// `index` is the id's length). A valid id is a name and a bank joined by one at sign (0x40), 3..32 bytes
    /// in all, every other byte one of `a-z 0-9 _ . -`, neither part empty.
    error InvalidBakongAccountId(BakongAccountIdFault fault, uint256 index);
    /// @notice A redemption must be larger than the rejection fee of its currency (`fee`).
    error AmountNotAboveRejectionFee(uint256 amount, uint256 fee);
    /// @notice The rejection fee must stay below the per-message cap (`maxPerMessage`).
    error RejectionFeeTooHigh(uint256 fee, uint256 maxPerMessage);
    /// @notice Redemption `redemptionId` is not pending (it is `status`).
    error RedemptionNotPending(uint256 redemptionId, RedemptionStatus status);
    /// @notice Redemption `redemptionId` can only be reclaimed after `deadline`.
    error RedemptionNotExpired(uint256 redemptionId, uint64 deadline);
    /// @notice Only the holder of redemption `redemptionId` may reclaim it.
    error NotRedemptionHolder(uint256 redemptionId, address caller);
    /// @notice Payout `payoutTxHash` already finalized another redemption.
    error PayoutTxAlreadyUsed(bytes32 payoutTxHash);

    // ---------------------------------------------------------------- attested actions (anyone submits)

    /// @notice Mints (or queues, above the large-mint threshold) the deposit attested by `signatures`.
    /// @return queued True when the mint went to the queue instead of minting now.
    /// @param attestation The attested facts, signed for the current epoch.
    /// @param signatures Exactly `threshold` signatures (r ‖ s ‖ v), signers strictly ascending.
    function mint(MintAttestation calldata attestation, bytes calldata signatures) external returns (bool queued);

    /// @notice Mints a queued deposit once its delay has passed; anyone may call.
    /// @param bakongTxHash The Bakong deposit transaction's hash.
    function executeQueuedMint(bytes32 bakongTxHash) external;

    /// @notice Records a newer attested omnibus balance (the supply ceiling); stops minting on a deficit.
    /// @param attestation The attested facts, signed for the current epoch.
    /// @param signatures Exactly `threshold` signatures (r ‖ s ‖ v), signers strictly ascending.
    function attestReserve(ReserveAttestation calldata attestation, bytes calldata signatures) external;

    /// @notice Records a signed reconciliation; stops minting when |supply - omnibus| exceeds `maxDrift`.
    /// @param report The reconciliation, signed for the current epoch.
    /// @param signatures Exactly `threshold` signatures (r ‖ s ‖ v), signers strictly ascending.
    function reconcile(Reconciliation calldata report, bytes calldata signatures) external;

    /// @notice Burns the escrow of a redemption that validators paid out on Bakong.
    /// @param finalization The payout of a pending redemption, signed for the current epoch.
    /// @param signatures Exactly `threshold` signatures (r ‖ s ‖ v), signers strictly ascending.
    function finalizeRedemption(RedemptionFinalization calldata finalization, bytes calldata signatures) external;

    /// @notice Returns the escrow of a redemption that validators refused to pay out, less the rejection fee
    /// in force (at most the escrow), and gives the escrow back to the outbound bucket (capped at capacity).
    /// @param rejection The refusal of a pending redemption with a non-zero reason, signed for the current epoch.
    /// @param signatures Exactly `threshold` signatures (r ‖ s ‖ v), signers strictly ascending.
    function rejectRedemption(RedemptionRejection calldata rejection, bytes calldata signatures) external;

    // ---------------------------------------------------------------- holders

    /// @notice Escrows `amount` of `currency` (needs an allowance) to be paid out to `bakongAccountId`.
    /// @param currency ISO 4217 numeric code of the bridged currency.
    /// @param amount Token units; above the currency's rejection fee, at most its per-message cap.
    /// @param bakongAccountId Name, at sign, bank: 3..32 bytes of `a-z 0-9 _ . -` and one at sign inside.
    /// @return redemptionId The id validators finalize or reject.
    function redeem(uint16 currency, uint256 amount, string calldata bakongAccountId)
        external
        returns (uint256 redemptionId);

    /// @notice `redeem` with an EIP-2612 permit for exactly `amount` signed by the caller (one transaction).
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @param amount Token units; above the currency's rejection fee, at most its per-message cap.
    /// @param bakongAccountId Name, at sign, bank: 3..32 bytes of `a-z 0-9 _ . -` and one at sign inside.
    /// @param deadline The permit's deadline.
    /// @param v Permit signature recovery byte.
    /// @param r Permit signature half r.
    /// @param s Permit signature half s.
    /// @return redemptionId The id validators finalize or reject.
    function redeemWithPermit(
        uint16 currency,
        uint256 amount,
        string calldata bakongAccountId,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 redemptionId);

    /// @notice Gives the holder back the escrow of a redemption still pending after its deadline (no fee; the
    /// escrow goes back to the outbound bucket, capped at capacity).
    /// @param redemptionId The redemption's id (from 1).
    function reclaim(uint256 redemptionId) external;

    /// @notice `redeem` for an escrow agent (ESCROW_AGENT_ROLE, e.g. the outbound KHQR payer) that has already
    /// had `amount` delivered to this bridge in the same transaction (an RFQ fill or a swap whose recipient is
    /// the bridge): records the redemption with the caller as holder and pulls nothing, so the escrow moves once.
    /// @param currency ISO 4217 numeric code of the bridged currency.
    /// @param amount Token units already delivered; above the currency's rejection fee, at most its cap.
    /// @param bakongAccountId Name, at sign, bank: 3..32 bytes of `a-z 0-9 _ . -` and one at sign inside.
    /// @param beneficiary Who the agent acts for (recorded in the redemption; non-zero).
    /// @return redemptionId The id validators finalize or reject.
    /// @return token The bridge token of `currency` (the agent checks it is the token it delivered).
    function redeemPrefunded(uint16 currency, uint256 amount, string calldata bakongAccountId, address beneficiary)
        external
        returns (uint256 redemptionId, address token);

    // ---------------------------------------------------------------- roles

    /// @notice Guardian: vetoes a queued mint.
    /// @param bakongTxHash The Bakong deposit transaction's hash.
    /// @param reason Why (non-zero; for the record).
    function vetoQueuedMint(bytes32 bakongTxHash, bytes32 reason) external;

    /// @notice Pauser: stops minting and new redemptions (settlement of existing ones continues).
    function pause() external;

    /// @notice Admin: lifts the pause.
    function unpause() external;

    /// @notice Admin: resumes minting of `currency` after an automatic stop.
    /// @param currency ISO 4217 numeric code of a bridged currency.
    function resumeMinting(uint16 currency) external;

    /// @notice Admin: replaces the validator set and threshold; starts a new epoch.
    /// @param newValidators The validators, non-zero and strictly ascending, at most MAX_VALIDATORS.
    /// @param newThreshold Signatures required, a strict majority of `newValidators`.
    function setValidators(address[] calldata newValidators, uint8 newThreshold) external;

    /// @notice Admin: changes the bridge-wide timings.
    /// @param newTimings Reserve staleness bound, large-mint delay, redemption timeout (none zero).
    function setTimings(Timings calldata newTimings) external;

    /// @notice Admin: bridges `currency` through `token`, which must already name this bridge as its `bridge()`.
    /// @param currency ISO 4217 numeric code (non-zero, not bridged yet).
    /// @param token A contract whose `bridge()` is this bridge.
    /// @param limits Per-message cap, large-mint threshold, drift and both buckets (see CurrencyLimits).
    function addCurrency(uint16 currency, address token, CurrencyLimits calldata limits) external;

    /// @notice Admin: changes the limits of `currency` (its cap must stay above its rejection fee).
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @param limits Per-message cap, large-mint threshold, drift and both buckets (see CurrencyLimits).
    function setCurrencyLimits(uint16 currency, CurrencyLimits calldata limits) external;

    /// @notice Admin: sets the fee the bridge keeps from each rejected redemption of `currency`.
    /// @param currency A bridged currency.
    /// @param fee Token units, below the per-message cap; 0 disables the fee. Every redemption must be larger.
    function setRejectionFee(uint16 currency, uint64 fee) external;

    /// @notice Admin: sends every rejection fee kept for `currency` to `to`.
    /// @param currency A bridged currency.
    /// @param to Non-zero recipient (a holder the token lets receive).
    function collectRejectionFees(uint16 currency, address to) external;

    // ---------------------------------------------------------------- views

    /// @notice Whether the bridge is paused.
    /// @return True while paused.
    function paused() external view returns (bool);

    /// @notice The bridge-wide timings.
    /// @return The bridge-wide timings, in seconds.
    function timings() external view returns (Timings memory);

    /// @notice The token of `currency` (zero when not bridged).
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return The token, or zero when the currency is not bridged.
    function tokenOf(uint16 currency) external view returns (address);

    /// @notice The limits of `currency`.
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return The limits (zeroed when not bridged).
    function limitsOf(uint16 currency) external view returns (CurrencyLimits memory);

    /// @notice The latest attested omnibus balance of `currency` and its date.
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return balance The attested omnibus balance (the supply ceiling).
    /// @return asOf When validators saw it.
    function reserveOf(uint16 currency) external view returns (uint256 balance, uint64 asOf);

    /// @notice Whether minting of `currency` is stopped by a reconciliation break.
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return True while minting of the currency is stopped.
    function mintingStopped(uint16 currency) external view returns (bool);

    /// @notice The fee kept from each rejected redemption of `currency`, and the fees kept so far (uncollected).
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return fee The fee kept per rejected redemption.
    /// @return collectable Fees kept and not collected yet.
    function rejectionFeeOf(uint16 currency) external view returns (uint256 fee, uint256 collectable);

    /// @notice What the inbound (mint) bucket of `currency` holds now.
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return Token units the mint bucket allows now.
    function inboundAvailable(uint16 currency) external view returns (uint256);

    /// @notice What the outbound (redemption) bucket of `currency` holds now.
    /// @param currency ISO 4217 numeric code of a bridged currency.
    /// @return Token units the redemption bucket allows now.
    function outboundAvailable(uint16 currency) external view returns (uint256);

    /// @notice The state of Bakong deposit `bakongTxHash`.
    /// @param bakongTxHash The Bakong deposit transaction's hash.
    /// @return None, Minted, Queued or Vetoed.
    function mintStatus(bytes32 bakongTxHash) external view returns (MintStatus);

    /// @notice The queued mint of `bakongTxHash` (zeroed when none).
    /// @param bakongTxHash The Bakong deposit transaction's hash.
    /// @return The queued mint.
    function queuedMint(bytes32 bakongTxHash) external view returns (QueuedMint memory);

    /// @notice Redemption `redemptionId` (zeroed when none).
    /// @param redemptionId The redemption's id (from 1).
    /// @return The redemption as stored.
    function redemption(uint256 redemptionId) external view returns (Redemption memory);

    /// @notice How many redemptions were requested (ids run from 1 to this).
    /// @return The last redemption id.
    function redemptionCount() external view returns (uint256);

    /// @notice Whether `payoutTxHash` already finalized a redemption.
    /// @param payoutTxHash A Bakong payout transaction's hash.
    /// @return True once the payout finalized a redemption.
    function payoutUsed(bytes32 payoutTxHash) external view returns (bool);

    /// @notice The EIP-712 domain separator (bound to this chain id and this bridge).
    /// @return The domain separator.
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The EIP-712 digest validators sign for `attestation`.
    /// @param attestation The attested facts, signed for the current epoch.
    /// @return The digest to sign.
    function mintDigest(MintAttestation calldata attestation) external view returns (bytes32);
}
