// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFXAggregatorV3} from "../../interfaces/IFXAggregatorV3.sol";

/// @title MockFXAggregator
/// @notice Test-only Chainlink-style aggregator whose answer and timestamp anyone can set, to reach
///         consumer paths a well-behaved {FXFeed} never produces (zero, negative, huge answers).
contract MockFXAggregator is IFXAggregatorV3 {
    uint8 public immutable decimals;
    int256 public answer;
    uint256 public updatedAt;

    constructor(uint8 decimals_, int256 answer_) {
        decimals = decimals_;
        set(answer_, block.timestamp);
    }

    /// @notice Sets the answer and its timestamp.
    function set(int256 answer_, uint256 updatedAt_) public {
        answer = answer_;
        updatedAt = updatedAt_;
    }

    /// @inheritdoc IFXAggregatorV3
    function description() external pure returns (string memory) {
        return "MOCK / USD";
    }

    /// @inheritdoc IFXAggregatorV3
    function version() external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IFXAggregatorV3
    function getRoundData(uint80) external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, answer, updatedAt, updatedAt, 1);
    }

    /// @inheritdoc IFXAggregatorV3
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, answer, updatedAt, updatedAt, 1);
    }
}
