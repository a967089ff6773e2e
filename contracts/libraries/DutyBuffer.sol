// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {NodeRole} from "../types/Types.sol";

/// @title DutyBuffer
/// @notice The hub's duty moves of one call, netted per (node, role) in transient storage and sent to the
/// NodeRegistry in one `adjustDuties` call (a batch of 50 requests for one executor: one registry call, not 50).
/// @dev Safe to defer to the end of the hub's call: a duty only guards stake against `withdrawUnbonded`, and only
/// untrusted code the hub runs (a consumer callback) could have a node withdraw in the middle of a hub call. A pending
/// *release* only keeps a count higher for a while (stricter). A pending *assignment* lets the node withdraw, during
/// that callback, only stake it could have withdrawn just before the transaction (a mature unbonding bucket: no duty
/// was open, and unbonding stake never made it eligible for the draw): it gains nothing it did not have. From the
/// end of the call on, the registry counts the duty. The hub flushes at the end of every entry point that moves
/// duties, so nothing is pending between calls; a batch item that reverts takes its transient writes with it.
/// Transient layout: COUNT = entries listed; COUNT + 1 + i = entry i (role << 160 | node); keccak256(entry, COUNT) =
/// its net delta + OFFSET (0 = not listed).
library DutyBuffer {
    /// @dev keccak256("twinpath.hub.dutyBuffer") - 1
    uint256 private constant COUNT = 0x76f7f619efd56c52ce43cb2e7bf4778227bff6ec84ef91bc6706304e81c91eb0;
    int256 private constant OFFSET = 1 << 128;

    /// @notice `released` no longer owes a duty for `role`, `assigned` now does (either may be zero, both equal is
    /// no move).
    function move(NodeRole role, address released, address assigned) internal {
        if (released == assigned) return;
        if (released != address(0)) _add(role, released, -1);
        if (assigned != address(0)) _add(role, assigned, 1);
    }

    /// @notice Sends every pending net change to the registry in one call (none: no call) and empties the buffer.
    function flush(INodeRegistry nodes) internal {
        uint256 n;
        assembly ("memory-safe") {
            n := tload(COUNT)
        }
        if (n == 0) return;
        INodeRegistry.DutyChange[] memory changes = new INodeRegistry.DutyChange[](n);
        uint256 kept;
        for (uint256 i; i < n; ++i) {
            uint256 entry;
            int256 delta;
            assembly ("memory-safe") {
                entry := tload(add(COUNT, add(i, 1)))
                tstore(add(COUNT, add(i, 1)), 0)
                mstore(0, entry)
                mstore(0x20, COUNT)
                let slot := keccak256(0, 0x40)
                delta := sub(tload(slot), OFFSET)
                tstore(slot, 0)
            }
            if (delta != 0) {
                changes[kept++] = INodeRegistry.DutyChange(address(uint160(entry)), NodeRole(entry >> 160), int32(delta));
            }
        }
        assembly ("memory-safe") {
            tstore(COUNT, 0)
            mstore(changes, kept) // drop the entries that netted to zero
        }
        if (kept != 0) nodes.adjustDuties(changes);
    }

    function _add(NodeRole role, address node, int256 delta) private {
        uint256 entry = uint256(role) << 160 | uint160(node);
        assembly ("memory-safe") {
            mstore(0, entry)
            mstore(0x20, COUNT)
            let slot := keccak256(0, 0x40)
            let current := tload(slot)
            if iszero(current) {
                // first change for this (node, role) in this call: list it
                let n := add(tload(COUNT), 1)
                tstore(COUNT, n)
                tstore(add(COUNT, n), entry)
                current := OFFSET
            }
            tstore(slot, add(current, delta))
        }
    }
}
