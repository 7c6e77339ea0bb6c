// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ReentrantCaller
/// @notice Test-only attacker: a hook (for example {HookERC20} or {HookBridgeToken}) calls {fire} mid-transfer,
/// and the caller replays the calls it was given, in order, as itself. The first failing call's revert data is
/// bubbled up unchanged, so the hook records the exact error the victim contract raised.
contract ReentrantCaller {
    address[] private _targets;
    bytes[] private _calls;

    /// @notice Sets the calls {fire} makes (replacing earlier ones).
    function setCalls(address[] calldata targets, bytes[] calldata calls) external {
        require(targets.length == calls.length);
        delete _targets;
        delete _calls;
        for (uint256 k; k < targets.length; ++k) {
            _targets.push(targets[k]);
            _calls.push(calls[k]);
        }
    }

    /// @notice Makes every configured call; bubbles the first revert.
    function fire() external {
        for (uint256 k; k < _targets.length; ++k) {
            (bool ok, bytes memory ret) = _targets[k].call(_calls[k]);
            if (!ok) {
                assembly {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
    }

    /// @notice Calls `to` with `callData` (test plumbing: approvals; anyone may call).
    function exec(address to, bytes calldata callData) external returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.call(callData);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}
