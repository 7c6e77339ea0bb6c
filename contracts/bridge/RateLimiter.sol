// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RateLimiter
/// @notice A token bucket in one storage slot (CCIP `RateLimiter`): it holds up to `capacity` units and refills
/// linearly at `refillPerSecond`; a flow takes from it and, when refunded, gives back (Wormhole NTT).
/// @dev `tokens` is the level as of `updatedAt`; every operation first refills to now. Amounts are bounded by the
/// caller (the bridge caps every message at a uint64 `maxPerMessage`), levels by `capacity` (uint64).
library RateLimiter {
    /// @dev `tokens` as of `updatedAt`, refilled linearly up to `capacity`.
    struct Bucket {
        uint64 capacity;
        uint64 refillPerSecond;
        uint64 tokens;
        uint40 updatedAt;
    }

    /// @notice `amount` of `currency` exceeds what the token bucket holds now (`available`).
    error RateLimitExceeded(uint16 currency, uint256 amount, uint256 available);

    /// @dev Removes `amount` from the bucket after refilling it, or reverts with what it holds.
    function _take(Bucket storage b, uint16 currency, uint256 amount) internal {
        uint256 available = _available(b);
        if (amount > available) revert RateLimitExceeded(currency, amount, available);
        // available <= capacity (uint64) and amount <= available
        b.tokens = uint64(available - amount);
        b.updatedAt = uint40(block.timestamp);
    }

    /// @dev Gives `amount` back to the bucket after refilling it, capped at its capacity: a refunded redemption
    /// never left Bakong's omnibus account (Wormhole NTT refills a bucket with the opposite flow).
    function _refill(Bucket storage b, uint256 amount) internal {
        uint256 level = _available(b) + amount;
        uint256 capacity = b.capacity;
        // capped at capacity (uint64)
        b.tokens = uint64(level < capacity ? level : capacity);
        b.updatedAt = uint40(block.timestamp);
    }

    /// @dev Refills under the old rate, then clamps to the new capacity (CCIP `_setTokenBucketConfig`).
    /// A new bucket starts full.
    function _resize(Bucket storage b, uint64 capacity, uint64 refillPerSecond) internal {
        uint256 level = b.updatedAt == 0 ? capacity : _available(b);
        b.capacity = capacity;
        b.refillPerSecond = refillPerSecond;
        // level <= capacity after the clamp, so it fits uint64
        b.tokens = uint64(level < capacity ? level : capacity);
        b.updatedAt = uint40(block.timestamp);
    }

    /// @dev What the bucket holds now.
    function _available(Bucket storage b) internal view returns (uint256) {
        uint256 filled = b.tokens + (block.timestamp - b.updatedAt) * b.refillPerSecond;
        return filled < b.capacity ? filled : b.capacity;
    }
}
