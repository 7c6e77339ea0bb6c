// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PackedStorage
/// @notice The two storage words a compliant transfer reads (one per account and one global config word), and the
/// allowance word that `transferFrom` reads.
/// This library is the only code that knows their layouts (the Circle FiatTokenV2_2 lesson: packing is fine when
/// one pair of accessors hides it).
/// @dev Why packed: the gas goal (a compliant transfer within ~2.2k gas of a plain OpenZeppelin ERC-20 behind a
/// proxy) leaves no room for a second per-account slot or more than one global slot.
///
/// Account word:
///   bits   0..111  balance        uint112  (the token caps totalSupply at 2^112-1, so no balance overflows)
///   bits 112..199  spent today    uint88   (base units sent on `day`; daily limits are capped below 2^88)
///   bits 200..223  day            uint24   (UTC day index block.timestamp / 1 days; lasts ~45,000 years)
///   bits 224..239  jurisdiction   uint16   (ISO 3166-1 numeric; 0 = none)
///   bits 240..247  tier           uint8    (0 = not verified)
///   bit  248       frozen
///   bits 249..255  unused (zero)
///
/// Config word:
///   bit        0   paused
///   bits   8..15   decimals (<= 18)
///   bits  16..87   tier 1 limits: per transfer (uint36, whole tokens) | daily (uint36, whole tokens)
///   bits  88..159  tier 2 limits
///   bits 160..231  tier 3 limits
///   bits 232..255  freeze epoch   uint24   (incremented by every freeze; see below)
/// A limit of 2^36-1 whole tokens (~6.9e10) means "unlimited". Tier 4 (institutional) has no limits by definition.
///
/// Allowance word (one per owner and spender):
///   bits   0..231  amount         uint232  (2^232-1 = INFINITE_ALLOWANCE: never decremented)
///   bits 232..255  spender epoch  uint24   (a freeze epoch at which the spender was seen not frozen)
///
/// Freeze epoch: `freeze` and `recover` (when it freezes the lost account) increment it; nothing else changes it,
/// and it never wraps (at 2^24-1 they revert instead). An allowance whose spender epoch equals the current epoch
/// has a spender that was not frozen at a moment when no freeze has happened since, so the spender is still not
/// frozen and `transferFrom` need not read the spender's account word (a cold SLOAD, 2,100 gas). Any other epoch
/// ("stale") makes `transferFrom` read it, refuse a frozen spender and refresh the epoch.
library PackedStorage {
    // ---------------------------------------------------------------- account word layout
    uint256 internal constant MAX_BALANCE = 0xffffffffffffffffffffffffffff; // 2^112 - 1
    uint256 internal constant MAX_SPENT = 0xffffffffffffffffffffff; // 2^88 - 1
    uint256 private constant _BALANCE_MASK = 0xffffffffffffffffffffffffffff;
    uint256 private constant _SPENT_SHIFT = 112;
    uint256 private constant _DAY_SHIFT = 200;
    uint256 private constant _DAY_MASK = 0xffffff;
    uint256 private constant _JURISDICTION_SHIFT = 224;
    uint256 private constant _TIER_SHIFT = 240;
    uint256 private constant _FROZEN_BIT = 0x0100000000000000000000000000000000000000000000000000000000000000; // 1 << 248
    /// @dev ~(bits 112..223): clears spent and day.
    uint256 private constant _CLEAR_SPENT_DAY =
        0xffffffff0000000000000000000000000000ffffffffffffffffffffffffffff;
    /// @dev ~(bits 224..247): clears jurisdiction and tier.
    uint256 private constant _CLEAR_KYC = 0xff000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    // ---------------------------------------------------------------- config word layout
    uint256 internal constant PAUSED_BIT = 1;
    uint256 internal constant UNLIMITED = 0xfffffffff; // 2^36 - 1 whole tokens
    uint256 internal constant MAX_FREEZE_EPOCH = 0xffffff; // 2^24 - 1
    uint256 private constant _DECIMALS_SHIFT = 8;
    uint256 private constant _LIMITS_SHIFT = 16;
    uint256 private constant _LIMIT_BITS = 36;
    uint256 private constant _TIER_LIMITS_BITS = 72;
    uint256 private constant _EPOCH_SHIFT = 232;
    uint256 private constant _INSTITUTIONAL_TIER = 4;

    // ---------------------------------------------------------------- allowance word layout
    /// @dev The amount field's all-ones value: an infinite allowance (type(uint256).max in the ERC-20 interface).
    uint256 internal constant INFINITE_ALLOWANCE = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffff; // 2^232-1

    /// @dev keccak256("Transfer(address,address,uint256)")
    uint256 private constant _TRANSFER_EVENT_SIGNATURE =
        0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef;

    // ---------------------------------------------------------------- account word

    function balance(uint256 word) internal pure returns (uint256) {
        return word & _BALANCE_MASK;
    }

    function tier(uint256 word) internal pure returns (uint256) {
        return (word >> _TIER_SHIFT) & 0xff;
    }

    function jurisdiction(uint256 word) internal pure returns (uint256) {
        return (word >> _JURISDICTION_SHIFT) & 0xffff;
    }

    function frozen(uint256 word) internal pure returns (bool) {
        return word & _FROZEN_BIT != 0;
    }

    /// @notice Base units sent on UTC day `today` (0 when the stored counter belongs to an earlier day).
    function spentOn(uint256 word, uint256 today) internal pure returns (uint256) {
        return ((word >> _DAY_SHIFT) & _DAY_MASK) == today ? (word >> _SPENT_SHIFT) & MAX_SPENT : 0;
    }

    /// @dev `spent` <= MAX_SPENT and `today` < 2^24 are the caller's guarantees.
    function withSpent(uint256 word, uint256 spent, uint256 today) internal pure returns (uint256) {
        return (word & _CLEAR_SPENT_DAY) | (spent << _SPENT_SHIFT) | (today << _DAY_SHIFT);
    }

    /// @dev Adds to the balance field; the caller guarantees the sum stays <= MAX_BALANCE.
    function credit(uint256 word, uint256 amount) internal pure returns (uint256) {
        // Σ balances == totalSupply <= MAX_BALANCE, so the sum never carries into the spent field.
        unchecked {
            return word + amount;
        }
    }

    /// @dev Subtracts from the balance field; the caller guarantees amount <= balance(word).
    function debit(uint256 word, uint256 amount) internal pure returns (uint256) {
        // amount <= balance: no borrow out of the balance field.
        unchecked {
            return word - amount;
        }
    }

    function withKyc(uint256 word, uint256 tier_, uint256 jurisdiction_) internal pure returns (uint256) {
        return (word & _CLEAR_KYC) | (tier_ << _TIER_SHIFT) | (jurisdiction_ << _JURISDICTION_SHIFT);
    }

    function withFrozen(uint256 word, bool frozen_) internal pure returns (uint256) {
        return frozen_ ? word | _FROZEN_BIT : word & ~_FROZEN_BIT;
    }

    function withBalance(uint256 word, uint256 balance_) internal pure returns (uint256) {
        return (word & ~_BALANCE_MASK) | balance_;
    }

    // ---------------------------------------------------------------- config word

    function newConfig(uint8 decimals_) internal pure returns (uint256) {
        return uint256(decimals_) << _DECIMALS_SHIFT;
    }

    function paused(uint256 config) internal pure returns (bool) {
        return config & PAUSED_BIT != 0;
    }

    function decimals(uint256 config) internal pure returns (uint8) {
        return uint8(config >> _DECIMALS_SHIFT);
    }

    /// @notice 10^decimals, the size of one whole token in base units.
    function scale(uint256 config) internal pure returns (uint256 result) {
        // decimals <= 18 (checked at initialization): 10^18 fits, and the unchecked form is one EXP instead of
        // Solidity's checked exponentiation loop.
        unchecked {
            result = 10 ** ((config >> _DECIMALS_SHIFT) & 0xff);
        }
    }

    /// @notice Limits of limited tier `tier_` (1..3) in whole tokens (UNLIMITED = none).
    function limitsOf(uint256 config, uint256 tier_) internal pure returns (uint256 perTransfer, uint256 daily) {
        uint256 packed = config >> (_LIMITS_SHIFT + (tier_ - 1) * _TIER_LIMITS_BITS);
        return (packed & UNLIMITED, (packed >> _LIMIT_BITS) & UNLIMITED);
    }

    /// @dev Replaces the limits of tier `tier_` (1..3); both values are whole tokens <= UNLIMITED.
    function withLimits(uint256 config, uint256 tier_, uint256 perTransfer, uint256 daily)
        internal
        pure
        returns (uint256)
    {
        uint256 shift = _LIMITS_SHIFT + (tier_ - 1) * _TIER_LIMITS_BITS;
        return (config & ~(uint256((1 << _TIER_LIMITS_BITS) - 1) << shift))
            | ((perTransfer | (daily << _LIMIT_BITS)) << shift);
    }

    /// @notice The freeze epoch: how many freezes the token has seen (see the layout notes above).
    function freezeEpoch(uint256 config) internal pure returns (uint256) {
        return config >> _EPOCH_SHIFT;
    }

    /// @dev Replaces the freeze epoch; the caller guarantees `epoch` <= MAX_FREEZE_EPOCH.
    function withFreezeEpoch(uint256 config, uint256 epoch) internal pure returns (uint256) {
        return (config & ((1 << _EPOCH_SHIFT) - 1)) | (epoch << _EPOCH_SHIFT);
    }

    // ---------------------------------------------------------------- allowance word

    /// @notice The allowance amount (INFINITE_ALLOWANCE = infinite).
    function allowanceAmount(uint256 word) internal pure returns (uint256) {
        return word & INFINITE_ALLOWANCE;
    }

    /// @notice The freeze epoch at which the spender was last seen not frozen (or a past epoch: re-check).
    function spenderEpoch(uint256 word) internal pure returns (uint256) {
        return word >> _EPOCH_SHIFT;
    }

    /// @dev `amount` <= INFINITE_ALLOWANCE and `epoch` <= MAX_FREEZE_EPOCH are the caller's guarantees.
    function newAllowance(uint256 amount, uint256 epoch) internal pure returns (uint256) {
        return amount | (epoch << _EPOCH_SHIFT);
    }

    // ---------------------------------------------------------------- the transfer fast path

    /// @notice Moves `value` from `from` to `to` when every check passes, emitting Transfer; returns false (having
    /// changed nothing) otherwise, so the caller can run the readable Solidity path that names the failed check.
    /// With `endCall` set, a successful transfer ends the external call itself, returning ABI-encoded `true`
    /// (for `transfer`, whose only remaining work would be that return).
    /// @dev The specification is the Solidity path, CompliantToken._transferChecked: this fast path mirrors it and
    /// must never accept a transfer that path refuses, nor refuse one it accepts (it only hands that transfer over,
    /// and the Solidity path then accepts it). What both accept today: not paused, `to` non-zero, both accounts
    /// verified and not frozen, balance >= value, and for tiers 1..3 the per-transfer and today's daily limit unless
    /// `from == to` (a self-transfer moves no value, so it neither counts towards nor is refused by a limit). Both
    /// paths are tested to give the same state and events (tests/shared/test_transfer_paths.py, through
    /// CompliantTokenHarness's reference-path entry points). A new transfer rule goes into the Solidity path first,
    /// then here, then into that differential test (docs/stablecoin.md, "Adding a transfer rule").
    /// Why it exists: it is hand-written in assembly for the gas goal (transfer <= 41,400 gas through the proxy,
    /// measured by `make gas`); the Solidity path alone misses it, so the fast path stays only while that holds.
    /// The slots are passed as numbers (the accounts mapping's slot and the config word's slot) so that no storage
    /// pointer arithmetic runs on the hot path.
    function tryTransfer(uint256 accountsSlot, uint256 configSlot, address from, address to, uint256 value, bool endCall)
        internal
        returns (bool done)
    {
        assembly ("memory-safe") {
            mstore(0x20, accountsSlot)
            mstore(0x00, from)
            let fromSlot := keccak256(0x00, 0x40)
            let fromWord := sload(fromSlot)
            mstore(0x00, to)
            let toSlot := keccak256(0x00, 0x40)
            let toWord := sload(toSlot)
            let config := sload(configSlot)
            // Bits 249..255 are always zero, so `word >> 240` is tier | frozen << 8: it lies in 1..255 exactly when
            // the account is verified and not frozen. The zero address is never verified (setKyc refuses it), so
            // this also rejects to == address(0).
            let fromMeta := shr(_TIER_SHIFT, fromWord)
            // active sender and receiver, not paused, balance >= value
            if and(
                and(lt(sub(fromMeta, 1), 0xff), lt(sub(shr(_TIER_SHIFT, toWord), 1), 0xff)),
                iszero(or(and(config, PAUSED_BIT), gt(value, and(fromWord, _BALANCE_MASK))))
            ) {
                // `exceeded` stays 0 for tier 4 (institutional; frozen was excluded above) and for a self-transfer
                // (from == to moves no value: neither limit applies, today's counter is not touched). The product is
                // non-zero exactly when the tier is limited and xor(from, to) != 0.
                let exceeded := 0
                if mul(lt(fromMeta, _INSTITUTIONAL_TIER), xor(from, to)) {
                    // tier t's limits start at bit 16 + 72 (t - 1) = 72 t - 56
                    let packed := shr(sub(mul(fromMeta, _TIER_LIMITS_BITS), 56), config)
                    let unit := exp(10, and(shr(_DECIMALS_SHIFT, config), 0xff))
                    let perTransfer := and(packed, UNLIMITED)
                    // value <= balance < 2^112 and limits < 2^36 * 10^18 < 2^96: no overflow below
                    if lt(perTransfer, UNLIMITED) { exceeded := gt(value, mul(perTransfer, unit)) }
                    let daily := and(shr(_LIMIT_BITS, packed), UNLIMITED)
                    if lt(daily, UNLIMITED) {
                        let today := div(timestamp(), 86400)
                        // spent counts only if it belongs to today
                        let total := add(
                            value,
                            mul(
                                eq(and(shr(_DAY_SHIFT, fromWord), _DAY_MASK), today),
                                and(shr(_SPENT_SHIFT, fromWord), MAX_SPENT)
                            )
                        )
                        exceeded := or(exceeded, gt(total, mul(daily, unit)))
                        fromWord := or(and(fromWord, _CLEAR_SPENT_DAY), or(shl(_SPENT_SHIFT, total), shl(_DAY_SHIFT, today)))
                    }
                }
                if iszero(exceeded) {
                    // value <= balance: the subtraction stays inside the balance field
                    fromWord := sub(fromWord, value)
                    sstore(fromSlot, fromWord)
                    // self-transfer: the receiver word is the sender word just written
                    if eq(from, to) { toWord := fromWord }
                    // Σ balances == totalSupply <= MAX_BALANCE: the addition stays inside the balance field
                    sstore(toSlot, add(toWord, value))
                    mstore(0x00, value)
                    log3(0x00, 0x20, _TRANSFER_EVENT_SIGNATURE, from, to)
                    if endCall {
                        mstore(0x00, 1)
                        // Slither's incorrect-return is a false positive here: this return runs only when `endCall`
                        // is true, which only CompliantToken.transfer passes (ABI-encoded `true` is exactly what
                        // transfer returns); every other caller passes false and gets `done` back.
                        // slither-disable-next-line incorrect-return
                        return(0x00, 0x20)
                    }
                    done := 1
                }
            }
        }
    }
}
