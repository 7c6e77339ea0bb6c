// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFXAggregatorV3
/// @notice Chainlink's AggregatorV3Interface, function for function (same selectors and return
///         tuples), under a project-unique name. Consumers written against Chainlink work unchanged,
///         and a real Chainlink feed can stand in for an {IFXFeed}.
interface IFXAggregatorV3 {
    /// @notice Number of decimals of `answer`.
    /// @return Decimals of the answers.
    function decimals() external view returns (uint8);

    /// @notice Human-readable pair, e.g. "JPY / USD".
    /// @return The pair's description.
    function description() external view returns (string memory);

    /// @notice Implementation version.
    /// @return The version number.
    function version() external view returns (uint256);

    /// @notice The round `roundId`; reverts if the round does not exist.
    /// @param roundId The round asked for.
    /// @return roundId_ The round's id.
    /// @return answer The rate: USD per unit of the currency, `decimals()` decimals.
    /// @return startedAt When the round started.
    /// @return updatedAt When the answer was published.
    /// @return answeredInRound The round in which the answer was computed (`< roundId_` while a round is in progress).
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice The latest round.
    /// @return roundId The latest round's id.
    /// @return answer The rate: USD per unit of the currency, `decimals()` decimals.
    /// @return startedAt When the round started.
    /// @return updatedAt When the answer was published.
    /// @return answeredInRound The round in which the answer was computed (`< roundId` while a round is in progress).
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
