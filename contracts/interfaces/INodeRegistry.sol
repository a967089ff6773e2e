// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRole} from "../types/Types.sol";

/// @title INodeRegistry
/// @notice Executors, provers and verification nodes stake native token per role. Stake leaves only after an
/// unbonding delay that exceeds the hub's longest request window, and not while the node holds an open duty (a
/// request it must still deliver or prove); only the hub slashes. Every role's counted stake is checkpointed by
/// timestamp, so a quorum can weigh votes and set its pass mark from one fixed electorate (`stakeAt`,
/// `totalStakeAt`). Slashed value is sent to the hub, which accounts for it.
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
    /// @notice Stake cannot leave while the node owes a result or a proof on an open request.
    error NodeRegistryDutiesOpen(address node, NodeRole role, uint256 openDuties);
    /// @notice A checkpoint lookup at the current time or later (not final yet).
    error NodeRegistryFutureLookup(uint256 timepoint, uint256 now_);
    /// @notice The unbonding delay must exceed the hub's longest request window (`IInferenceHub.longestWindow`).
    error NodeRegistryUnbondingDelayTooShort(uint256 delay, uint256 longestWindow);
    /// @notice The node was suspended (silent verification node) and may not come back before `until`.
    error NodeRegistrySuspended(address node, NodeRole role, uint256 until);
    error NodeRegistryNotSuspended(address node, NodeRole role);

    event NodeRegistered(address indexed node, NodeRole indexed role, uint256 stake);
    event StakeIncreased(address indexed node, NodeRole indexed role, uint256 amount, uint256 stake);
    event UnbondingStarted(address indexed node, NodeRole indexed role, uint256 amount, uint256 readyAt);
    event UnbondedWithdrawn(address indexed node, NodeRole indexed role, uint256 amount);
    event NodeSlashed(address indexed node, NodeRole indexed role, uint256 amount, bytes32 indexed reason);
    event NodeDeactivated(address indexed node, NodeRole indexed role);
    event HubSet(address indexed hub);
    /// @notice The number of open requests `node` owes a result (Executor) or a proof (Prover) on changed.
    event DutiesChanged(address indexed node, NodeRole indexed role, uint256 openDuties);
    /// @notice The hub suspended `node` for `role` (it stayed silent) until `until`; `reinstate` after that.
    event NodeSuspended(address indexed node, NodeRole indexed role, uint256 until);
    event NodeReinstated(address indexed node, NodeRole indexed role);

    /// @notice Register the caller for `role` with msg.value as stake (at least minStake(role)).
    function register(NodeRole role) external payable;

    /// @notice Add msg.value to the caller's stake for `role`.
    function increaseStake(NodeRole role) external payable;

    /// @notice Move `amount` of the caller's stake into unbonding; it can be withdrawn after unbondingDelay() and
    /// once the node owes nothing on open requests. A node whose remaining bonded stake falls below the minimum
    /// stops being eligible for new work.
    function beginUnbonding(NodeRole role, uint256 amount) external;

    /// @notice Withdraw the caller's unbonded stake for `role` once the delay has passed and no duty is open.
    function withdrawUnbonded(NodeRole role) external;

    /// @notice A suspended node comes back once its suspension is over (eligible again if it has the minimum).
    function reinstate(NodeRole role) external;

    /// @notice Hub-only: take up to `amount` from the node's stake for `role` (bonded first, then unbonding) and send
    /// it to the hub. Returns what was actually taken. `reason` is an indexed tag for monitoring.
    function slash(address node, NodeRole role, uint256 amount, bytes32 reason) external returns (uint256 slashed);

    /// @notice A net change of `node`'s open duties for `role` (negative: released).
    struct DutyChange {
        address node;
        NodeRole role;
        int32 delta;
    }

    /// @notice Hub-only: apply each net change of open duties (the hub nets the moves of one call per node and role).
    /// Reverts if a count would go below zero (the hub releases only what it assigned).
    function adjustDuties(DutyChange[] calldata changes) external;

    /// @notice Hub-only: suspend `node` for `role` until `until` (not eligible; cannot come back before then).
    function suspend(address node, NodeRole role, uint256 until) external;

    /// @notice True if `node` is registered for `role`, not suspended, with bonded stake >= minStake(role).
    function isEligible(address node, NodeRole role) external view returns (bool);

    /// @notice Bonded stake of `node` for `role`.
    function stakeOf(address node, NodeRole role) external view returns (uint256);

    /// @notice The stake `node` counted for `role` at `timepoint` (a past timestamp): its bonded stake while it was
    /// eligible, else 0.
    function stakeAt(address node, NodeRole role, uint256 timepoint) external view returns (uint256);

    /// @notice True if `node` is registered for `role` (it may hold less than the minimum).
    function isRegistered(address node, NodeRole role) external view returns (bool);

    /// @notice Stake of `node` for `role` waiting out the unbonding delay, and when it can be withdrawn.
    function unbondingOf(address node, NodeRole role) external view returns (uint256 amount, uint256 readyAt);

    /// @notice Whether `node` is suspended for `role`, and until when.
    function suspendedUntil(address node, NodeRole role) external view returns (bool suspended, uint256 until);

    /// @notice Sum of counted stake for `role` at `timepoint` (a past timestamp).
    function totalStakeAt(NodeRole role, uint256 timepoint) external view returns (uint256);

    /// @notice Sum of bonded stake of eligible nodes for `role` now.
    function totalEligibleStake(NodeRole role) external view returns (uint256);

    /// @notice Open requests `node` owes a result or proof on, for `role`.
    function dutiesOf(address node, NodeRole role) external view returns (uint256);

    /// @notice Number of eligible nodes for `role` and the node at `index` (the hub assigns executors over this list).
    function eligibleCount(NodeRole role) external view returns (uint256);
    function eligibleAt(NodeRole role, uint256 index) external view returns (address);

    function minStake(NodeRole role) external view returns (uint256);
    function unbondingDelay() external view returns (uint256);
    function hub() external view returns (address);
}
