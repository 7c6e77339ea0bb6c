// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBridgeMintHook} from "./IBridgeMintHook.sol";

/// @title IInvoiceSettlement
/// @notice Settles a Japanese merchant's yen invoice paid with one KHQR scan in Bakong, in the transaction that
/// mints the deposit: the bridge mints the bridge token into this contract (a registered mint hook), the reserved
/// FX (a signed RFQ quote whose taker is this contract, or the AMM router within a bound) pays the merchant
/// exactly the invoice in JPYS with the invoice number as payment reference, and any surplus goes back to the
/// payer's Bakong account through the bridge's redemption escrow. Every other outcome refunds the whole deposit
/// the same way. See docs/architecture.md ("An invoice from the KHQR scan to the merchant's yen").
/// @dev The hook data the validators sign is `abi.encode(Invoice, bytes venueData)` with `venueData` =
/// `abi.encode(IRfqVenue.Quote, bytes makerSignature)` for {Venue.Rfq} and `abi.encode(address[] path)` for
/// {Venue.Amm}. Per invoice the contract keeps one bit (the paid bitmap), nothing else.
interface IInvoiceSettlement is IBridgeMintHook {
    /// @notice Where the FX of an invoice is executed.
    enum Venue {
        None,
        Rfq,
        Amm
    }

    /// @notice Why a deposit was refunded in full.
    enum RefundReason {
        None,
        Underpaid, // less than the KHQR amount
        QuoteWindowClosed, // paid after the quote window (KHQR tag 99 expiry)
        AlreadyPaid, // the invoice was settled by an earlier deposit
        InvalidInvoice, // a zero field, or a route that does not take the minted token or give JPYS
        FxFailed // the venue or pool refused (paused, quote no longer honourable, merchant frozen, ...)
    }

    /// @notice An invoice as the validators attest its payment (signed inside the hook data).
    struct Invoice {
        bytes32 invoiceId; // the merchant's invoice number: payment reference of the JPYS transfer
        uint64 serial; // unique invoice serial issued by the corridor: index in the paid bitmap
        uint64 windowEnd; // end of the quote window (KHQR tag 99): later deposits are refunded
        Venue venue; // RFQ or AMM
        address merchant; // receives exactly `amountOut` JPYS
        uint256 amountOut; // the invoice amount in JPYS units
        uint256 price; // the KHQR amount in the deposit's units: the most the FX may spend
        uint256 midPrice; // the same yen at the mid rate when quoted (for the spread)
        bytes32 quoteId; // the reserved quote: the RFQ quote's EIP-712 digest, or the corridor's AMM quote id
        bytes32 origin; // origin scheme and country of the payer ("KH:BAKONG", "TH:PROMPTPAY"), for compliance
        string payerAccount; // the payer's Bakong account (`name@bank`): surplus and refunds go there
    }

    /// @notice A refund the bridge's escrow did not take at once (e.g. its outbound limit), kept for {retryRefund}.
    struct ParkedRefund {
        uint16 currency;
        uint240 amount;
        string payerAccount;
    }

    /// @notice Invoice `invoiceId` was paid: the merchant received `amountOut` JPYS for `spent` of the deposit
    /// (`deposit` minted for Bakong transaction `bakongTxHash`), `surplus` was sent back to the payer's Bakong
    /// account (escrow `refundId`, 0 if none or parked). `spreadBps` = (spent - midPrice) * 10000 / midPrice: what
    /// the payer paid above (positive) or below the mid rate at quote time.
    event InvoiceSettled(
        bytes32 indexed bakongTxHash,
        bytes32 indexed invoiceId,
        bytes32 indexed quoteId,
        address merchant,
        uint256 deposit,
        uint256 spent,
        uint256 amountOut,
        uint256 surplus,
        uint256 refundId,
        int256 spreadBps,
        bytes32 origin
    );

    /// @notice The whole `deposit` of Bakong transaction `bakongTxHash` goes back to the payer's Bakong account
    /// (escrow `refundId`; 0 when parked). `fxError` is the venue's revert selector for {RefundReason.FxFailed}.
    event InvoiceRefunded(
        bytes32 indexed bakongTxHash,
        bytes32 indexed invoiceId,
        bytes32 indexed quoteId,
        RefundReason reason,
        bytes4 fxError,
        uint256 deposit,
        uint256 refundId,
        bytes32 origin
    );

    /// @notice The escrow refused a refund of `amount` for `bakongTxHash` (its revert selector `error`); anyone
    /// may retry it with {retryRefund}.
    event RefundParked(bytes32 indexed bakongTxHash, uint16 currency, uint256 amount, bytes4 error);

    /// @notice A parked refund went into the escrow as redemption `refundId`.
    event ParkedRefundSent(bytes32 indexed bakongTxHash, uint256 refundId);

    /// @notice The refund of `amount` for `bakongTxHash` is not above the bridge's rejection fee (the escrow
    /// refuses it): it is owed to the payer's bank `bank` (the bank code of `payerAccount`), paid to its returns
    /// account (named returns, at the bank) by {sweepBankReturns}; the bank credits `payerAccount`.
    event RefundOwedToBank(
        bytes32 indexed bakongTxHash, uint16 currency, uint256 amount, string payerAccount, bytes32 indexed bank
    );

    /// @notice Bakong rejected the payout of refund `refundId` (the payer's account, left-aligned in
    /// `payerAccount`): the `amount` the bridge sent back (its escrow less the rejection fee) is owed to the
    /// payer's bank `bank`, as an interbank return goes back to the payer's bank.
    event RejectedRefundReturned(
        uint256 indexed refundId, uint16 currency, uint256 amount, bytes32 payerAccount, bytes32 indexed bank
    );

    /// @notice What was owed to bank `bank` in `currency` went into the escrow for `returns@bank`.
    event BankReturnsSwept(uint16 indexed currency, bytes32 indexed bank, uint256 amount, uint256 redemptionId);

    /// @notice The caller is not the bridge.
    error CallerNotBridge(address caller);
    /// @notice A constructor address is zero.
    error ZeroAddress();
    /// @notice The bridge knows no token for `currency`.
    error UnknownCurrency(uint16 currency);
    /// @notice No refund is parked for `bakongTxHash`.
    error NoParkedRefund(bytes32 bakongTxHash);
    /// @notice {swapAmmExactOut} was called by someone else than this contract.
    error CallerNotSelf(address caller);
    /// @notice Redemption `refundId` is not a refund of this contract that Bakong rejected.
    error NotRejectedRefund(uint256 refundId);
    /// @notice Rejected refund `refundId` was already returned.
    error RefundAlreadyReturned(uint256 refundId);
    /// @notice Nothing is owed to `bank` in `currency`.
    error NothingOwedToBank(uint16 currency, bytes32 bank);
    /// @notice The venue call ran out of gas: the caller gave too little gas (never counted as a venue refusal).
    error FxOutOfGas();

    /// @notice Sends a parked refund into the bridge's redemption escrow (anyone; reverts if the escrow refuses).
    /// @param bakongTxHash The deposit whose refund was parked.
    /// @return refundId The bridge redemption id of the refund.
    function retryRefund(bytes32 bakongTxHash) external returns (uint256 refundId);

    /// @notice Returns a refund payout Bakong rejected (the payer's account closed or unknown): what the bridge sent
    /// back is owed to the payer's bank (anyone; once per refund).
    /// @param refundId The bridge redemption id of the refund (from {InvoiceSettled} or {InvoiceRefunded}).
    /// @return amount What is now owed to the payer's bank.
    function returnRejectedRefund(uint256 refundId) external returns (uint256 amount);

    /// @notice Sends what is owed to `bank` in `currency` into the bridge's escrow for its returns account
    /// (named returns, at the bank; anyone; reverts, and it stays owed, while the escrow refuses it).
    /// @param currency ISO 4217 numeric code of a bridge currency.
    /// @param bank A Bakong participant's code, left-aligned (`bytes32("aclb")`).
    /// @return redemptionId The bridge redemption id.
    function sweepBankReturns(uint16 currency, bytes32 bank) external returns (uint256 redemptionId);

    /// @notice What is owed to bank `bank` in `currency` and not swept yet.
    /// @param currency ISO 4217 numeric code of a bridge currency.
    /// @param bank A Bakong participant's code, left-aligned.
    function bankReturns(uint16 currency, bytes32 bank) external view returns (uint256);

    /// @notice Whether rejected refund `refundId` was returned with {returnRejectedRefund}.
    /// @param refundId A bridge redemption id.
    function isReturned(uint256 refundId) external view returns (bool);

    /// @notice Approves the venue, the bridge and the first pool of the token's AMM route (the router's pool for
    /// the token, or the JPYS pool for the hub) to pull `currency`'s bridge token from this contract (anyone; each
    /// of them only pulls from its caller, and this contract only calls them for the deposit it holds). Run it
    /// again after the router's admin registers a new pool (until then AMM invoices of that currency are refunded).
    /// @param currency ISO 4217 numeric code of a bridge currency.
    function approveCurrency(uint16 currency) external;

    /// @notice The AMM leg of a settlement (only this contract calls it, so that a failed second hop undoes the
    /// first): buys exactly `amountOut` JPYS for `merchant` along the router's route from `tokenIn` ([hub, JPYS] or
    /// [tokenIn, hub, JPYS], the router's pools), the first pool pulling at most `maxIn` of `tokenIn` from here.
    /// @param tokenIn The minted bridge token (the hook checked the invoice's path against it).
    /// @param amountOut The invoice amount in JPYS units.
    /// @param maxIn The KHQR amount: the most the first pool may take.
    /// @param merchant Receives `amountOut` JPYS.
    /// @param deadline The quote window's end.
    /// @return amountIn What the first pool took.
    function swapAmmExactOut(
        address tokenIn,
        uint256 amountOut,
        uint256 maxIn,
        address merchant,
        uint256 deadline
    ) external returns (uint256 amountIn);

    /// @notice Whether invoice `serial` was settled.
    /// @param serial The corridor's invoice serial.
    function isPaid(uint64 serial) external view returns (bool);

    /// @notice The refund parked for `bakongTxHash`, if any.
    /// @param bakongTxHash The deposit.
    function parkedRefund(bytes32 bakongTxHash) external view returns (ParkedRefund memory);

    /// @notice The bridge whose mints this contract settles.
    function bridge() external view returns (address);

    /// @notice The RFQ venue of {Venue.Rfq}.
    function venue() external view returns (address);

    /// @notice The FX router of {Venue.Amm}.
    function router() external view returns (address);

    /// @notice The JPY stablecoin merchants are paid in.
    function jpys() external view returns (address);
}
