// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MockRfqFeed
/// @notice Test-only Chainlink AggregatorV3-compatible feed with a settable answer (the market maker's
/// mid source in tests; real deployments read the exchange family's feeds or Chainlink's).
contract MockRfqFeed {
    uint8 public immutable decimals;
    string public description;
    int256 private _answer;
    uint256 private _updatedAt;
    uint80 private _roundId;

    constructor(uint8 decimals_, string memory description_, int256 answer_) {
        decimals = decimals_;
        description = description_;
        setAnswer(answer_);
    }

    /// @notice Publishes a new answer now.
    function setAnswer(int256 answer_) public {
        _answer = answer_;
        _updatedAt = block.timestamp;
        _roundId += 1;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _updatedAt, _updatedAt, _roundId);
    }
}
