// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {IBakongBridge} from "../../interfaces/IBakongBridge.sol";
import {IBakongBridgeBatch} from "../../interfaces/IBakongBridgeBatch.sol";
import {IBakongBridgeHooks} from "../../interfaces/IBakongBridgeHooks.sol";
import {IBridgeMintHook} from "../../interfaces/IBridgeMintHook.sol";
import {IBridgeToken} from "../../interfaces/IBridgeToken.sol";
import {BakongBridgeAdmin} from "./BakongBridgeAdmin.sol";
import {BakongBridgeState} from "./BakongBridgeState.sol";
import {BakongAccountId} from "./BakongAccountId.sol";
import {RateLimiter} from "./RateLimiter.sol";

/// @title BakongBridge
/// @notice The Cambodian leg of the corridor: bUSD / bKHR are minted 1:1 against deposits into the bridge's
/// Bakong omnibus account, attested by M of N validators, and burned when validators attest the Bakong payout
/// of a redemption. See docs/bridge.md for the trust model.
/// @dev Defence in depth, each line a lesson:
/// - Attestations (`Attestable`): exactly `threshold` signatures, signers strictly ascending, current-epoch
///   validators only, EIP-712 domain bound to chain id + this contract (CCTP `Attestable`; Harmony: threshold
///   must be a strict majority; Ronin: rotation bumps the epoch so every earlier signature dies at once).
/// - Every input is checked before use, zero values never count as valid (Wormhole: unchecked input; Nomad: a
///   zero root accepted as proven).
/// - Even a full validator-key compromise is bounded: per-message cap, inbound token bucket (`RateLimiter`),
///   supply ceiling at the latest attested omnibus balance with a staleness bound, and a guardian-vetoable delay
///   for large mints.
/// - Not upgradeable (CCTP's choice): a new version is a new bridge the tokens' admin points them at, so no
///   upgrade can re-initialise trusted state (Nomad). The tokens, which hold user balances, are upgradeable.
contract BakongBridge is IBakongBridge, IBakongBridgeHooks, IBakongBridgeBatch, BakongBridgeState {
    using SafeERC20 for IBridgeToken;
    using RateLimiter for RateLimiter.Bucket;

    bytes32 public constant MINT_ATTESTATION_TYPEHASH = keccak256(
        "MintAttestation(uint16 currency,uint256 amount,address recipient,bytes32 bakongTxHash,bytes16 khqrMd5,uint64 expiry,uint64 epoch)"
    );
    bytes32 public constant HOOKED_MINT_ATTESTATION_TYPEHASH = keccak256(
        "HookedMintAttestation(uint16 currency,uint256 amount,address hook,bytes32 bakongTxHash,bytes16 khqrMd5,uint64 expiry,uint64 epoch,bytes hookData)"
    );
    bytes32 public constant BATCH_MINT_ATTESTATION_TYPEHASH = keccak256(
        "BatchMintAttestation(uint16 currency,uint32 count,uint256 total,bytes32 depositsHash,uint64 expiry,uint64 epoch)"
    );
    bytes32 public constant RESERVE_ATTESTATION_TYPEHASH =
        keccak256("ReserveAttestation(uint16 currency,uint256 balance,uint64 asOf,uint64 epoch)");
    bytes32 public constant REDEMPTION_FINALIZATION_TYPEHASH =
        keccak256("RedemptionFinalization(uint256 redemptionId,bytes32 payoutTxHash,uint64 epoch)");
    bytes32 public constant BATCH_FINALIZATION_TYPEHASH = keccak256(
        "BatchRedemptionFinalization(uint16 currency,uint32 count,uint256 total,bytes32 payoutsHash,uint64 expiry,uint64 epoch)"
    );
    bytes32 public constant REDEMPTION_REJECTION_TYPEHASH =
        keccak256("RedemptionRejection(uint256 redemptionId,bytes32 reason,uint64 epoch)");
    bytes32 public constant RECONCILIATION_TYPEHASH =
        keccak256("Reconciliation(uint16 currency,uint256 omnibusBalance,uint64 asOf,uint64 epoch)");

    /// @dev The configuration half ({BakongBridgeAdmin}), created by the constructor; the functions forwarded to
    /// it run in this contract's storage.
    address private immutable _administration;

    /// @param admin Default admin (rotation, limits, unpause); transfers of the role wait `adminDelay`.
    /// @param adminDelay Delay of a default-admin transfer (OZ `AccessControlDefaultAdminRules`).
    /// @param validators_ Initial validators, strictly ascending.
    /// @param threshold_ Signatures required, a strict majority of `validators_`.
    /// @param timings_ Reserve staleness bound, large-mint delay, redemption timeout (all non-zero).
    constructor(
        address admin,
        uint48 adminDelay,
        address[] memory validators_,
        uint8 threshold_,
        Timings memory timings_
    ) EIP712("BakongBridge", "1") AccessControlDefaultAdminRules(adminDelay, admin) {
        _setTimings(timings_);
        _setValidators(validators_, threshold_);
        _administration = address(new BakongBridgeAdmin());
    }

    /// @dev Same behaviour as OZ `Pausable.whenNotPaused`, reading the flag packed in `_config`.
    modifier whenNotPaused() {
        if (_config.paused) revert EnforcedPause();
        _;
    }

    // ---------------------------------------------------------------- attested actions

    /// @inheritdoc IBakongBridge
    function mint(MintAttestation calldata a, bytes calldata signatures) external returns (bool queued) {
        Config memory cfg = _config;
        Currency storage c =
            _admitMint(cfg, a.currency, a.amount, a.recipient, a.bakongTxHash, a.khqrMd5, a.expiry, a.epoch);

        _verify(_mintStructHash(a), signatures, cfg);
        c.inbound._take(a.currency, a.amount);

        if (a.amount > c.largeMintThreshold) {
            _queue(a.currency, a.bakongTxHash, a.recipient, a.amount, a.khqrMd5, cfg.mintDelay);
            return true;
        }
        _mintNow(c, a.currency, a.bakongTxHash, a.recipient, a.amount, a.khqrMd5, cfg.maxReserveAge);
        return false;
    }

    /// @inheritdoc IBakongBridgeBatch
    /// @dev One signature check, one bucket take and one reserve check for the batch; then, per deposit, the
    /// single mint's checks and dedupe slot, and a mint, a queue entry, or a deferral. The reserve check counts
    /// the whole total (queued deposits included; they are checked again when executed), before any mint.
    function mintBatch(BatchMintAttestation calldata a, BatchDeposit[] calldata deposits, bytes calldata signatures)
        external
        returns (uint256 queued)
    {
        Config memory cfg = _config;
        if (cfg.paused) revert EnforcedPause();
        if (deposits.length == 0) revert EmptyBatch();
        if (block.timestamp > a.expiry) revert AttestationExpired(a.expiry);
        if (a.epoch != cfg.epoch) revert EpochMismatch(cfg.epoch, a.epoch);
        Currency storage c = _currency(a.currency);
        if (c.mintingStopped) revert MintingStopped(a.currency);
        if (deposits.length != a.count || _depositsHash(deposits) != a.depositsHash) {
            revert BatchMismatch(a.count, a.total, a.depositsHash);
        }
        _verify(
            keccak256(
                abi.encode(
                    BATCH_MINT_ATTESTATION_TYPEHASH, a.currency, a.count, a.total, a.depositsHash, a.expiry, a.epoch
                )
            ),
            signatures,
            cfg
        );
        c.inbound._take(a.currency, a.total);
        IBridgeToken token = _checkReserve(c, a.currency, a.total, cfg.maxReserveAge);
        uint256 sum;
        (sum, queued) = _mintDeposits(a.currency, deposits, c, token, cfg.mintDelay);
        if (sum != a.total) revert BatchMismatch(a.count, a.total, a.depositsHash);
        emit BatchMinted(a.currency, a.depositsHash, deposits.length, sum);
    }

    /// @inheritdoc IBakongBridgeHooks
    /// @dev Not `nonReentrant`: the hook may redeem (refunds) in the same transaction. The deposit is recorded as
    /// minted before the token and hook calls (checks-effects-interactions), so no reentry can mint it twice.
    function mintWithHook(HookedMintAttestation calldata a, bytes calldata signatures) external {
        Config memory cfg = _config;
        Currency storage c = _admitMint(cfg, a.currency, a.amount, a.hook, a.bakongTxHash, a.khqrMd5, a.expiry, a.epoch);
        if (!_mintHooks[a.hook]) revert MintHookNotRegistered(a.hook);
        if (a.amount > c.largeMintThreshold) revert HookedMintAboveThreshold(a.amount, c.largeMintThreshold);
        _verify(_hookedMintStructHash(a), signatures, cfg);
        c.inbound._take(a.currency, a.amount);
        IBridgeToken token = _mintNow(c, a.currency, a.bakongTxHash, a.hook, a.amount, a.khqrMd5, cfg.maxReserveAge);
        IBridgeMintHook(a.hook).onBridgeMint(a.currency, address(token), a.amount, a.bakongTxHash, a.hookData);
    }

    /// @inheritdoc IBakongBridge
    function executeQueuedMint(bytes32 bakongTxHash) external whenNotPaused {
        if (_mintStatus[bakongTxHash] != MintStatus.Queued) revert MintNotQueued(bakongTxHash);
        QueuedMint memory q = _queuedMints[bakongTxHash];
        if (block.timestamp < q.executableAt) revert MintNotReady(bakongTxHash, q.executableAt);
        Currency storage c = _currencies[q.currency];
        if (c.mintingStopped) revert MintingStopped(q.currency);

        delete _queuedMints[bakongTxHash];
        _mintNow(c, q.currency, bakongTxHash, q.recipient, q.amount, bytes16(0), _config.maxReserveAge);
    }

    /// @inheritdoc IBakongBridge
    function attestReserve(ReserveAttestation calldata a, bytes calldata signatures) external {
        Config memory cfg = _config;
        if (a.epoch != cfg.epoch) revert EpochMismatch(cfg.epoch, a.epoch);
        Currency storage c = _currency(a.currency);
        _checkObservation(a.asOf, c.reserveAsOf, cfg.maxReserveAge);
        _verify(
            keccak256(abi.encode(RESERVE_ATTESTATION_TYPEHASH, a.currency, a.balance, a.asOf, a.epoch)), signatures, cfg
        );
        uint256 supply = _recordReserve(c, a.currency, a.balance, a.asOf);
        if (supply > a.balance) _stopMinting(c, a.currency, supply, a.balance);
    }

    /// @inheritdoc IBakongBridge
    function reconcile(Reconciliation calldata r, bytes calldata signatures) external {
        Config memory cfg = _config;
        if (r.epoch != cfg.epoch) revert EpochMismatch(cfg.epoch, r.epoch);
        Currency storage c = _currency(r.currency);
        _checkObservation(r.asOf, c.reconciledAsOf, cfg.maxReserveAge);
        _verify(
            keccak256(abi.encode(RECONCILIATION_TYPEHASH, r.currency, r.omnibusBalance, r.asOf, r.epoch)),
            signatures,
            cfg
        );
        c.reconciledAsOf = uint40(r.asOf);
        uint256 supply = c.token.totalSupply();
        emit Reconciled(r.currency, r.omnibusBalance, supply, r.asOf);
        // A reconciliation is also the freshest reserve figure when it is newer than the last attestation.
        if (r.asOf > c.reserveAsOf) _recordReserve(c, r.currency, r.omnibusBalance, r.asOf);
        uint256 drift = supply > r.omnibusBalance ? supply - r.omnibusBalance : r.omnibusBalance - supply;
        if (drift > c.maxDrift) _stopMinting(c, r.currency, supply, r.omnibusBalance);
    }

    /// @inheritdoc IBakongBridge
    function finalizeRedemption(RedemptionFinalization calldata f, bytes calldata signatures) external nonReentrant {
        Config memory cfg = _config;
        if (f.epoch != cfg.epoch) revert EpochMismatch(cfg.epoch, f.epoch);
        _verify(
            keccak256(abi.encode(REDEMPTION_FINALIZATION_TYPEHASH, f.redemptionId, f.payoutTxHash, f.epoch)),
            signatures,
            cfg
        );
        (uint16 currency, uint256 amount) = _finalize(f.redemptionId, f.payoutTxHash);
        _currencies[currency].token.burn(amount);
    }

    /// @inheritdoc IBakongBridgeBatch
    /// @dev One signature check and one burn for the batch; per payout, the single finalization's checks, its
    /// status write, payout-hash slot and `RedemptionFinalized` event (`_finalize`, shared with the single path).
    function finalizeRedemptionBatch(
        BatchRedemptionFinalization calldata a,
        BatchPayout[] calldata payouts,
        bytes calldata signatures
    ) external nonReentrant {
        Config memory cfg = _config;
        uint256 n = payouts.length;
        if (n == 0) revert EmptyBatch();
        if (block.timestamp > a.expiry) revert AttestationExpired(a.expiry);
        if (a.epoch != cfg.epoch) revert EpochMismatch(cfg.epoch, a.epoch);
        Currency storage c = _currency(a.currency);
        if (n != a.count || _payoutsHash(payouts) != a.payoutsHash) {
            revert BatchMismatch(a.count, a.total, a.payoutsHash);
        }
        _verify(
            keccak256(
                abi.encode(
                    BATCH_FINALIZATION_TYPEHASH, a.currency, a.count, a.total, a.payoutsHash, a.expiry, a.epoch
                )
            ),
            signatures,
            cfg
        );
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            (uint16 currency, uint256 amount) = _finalize(payouts[i].redemptionId, payouts[i].payoutTxHash);
            if (currency != a.currency) revert RedemptionCurrencyMismatch(payouts[i].redemptionId, currency);
            // amount < 2**64 (a redemption's uint64) and n < 2**64 (calldata): the sum cannot overflow
            unchecked {
                sum += amount;
            }
        }
        if (sum != a.total) revert BatchMismatch(a.count, a.total, a.payoutsHash);
        emit BatchFinalized(a.currency, a.payoutsHash, n, sum);
        c.token.burn(sum);
    }

    /// @inheritdoc IBakongBridge
    function rejectRedemption(RedemptionRejection calldata j, bytes calldata signatures) external nonReentrant {
        Config memory cfg = _config;
        if (j.reason == bytes32(0)) revert ZeroReason();
        if (j.epoch != cfg.epoch) revert EpochMismatch(cfg.epoch, j.epoch);
        Redemption storage r = _pendingRedemption(j.redemptionId);
        _verify(
            keccak256(abi.encode(REDEMPTION_REJECTION_TYPEHASH, j.redemptionId, j.reason, j.epoch)), signatures, cfg
        );
        r.status = RedemptionStatus.Rejected;
        uint256 amount = r.amount;
        Currency storage c = _currencies[r.currency];
        // the fee in force now; it may have been raised above this escrow since the request
        uint256 fee = c.rejectionFee < amount ? c.rejectionFee : amount;
        c.feesCollectable += uint64(fee);
        c.outbound._refill(amount);
        emit RedemptionRejected(j.redemptionId, j.reason, amount, fee);
        c.token.safeTransfer(r.holder, amount - fee);
    }

    // ---------------------------------------------------------------- holders

    /// @inheritdoc IBakongBridge
    function redeem(uint16 currency, uint256 amount, string calldata bakongAccountId)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 redemptionId)
    {
        IBridgeToken token;
        (token, redemptionId) = _recordRedemption(currency, amount, bakongAccountId, address(0));
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IBakongBridge
    function redeemWithPermit(
        uint16 currency,
        uint256 amount,
        string calldata bakongAccountId,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (uint256 redemptionId) {
        IBridgeToken token;
        (token, redemptionId) = _recordRedemption(currency, amount, bakongAccountId, address(0));
        // A front-runner may already have submitted the permit: ignore its failure and let the allowance
        // decide in transferFrom (OpenZeppelin's advice for permit + call).
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IBakongBridge
    /// @dev Trusts the role holder to have delivered `amount` already (the admin grants the role only to
    /// immutable agents that do so by construction, see docs/security.md): nothing is pulled.
    /// No reentrancy guard: it makes no external call.
    function redeemPrefunded(uint16 currency, uint256 amount, string calldata bakongAccountId, address beneficiary)
        external
        whenNotPaused
        onlyRole(ESCROW_AGENT_ROLE)
        returns (uint256 redemptionId, address token)
    {
        if (beneficiary == address(0)) revert ZeroRecipient();
        IBridgeToken t;
        (t, redemptionId) = _recordRedemption(currency, amount, bakongAccountId, beneficiary);
        token = address(t);
    }

    /// @dev Checks, charges the outbound bucket and records the redemption; the caller then pulls the escrow
    /// (checks-effects-interactions: no external call happens before the state is final).
    function _recordRedemption(uint16 currency, uint256 amount, string calldata bakongAccountId, address beneficiary)
        private
        returns (IBridgeToken token, uint256 redemptionId)
    {
        Currency storage c = _currency(currency);
        if (amount == 0) revert ZeroAmount();
        if (amount > c.maxPerMessage) revert AmountAboveMessageCap(amount, c.maxPerMessage);
        if (amount <= c.rejectionFee) revert AmountNotAboveRejectionFee(amount, c.rejectionFee);
        bytes32 account = BakongAccountId.parse(bakongAccountId);
        c.outbound._take(currency, amount);

        redemptionId = ++_redemptionCount;
        uint40 deadline = uint40(block.timestamp + _config.redemptionTimeout);
        // amount <= maxPerMessage (uint64), checked above
        _redemptions[redemptionId] =
            Redemption(msg.sender, currency, RedemptionStatus.Pending, deadline, uint64(amount), beneficiary, account);
        emit RedemptionRequested(redemptionId, currency, msg.sender, amount, bakongAccountId, deadline);
        return (c.token, redemptionId);
    }

    /// @inheritdoc IBakongBridge
    function reclaim(uint256 redemptionId) external nonReentrant {
        Redemption storage r = _pendingRedemption(redemptionId);
        if (msg.sender != r.holder) revert NotRedemptionHolder(redemptionId, msg.sender);
        if (block.timestamp <= r.deadline) revert RedemptionNotExpired(redemptionId, r.deadline);
        r.status = RedemptionStatus.Reclaimed;
        uint256 amount = r.amount;
        Currency storage c = _currencies[r.currency];
        c.outbound._refill(amount);
        emit RedemptionReclaimed(redemptionId, amount);
        c.token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- roles

    /// @inheritdoc IBakongBridge
    function pause() external onlyRole(PAUSER_ROLE) whenNotPaused {
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IBakongBridge
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_config.paused) revert ExpectedPause();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    // ---------------------------------------------------------------- configuration (BakongBridgeAdmin)

    /// @inheritdoc IBakongBridge
    function vetoQueuedMint(bytes32, bytes32) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function resumeMinting(uint16) external {
        _administer();
    }

    /// @inheritdoc IBakongBridgeHooks
    function setMintHook(address, bool) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function setValidators(address[] calldata, uint8) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function setTimings(Timings calldata) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function addCurrency(uint16, address, CurrencyLimits calldata) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function setCurrencyLimits(uint16, CurrencyLimits calldata) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function setRejectionFee(uint16, uint64) external {
        _administer();
    }

    /// @inheritdoc IBakongBridge
    function collectRejectionFees(uint16, address) external {
        _administer();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IBakongBridge
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IBakongBridge
    function timings() external view returns (Timings memory) {
        Config memory cfg = _config;
        return Timings(cfg.maxReserveAge, cfg.mintDelay, cfg.redemptionTimeout);
    }

    /// @inheritdoc IBakongBridge
    function tokenOf(uint16 currency) external view returns (address) {
        return address(_currencies[currency].token);
    }

    /// @inheritdoc IBakongBridge
    function limitsOf(uint16 currency) external view returns (CurrencyLimits memory) {
        Currency storage c = _currencies[currency];
        return CurrencyLimits(
            c.maxPerMessage,
            c.largeMintThreshold,
            c.maxDrift,
            c.inbound.capacity,
            c.inbound.refillPerSecond,
            c.outbound.capacity,
            c.outbound.refillPerSecond
        );
    }

    /// @inheritdoc IBakongBridge
    function reserveOf(uint16 currency) external view returns (uint256 balance, uint64 asOf) {
        Currency storage c = _currencies[currency];
        return (c.reserve, c.reserveAsOf);
    }

    /// @inheritdoc IBakongBridge
    function mintingStopped(uint16 currency) external view returns (bool) {
        return _currencies[currency].mintingStopped;
    }

    /// @inheritdoc IBakongBridge
    function rejectionFeeOf(uint16 currency) external view returns (uint256 fee, uint256 collectable) {
        Currency storage c = _currencies[currency];
        return (c.rejectionFee, c.feesCollectable);
    }

    /// @inheritdoc IBakongBridge
    function inboundAvailable(uint16 currency) external view returns (uint256) {
        return _currencies[currency].inbound._available();
    }

    /// @inheritdoc IBakongBridge
    function outboundAvailable(uint16 currency) external view returns (uint256) {
        return _currencies[currency].outbound._available();
    }

    /// @inheritdoc IBakongBridge
    function mintStatus(bytes32 bakongTxHash) external view returns (MintStatus) {
        return _mintStatus[bakongTxHash];
    }

    /// @inheritdoc IBakongBridge
    function queuedMint(bytes32 bakongTxHash) external view returns (QueuedMint memory) {
        return _queuedMints[bakongTxHash];
    }

    /// @inheritdoc IBakongBridge
    function redemption(uint256 redemptionId) external view returns (Redemption memory) {
        return _redemptions[redemptionId];
    }

    /// @inheritdoc IBakongBridge
    function redemptionCount() external view returns (uint256) {
        return _redemptionCount;
    }

    /// @inheritdoc IBakongBridge
    function payoutUsed(bytes32 payoutTxHash) external view returns (bool) {
        return _payoutUsed[payoutTxHash];
    }

    /// @inheritdoc IBakongBridge
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IBakongBridge
    function mintDigest(MintAttestation calldata a) external view returns (bytes32) {
        return _hashTypedDataV4(_mintStructHash(a));
    }

    /// @inheritdoc IBakongBridgeHooks
    function isMintHook(address hook) external view returns (bool) {
        return _mintHooks[hook];
    }

    // ---------------------------------------------------------------- internals

    /// @dev The checks every mint attestation passes before its signatures are verified (plain or hooked).
    function _admitMint(
        Config memory cfg,
        uint16 currency,
        uint256 amount,
        address recipient,
        bytes32 bakongTxHash,
        bytes16 khqrMd5,
        uint64 expiry,
        uint64 epoch_
    ) private view returns (Currency storage c) {
        if (cfg.paused) revert EnforcedPause();
        if (amount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroRecipient();
        if (bakongTxHash == bytes32(0)) revert ZeroBakongTxHash();
        if (khqrMd5 == bytes16(0)) revert ZeroKhqrMd5();
        if (block.timestamp > expiry) revert AttestationExpired(expiry);
        if (epoch_ != cfg.epoch) revert EpochMismatch(cfg.epoch, epoch_);
        if (_mintStatus[bakongTxHash] != MintStatus.None) revert BakongTxAlreadyProcessed(bakongTxHash);
        c = _currency(currency);
        if (c.mintingStopped) revert MintingStopped(currency);
        if (amount > c.maxPerMessage) revert AmountAboveMessageCap(amount, c.maxPerMessage);
    }

    /// @dev One body for `mint` and `mintDigest` (bytecode size: EIP-170).
    function _mintStructHash(MintAttestation calldata a) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                MINT_ATTESTATION_TYPEHASH, a.currency, a.amount, a.recipient, a.bakongTxHash, a.khqrMd5, a.expiry, a.epoch
            )
        );
    }

    function _hookedMintStructHash(HookedMintAttestation calldata a) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                HOOKED_MINT_ATTESTATION_TYPEHASH,
                a.currency,
                a.amount,
                a.hook,
                a.bakongTxHash,
                a.khqrMd5,
                a.expiry,
                a.epoch,
                keccak256(a.hookData)
            )
        );
    }

    /// @dev The per-deposit half of `mintBatch`: each deposit passes the single mint's checks (a duplicate inside
    /// the batch finds its first copy already recorded), then is minted, queued (large) or deferred.
    function _mintDeposits(
        uint16 currency,
        BatchDeposit[] calldata deposits,
        Currency storage c,
        IBridgeToken token,
        uint32 delay
    ) private returns (uint256 sum, uint256 queued) {
        uint256 cap = c.maxPerMessage;
        uint256 large = c.largeMintThreshold;
        uint256 n = deposits.length;
        for (uint256 i; i < n; ++i) {
            (uint256 amount, bool waits) = _mintDeposit(currency, deposits[i], token, cap, large, delay);
            // amount <= cap (uint64) and n < 2**64 (calldata): neither sum nor queued can overflow
            unchecked {
                sum += amount;
                if (waits) ++queued;
            }
        }
    }

    /// @dev One deposit of a batch: the single mint's checks, then the dedupe slot and the mint; a large deposit
    /// or one the token refuses (for example a recipient without KYC: `MintDeferred`) is queued instead.
    /// A minted deposit has no `Minted` event of its own (2.4k gas each, the batch's gas goal): the token's
    /// `Transfer` and `BatchMinted`, whose hash commits to the deposits in the calldata, record it.
    function _mintDeposit(
        uint16 currency,
        BatchDeposit calldata d,
        IBridgeToken token,
        uint256 cap,
        uint256 large,
        uint32 delay
    ) private returns (uint256 amount, bool waits) {
        amount = d.amount;
        address to = d.recipient;
        bytes32 txHash = d.bakongTxHash;
        bytes16 khqrMd5 = d.khqrMd5;
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroRecipient();
        if (txHash == bytes32(0)) revert ZeroBakongTxHash();
        if (khqrMd5 == bytes16(0)) revert ZeroKhqrMd5();
        if (amount > cap) revert AmountAboveMessageCap(amount, cap);
        if (_mintStatus[txHash] != MintStatus.None) revert BakongTxAlreadyProcessed(txHash);
        if (amount <= large) {
            _mintStatus[txHash] = MintStatus.Minted;
            if (_tryMint(token, to, amount)) return (amount, false);
            emit MintDeferred(txHash, to);
        }
        _queue(currency, txHash, to, amount, khqrMd5, delay);
        return (amount, true);
    }

    /// @dev `token.mint(to, amount)`, returning whether it succeeded instead of bubbling a refusal (a low-level
    /// call: Solidity's try/catch costs more per deposit). `token` is a registered contract (addCurrency checks
    /// its code), so a call that does not revert did mint.
    function _tryMint(IBridgeToken token, address to, uint256 amount) private returns (bool ok) {
        bytes4 selector = IBridgeToken.mint.selector;
        assembly ("memory-safe") {
            // scratch: the call's 68 bytes of input above the free-memory pointer, not kept
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), to)
            mstore(add(ptr, 0x24), amount)
            ok := call(gas(), token, 0, ptr, 0x44, 0, 0)
        }
    }

    /// @dev Puts a deposit in the large-mint queue (a large mint, or a batched deposit the token refused).
    function _queue(uint16 currency, bytes32 bakongTxHash, address to, uint256 amount, bytes16 khqrMd5, uint32 delay)
        private
    {
        uint40 executableAt = uint40(block.timestamp + delay);
        _mintStatus[bakongTxHash] = MintStatus.Queued;
        // amount <= maxPerMessage (uint64), checked by the caller
        _queuedMints[bakongTxHash] = QueuedMint(to, currency, executableAt, uint64(amount));
        emit MintQueued(currency, bakongTxHash, to, amount, khqrMd5, executableAt);
    }

    /// @dev keccak256 of the deposits' calldata: each `BatchDeposit` is four static words, so the array's
    /// elements are `128 * length` contiguous bytes, equal to their ABI encodings concatenated.
    function _depositsHash(BatchDeposit[] calldata deposits) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := mul(deposits.length, 0x80)
            // scratch copy above the free-memory pointer, not kept
            calldatacopy(ptr, deposits.offset, len)
            h := keccak256(ptr, len)
        }
    }

    /// @dev keccak256 of the payouts' calldata: each `BatchPayout` is two static words (`_depositsHash`'s rule).
    function _payoutsHash(BatchPayout[] calldata payouts) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := mul(payouts.length, 0x40)
            // scratch copy above the free-memory pointer, not kept
            calldatacopy(ptr, payouts.offset, len)
            h := keccak256(ptr, len)
        }
    }

    /// @dev Attestable's check against the epoch and threshold of `cfg` (already read by the caller).
    function _verify(bytes32 structHash, bytes calldata signatures, Config memory cfg) private view {
        _verify(structHash, signatures, cfg.epoch, cfg.threshold);
    }

    /// @dev Records the deposit as minted, checks the reserve ceiling, then mints (effects before the token call).
    /// One body for the three mint paths (plain, hooked, queued): it keeps the bridge under EIP-170's size limit.
    function _mintNow(
        Currency storage c,
        uint16 currency,
        bytes32 bakongTxHash,
        address to,
        uint256 amount,
        bytes16 khqrMd5,
        uint256 maxReserveAge
    ) private returns (IBridgeToken token) {
        _mintStatus[bakongTxHash] = MintStatus.Minted;
        token = _checkReserve(c, currency, amount, maxReserveAge);
        emit Minted(currency, bakongTxHash, to, amount, khqrMd5);
        token.mint(to, amount);
    }

    /// @dev Returns the token of `c` if minting `amount` keeps its supply within a fresh attested omnibus
    /// balance (reads the supply with a static call; the caller then mints).
    function _checkReserve(Currency storage c, uint16 currency, uint256 amount, uint256 maxReserveAge)
        private
        view
        returns (IBridgeToken token)
    {
        uint64 asOf = c.reserveAsOf;
        if (block.timestamp > asOf + maxReserveAge) revert ReserveStale(currency, asOf);
        token = c.token;
        uint256 supplyAfter = token.totalSupply() + amount;
        if (supplyAfter > c.reserve) revert ReserveExceeded(currency, supplyAfter, c.reserve);
    }

    /// @dev A balance observation must be newer than the last one, not from the future, and still fresh.
    function _checkObservation(uint64 asOf, uint64 latest, uint256 maxAge) private view {
        if (asOf > block.timestamp) revert ObservationFromFuture(asOf);
        if (asOf <= latest) revert ObservationNotNewer(asOf, latest);
        if (block.timestamp - asOf > maxAge) revert ObservationTooOld(asOf);
    }

    function _recordReserve(Currency storage c, uint16 currency, uint256 balance, uint64 asOf)
        private
        returns (uint256 supply)
    {
        // A balance above uint128 (3.4e38 units) cannot occur on Bakong; clamping only lowers the ceiling.
        c.reserve = balance > type(uint128).max ? type(uint128).max : uint128(balance);
        c.reserveAsOf = uint40(asOf);
        emit ReserveAttested(currency, balance, asOf);
        return c.token.totalSupply();
    }

    function _stopMinting(Currency storage c, uint16 currency, uint256 supply, uint256 balance) private {
        c.mintingStopped = true;
        emit MintingAutoPaused(currency, supply, balance);
    }

    /// @dev Runs this call's function in {BakongBridgeAdmin} on this contract's storage and ends the call with its
    /// result (the same calldata, `msg.sender` and roles: OZ `Proxy._delegate`). The target is fixed at
    /// construction; it checks the caller's role itself.
    function _administer() private {
        address target = _administration;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @dev The per-redemption half of a finalization (single or batched): a non-zero payout hash used once, a
    /// pending redemption; then its status, the payout-hash slot and the event. The caller burns the escrow.
    function _finalize(uint256 redemptionId, bytes32 payoutTxHash) private returns (uint16 currency, uint256 amount) {
        if (payoutTxHash == bytes32(0)) revert ZeroBakongTxHash();
        if (_payoutUsed[payoutTxHash]) revert PayoutTxAlreadyUsed(payoutTxHash);
        Redemption storage r = _pendingRedemption(redemptionId);
        r.status = RedemptionStatus.Finalized;
        _payoutUsed[payoutTxHash] = true;
        currency = r.currency;
        amount = r.amount;
        emit RedemptionFinalized(redemptionId, payoutTxHash, amount);
    }

    function _pendingRedemption(uint256 redemptionId) private view returns (Redemption storage r) {
        r = _redemptions[redemptionId];
        if (r.status != RedemptionStatus.Pending) revert RedemptionNotPending(redemptionId, r.status);
    }
}
