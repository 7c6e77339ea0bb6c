// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IRfqVenue} from "../../interfaces/IRfqVenue.sol";
import {MakerSignature} from "./MakerSignature.sol";

/// @title RfqVenue
/// @notice Settles firm quotes signed off-chain by registered market makers (EOAs or ERC-1271 wallets).
/// A quote is filled once, for any part of its size (pro-rata at the quoted price, rounded in the maker's
/// favour); the unfilled rest lapses, as with 0x v4 OTC orders and 1inch RFQ orders. The taker pays tokenIn straight to the maker; the maker pays tokenOut
/// straight to the taker's recipient, less the venue fee, which the maker owes the treasury: the fee is
/// booked per maker and token at each fill and pulled from the maker (who approved the venue) to the
/// treasury by {collectFees}, which anyone may call. The venue never holds funds.
/// @dev Nonces are unordered (Permit2 style): 256 per storage word, any order, cancellable one by one or
/// a word at a time; a fill or a cancel consumes it. Single fills keep a fill to one storage write (the
/// nonce bit): tracking cumulative partial fills per quote costs another cold slot on every fill, which
/// the gas goal (fill <= 90,000 with a fee) does not leave room for. No reentrancy guard: every
/// check and every storage write happens before the token transfers (checks-effects-interactions), and
/// a reentrant fill can only consume another valid quote. Fee-on-transfer tokens are not supported.
/// Booking the fee (one warm-able storage write) instead of transferring it at each fill saves a third
/// token transfer (~9,000 gas), which the gas goal (fill <= 90,000) needs; the price is that fees are
/// a debt of the maker until collected (a maker that stops paying is deregistered).
contract RfqVenue is IRfqVenue, EIP712, AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;

    /// @notice May register and deregister market makers.
    bytes32 public constant MAKER_MANAGER_ROLE = keccak256("MAKER_MANAGER_ROLE");
    /// @notice May pause and unpause fills.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Upper bound of the venue fee: 1% of the gross output.
    uint16 public constant MAX_FEE_BPS = 100;
    uint256 private constant _BPS = 10_000;

    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(address maker,address taker,address tokenIn,address tokenOut,uint256 amountIn,uint256 amountOut,"
        "uint256 nonce,uint256 expiry)"
    );
    bytes32 public constant CROSS_QUOTE_TYPEHASH = keccak256(
        "CrossQuote(address maker,address taker,address tokenIn,address tokenOut,uint256 amountIn,"
        "uint256 amountOut,uint256 nonce,uint256 expiry,address hub,uint256 hubAmount)"
    );

    /// @dev treasury (bits 0-159) | feeBps (bits 160-175) | paused (bit 176): one cold read per fill.
    /// Only {_config} and {_setConfig} touch it.
    uint256 private _packedConfig;
    mapping(address maker => bool registered) private _makers;
    mapping(address maker => mapping(uint256 wordPos => uint256 bits)) private _nonceBitmaps;
    /// @dev Fees the maker owes in a token, plus 1 once the slot was first used (a zero slot stays zero):
    /// collecting resets it to 1 so the next fill writes a non-zero slot (5,000 gas, not 20,000). Only
    /// {feesOwed}, {collectFees} and {_settle} touch it.
    mapping(address maker => mapping(address token => uint256 owedPlusOne)) private _fees;

    /// @param admin Default admin (fee, treasury, roles), behind `adminDelay` seconds for transfers.
    /// @param treasury_ Receives the fees.
    /// @param feeBps_ Fee in basis points of the gross output (at most MAX_FEE_BPS).
    constructor(address admin, uint48 adminDelay, address treasury_, uint16 feeBps_)
        EIP712("Corridor RFQ", "1")
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (treasury_ == address(0)) revert ZeroAddress();
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        _setConfig(treasury_, feeBps_, false);
        emit TreasuryUpdated(address(0), treasury_);
        emit FeeUpdated(0, feeBps_);
    }

    // ---------------------------------------------------------------- taker

    /// @inheritdoc IRfqVenue
    function fillExactIn(
        Quote calldata quote,
        bytes calldata signature,
        uint256 amountIn,
        uint256 minAmountOut,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountOut) {
        bytes32 quoteHash = _hashTypedDataV4(_structHash(QUOTE_TYPEHASH, _quoteWords(quote), 8));
        return _fillExactIn(quote, quoteHash, signature, amountIn, minAmountOut, recipient, paymentReference);
    }

    /// @inheritdoc IRfqVenue
    function fillExactOut(
        Quote calldata quote,
        bytes calldata signature,
        uint256 amountOut,
        uint256 maxAmountIn,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountIn) {
        bytes32 quoteHash = _hashTypedDataV4(_structHash(QUOTE_TYPEHASH, _quoteWords(quote), 8));
        return _fillExactOut(quote, quoteHash, signature, amountOut, maxAmountIn, recipient, paymentReference);
    }

    /// @inheritdoc IRfqVenue
    function fillCrossExactIn(
        CrossQuote calldata quote,
        bytes calldata signature,
        uint256 amountIn,
        uint256 minAmountOut,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountOut) {
        bytes32 quoteHash = _checkCross(quote);
        amountOut = _fillExactIn(_head(quote), quoteHash, signature, amountIn, minAmountOut, recipient, paymentReference);
        emit HubLegFilled(quoteHash, quote.hub, Math.mulDiv(amountIn, quote.hubAmount, quote.amountIn));
    }

    /// @inheritdoc IRfqVenue
    function fillCrossExactOut(
        CrossQuote calldata quote,
        bytes calldata signature,
        uint256 amountOut,
        uint256 maxAmountIn,
        address recipient,
        bytes32 paymentReference
    ) external returns (uint256 amountIn) {
        bytes32 quoteHash = _checkCross(quote);
        amountIn = _fillExactOut(_head(quote), quoteHash, signature, amountOut, maxAmountIn, recipient, paymentReference);
        emit HubLegFilled(quoteHash, quote.hub, Math.mulDiv(amountIn, quote.hubAmount, quote.amountIn));
    }

    // ---------------------------------------------------------------- maker

    /// @inheritdoc IRfqVenue
    function cancelNonces(uint256 wordPos, uint256 mask) external {
        _cancel(wordPos, mask);
    }

    /// @inheritdoc IRfqVenue
    function cancelNonce(uint256 nonce) external {
        _cancel(nonce >> 8, 1 << (nonce & 0xff));
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc IRfqVenue
    function collectFees(address maker, address token) external returns (uint256 amount) {
        uint256 slot = _fees[maker][token];
        if (slot <= 1) revert NoFeesOwed(maker, token);
        // Cannot underflow: slot > 1.
        unchecked {
            amount = slot - 1;
        }
        _fees[maker][token] = 1;
        (address treasury_,,) = _config();
        emit FeesCollected(maker, token, treasury_, amount);
        // Not arbitrary: only the fee debt `maker` accrued through quotes it signed, and only to the treasury.
        // slither-disable-next-line arbitrary-send-erc20
        IERC20(token).safeTransferFrom(maker, treasury_, amount);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IRfqVenue
    function registerMaker(address maker) external onlyRole(MAKER_MANAGER_ROLE) {
        if (maker == address(0)) revert ZeroAddress();
        if (_makers[maker]) revert MakerAlreadyRegistered(maker);
        _makers[maker] = true;
        emit MakerRegistered(maker);
    }

    /// @inheritdoc IRfqVenue
    function deregisterMaker(address maker) external onlyRole(MAKER_MANAGER_ROLE) {
        if (!_makers[maker]) revert MakerNotRegistered(maker);
        _makers[maker] = false;
        emit MakerDeregistered(maker);
    }

    /// @inheritdoc IRfqVenue
    function setFee(uint16 feeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        (address treasury_, uint16 previous, bool paused_) = _config();
        _setConfig(treasury_, feeBps_, paused_);
        emit FeeUpdated(previous, feeBps_);
    }

    /// @inheritdoc IRfqVenue
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        (address previous, uint16 feeBps_, bool paused_) = _config();
        _setConfig(treasury_, feeBps_, paused_);
        emit TreasuryUpdated(previous, treasury_);
    }

    /// @inheritdoc IRfqVenue
    function pause() external onlyRole(PAUSER_ROLE) {
        (address treasury_, uint16 feeBps_, bool paused_) = _config();
        if (paused_) revert EnforcedPause();
        _setConfig(treasury_, feeBps_, true);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IRfqVenue
    function unpause() external onlyRole(PAUSER_ROLE) {
        (address treasury_, uint16 feeBps_, bool paused_) = _config();
        if (!paused_) revert ExpectedPause();
        _setConfig(treasury_, feeBps_, false);
        emit Unpaused(msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRfqVenue
    function hashQuote(Quote calldata quote) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(QUOTE_TYPEHASH, _quoteWords(quote), 8));
    }

    /// @inheritdoc IRfqVenue
    function hashCrossQuote(CrossQuote calldata quote) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(CROSS_QUOTE_TYPEHASH, _crossWords(quote), 10));
    }

    /// @inheritdoc IRfqVenue
    function previewExactIn(Quote calldata quote, uint256 amountIn)
        external
        view
        returns (uint256 amountOut, uint256 fee)
    {
        if (quote.amountIn == 0 || quote.amountOut == 0) revert EmptyQuote();
        (, uint16 feeBps_,) = _config();
        return _outForIn(quote, amountIn, feeBps_);
    }

    /// @inheritdoc IRfqVenue
    function previewExactOut(Quote calldata quote, uint256 amountOut)
        external
        view
        returns (uint256 amountIn, uint256 fee)
    {
        if (quote.amountIn == 0 || quote.amountOut == 0) revert EmptyQuote();
        (, uint16 feeBps_,) = _config();
        return _inForOut(quote, amountOut, feeBps_);
    }

    /// @inheritdoc IRfqVenue
    function remaining(Quote calldata quote) external view returns (uint256) {
        return _remaining(quote);
    }

    /// @inheritdoc IRfqVenue
    function remainingCross(CrossQuote calldata quote) external view returns (uint256) {
        return _remaining(_head(quote));
    }

    /// @inheritdoc IRfqVenue
    function feesOwed(address maker, address token) external view returns (uint256) {
        uint256 slot = _fees[maker][token];
        return slot == 0 ? 0 : slot - 1;
    }

    /// @inheritdoc IRfqVenue
    function nonceBitmap(address maker, uint256 wordPos) external view returns (uint256) {
        return _nonceBitmaps[maker][wordPos];
    }

    /// @inheritdoc IRfqVenue
    function isNonceUsed(address maker, uint256 nonce) public view returns (bool) {
        return _nonceBitmaps[maker][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc IRfqVenue
    function isMaker(address account) external view returns (bool) {
        return _makers[account];
    }

    /// @inheritdoc IRfqVenue
    function feeBps() external view returns (uint16 feeBps_) {
        (, feeBps_,) = _config();
    }

    /// @inheritdoc IRfqVenue
    function treasury() external view returns (address treasury_) {
        (treasury_,,) = _config();
    }

    /// @inheritdoc IRfqVenue
    function paused() external view returns (bool paused_) {
        (,, paused_) = _config();
    }

    // ---------------------------------------------------------------- internals

    function _fillExactIn(
        Quote calldata quote,
        bytes32 quoteHash,
        bytes calldata signature,
        uint256 amountIn,
        uint256 minAmountOut,
        address recipient,
        bytes32 paymentReference
    ) private returns (uint256 amountOut) {
        if (amountIn == 0) revert ZeroAmount();
        _checkQuote(quote, recipient, paymentReference);
        (, uint16 feeBps_, bool paused_) = _config();
        if (paused_) revert EnforcedPause();
        uint256 fee;
        (amountOut, fee) = _outForIn(quote, amountIn, feeBps_);
        if (amountOut == 0) revert ZeroAmountOut();
        if (amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);
        _consume(quote, quoteHash, signature, amountIn);
        _settle(quote, quoteHash, amountIn, amountOut, fee, recipient, paymentReference);
    }

    function _fillExactOut(
        Quote calldata quote,
        bytes32 quoteHash,
        bytes calldata signature,
        uint256 amountOut,
        uint256 maxAmountIn,
        address recipient,
        bytes32 paymentReference
    ) private returns (uint256 amountIn) {
        if (amountOut == 0) revert ZeroAmount();
        _checkQuote(quote, recipient, paymentReference);
        (, uint16 feeBps_, bool paused_) = _config();
        if (paused_) revert EnforcedPause();
        uint256 fee;
        (amountIn, fee) = _inForOut(quote, amountOut, feeBps_);
        if (amountIn > maxAmountIn) revert ExcessiveInput(amountIn, maxAmountIn);
        _consume(quote, quoteHash, signature, amountIn);
        _settle(quote, quoteHash, amountIn, amountOut, fee, recipient, paymentReference);
    }

    /// @dev The checks that need neither storage nor the signature, so bad calls fail cheaply.
    function _checkQuote(Quote calldata quote, address recipient, bytes32 paymentReference) private view {
        if (block.timestamp > quote.expiry) revert QuoteExpired(quote.expiry, block.timestamp);
        address taker = quote.taker;
        if (taker != address(0) && taker != msg.sender) revert UnauthorizedTaker(taker, msg.sender);
        if (quote.amountIn == 0 || quote.amountOut == 0) revert EmptyQuote();
        if (quote.tokenIn == quote.tokenOut) revert SameToken(quote.tokenIn);
        if (recipient == address(0)) revert ZeroAddress();
        if (paymentReference == bytes32(0)) revert ZeroReference();
    }

    /// @dev Validates the hub leg and returns the cross quote's digest.
    function _checkCross(CrossQuote calldata quote) private view returns (bytes32) {
        address hub = quote.hub;
        if (hub == address(0) || hub == quote.tokenIn || hub == quote.tokenOut) revert InvalidHub(hub);
        if (quote.hubAmount == 0) revert EmptyQuote();
        return _hashTypedDataV4(_structHash(CROSS_QUOTE_TYPEHASH, _crossWords(quote), 10));
    }

    /// @dev Maker registered, nonce unused, signature valid, size respected; then consumes the nonce.
    function _consume(Quote calldata quote, bytes32 quoteHash, bytes calldata signature, uint256 amountIn) private {
        address maker = quote.maker;
        if (!_makers[maker]) revert MakerNotRegistered(maker);
        if (amountIn > quote.amountIn) revert FillExceedsSize(amountIn, quote.amountIn);
        uint256 nonce = quote.nonce;
        uint256 wordPos = nonce >> 8;
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = _nonceBitmaps[maker][wordPos];
        if (word & bit != 0) revert NonceAlreadyUsed(maker, nonce);
        if (!MakerSignature.isValidNow(maker, quoteHash, signature)) revert InvalidSignature(maker);
        _nonceBitmaps[maker][wordPos] = word | bit;
    }

    function _settle(
        Quote calldata quote,
        bytes32 quoteHash,
        uint256 amountIn,
        uint256 amountOut,
        uint256 fee,
        address recipient,
        bytes32 paymentReference
    ) private {
        address maker = quote.maker;
        address tokenOut = quote.tokenOut;
        if (fee != 0) {
            uint256 slot = _fees[maker][tokenOut];
            _fees[maker][tokenOut] = (slot == 0 ? 1 : slot) + fee;
        }
        emit QuoteFilled(
            quoteHash,
            maker,
            recipient,
            quote.tokenIn,
            tokenOut,
            amountIn,
            amountOut,
            fee,
            paymentReference
        );
        IERC20(quote.tokenIn).safeTransferFrom(msg.sender, maker, amountIn);
        // Not arbitrary: `maker` signed this quote (verified before settlement) and approved the venue; the
        // transfer pays exactly the quoted, signed amount to the taker's recipient.
        // slither-disable-next-line arbitrary-send-erc20
        IERC20(tokenOut).safeTransferFrom(maker, recipient, amountOut);
    }

    /// @dev Exact in: gross = floor(amountIn * quote.amountOut / quote.amountIn), fee = ceil(gross * feeBps / 1e4),
    /// out = gross - fee. Both roundings go against the taker.
    function _outForIn(Quote calldata quote, uint256 amountIn, uint16 feeBps_)
        private
        pure
        returns (uint256 amountOut, uint256 fee)
    {
        uint256 gross = Math.mulDiv(amountIn, quote.amountOut, quote.amountIn);
        if (feeBps_ != 0) fee = Math.mulDiv(gross, feeBps_, _BPS, Math.Rounding.Ceil);
        amountOut = gross - fee; // fee <= gross since feeBps_ <= MAX_FEE_BPS < 1e4
    }

    /// @dev Exact out: gross = ceil(out * 1e4 / (1e4 - feeBps)), fee = gross - out (>= ceil(gross * feeBps / 1e4)),
    /// in = ceil(gross * quote.amountIn / quote.amountOut). Both roundings go against the taker.
    function _inForOut(Quote calldata quote, uint256 amountOut, uint16 feeBps_)
        private
        pure
        returns (uint256 amountIn, uint256 fee)
    {
        uint256 gross = feeBps_ == 0 ? amountOut : Math.mulDiv(amountOut, _BPS, _BPS - feeBps_, Math.Rounding.Ceil);
        fee = gross - amountOut;
        amountIn = Math.mulDiv(gross, quote.amountIn, quote.amountOut, Math.Rounding.Ceil);
    }

    function _remaining(Quote calldata quote) private view returns (uint256) {
        if (block.timestamp > quote.expiry || !_makers[quote.maker] || isNonceUsed(quote.maker, quote.nonce)) {
            return 0;
        }
        return quote.amountIn;
    }

    function _cancel(uint256 wordPos, uint256 mask) private {
        if (mask == 0) revert ZeroMask();
        _nonceBitmaps[msg.sender][wordPos] |= mask;
        emit NoncesCancelled(msg.sender, wordPos, mask);
    }

    /// @dev A CrossQuote starts with the eight fields of a Quote in the same order, so its calldata
    /// pointer is also a valid Quote pointer (static structs are a calldata offset): the settlement
    /// code reads the shared fields through it, no copy.
    function _head(CrossQuote calldata quote) private pure returns (Quote calldata head) {
        // Reinterprets the calldata offset of a static struct; the first 8 words have identical types.
        assembly ("memory-safe") {
            head := quote
        }
    }

    /// @dev keccak256(typehash ‖ the struct's `words` static words), read straight from calldata. Same
    /// result as keccak256(abi.encode(typehash, quote)) (tests compare it with the EIP-712 digest computed
    /// in Python), without abi.encode's field-by-field copy and cleanup: it saves ~300 gas on every fill
    /// (gas goal: fill <= 90,000). Dirty upper bits in an address word change the hash, so such calldata
    /// can only fail the signature check (and reading the field later reverts anyway).
    function _structHash(bytes32 typehash, uint256 offset, uint256 words) private pure returns (bytes32 result) {
        // Writes typehash ‖ words at the free memory pointer and hashes them; the free memory pointer is
        // not advanced (scratch use only).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            calldatacopy(add(ptr, 0x20), offset, mul(words, 0x20))
            result := keccak256(ptr, add(0x20, mul(words, 0x20)))
        }
    }

    function _quoteWords(Quote calldata quote) private pure returns (uint256 offset) {
        // The calldata offset of a static struct.
        assembly ("memory-safe") {
            offset := quote
        }
    }

    function _crossWords(CrossQuote calldata quote) private pure returns (uint256 offset) {
        // The calldata offset of a static struct.
        assembly ("memory-safe") {
            offset := quote
        }
    }

    function _config() private view returns (address treasury_, uint16 feeBps_, bool paused_) {
        uint256 packed = _packedConfig;
        treasury_ = address(uint160(packed));
        feeBps_ = uint16(packed >> 160);
        paused_ = (packed >> 176) & 1 == 1;
    }

    function _setConfig(address treasury_, uint16 feeBps_, bool paused_) private {
        _packedConfig = uint256(uint160(treasury_)) | (uint256(feeBps_) << 160) | ((paused_ ? uint256(1) : 0) << 176);
    }
}
