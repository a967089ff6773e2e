// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {NodeRole} from "../types/Types.sol";

/// @title DutyBuffer
/// @notice The hub's duty moves. Outside a batch each move is one `adjustDuties` call to the NodeRegistry; inside a
/// batch entry point (`open` ... `flush`) they are netted per (node, role) and sent in one call at its end (a batch of
/// 50 requests for one executor: one registry call, not 50-100).
/// @dev Safe to defer to the end of the hub's call: a duty only guards stake against `withdrawUnbonded`, and only
/// untrusted code the hub runs (a consumer callback) could have a node withdraw in the middle of a hub call. A pending
/// *release* only keeps a count higher for a while (stricter). A pending *assignment* lets the node withdraw, during
/// that callback, only stake it could have withdrawn just before the transaction (a mature unbonding bucket: no duty
/// was open, and unbonding stake never made it eligible for the draw): it gains nothing it did not have. From the
/// end of the call on, the registry counts the duty. A batch item that reverts takes its writes with it.
/// The buffer is in ordinary storage, emptied by `flush` in the same transaction (the slots go back to zero, so the
/// writes are mostly refunded; measured: +0.1% gas on a 50-item batch against transient storage). Transient storage
/// would need inline-assembly `tstore` (Solidity's `transient` takes value types only), which solc warns about on
/// every build; outside batches the buffer is not used at all, so single calls pay no refund-capped writes.
/// Layout: COUNT = 0 when not buffering, else 1 + the entries listed; COUNT + 1 + i = entry i (role << 160 | node);
/// keccak256(entry, COUNT) = its net delta + OFFSET (0 = not listed).
library DutyBuffer {
    /// @dev keccak256("twinpath.hub.dutyBuffer") - 1
    uint256 private constant COUNT = 0x76f7f619efd56c52ce43cb2e7bf4778227bff6ec84ef91bc6706304e81c91eb0;
    int256 private constant OFFSET = 1 << 128;

    /// @notice From now until `flush`, moves are netted instead of sent (the start of a batch entry point).
    function open() internal {
        assembly ("memory-safe") {
            sstore(COUNT, 1)
        }
    }

    /// @notice `released` no longer owes a duty for `role`, `assigned` now does (either may be zero, both equal is
    /// no move): sent to `nodes` now, or netted when a batch has the buffer open.
    function move(INodeRegistry nodes, NodeRole role, address released, address assigned) internal {
        if (released == assigned) return;
        uint256 count;
        assembly ("memory-safe") {
            count := sload(COUNT)
        }
        if (count == 0) {
            INodeRegistry.DutyChange[] memory changes =
                new INodeRegistry.DutyChange[]((released != address(0) ? 1 : 0) + (assigned != address(0) ? 1 : 0));
            uint256 k;
            if (released != address(0)) changes[k++] = INodeRegistry.DutyChange(released, role, -1);
            if (assigned != address(0)) changes[k++] = INodeRegistry.DutyChange(assigned, role, 1);
            nodes.adjustDuties(changes);
            return;
        }
        if (released != address(0)) _add(role, released, -1);
        if (assigned != address(0)) _add(role, assigned, 1);
    }

    /// @notice Sends every pending net change to the registry in one call (none: no call), empties and closes the
    /// buffer. Nothing to do when it is not open.
    function flush(INodeRegistry nodes) internal {
        uint256 count;
        assembly ("memory-safe") {
            count := sload(COUNT)
        }
        if (count == 0) return;
        uint256 n = count - 1;
        INodeRegistry.DutyChange[] memory changes = new INodeRegistry.DutyChange[](n);
        uint256 kept;
        for (uint256 i; i < n; ++i) {
            uint256 entry;
            int256 delta;
            assembly ("memory-safe") {
                entry := sload(add(COUNT, add(i, 1)))
                sstore(add(COUNT, add(i, 1)), 0)
                mstore(0, entry)
                mstore(0x20, COUNT)
                let slot := keccak256(0, 0x40)
                delta := sub(sload(slot), OFFSET)
                sstore(slot, 0)
            }
            if (delta != 0) {
                changes[kept++] = INodeRegistry.DutyChange(address(uint160(entry)), NodeRole(entry >> 160), int32(delta));
            }
        }
        assembly ("memory-safe") {
            sstore(COUNT, 0)
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
            let current := sload(slot)
            if iszero(current) {
                // first change for this (node, role) in this batch: list it
                let count := sload(COUNT)
                sstore(add(COUNT, count), entry)
                sstore(COUNT, add(count, 1))
                current := OFFSET
            }
            sstore(slot, add(current, delta))
        }
    }
}
