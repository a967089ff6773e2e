// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/// @title InputDomain
/// @notice The admitted input domain of a model version: per-element bounds `lower[i] <= input[i] <= upper[i]` in
/// fixed-point units, or one pair for every element. The registry stores the bounds once, as the code of a small
/// data contract (a STOP byte, then big-endian int64 pairs), so the hub reads them per request with one
/// EXTCODECOPY (~3k gas for the Iris models, ~4k for 784 inputs) instead of one SLOAD per element.
/// @dev At most MAX_ENTRIES pairs fit the 24,576-byte code limit; a model with more input elements registers one
/// uniform pair.
library InputDomain {
    uint256 internal constant ENTRY_BYTES = 16;
    uint256 internal constant MAX_ENTRIES = 1535; // (24_576 - 1) / 16

    /// @notice Checks the bounds (length 1 or `inputLength`, lower <= upper) and deploys the data contract.
    function store(int64[] calldata lower, int64[] calldata upper, uint256 inputLength) internal returns (address pointer) {
        uint256 n = lower.length;
        if (n != upper.length || (n != 1 && n != inputLength) || n > MAX_ENTRIES) {
            revert IModelRegistry.ModelRegistryInvalidDomain(n);
        }
        bytes memory data = new bytes(1 + n * ENTRY_BYTES); // data[0] = STOP: the contract cannot be run
        for (uint256 i; i < n; ++i) {
            int64 lo = lower[i];
            int64 hi = upper[i];
            if (lo > hi) revert IModelRegistry.ModelRegistryInvalidDomain(i);
            uint256 word = (uint256(uint64(lo)) << 192) | (uint256(uint64(hi)) << 128);
            assembly ("memory-safe") {
                mstore(add(add(data, 0x21), mul(i, ENTRY_BYTES)), word)
            }
        }
        // init code: PUSH2 len, DUP1, PUSH1 0x0a, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN; then the data
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length), hex"80600a3d393df3", data);
        assembly ("memory-safe") {
            pointer := create(0, add(init, 0x20), mload(init))
        }
        if (pointer == address(0)) revert IModelRegistry.ModelRegistryInvalidDomain(n);
    }

    /// @notice Reverts with InferenceHubInputOutOfDomain(index, value, lower, upper) unless every element of `input`
    /// is within its bounds. Bounds are int64, so an admitted value is also far inside the hub's field range.
    function check(address pointer, int256[] calldata input) internal view {
        uint256 size = pointer.code.length - 1;
        bool uniform = size == ENTRY_BYTES;
        bytes memory bounds = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(bounds, 0x20), 1, size)
        }
        uint256 n = input.length;
        for (uint256 i; i < n; ++i) {
            (int64 lo, int64 hi) = _entry(bounds, uniform ? 0 : i);
            int256 v = input[i];
            if (v < lo || v > hi) revert IInferenceHub.InferenceHubInputOutOfDomain(i, v, lo, hi);
        }
    }

    /// @notice The stored bounds (for views).
    function load(address pointer) internal view returns (int64[] memory lower, int64[] memory upper) {
        if (pointer == address(0)) return (lower, upper);
        uint256 size = pointer.code.length - 1;
        bytes memory bounds = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(bounds, 0x20), 1, size)
        }
        uint256 n = size / ENTRY_BYTES;
        lower = new int64[](n);
        upper = new int64[](n);
        for (uint256 i; i < n; ++i) {
            (lower[i], upper[i]) = _entry(bounds, i);
        }
    }

    function _entry(bytes memory bounds, uint256 i) private pure returns (int64 lo, int64 hi) {
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(add(bounds, 0x20), mul(i, ENTRY_BYTES)))
        }
        lo = int64(uint64(word >> 192));
        hi = int64(uint64(word >> 128));
    }
}
