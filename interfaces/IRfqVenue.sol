// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IRfqVenue
/// @notice Request-for-quote venue: registered market makers sign EIP-712 quotes off-chain, takers fill
/// each quote once, in full or pro-rata in part (the rest lapses), paying `tokenIn` to the maker and receiving `tokenOut`
/// minus the venue fee at a recipient of their choice, tagged with a payment reference.
/// @dev The quote format, nonce semantics and fill arithmetic are specified in docs/rfq.md.
interface IRfqVenue {
    /// @notice A firm quote: the maker gives up to `amountOut` of `tokenOut` for up to `amountIn` of
    /// `tokenIn`, at the fixed price amountOut/amountIn, until `expiry`.
    /// @dev EIP-712 type: Quote(address maker,address taker,address tokenIn,address tokenOut,
    /// uint256 amountIn,uint256 amountOut,uint256 nonce,uint256 expiry).
    struct Quote {
        address maker; // registered maker (EOA or ERC-1271 wallet), receives tokenIn, pays tokenOut
        address taker; // the only account allowed to fill it, or address(0) for anyone
        address tokenIn; // token the taker pays
        address tokenOut; // token the taker receives
        uint256 amountIn; // maximum size, in tokenIn units (a fill never exceeds it)
        uint256 amountOut; // tokenOut the maker pays for the full amountIn (fee included)
        uint256 nonce; // unordered nonce: word = nonce >> 8, bit = nonce & 0xff
        uint256 expiry; // last valid timestamp (inclusive)
    }

    /// @notice A quote across two non-hub currencies (e.g. JPY -> KHR) in one signature, one nonce and
    /// one fee; the maker carries the hub leg (`hubAmount` of `hub`, e.g. USD) on its own book.
    /// @dev Same leading fields as {Quote} (same calldata layout), plus the hub leg, which is recorded in
    /// {HubLegFilled} but never moves on-chain. EIP-712 type: CrossQuote(address maker,address taker,
    /// address tokenIn,address tokenOut,uint256 amountIn,uint256 amountOut,uint256 nonce,uint256 expiry,
    /// address hub,uint256 hubAmount).
    struct CrossQuote {
        address maker;
        address taker;
        address tokenIn;
        address tokenOut;
        uint256 amountIn;
        uint256 amountOut;
        uint256 nonce;
        uint256 expiry;
        address hub; // the hub currency the maker crosses through (never tokenIn or tokenOut)
        uint256 hubAmount; // hub amount for the full amountIn (tokenIn -> hub -> tokenOut)
    }

    // ---------------------------------------------------------------- events

    /// @notice A quote was filled (in part or in full; either way its nonce is consumed).
    /// @param quoteHash EIP-712 digest of the quote (what the maker signed). The taker is the `from` of
    /// the tokenIn Transfer (left out here to keep a fill under 90,000 gas).
    /// @param amountIn tokenIn paid by the taker to the maker.
    /// @param amountOut tokenOut received by the recipient (after the fee).
    /// @param fee tokenOut the maker now owes the treasury (see {collectFees}).
    event QuoteFilled(
        bytes32 quoteHash,
        address indexed maker,
        address indexed recipient,
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 amountOut,
        uint256 fee,
        bytes32 indexed paymentReference
    );

    /// @notice The hub leg of a filled cross quote (pro-rata, rounded down): informational only.
    event HubLegFilled(bytes32 indexed quoteHash, address indexed hub, uint256 hubAmount);

    /// @notice `amount` of `token` owed by `maker` was paid to `treasury`.
    event FeesCollected(address indexed maker, address indexed token, address indexed treasury, uint256 amount);

    /// @notice `maker` cancelled the nonces set in `mask` within word `wordPos`.
    event NoncesCancelled(address indexed maker, uint256 indexed wordPos, uint256 mask);

    /// @notice `maker`'s quotes can now be filled.
    event MakerRegistered(address indexed maker);
    /// @notice `maker`'s quotes can no longer be filled (all of them, at once).
    event MakerDeregistered(address indexed maker);
    /// @notice The venue fee changed (basis points of the gross output).
    event FeeUpdated(uint16 previousFeeBps, uint16 newFeeBps);
    /// @notice Fees are now collected to `newTreasury`.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);
    /// @notice `account` stopped all fills (same event as OZ `Pausable`).
    event Paused(address account);
    /// @notice `account` resumed fills (same event as OZ `Pausable`).
    event Unpaused(address account);

    // ---------------------------------------------------------------- errors

    /// @notice The quote's expiry is before the current block's timestamp.
    error QuoteExpired(uint256 expiry, uint256 timestamp);
    /// @notice The quote names another taker than the caller.
    error UnauthorizedTaker(address taker, address caller);
    /// @notice The maker is not (or no longer) registered.
    error MakerNotRegistered(address maker);
    /// @notice The maker is registered already.
    error MakerAlreadyRegistered(address maker);
    /// @notice The quote's nonce was used by a fill or cancelled.
    error NonceAlreadyUsed(address maker, uint256 nonce);
    /// @notice The signature is not the maker's (ECDSA) or the maker's wallet rejects it (ERC-1271).
    error InvalidSignature(address maker);
    /// @notice The fill needs more tokenIn than the quote's size.
    error FillExceedsSize(uint256 amountIn, uint256 size);
    /// @notice The output is below the taker's minimum.
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    /// @notice The input is above the taker's maximum.
    error ExcessiveInput(uint256 amountIn, uint256 maxAmountIn);
    /// @notice A fill of nothing.
    error ZeroAmount();
    /// @notice The fill rounds to no output.
    error ZeroAmountOut();
    /// @notice A zero address where an account is required (recipient, treasury, maker).
    error ZeroAddress();
    /// @notice A fill without a payment reference.
    error ZeroReference();
    /// @notice A cancel of no nonce.
    error ZeroMask();
    /// @notice A quote with a zero amount (or a cross quote with a zero hub amount).
    error EmptyQuote();
    /// @notice A quote whose tokenIn is its tokenOut.
    error SameToken(address token);
    /// @notice A cross quote whose hub is zero, tokenIn or tokenOut.
    error InvalidHub(address hub);
    /// @notice A fee above MAX_FEE_BPS.
    error FeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice Nothing to collect.
    error NoFeesOwed(address maker, address token);
    /// @notice Fills are stopped (same error as OZ `Pausable`).
    error EnforcedPause();
    /// @notice Unpause of a live venue (same error as OZ `Pausable`).
    error ExpectedPause();

    // ---------------------------------------------------------------- taker

    /// @notice Fills `quote` for exactly `amountIn` of tokenIn (at most its size) and consumes its nonce.
    /// @return amountOut tokenOut received by `recipient` (gross pro-rata output, rounded down, minus the fee).
    /// @param quote The maker-signed quote.
    /// @param signature The maker's EIP-712 signature over the quote (ECDSA or ERC-1271).
    /// @param amountIn tokenIn paid by the caller (at most the quote's amountIn).
    /// @param minAmountOut Least tokenOut accepted after the fee (slippage bound).
    /// @param recipient Receiver of tokenOut (non-zero).
    /// @param paymentReference Invoice id echoed in {QuoteFilled} (any bytes32).
    function fillExactIn(
        Quote calldata quote,
        bytes calldata signature,
        uint256 amountIn,
        uint256 minAmountOut,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountOut);

    /// @notice Fills `quote` so that `recipient` receives exactly `amountOut` of tokenOut after the fee, and
    /// consumes its nonce.
    /// @return amountIn tokenIn paid by the caller (rounded up).
    /// @param quote The maker-signed quote.
    /// @param signature The maker's EIP-712 signature over the quote (ECDSA or ERC-1271).
    /// @param amountOut tokenOut the recipient receives after the fee.
    /// @param maxAmountIn Most tokenIn accepted (slippage bound).
    /// @param recipient Receiver of tokenOut (non-zero).
    /// @param paymentReference Invoice id echoed in {QuoteFilled} (any bytes32).
    function fillExactOut(
        Quote calldata quote,
        bytes calldata signature,
        uint256 amountOut,
        uint256 maxAmountIn,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountIn);

    /// @notice {fillExactIn} for a cross quote.
    /// @param quote The maker-signed quote.
    /// @param signature The maker's EIP-712 signature over the quote (ECDSA or ERC-1271).
    /// @param amountIn tokenIn paid by the caller (at most the quote's amountIn).
    /// @param minAmountOut Least tokenOut accepted after the fee (slippage bound).
    /// @param recipient Receiver of tokenOut (non-zero).
    /// @param paymentReference Invoice id echoed in {QuoteFilled} (any bytes32).
    /// @return amountOut tokenOut received by the recipient.
    function fillCrossExactIn(
        CrossQuote calldata quote,
        bytes calldata signature,
        uint256 amountIn,
        uint256 minAmountOut,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountOut);

    /// @notice {fillExactOut} for a cross quote.
    /// @param quote The maker-signed quote.
    /// @param signature The maker's EIP-712 signature over the quote (ECDSA or ERC-1271).
    /// @param amountOut tokenOut the recipient receives after the fee.
    /// @param maxAmountIn Most tokenIn accepted (slippage bound).
    /// @param recipient Receiver of tokenOut (non-zero).
    /// @param paymentReference Invoice id echoed in {QuoteFilled} (any bytes32).
    /// @return amountIn tokenIn paid by the caller.
    function fillCrossExactOut(
        CrossQuote calldata quote,
        bytes calldata signature,
        uint256 amountOut,
        uint256 maxAmountIn,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountIn);

    // ---------------------------------------------------------------- maker

    /// @notice Cancels the caller's nonces set in `mask` within word `wordPos` (all 256: mask = ~0).
    /// @param wordPos The nonce word (nonce >> 8).
    /// @param mask The nonces of the word to cancel (bit i = nonce wordPos << 8 | i).
    function cancelNonces(uint256 wordPos, uint256 mask) external;

    /// @notice Cancels one of the caller's nonces.
    /// @param nonce The nonce.
    function cancelNonce(uint256 nonce) external;

    // ---------------------------------------------------------------- fees

    /// @notice Pulls the fees `maker` owes in `token` from the maker to the treasury (anyone may call).
    /// @return amount The fees paid.
    /// @param maker A market maker.
    /// @param token A token fees are owed in.
    function collectFees(address maker, address token) external returns (uint256 amount);

    // ---------------------------------------------------------------- admin

    /// @notice Allows `maker` to have its quotes filled (MAKER_MANAGER_ROLE).
    /// @param maker A market maker.
    function registerMaker(address maker) external;

    /// @notice Stops all of `maker`'s quotes from being filled (MAKER_MANAGER_ROLE).
    /// @param maker A market maker.
    function deregisterMaker(address maker) external;

    /// @notice Sets the fee in basis points of the gross output, at most MAX_FEE_BPS (DEFAULT_ADMIN_ROLE).
    /// @param feeBps Basis points of the gross output, at most MAX_FEE_BPS.
    function setFee(uint16 feeBps) external;

    /// @notice Sets the account receiving fees (DEFAULT_ADMIN_ROLE).
    /// @param treasury The new fee receiver (non-zero).
    function setTreasury(address treasury) external;

    /// @notice Stops all fills (PAUSER_ROLE). Cancels stay possible.
    function pause() external;

    /// @notice Resumes fills (PAUSER_ROLE).
    function unpause() external;

    // ---------------------------------------------------------------- views

    /// @notice The EIP-712 digest a maker signs for `quote` (domain: name "Corridor RFQ", version "1").
    /// @param quote The maker-signed quote.
    /// @return The digest.
    function hashQuote(Quote calldata quote) external view returns (bytes32);

    /// @notice The EIP-712 digest a maker signs for a cross quote.
    /// @param quote The maker-signed quote.
    /// @return The digest.
    function hashCrossQuote(CrossQuote calldata quote) external view returns (bytes32);

    /// @notice Outputs of {fillExactIn} for `amountIn` at the current fee (no validity checks).
    /// @param quote The maker-signed quote.
    /// @param amountIn tokenIn paid by the caller (at most the quote's amountIn).
    /// @return amountOut tokenOut after the fee.
    /// @return fee The fee in tokenOut.
    function previewExactIn(Quote calldata quote, uint256 amountIn)
        external
        view
        returns (uint256 amountOut, uint256 fee);

    /// @notice Inputs of {fillExactOut} for `amountOut` at the current fee (no validity checks).
    /// @param quote The maker-signed quote.
    /// @param amountOut tokenOut the recipient receives after the fee.
    /// @return amountIn tokenIn needed.
    /// @return fee The fee in tokenOut.
    function previewExactOut(Quote calldata quote, uint256 amountOut)
        external
        view
        returns (uint256 amountIn, uint256 fee);

    /// @notice The tokenIn size still fillable on `quote`: its amountIn, or 0 once expired, filled or
    /// cancelled, or while its maker is not registered (the signature is not checked).
    /// @param quote The maker-signed quote.
    /// @return tokenIn still fillable.
    function remaining(Quote calldata quote) external view returns (uint256);

    /// @notice {remaining} for a cross quote.
    /// @param quote The maker-signed quote.
    /// @return tokenIn still fillable.
    function remainingCross(CrossQuote calldata quote) external view returns (uint256);

    /// @notice Fees `maker` owes the treasury in `token`, booked at fills and not yet collected.
    /// @param maker A market maker.
    /// @param token A token fees are owed in.
    /// @return The fees owed.
    function feesOwed(address maker, address token) external view returns (uint256);

    /// @notice The maker's nonce word `wordPos` (bit i set = nonce (wordPos << 8 | i) used or cancelled).
    /// @param maker A market maker.
    /// @param wordPos The nonce word (nonce >> 8).
    /// @return The bitmap word.
    function nonceBitmap(address maker, uint256 wordPos) external view returns (uint256);

    /// @notice Whether `nonce` of `maker` was used or cancelled.
    /// @param maker A market maker.
    /// @param nonce The nonce.
    /// @return True once used or cancelled.
    function isNonceUsed(address maker, uint256 nonce) external view returns (bool);

    /// @notice Whether `account` is a registered maker.
    /// @param account Any account.
    /// @return True when registered.
    function isMaker(address account) external view returns (bool);

    /// @notice The venue fee in basis points of the gross output.
    /// @return Basis points.
    function feeBps() external view returns (uint16);

    /// @notice The account fees are collected to.
    /// @return The treasury's address.
    function treasury() external view returns (address);

    /// @notice Whether fills are stopped.
    /// @return True while paused.
    function paused() external view returns (bool);
}
