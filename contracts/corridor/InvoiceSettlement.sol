// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IBakongBridge} from "../../interfaces/IBakongBridge.sol";
import {IBridgeMintHook} from "../../interfaces/IBridgeMintHook.sol";
import {IFXPool} from "../../interfaces/IFXPool.sol";
import {IFXRouter} from "../../interfaces/IFXRouter.sol";
import {IInvoiceSettlement} from "../../interfaces/IInvoiceSettlement.sol";
import {IRfqVenue} from "../../interfaces/IRfqVenue.sol";

/// @title InvoiceSettlement
/// @notice The bridge's mint hook for yen invoices paid by KHQR (see {IInvoiceSettlement}): one transaction from
/// the validators' attestation of a Bakong deposit to the merchant's JPYS, or to a refund of the whole deposit.
/// @dev Every deposit minted here ends in exactly one of two events: {InvoiceSettled} (merchant paid exactly the
/// invoice, surplus to the payer's escrow) or {InvoiceRefunded} (all of it to the payer's escrow). Nothing reverts
/// after the bridge's checks except a refund the caller starved of gas (then the mint is undone and retried):
/// - checks that need no call (invoice fields, quote window, amount, paid bit) refund before any FX;
/// - the paid bit is set before the FX call and cleared if the FX fails (checks-effects-interactions; reentrancy
///   guard on the hook);
/// - the FX call is wrapped in try/catch: a paused venue or pool, a used or expired quote, a maker who no longer
///   holds the yen, a frozen or unverified merchant all end in a refund, never in a stuck deposit;
/// - a refund the escrow refuses (outbound limit, fee) is parked with its Bakong account and anyone can retry it.
/// The contract holds tokens only between the mint and the end of the transaction, or while a refund is parked.
/// No admin, no upgrade: its only trust is in the bridge (which mints to it) and what the validators signed.
contract InvoiceSettlement is IInvoiceSettlement, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;

    IBakongBridge private immutable _BRIDGE;
    IRfqVenue private immutable _VENUE;
    IFXRouter private immutable _ROUTER;
    address private immutable _JPYS;
    /// @dev The router's USD hub token (immutable in the router too).
    address private immutable _HUB;

    /// @dev Invoice serial => paid bit, 256 invoices per word (Permit2's unordered nonces).
    mapping(uint256 wordPos => uint256 bits) private _paid;
    mapping(bytes32 bakongTxHash => ParkedRefund) private _parked;
    /// @dev Refunds owed to a Bakong participant's returns account (`returns@bank`), per currency and bank code.
    mapping(uint16 currency => mapping(bytes32 bank => uint256 amount)) private _bankReturns;
    /// @dev Tokens this contract owes (parked refunds + bank returns), per currency: what a returned payout may
    /// not take.
    mapping(uint16 currency => uint256 amount) private _owed;
    /// @dev Rejected refund payouts already returned, by redemption id (256 per word).
    mapping(uint256 wordPos => uint256 bits) private _returned;

    /// @param bridge_ The bridge that mints to this hook.
    /// @param venue_ The RFQ venue (quotes reserved for invoices name this contract as taker).
    /// @param router_ The FX router.
    /// @param jpys_ The JPY stablecoin merchants are paid in.
    /// @param currencies Bridge currencies to approve at once (others with {approveCurrency}).
    constructor(address bridge_, address venue_, address router_, address jpys_, uint16[] memory currencies) {
        if (bridge_ == address(0) || venue_ == address(0) || router_ == address(0) || jpys_ == address(0)) {
            revert ZeroAddress();
        }
        _BRIDGE = IBakongBridge(bridge_);
        _VENUE = IRfqVenue(venue_);
        _ROUTER = IFXRouter(router_);
        _JPYS = jpys_;
        _HUB = IFXRouter(router_).hub();
        for (uint256 i; i < currencies.length; ++i) {
            _approve(currencies[i]);
        }
    }

    // ================================================================== the hook

    /// @inheritdoc IBridgeMintHook
    /// @dev The bridge has minted `amount` here and recorded `bakongTxHash` as processed before this call.
    /// The paid bit is set before the FX call and cleared after it only when the call failed (so its effects were
    /// undone): the function is `nonReentrant` and the bit's only other reader is the view {isPaid}.
    // slither-disable-next-line reentrancy-no-eth
    function onBridgeMint(uint16 currency, address token, uint256 amount, bytes32 bakongTxHash, bytes calldata hookData)
        external
        nonReentrant
    {
        if (msg.sender != address(_BRIDGE)) revert CallerNotBridge(msg.sender);
        (Invoice memory inv, bytes memory venueData) = abi.decode(hookData, (Invoice, bytes));

        RefundReason reason = _check(inv, amount);
        if (reason != RefundReason.None) {
            _refundAll(currency, amount, bakongTxHash, inv, reason, bytes4(0));
            return;
        }
        // effect before the interaction: a reentrant or second payment of this invoice sees it paid
        _setPaid(inv.serial, true);
        (bool ok, uint256 spent, bytes4 fxError, bool routeOk) = _executeFx(inv, token, venueData);
        if (!ok) {
            _setPaid(inv.serial, false);
            _refundAll(
                currency,
                amount,
                bakongTxHash,
                inv,
                routeOk ? RefundReason.FxFailed : RefundReason.InvalidInvoice,
                fxError
            );
            return;
        }
        // spent <= inv.price <= amount: the venue and router cap their input at inv.price
        uint256 surplus = amount - spent;
        uint256 refundId = 0; // none when the payer paid exactly the KHQR amount
        if (surplus != 0) refundId = _refund(currency, surplus, bakongTxHash, inv.payerAccount);
        _emitSettled(bakongTxHash, inv, amount, spent, refundId);
    }

    /// @inheritdoc IInvoiceSettlement
    /// @dev The router's exact-out route with one pricing fewer. `FXRouter.swapExactOut` must quote every hop
    /// before it can pull the input (4 StableSwap pricings on two hops); here the first pool pulls its input from
    /// this contract itself (`FXPool.swapExactOut`: it prices, pays the next pool, then takes what it priced), so
    /// only the last hop is quoted ahead (3 pricings; 1 on one hop) and the router's frame is skipped: ~32k gas
    /// less per AMM settlement, for the issue #16 goal of <= 320,000 (docs/gas.md). Same pools (the router's
    /// registry), same prices (the payer pays exactly `FXRouter.quoteExactOut`, tested against it), same checks
    /// (each pool's own; `maxIn` bounds the input): only the intermediate hop pays the last pool exactly its price
    /// (the router's exact-in hop may overpay it by rounding units).
    function swapAmmExactOut(
        address tokenIn,
        uint256 amountOut,
        uint256 maxIn,
        address merchant,
        uint256 deadline
    ) external returns (uint256 amountIn) {
        if (msg.sender != address(this)) revert CallerNotSelf(msg.sender);
        IFXPool last = IFXPool(_poolOf(_JPYS));
        if (tokenIn == _HUB) {
            // [hub, JPYS]: sell the hub (coin 1) to the JPYS pool
            return last.swapExactOut(1, amountOut, maxIn, merchant, deadline);
        }
        // [token, hub, JPYS]: the first pool pays the hub straight into the last pool, which then pays the merchant
        IFXPool first = IFXPool(_poolOf(tokenIn));
        uint256 hubIn = last.getAmountIn(1, amountOut);
        amountIn = first.swapExactOut(0, hubIn, maxIn, address(last), deadline);
        // exactly hubIn was prepaid (the last pool's quote in this transaction): the pool prices it again itself
        // slither-disable-next-line unused-return
        last.swapPrepaidExactOut(1, amountOut, merchant);
    }

    /// @inheritdoc IInvoiceSettlement
    /// @dev A parked refund the bridge now refuses as not above its rejection fee goes to the payer's bank instead
    /// (returns 0 then); any other refusal reverts and the refund stays parked.
    function retryRefund(bytes32 bakongTxHash) external nonReentrant returns (uint256 refundId) {
        ParkedRefund memory p = _parked[bakongTxHash];
        if (p.amount == 0) revert NoParkedRefund(bakongTxHash);
        delete _parked[bakongTxHash];
        _owed[p.currency] -= p.amount;
        try _BRIDGE.redeem(p.currency, p.amount, p.payerAccount) returns (uint256 id) {
            refundId = id;
            emit ParkedRefundSent(bakongTxHash, refundId);
        } catch (bytes memory err) {
            if (bytes4(err) != IBakongBridge.AmountNotAboveRejectionFee.selector) _revertWith(err);
            _creditBank(p.currency, p.amount, bakongTxHash, bytes(p.payerAccount));
        }
    }

    /// @inheritdoc IInvoiceSettlement
    /// @dev The bridge sent the rejected escrow back here less its rejection fee; that amount (the fee read now, and
    /// never more than this contract holds beyond what it owes) is owed to the payer's bank from now on.
    function returnRejectedRefund(uint256 refundId) external nonReentrant returns (uint256 amount) {
        IBakongBridge.Redemption memory r = _BRIDGE.redemption(refundId);
        if (r.holder != address(this) || r.status != IBakongBridge.RedemptionStatus.Rejected) {
            revert NotRejectedRefund(refundId);
        }
        uint256 bit = 1 << (refundId & 0xff);
        if (_returned[refundId >> 8] & bit != 0) revert RefundAlreadyReturned(refundId);
        _returned[refundId >> 8] |= bit;
        // the fee alone: the bridge's uncollected fees do not concern this refund
        // slither-disable-next-line unused-return
        (uint256 fee,) = _BRIDGE.rejectionFeeOf(r.currency);
        amount = r.amount > fee ? r.amount - fee : 0;
        uint256 held = IERC20(_BRIDGE.tokenOf(r.currency)).balanceOf(address(this));
        uint256 free = held > _owed[r.currency] ? held - _owed[r.currency] : 0;
        if (amount > free) amount = free;
        bytes32 bank = _bankOf(abi.encodePacked(r.bakongAccountId));
        emit RejectedRefundReturned(refundId, r.currency, amount, r.bakongAccountId, bank);
        if (amount != 0) _credit(r.currency, bank, amount);
    }

    /// @inheritdoc IInvoiceSettlement
    function sweepBankReturns(uint16 currency, bytes32 bank) external nonReentrant returns (uint256 redemptionId) {
        uint256 amount = _bankReturns[currency][bank];
        if (amount == 0) revert NothingOwedToBank(currency, bank);
        delete _bankReturns[currency][bank];
        _owed[currency] -= amount;
        string memory account = string.concat("returns@", _text(bank));
        // reverts (and the amount stays owed) while the escrow refuses it, e.g. not above the rejection fee yet
        redemptionId = _BRIDGE.redeem(currency, amount, account);
        emit BankReturnsSwept(currency, bank, amount, redemptionId);
    }

    /// @inheritdoc IInvoiceSettlement
    function approveCurrency(uint16 currency) external {
        _approve(currency);
    }

    // ================================================================== views

    /// @inheritdoc IInvoiceSettlement
    function isPaid(uint64 serial) external view returns (bool) {
        return (_paid[serial >> 8] >> (serial & 0xff)) & 1 == 1;
    }

    /// @inheritdoc IInvoiceSettlement
    function bankReturns(uint16 currency, bytes32 bank) external view returns (uint256) {
        return _bankReturns[currency][bank];
    }

    /// @inheritdoc IInvoiceSettlement
    function isReturned(uint256 refundId) external view returns (bool) {
        return (_returned[refundId >> 8] >> (refundId & 0xff)) & 1 == 1;
    }

    /// @inheritdoc IInvoiceSettlement
    function parkedRefund(bytes32 bakongTxHash) external view returns (ParkedRefund memory) {
        return _parked[bakongTxHash];
    }

    /// @inheritdoc IInvoiceSettlement
    function bridge() external view returns (address) {
        return address(_BRIDGE);
    }

    /// @inheritdoc IInvoiceSettlement
    function venue() external view returns (address) {
        return address(_VENUE);
    }

    /// @inheritdoc IInvoiceSettlement
    function router() external view returns (address) {
        return address(_ROUTER);
    }

    /// @inheritdoc IInvoiceSettlement
    function jpys() external view returns (address) {
        return _JPYS;
    }

    // ================================================================== internals

    /// @dev The refund reasons that need no external call, in the order a payer would want them explained.
    function _check(Invoice memory inv, uint256 amount) private view returns (RefundReason) {
        if (
            inv.invoiceId == bytes32(0) || inv.merchant == address(0) || inv.amountOut == 0 || inv.price == 0
                || inv.midPrice == 0 || inv.venue == Venue.None
        ) return RefundReason.InvalidInvoice;
        if (block.timestamp > inv.windowEnd) return RefundReason.QuoteWindowClosed;
        if (amount < inv.price) return RefundReason.Underpaid;
        if ((_paid[inv.serial >> 8] >> (inv.serial & 0xff)) & 1 == 1) return RefundReason.AlreadyPaid;
        return RefundReason.None;
    }

    /// @dev Runs the reserved FX paying the merchant directly; `ok` false with the venue's revert selector when it
    /// refused, `routeOk` false when the route does not take `token` for JPYS (nothing called then).
    function _executeFx(Invoice memory inv, address token, bytes memory venueData)
        private
        returns (bool ok, uint256 spent, bytes4 fxError, bool routeOk)
    {
        if (inv.venue == Venue.Rfq) {
            (IRfqVenue.Quote memory q, bytes memory signature) = abi.decode(venueData, (IRfqVenue.Quote, bytes));
            if (q.tokenIn != token || q.tokenOut != _JPYS) return (false, 0, bytes4(0), false);
            (ok, spent, fxError) = _fillRfq(inv, q, signature);
        } else {
            address[] memory path = abi.decode(venueData, (address[]));
            if (!_isRoute(path, token)) return (false, 0, bytes4(0), false);
            (ok, spent, fxError) = _swapAmm(inv, path);
        }
        routeOk = true;
    }

    /// @dev Fills the reserved quote (taker: this contract) for exactly the invoice, paid to the merchant.
    function _fillRfq(Invoice memory inv, IRfqVenue.Quote memory q, bytes memory signature)
        private
        returns (bool, uint256, bytes4)
    {
        uint256 gasBefore = gasleft();
        try _VENUE.fillExactOut(q, signature, inv.amountOut, inv.price, inv.merchant, inv.invoiceId) returns (
            uint256 amountIn
        ) {
            return (true, amountIn, bytes4(0));
        } catch (bytes memory err) {
            return (false, 0, _selector(err, gasBefore));
        }
    }

    /// @dev Buys exactly the invoice on the pools for at most the KHQR amount (the bound), paid to the merchant,
    /// through {swapAmmExactOut} so that a failure of either hop undoes both.
    function _swapAmm(Invoice memory inv, address[] memory path) private returns (bool, uint256, bytes4) {
        uint256 gasBefore = gasleft();
        try this.swapAmmExactOut(path[0], inv.amountOut, inv.price, inv.merchant, inv.windowEnd) returns (
            uint256 amountIn
        ) {
            return (true, amountIn, bytes4(0));
        } catch (bytes memory err) {
            return (false, 0, _selector(err, gasBefore));
        }
    }

    /// @dev The revert selector of a failed FX call; reverts the whole mint if the call ran out of the gas the
    /// caller gave (EIP-150 keeps 1/64 here): a starved call must not pass for a venue's refusal.
    function _selector(bytes memory err, uint256 gasBefore) private view returns (bytes4 sel) {
        if (gasleft() <= gasBefore / 64) revert FxOutOfGas();
        sel = bytes4(err); // zero-padded when the venue reverted without data
    }

    function _emitSettled(bytes32 bakongTxHash, Invoice memory inv, uint256 deposit, uint256 spent, uint256 refundId)
        private
    {
        // both below 2^255 (token amounts); midPrice != 0 (checked)
        int256 spreadBps = (int256(spent) - int256(inv.midPrice)) * int256(BPS) / int256(inv.midPrice);
        emit InvoiceSettled(
            bakongTxHash,
            inv.invoiceId,
            inv.quoteId,
            inv.merchant,
            deposit,
            spent,
            inv.amountOut,
            deposit - spent,
            refundId,
            spreadBps,
            inv.origin
        );
    }

    function _refundAll(
        uint16 currency,
        uint256 amount,
        bytes32 bakongTxHash,
        Invoice memory inv,
        RefundReason reason,
        bytes4 fxError
    ) private {
        uint256 refundId = _refund(currency, amount, bakongTxHash, inv.payerAccount);
        emit InvoiceRefunded(bakongTxHash, inv.invoiceId, inv.quoteId, reason, fxError, amount, refundId, inv.origin);
    }

    /// @dev `amount` into the bridge's redemption escrow for `account`; owed to the payer's bank when it is not
    /// above the bridge's rejection fee (the escrow never takes it), parked when the escrow refuses it otherwise.
    function _refund(uint16 currency, uint256 amount, bytes32 bakongTxHash, string memory account)
        private
        returns (uint256 refundId)
    {
        try _BRIDGE.redeem(currency, amount, account) returns (uint256 id) {
            return id;
        } catch (bytes memory err) {
            if (bytes4(err) == IBakongBridge.AmountNotAboveRejectionFee.selector) {
                _creditBank(currency, amount, bakongTxHash, bytes(account));
                return 0;
            }
            // amount <= the bridge's per-message cap (uint64)
            _parked[bakongTxHash] = ParkedRefund(currency, uint240(amount), account);
            _owed[currency] += amount;
            emit RefundParked(bakongTxHash, currency, amount, bytes4(err));
            return 0;
        }
    }

    /// @dev Owes `amount` of the refund of `bakongTxHash` to the payer's bank (the bank part of `account`).
    function _creditBank(uint16 currency, uint256 amount, bytes32 bakongTxHash, bytes memory account) private {
        bytes32 bank = _bankOf(account);
        emit RefundOwedToBank(bakongTxHash, currency, amount, string(account), bank);
        _credit(currency, bank, amount);
    }

    function _credit(uint16 currency, bytes32 bank, uint256 amount) private {
        _bankReturns[currency][bank] += amount;
        _owed[currency] += amount;
    }

    /// @dev The bank code of a Bakong account id `name@bank` (left-aligned, zero-padded; the id was checked by the
    /// bridge or signed by the validators); the whole id when it has no at sign.
    function _bankOf(bytes memory account) private pure returns (bytes32 bank) {
        uint256 n = account.length;
        while (n > 0 && account[n - 1] == 0) --n; // a stored id is zero-padded
        uint256 at = n;
        for (uint256 i; i < n; ++i) {
            if (account[i] == "@") at = i;
        }
        uint256 start = at == n ? 0 : at + 1;
        for (uint256 i = start; i < n && i - start < 32; ++i) {
            bank |= bytes32(account[i]) >> ((i - start) * 8);
        }
    }

    /// @dev A left-aligned, zero-padded bytes32 as a string without the padding.
    function _text(bytes32 word) private pure returns (string memory) {
        uint256 n;
        while (n < 32 && word[n] != 0) ++n;
        bytes memory out = new bytes(n);
        for (uint256 i; i < n; ++i) {
            out[i] = word[i];
        }
        return string(out);
    }

    /// @dev Re-raises a caught revert as it was.
    function _revertWith(bytes memory err) private pure {
        assembly ("memory-safe") {
            revert(add(err, 0x20), mload(err))
        }
    }

    function _setPaid(uint64 serial, bool paid) private {
        uint256 bit = 1 << (serial & 0xff);
        if (paid) _paid[serial >> 8] |= bit;
        else _paid[serial >> 8] &= ~bit;
    }

    /// @dev Whether `path` is the router's route from `token` to JPYS: [hub, JPYS] or [token, hub, JPYS].
    function _isRoute(address[] memory path, address token) private view returns (bool) {
        if (path.length != (token == _HUB ? 2 : 3)) return false;
        return path[0] == token && path[path.length - 2] == _HUB && path[path.length - 1] == _JPYS;
    }

    /// @dev The router's registered pool for (`token`, hub).
    function _poolOf(address token) private view returns (address pool) {
        pool = _ROUTER.poolOf(token);
        if (pool == address(0)) revert IFXRouter.NoPool(token, _HUB);
    }

    /// @dev The venue, the bridge and the first pool of the token's route to JPYS (the router's pool for the token,
    /// or the JPYS pool for the hub) may pull the token; each pulls only from its caller.
    function _approve(uint16 currency) private {
        address token = _BRIDGE.tokenOf(currency);
        if (token == address(0)) revert UnknownCurrency(currency);
        IERC20(token).forceApprove(address(_VENUE), type(uint256).max);
        IERC20(token).forceApprove(address(_BRIDGE), type(uint256).max);
        address pool = _ROUTER.poolOf(token == _HUB ? _JPYS : token);
        if (pool != address(0)) {
            IERC20(token).forceApprove(pool, type(uint256).max);
        }
    }
}
