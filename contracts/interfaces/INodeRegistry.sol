// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRole} from "../types/Types.sol";

/// @title INodeRegistry
/// @notice Executors, provers and verification nodes stake native token per role. Stake leaves only after an
/// unbonding delay; only the hub slashes. Slashed value is sent to the hub, which accounts for it.
interface INodeRegistry {
    error NodeRegistryStakeTooLow(NodeRole role, uint256 stake, uint256 minimum);
    error NodeRegistryNotRegistered(address node, NodeRole role);
    error NodeRegistryAlreadyRegistered(address node, NodeRole role);
    error NodeRegistryUnbondingTooLarge(uint256 requested, uint256 available);
    error NodeRegistryUnbondingNotReady(uint256 readyAt, uint256 now_);
    error NodeRegistryNothingToWithdraw(address node, NodeRole role);
    error NodeRegistryOnlyHub(address caller);
    error NodeRegistryHubAlreadySet();
    error NodeRegistryTransferFailed(address to, uint256 amount);

    event NodeRegistered(address indexed node, NodeRole indexed role, uint256 stake);
    event StakeIncreased(address indexed node, NodeRole indexed role, uint256 amount, uint256 stake);
    event UnbondingStarted(address indexed node, NodeRole indexed role, uint256 amount, uint256 readyAt);
    event UnbondedWithdrawn(address indexed node, NodeRole indexed role, uint256 amount);
    event NodeSlashed(address indexed node, NodeRole indexed role, uint256 amount, bytes32 indexed reason);
    event NodeDeactivated(address indexed node, NodeRole indexed role);
    event HubSet(address indexed hub);

    /// @notice Register the caller for `role` with msg.value as stake (at least minStake(role)).
    function register(NodeRole role) external payable;

    /// @notice Add msg.value to the caller's stake for `role`.
    function increaseStake(NodeRole role) external payable;

    /// @notice Move `amount` of the caller's stake into unbonding; it can be withdrawn after unbondingDelay().
    /// A node whose remaining bonded stake falls below the minimum stops being eligible for new work.
    function beginUnbonding(NodeRole role, uint256 amount) external;

    /// @notice Withdraw the caller's unbonded stake for `role` once the delay has passed (pull payment).
    function withdrawUnbonded(NodeRole role) external;

    /// @notice Hub-only: take up to `amount` from the node's stake for `role` (bonded first, then unbonding) and send
    /// it to the hub. Returns what was actually taken. `reason` is an indexed tag for monitoring.
    function slash(address node, NodeRole role, uint256 amount, bytes32 reason) external returns (uint256 slashed);

    /// @notice True if `node` is registered for `role` with bonded stake >= minStake(role).
    function isEligible(address node, NodeRole role) external view returns (bool);

    /// @notice Bonded stake of `node` for `role`.
    function stakeOf(address node, NodeRole role) external view returns (uint256);

    /// @notice Sum of bonded stake of eligible nodes for `role` (used for stake-weighted quorums).
    function totalEligibleStake(NodeRole role) external view returns (uint256);

    /// @notice Number of eligible nodes for `role` and the node at `index` (the hub assigns executors over this list).
    function eligibleCount(NodeRole role) external view returns (uint256);
    function eligibleAt(NodeRole role, uint256 index) external view returns (address);

    function minStake(NodeRole role) external view returns (uint256);
    function unbondingDelay() external view returns (uint256);
    function hub() external view returns (address);
}
