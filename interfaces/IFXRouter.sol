// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IFXRouter
/// @notice Multi-hop swaps over {IFXPool}s through the USD hub token. A path is a list of tokens
///         where every hop has the hub on one side: [JPY, USD], [USD, KHR], [JPY, USD, KHR].
///         The payer is always `msg.sender` (it approves the router); the recipient is separate.
interface IFXRouter {
    /// @notice `payer` swapped `amountIn` of `tokenIn` for `amountOut` of `tokenOut` paid to
    ///         `recipient`. `midOut` is `amountIn` converted at the oracle mid rates (no fee, no
    ///         curve) and `deviationBps` = (midOut - amountOut) * 10000 / midOut: positive when the
    ///         payer received less than mid (fee + price impact), negative when better.
    event Swapped(
        address indexed payer,
        address indexed recipient,
        bytes32 indexed paymentReference,
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 amountOut,
        uint256 midOut,
        int256 deviationBps
    );
    /// @notice The admin registered `pool` for the pair (`token`, hub).
    event PoolSet(address indexed token, address indexed pool);

    error DeadlinePassed(uint256 deadline);
    error InvalidPath();
    error NoPool(address tokenIn, address tokenOut);
    error ZeroAmount();
    error ZeroAddress();
    error InsufficientOutput(uint256 amountOut, uint256 minOut);
    error ExcessiveInput(uint256 amountIn, uint256 maxIn);
    error PoolHubMismatch(address pool, address hub);

    /// @notice The USD hub token every pool quotes against.
    /// @return The hub token's address.
    function hub() external view returns (address);

    /// @notice The pool for (`token`, hub), or address(0).
    /// @param token A non-hub token.
    /// @return The pool's address, or zero.
    function poolOf(address token) external view returns (address);

    /// @notice Output of selling `amountIn` of `path[0]` along `path`.
    /// @param path Tokens from the one sold to the one bought, each pair meeting in a registered pool.
    /// @param amountIn Amount of `path[0]` sold.
    /// @return amountOut Output of the last token.
    function quoteExactIn(address[] calldata path, uint256 amountIn) external view returns (uint256 amountOut);

    /// @notice Input of `path[0]` needed to receive `amountOut` of the last token of `path`.
    /// @param path Tokens from the one sold to the one bought, each pair meeting in a registered pool.
    /// @param amountOut Amount of the last token bought.
    /// @return amountIn Input of `path[0]`.
    function quoteExactOut(address[] calldata path, uint256 amountOut) external view returns (uint256 amountIn);

    /// @notice `amountIn` of `path[0]` converted at the oracle mid rates along `path`.
    /// @param path Tokens from the one sold to the one bought, each pair meeting in a registered pool.
    /// @param amountIn Amount of `path[0]` sold.
    /// @return amountOut Output at the mid rates, no fee, no curve.
    function quoteMid(address[] calldata path, uint256 amountIn) external view returns (uint256 amountOut);

    /// @notice Sells exactly `amountIn` of `path[0]` (from `msg.sender`) for at least `minOut` of the
    ///         last token, paid to `recipient`. `paymentReference` is echoed in {Swapped} (invoice id).
    /// @param path Tokens from the one sold to the one bought, each pair meeting in a registered pool.
    /// @param amountIn Amount of `path[0]` sold.
    /// @param minOut Least output accepted (slippage bound).
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the swap may execute.
    /// @param paymentReference Invoice id echoed in {Swapped} (any bytes32).
    /// @return amountOut Output paid to `recipient`.
    function swapExactIn(
        address[] calldata path,
        uint256 amountIn,
        uint256 minOut,
        address recipient,
        uint256 deadline,
        bytes32 paymentReference
    ) external returns (uint256 amountOut);

    /// @notice Buys exactly `amountOut` of the last token of `path` for at most `maxIn` of `path[0]`.
    /// @param path Tokens from the one sold to the one bought, each pair meeting in a registered pool.
    /// @param amountOut Amount of the last token bought.
    /// @param maxIn Most input accepted (slippage bound).
    /// @param recipient Receiver of the output (non-zero).
    /// @param deadline Last timestamp at which the swap may execute.
    /// @param paymentReference Invoice id echoed in {Swapped} (any bytes32).
    /// @return amountIn Input taken from the caller.
    function swapExactOut(
        address[] calldata path,
        uint256 amountOut,
        uint256 maxIn,
        address recipient,
        uint256 deadline,
        bytes32 paymentReference
    ) external returns (uint256 amountIn);

    /// @notice Registers `pool` (whose coin 1 must be the hub) for its coin 0 (DEFAULT_ADMIN_ROLE).
    /// @param pool An FXPool whose coin 1 is the hub.
    function setPool(address pool) external;
}
