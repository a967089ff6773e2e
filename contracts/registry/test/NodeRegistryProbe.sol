// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRegistry} from "../NodeRegistry.sol";
import {NodeRole} from "../../types/Types.sol";

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

    function updateDuties(NodeRole role, address released, address assigned) external {
        registry.updateDuties(role, released, assigned);
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
