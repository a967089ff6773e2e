// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IInferenceConsumer
/// @notice What the hub calls on a consumer contract. Calls are made with a gas cap chosen at request time; a
/// reverting or gas-hungry consumer only loses its own callback (the hub records the failure and carries on).
interface IInferenceConsumer {
    /// @notice Fast-path result (unverified yet). Only called if the request asked for it.
    function onResult(uint256 requestId, int256[] calldata output) external;

    /// @notice Final, verified result. `output` is the settled output (the proven one if it differed).
    function onSettled(uint256 requestId, int256[] calldata output) external;
}
