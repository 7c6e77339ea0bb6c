// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IBakongBridge} from "../../interfaces/IBakongBridge.sol";
import {ICompliantToken} from "../../interfaces/ICompliantToken.sol";
import {IFXRouter} from "../../interfaces/IFXRouter.sol";
import {IKhqrPayer} from "../../interfaces/IKhqrPayer.sol";
import {IRfqVenue} from "../../interfaces/IRfqVenue.sol";

/// @title KhqrPayer
/// @notice A yen holder pays a Cambodian merchant's KHQR, or sends a remittance to `name`-at-`bank`, in one
/// transaction: JPYS -> exact-out FX (RFQ quote or router) -> the bridge's redemption escrow. See {IKhqrPayer}.
/// @dev Design:
/// - The FX output goes straight to the bridge (fill / swap recipient = bridge) and the bridge records the
///   redemption without pulling ({IBakongBridge.redeemPrefunded}, ESCROW_AGENT_ROLE): the bridge token moves
///   once, and this contract never holds it except between a rejection and its refund (same transaction on the
///   relayer's path).
/// - This contract is the bridge's holder of record; the payer is the redemption's `beneficiary`, packed in the
///   bridge's record (no storage here on the payment path: the gas goal, <= 220,000, needs it). On a rejection (or
///   a reclaim after the bridge's deadline) the token that comes back is sold for JPYS through the router,
///   straight to the payer. The payer chooses any minimum; anyone else must ask at least {refundFloor} (the
///   FX feeds' mid value less `MAX_REFUND_LOSS_BPS`), so a keeper cannot dump a refund at a bad price.
/// - No admin, no upgrade, no funds at rest: every address is immutable; JPYS is pulled only for the payment
///   being made and any unused rest is returned in the same transaction.
/// - Gasless: the payer's EIP-3009 `receiveWithAuthorization` (only this contract can submit it, so it cannot be
///   front-run into a plain transfer) carries a nonce derived from the payment, so a relayer cannot redirect it.
/// - Checks-effects-interactions: payments write no storage here; a refund sets its flag before selling. Every
///   call goes to an immutable corridor contract (JPYS, venue, router, bridge and its tokens; none calls back
///   into a caller-chosen address). The refund entries, which write state, are `nonReentrant`; the payment
///   entries are not: they write no storage here and hold no funds across calls but the payer's own JPYS for
///   the fill the venue or router takes in the same call, so a reentrant payment could only be another payment
///   paid by its own caller - and the guard (~2,300 gas) does not fit the 220,000 goal.
contract KhqrPayer is IKhqrPayer, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice EIP-712-style type of the payment a gasless authorization is bound to.
    bytes32 public constant PAYMENT_TYPEHASH = keccak256(
        "KhqrPayment(uint16 currency,uint256 amount,uint256 maxJpyIn,bytes32 billNumber,string bakongAccountId,"
        "bytes32 salt)"
    );
    uint256 private constant _BPS = 10_000;

    /// @notice The yen stablecoin payers spend.
    IERC20 public immutable JPYS;
    /// @notice The RFQ venue quotes are filled on.
    IRfqVenue public immutable VENUE;
    /// @notice The FX router (pools) used for router payments and refunds.
    IFXRouter public immutable ROUTER;
    /// @notice The Bakong bridge whose redemption escrow pays merchants out.
    IBakongBridge public immutable BRIDGE;
    /// @notice Most a refund asked by someone other than the payer may lose against the JPYS spent (bps).
    uint256 public immutable MAX_REFUND_LOSS_BPS;

    mapping(uint256 redemptionId => bool) private _refunded;

    /// @param jpys The yen stablecoin.
    /// @param venue The RFQ venue.
    /// @param router The FX router.
    /// @param bridge The Bakong bridge (grants this contract ESCROW_AGENT_ROLE).
    /// @param maxRefundLossBps Refund floor for third-party refunds, in bps of the JPYS spent (<= 10,000).
    constructor(IERC20 jpys, IRfqVenue venue, IFXRouter router, IBakongBridge bridge, uint256 maxRefundLossBps) {
        if (
            address(jpys) == address(0) || address(venue) == address(0) || address(router) == address(0)
                || address(bridge) == address(0)
        ) revert ZeroAddress();
        if (maxRefundLossBps > _BPS) revert RefundLossTooHigh(maxRefundLossBps);
        JPYS = jpys;
        VENUE = venue;
        ROUTER = router;
        BRIDGE = bridge;
        MAX_REFUND_LOSS_BPS = maxRefundLossBps;
        // The venue and the router pull only from their caller, and only within a call this contract makes.
        jpys.forceApprove(address(venue), type(uint256).max);
        jpys.forceApprove(address(router), type(uint256).max);
    }

    // ================================================================== payments

    /// @inheritdoc IKhqrPayer
    function payWithQuote(Payment calldata p, IRfqVenue.Quote calldata quote, bytes calldata makerSignature)
        external
        returns (uint256 redemptionId, uint256 jpyIn)
    {
        _checkPayment(p, quote.tokenIn);
        JPYS.safeTransferFrom(msg.sender, address(this), p.maxJpyIn);
        jpyIn = VENUE.fillExactOut(quote, makerSignature, p.amount, p.maxJpyIn, address(BRIDGE), p.billNumber);
        redemptionId = _escrow(p, quote.tokenOut, msg.sender, jpyIn);
        _returnUnused(msg.sender, p.maxJpyIn, jpyIn);
    }

    /// @inheritdoc IKhqrPayer
    function payWithQuoteAuthorized(
        Payment calldata p,
        IRfqVenue.Quote calldata quote,
        bytes calldata makerSignature,
        Authorization calldata auth
    ) external returns (uint256 redemptionId, uint256 jpyIn) {
        _checkPayment(p, quote.tokenIn);
        _receive(p, auth);
        jpyIn = VENUE.fillExactOut(quote, makerSignature, p.amount, p.maxJpyIn, address(BRIDGE), p.billNumber);
        redemptionId = _escrow(p, quote.tokenOut, auth.from, jpyIn);
        _returnUnused(auth.from, p.maxJpyIn, jpyIn);
    }

    /// @inheritdoc IKhqrPayer
    function payWithRouter(Payment calldata p, address[] calldata path, uint256 deadline)
        external
        returns (uint256 redemptionId, uint256 jpyIn)
    {
        _checkPayment(p, path[0]);
        JPYS.safeTransferFrom(msg.sender, address(this), p.maxJpyIn);
        jpyIn = ROUTER.swapExactOut(path, p.amount, p.maxJpyIn, address(BRIDGE), deadline, p.billNumber);
        redemptionId = _escrow(p, path[path.length - 1], msg.sender, jpyIn);
        _returnUnused(msg.sender, p.maxJpyIn, jpyIn);
    }

    /// @inheritdoc IKhqrPayer
    function payWithRouterAuthorized(
        Payment calldata p,
        address[] calldata path,
        uint256 deadline,
        Authorization calldata auth
    ) external returns (uint256 redemptionId, uint256 jpyIn) {
        _checkPayment(p, path[0]);
        _receive(p, auth);
        jpyIn = ROUTER.swapExactOut(path, p.amount, p.maxJpyIn, address(BRIDGE), deadline, p.billNumber);
        redemptionId = _escrow(p, path[path.length - 1], auth.from, jpyIn);
        _returnUnused(auth.from, p.maxJpyIn, jpyIn);
    }

    // ================================================================== refunds

    /// @inheritdoc IKhqrPayer
    function rejectAndRefund(
        IBakongBridge.RedemptionRejection calldata rejection,
        bytes calldata signatures,
        address[] calldata path,
        uint256 minJpyOut,
        uint256 deadline
    ) external nonReentrant returns (uint256 jpyOut) {
        BRIDGE.rejectRedemption(rejection, signatures);
        return _refund(rejection.redemptionId, path, minJpyOut, deadline);
    }

    /// @inheritdoc IKhqrPayer
    function reclaimAndRefund(uint256 redemptionId, address[] calldata path, uint256 minJpyOut, uint256 deadline)
        external
        nonReentrant
        returns (uint256 jpyOut)
    {
        BRIDGE.reclaim(redemptionId);
        return _refund(redemptionId, path, minJpyOut, deadline);
    }

    /// @inheritdoc IKhqrPayer
    function refund(uint256 redemptionId, address[] calldata path, uint256 minJpyOut, uint256 deadline)
        external
        nonReentrant
        returns (uint256 jpyOut)
    {
        return _refund(redemptionId, path, minJpyOut, deadline);
    }

    // ================================================================== views

    /// @inheritdoc IKhqrPayer
    function authorizationNonce(Payment calldata p, bytes32 salt) public pure returns (bytes32) {
        return keccak256(
            abi.encode(
                PAYMENT_TYPEHASH,
                p.currency,
                p.amount,
                p.maxJpyIn,
                p.billNumber,
                keccak256(bytes(p.bakongAccountId)),
                salt
            )
        );
    }

    /// @inheritdoc IKhqrPayer
    function refunded(uint256 redemptionId) external view returns (bool) {
        return _refunded[redemptionId];
    }

    /// @inheritdoc IKhqrPayer
    function refundFloor(address[] calldata path, uint256 tokenBack) public view returns (uint256) {
        return ROUTER.quoteMid(path, tokenBack) * (_BPS - MAX_REFUND_LOSS_BPS) / _BPS;
    }

    // ================================================================== internals

    /// @dev The payment's own checks, and JPYS as the input. The output token is checked against the bridge
    /// token of the currency in {_escrow}; the bridge checks the currency, amount and account id.
    function _checkPayment(Payment calldata p, address tokenIn) private view {
        if (p.billNumber == bytes32(0)) revert ZeroBillNumber();
        if (p.maxJpyIn == 0) revert InvalidMaxJpyIn(p.maxJpyIn);
        if (tokenIn != address(JPYS)) revert WrongPair(tokenIn, address(0));
    }

    /// @dev Pulls `p.maxJpyIn` with the payer's authorization bound to `p`.
    function _receive(Payment calldata p, Authorization calldata auth) private {
        ICompliantToken(address(JPYS)).receiveWithAuthorization(
            auth.from,
            address(this),
            p.maxJpyIn,
            auth.validAfter,
            auth.validBefore,
            authorizationNonce(p, auth.salt),
            auth.signature
        );
    }

    /// @dev Has the bridge record the redemption of the token already delivered to it, for `payer`, and checks
    /// that what was delivered (`tokenOut`) is the bridge token of the currency: otherwise everything reverts.
    function _escrow(Payment calldata p, address tokenOut, address payer, uint256 jpyIn)
        private
        returns (uint256 redemptionId)
    {
        address token;
        (redemptionId, token) = BRIDGE.redeemPrefunded(p.currency, p.amount, p.bakongAccountId, payer);
        if (tokenOut != token) revert WrongPair(address(JPYS), tokenOut);
        emit KhqrPaid(redemptionId, payer, jpyIn);
    }

    function _returnUnused(address payer, uint256 pulled, uint256 used) private {
        if (pulled > used) JPYS.safeTransfer(payer, pulled - used);
    }

    /// @dev Sells what came back from the bridge for JPYS, straight to the payer (the redemption's beneficiary),
    /// once per redemption.
    function _refund(uint256 redemptionId, address[] calldata path, uint256 minJpyOut, uint256 deadline)
        private
        returns (uint256 jpyOut)
    {
        (address payer, uint256 back) = _returned(redemptionId, path);
        if (msg.sender != payer) {
            uint256 floor = refundFloor(path, back);
            if (minJpyOut < floor) revert RefundBelowFloor(minJpyOut, floor);
        }
        _refunded[redemptionId] = true;
        if (back != 0) {
            IERC20(path[0]).forceApprove(address(ROUTER), back);
            jpyOut = ROUTER.swapExactIn(path, back, minJpyOut, payer, deadline, bytes32(redemptionId));
        }
        emit PaymentRefunded(redemptionId, payer, back, jpyOut);
    }

    /// @dev The payer of one of this contract's closed, unrefunded redemptions and how much of the bridge token it
    /// gave back: a rejection the escrow less the bridge's rejection fee in force (exact when the rejection ran in
    /// this transaction), a reclaim all of it. Checks that `path` sells that token for JPYS.
    function _returned(uint256 redemptionId, address[] calldata path)
        private
        view
        returns (address payer, uint256 back)
    {
        IBakongBridge.Redemption memory r = BRIDGE.redemption(redemptionId);
        if (r.holder != address(this) || _refunded[redemptionId]) revert UnknownPayment(redemptionId);
        back = r.amount;
        if (r.status == IBakongBridge.RedemptionStatus.Rejected) {
            // only the fee in force is needed; the second value (fees collectable by the admin) is not ours
            // slither-disable-next-line unused-return
            (uint256 fee,) = BRIDGE.rejectionFeeOf(r.currency);
            back -= fee < back ? fee : back;
        } else if (r.status != IBakongBridge.RedemptionStatus.Reclaimed) {
            revert NotRefundable(redemptionId, r.status);
        }
        address first = path[0];
        address last = path[path.length - 1];
        if (first != BRIDGE.tokenOf(r.currency) || last != address(JPYS)) revert WrongPair(first, last);
        payer = r.beneficiary;
    }
}
