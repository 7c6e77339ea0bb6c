// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBakongBridge} from "./IBakongBridge.sol";
import {IRfqVenue} from "./IRfqVenue.sol";

/// @title IKhqrPayer
/// @notice The outbound corridor in one transaction: a JPYS holder pays a Cambodian merchant's KHQR (or sends a
/// remittance to a Bakong account `name`-at-`bank`). The payer's JPYS is swapped exact-out into the bridge token of the
/// KHQR's currency (a signed RFQ quote or the FX router with a max-in bound), delivered straight into the bridge's
/// redemption escrow, and recorded as a redemption to the merchant's account; the relayer pays out on Bakong and
/// validators finalize as for any redemption. A payout Bakong rejects (or one never paid before the bridge's
/// deadline) is refunded to the payer in JPYS, converted back through the router.
/// @dev This contract is the bridge's holder of record of every redemption it opens; the payer is the
/// redemption's `beneficiary` in the bridge's own record, so a payment writes no storage here. Only a refund does
/// (the refunded flag). See docs/security.md ("Outbound KHQR payer").
interface IKhqrPayer {
    /// @notice What the payer pays: `amount` of bridge currency `currency` to `bakongAccountId`, referenced by
    /// `billNumber`, for at most `maxJpyIn` JPYS.
    struct Payment {
        uint16 currency; // ISO 4217 numeric code (116 KHR, 840 USD), as in KHQR tag 53
        uint256 amount; // exact payout in the bridge token's units (whole riel, USD cents)
        uint256 maxJpyIn; // most JPYS the payer spends (the unused rest is returned in the same transaction)
        bytes32 billNumber; // KHQR bill number (tag 62.01) or remittance reference: the payout's reference
        string bakongAccountId; // name-at-bank id of the merchant or recipient
    }

    /// @notice An EIP-3009 `receiveWithAuthorization` of `maxJpyIn` JPYS from `from` to this contract. Its nonce
    /// is not free: it must be {authorizationNonce} of the payment and `salt`, so a relayer can only submit the
    /// payment the payer signed.
    struct Authorization {
        address from;
        uint256 validAfter;
        uint256 validBefore;
        bytes32 salt;
        bytes signature;
    }

    /// @notice `payer` paid `jpyIn` JPYS for bridge redemption `redemptionId`. The same transaction's bridge
    /// RedemptionRequested carries the currency, amount and Bakong account, and the venue's QuoteFilled (or the
    /// router's swap event) the bill number as payment reference: kept out of this event for the gas goal.
    event KhqrPaid(uint256 indexed redemptionId, address indexed payer, uint256 jpyIn);

    /// @notice Redemption `redemptionId` was not paid out on Bakong: `tokenBack` of the bridge token came back
    /// and was converted into `jpyOut` JPYS paid to `payer`.
    event PaymentRefunded(uint256 indexed redemptionId, address indexed payer, uint256 tokenBack, uint256 jpyOut);

    /// @notice A zero address where a contract is required.
    error ZeroAddress();
    /// @notice A refund loss bound above 100%.
    error RefundLossTooHigh(uint256 bps);
    /// @notice A payment without a bill number / reference.
    error ZeroBillNumber();
    /// @notice A zero `maxJpyIn`.
    error InvalidMaxJpyIn(uint256 maxJpyIn);
    /// @notice A quote or path that does not sell JPYS for the bridge token of the payment's currency.
    error WrongPair(address tokenIn, address tokenOut);
    /// @notice Redemption `redemptionId` is not one of this contract's, or was already refunded.
    error UnknownPayment(uint256 redemptionId);
    /// @notice The bridge's redemption is neither rejected nor reclaimed (still pending, or paid out).
    error NotRefundable(uint256 redemptionId, IBakongBridge.RedemptionStatus status);
    /// @notice Someone other than the payer asked a refund for less than the floor.
    error RefundBelowFloor(uint256 minJpyOut, uint256 floor);

    /// @notice Pays `p` with a maker's signed RFQ quote (JPYS in, the bridge token out, taker this contract or
    /// anyone): pulls `p.maxJpyIn` from the caller (needs an allowance) and returns what the fill did not use
    /// (nothing when `maxJpyIn` is the venue's `previewExactOut`, which is what the client sends).
    /// @param p The payment.
    /// @param quote The maker's quote; filled exact-out for `p.amount`, straight into the bridge's escrow.
    /// @param makerSignature The maker's EIP-712 signature of `quote`.
    /// @return redemptionId The bridge redemption paying the merchant.
    /// @return jpyIn JPYS spent.
    function payWithQuote(Payment calldata p, IRfqVenue.Quote calldata quote, bytes calldata makerSignature)
        external
        returns (uint256 redemptionId, uint256 jpyIn);

    /// @notice {payWithQuote} submitted by anyone with the payer's EIP-3009 authorization of `p.maxJpyIn`; the
    /// JPYS the fill does not use goes back to the payer in the same transaction.
    /// @param p The payment (bound into the authorization's nonce).
    /// @param quote The maker's quote.
    /// @param makerSignature The maker's signature of `quote`.
    /// @param auth The payer's `receiveWithAuthorization` to this contract.
    /// @return redemptionId The bridge redemption paying the merchant.
    /// @return jpyIn JPYS spent.
    function payWithQuoteAuthorized(
        Payment calldata p,
        IRfqVenue.Quote calldata quote,
        bytes calldata makerSignature,
        Authorization calldata auth
    ) external returns (uint256 redemptionId, uint256 jpyIn);

    /// @notice Pays `p` through the FX router (exact out along `path`, JPYS first, the bridge token last), pulling
    /// `p.maxJpyIn` from the caller and returning what the swap did not use.
    /// @param p The payment.
    /// @param path Token path of the router, JPYS ... bridge token.
    /// @param deadline Last timestamp the swap may execute.
    /// @return redemptionId The bridge redemption paying the merchant.
    /// @return jpyIn JPYS spent.
    function payWithRouter(Payment calldata p, address[] calldata path, uint256 deadline)
        external
        returns (uint256 redemptionId, uint256 jpyIn);

    /// @notice {payWithRouter} submitted by anyone with the payer's EIP-3009 authorization of `p.maxJpyIn`.
    /// @param p The payment (bound into the authorization's nonce).
    /// @param path Token path of the router, JPYS ... bridge token.
    /// @param deadline Last timestamp the swap may execute.
    /// @param auth The payer's `receiveWithAuthorization` to this contract.
    /// @return redemptionId The bridge redemption paying the merchant.
    /// @return jpyIn JPYS spent.
    function payWithRouterAuthorized(
        Payment calldata p,
        address[] calldata path,
        uint256 deadline,
        Authorization calldata auth
    ) external returns (uint256 redemptionId, uint256 jpyIn);

    /// @notice Submits the validators' rejection of one of this contract's redemptions to the bridge and, in the
    /// same transaction, refunds the payer in JPYS (the relayer's path for a payout Bakong refused).
    /// @param rejection The validators' rejection (anyone may submit it).
    /// @param signatures The validators' signatures of `rejection`.
    /// @param path Router path, the bridge token first, JPYS last.
    /// @param minJpyOut Least JPYS the payer receives; at least {refundFloor} unless the payer calls.
    /// @param deadline Last timestamp the swap may execute.
    /// @return jpyOut JPYS refunded.
    function rejectAndRefund(
        IBakongBridge.RedemptionRejection calldata rejection,
        bytes calldata signatures,
        address[] calldata path,
        uint256 minJpyOut,
        uint256 deadline
    ) external returns (uint256 jpyOut);

    /// @notice Reclaims one of this contract's redemptions still pending after the bridge's deadline and refunds
    /// the payer in JPYS.
    /// @param redemptionId The redemption.
    /// @param path Router path, the bridge token first, JPYS last.
    /// @param minJpyOut Least JPYS the payer receives; at least {refundFloor} unless the payer calls.
    /// @param deadline Last timestamp the swap may execute.
    /// @return jpyOut JPYS refunded.
    function reclaimAndRefund(uint256 redemptionId, address[] calldata path, uint256 minJpyOut, uint256 deadline)
        external
        returns (uint256 jpyOut);

    /// @notice Refunds the payer of a redemption someone rejected directly at the bridge (not through
    /// {rejectAndRefund}): the token back is the escrow less the bridge's rejection fee now in force.
    /// @param redemptionId The rejected redemption.
    /// @param path Router path, the bridge token first, JPYS last.
    /// @param minJpyOut Least JPYS the payer receives; at least {refundFloor} unless the payer calls.
    /// @param deadline Last timestamp the swap may execute.
    /// @return jpyOut JPYS refunded.
    function refund(uint256 redemptionId, address[] calldata path, uint256 minJpyOut, uint256 deadline)
        external
        returns (uint256 jpyOut);

    /// @notice The EIP-3009 nonce a payer signs for payment `p` with `salt`.
    /// @param p The payment.
    /// @param salt Any value making the nonce unique for the payer.
    /// @return The nonce.
    function authorizationNonce(Payment calldata p, bytes32 salt) external pure returns (bytes32);

    /// @notice Whether the payer of redemption `redemptionId` was refunded.
    /// @param redemptionId The redemption.
    /// @return True once refunded.
    function refunded(uint256 redemptionId) external view returns (bool);

    /// @notice Least JPYS a refund selling `tokenBack` along `path` may pay when someone other than the payer
    /// asks it: the oracle mid value (the router's `quoteMid`, from the FX feeds, not the pools' spot) less
    /// `MAX_REFUND_LOSS_BPS`.
    /// @param path Router path, the bridge token first, JPYS last.
    /// @param tokenBack Bridge token to sell.
    /// @return The floor.
    function refundFloor(address[] calldata path, uint256 tokenBack) external view returns (uint256);
}
