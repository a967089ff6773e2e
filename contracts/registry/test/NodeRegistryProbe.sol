// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRegistry} from "../NodeRegistry.sol";
import {NodeRole} from "../../types/Types.sol";
import {INodeRegistry} from "../../interfaces/INodeRegistry.sol";

/// @notice Test-only node (and hub) that misbehaves when paid: it either refuses the payment or tries to re-enter the
/// registry, recording what the registry answered. Used to check the transfer-failure and reentrancy paths. As a hub
/// it forwards the hub-only calls and reports a settable longestWindow (the registry checks its unbonding delay
/// against it).
contract NodeRegistryProbe {
    enum OnReceive {
        Accept,
        Reject,
        Reenter
    }

    NodeRegistry public immutable registry;
    OnReceive public onReceive;
    bytes public reentryError;
    uint256 public longestWindow;

    constructor(NodeRegistry registry_) {
        registry = registry_;
    }

    function setOnReceive(OnReceive mode) external {
        onReceive = mode;
    }

    function register(NodeRole role) external payable {
        registry.register{value: msg.value}(role);
    }

    function beginUnbonding(NodeRole role, uint256 amount) external {
        registry.beginUnbonding(role, amount);
    }

    function withdrawUnbonded(NodeRole role) external {
        registry.withdrawUnbonded(role);
    }

    function slash(address node, NodeRole role, uint256 amount) external returns (uint256) {
        return registry.slash(node, role, amount, "probe");
    }

    function setLongestWindow(uint256 window) external {
        longestWindow = window;
    }

    function hubSlash(address node, NodeRole role, uint256 amount, bytes32 reason) external returns (uint256) {
        return registry.slash(node, role, amount, reason);
    }

    /// @dev The hub's single move, as the hub's DutyBuffer would net it: -1 for `released`, +1 for `assigned`.
    function updateDuties(NodeRole role, address released, address assigned) external {
        uint256 n = (released != address(0) ? 1 : 0) + (assigned != address(0) ? 1 : 0);
        INodeRegistry.DutyChange[] memory changes = new INodeRegistry.DutyChange[](n);
        uint256 i;
        if (released != address(0)) changes[i++] = INodeRegistry.DutyChange(released, role, -1);
        if (assigned != address(0)) changes[i++] = INodeRegistry.DutyChange(assigned, role, 1);
        registry.adjustDuties(changes);
    }

    function adjustDuties(INodeRegistry.DutyChange[] calldata changes) external {
        registry.adjustDuties(changes);
    }

    function suspend(address node, NodeRole role, uint256 until) external {
        registry.suspend(node, role, until);
    }

    receive() external payable {
        if (onReceive == OnReceive.Reject) revert("probe rejects payment");
        if (onReceive == OnReceive.Reenter) {
            try registry.withdrawUnbonded(NodeRole.Executor) {} catch (bytes memory err) {
                reentryError = err;
            }
        }
    }
}
