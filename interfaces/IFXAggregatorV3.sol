// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFXAggregatorV3
/// @notice Chainlink's AggregatorV3Interface, function for function (same selectors and return
///         tuples), under a project-unique name. Consumers written against Chainlink work unchanged,
///         and a real Chainlink feed can stand in for an {IFXFeed}.
interface IFXAggregatorV3 {
    /// @notice Number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable pair, e.g. "JPY / USD".
    function description() external view returns (string memory);

    /// @notice Implementation version.
    function version() external view returns (uint256);

    /// @notice The round `roundId`; reverts if the round does not exist.
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
