// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRequestWindows
/// @notice What a node registry needs to know of its hub: how long stake can stay at risk on one request. The
/// registry's unbonding delay must exceed it (checked by both contracts on every change of either side), so stake
/// counted in a request's electorate, or liable for its result or proof, is still there when the request ends.
interface IRequestWindows {
    /// @notice The longest time, in seconds, from the electorate snapshot a request may use to its last deadline:
    /// electorateEpoch + maxResultTimeout + maxProofTimeout + attestationWindow.
    function longestWindow() external view returns (uint256);
}
