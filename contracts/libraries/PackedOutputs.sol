// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title PackedOutputs
/// @notice Stores a short vector of in-range fixed-point values (|v| < 2^127, checked by the caller through
/// Instances) two per storage word, for the few cases where the hub must remember an output: OPTIMISTIC settlement
/// (no output in calldata), tolerance checks (fast output vs proven output) and ZKML_ATTESTED settlement.
/// @dev Word k holds element 2k in its low 128 bits and element 2k+1 in its high 128 bits (two's complement).
/// The length is not stored: it is the model's output length.
library PackedOutputs {
    function store(mapping(uint256 => bytes32) storage words, int256[] calldata values) internal {
        uint256 n = values.length;
        for (uint256 i; i < n; i += 2) {
            uint256 lo = uint128(int128(values[i]));
            uint256 hi = i + 1 < n ? uint256(uint128(int128(values[i + 1]))) : 0;
            words[i >> 1] = bytes32(lo | (hi << 128));
        }
    }

    function load(mapping(uint256 => bytes32) storage words, uint256 length) internal view returns (int256[] memory out) {
        out = new int256[](length);
        for (uint256 i; i < length; i += 2) {
            uint256 w = uint256(words[i >> 1]);
            out[i] = int128(uint128(w));
            if (i + 1 < length) out[i + 1] = int128(uint128(w >> 128));
        }
    }

    /// @notice Zeroes the words (gas refund, and no stale value can be read for a finished request).
    function clear(mapping(uint256 => bytes32) storage words, uint256 length) internal {
        uint256 n = (length + 1) >> 1;
        for (uint256 k; k < n; ++k) {
            delete words[k];
        }
    }
}
