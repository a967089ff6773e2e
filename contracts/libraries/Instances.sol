// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title Instances
/// @notice Binds a proof to a request: the public instances of an EZKL proof are the model's fixed-point inputs
/// followed by its fixed-point outputs, each as a BN254 scalar field element (v >= 0 ? v : r - |v|).
/// @dev Values must satisfy |v| < 2^127 (they fit an int128, far above any EZKL scale, and stay unambiguous as
/// field elements: r - |v| > 2^127 for every allowed v). Out-of-range values revert with
/// InferenceHubValueOutOfRange(index, value); `index` is the position in the array being checked (for `build`,
/// the position in the instance vector, so outputs start at input.length).
library Instances {
    /// @notice The BN254 scalar field modulus r (the field of Halo2/KZG public instances).
    uint256 internal constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Exclusive bound on |v| for a fixed-point value crossing the chain.
    int256 internal constant BOUND = 2 ** 127;

    function toField(int256 v, uint256 index) internal pure returns (uint256) {
        if (v >= BOUND || v <= -BOUND) revert IInferenceHub.InferenceHubValueOutOfRange(index, v);
        return v >= 0 ? uint256(v) : FIELD_MODULUS - uint256(-v);
    }

    /// @notice Reverts unless every value is in range.
    function checkRange(int256[] calldata values) internal pure {
        uint256 n = values.length;
        for (uint256 i; i < n; ++i) {
            int256 v = values[i];
            if (v >= BOUND || v <= -BOUND) revert IInferenceHub.InferenceHubValueOutOfRange(i, v);
        }
    }

    /// @notice input ‖ output as field elements, the layout of EZKL's single instance column.
    function build(int256[] calldata input, int256[] calldata output) internal pure returns (uint256[] memory inst) {
        uint256 n = input.length;
        uint256 m = output.length;
        inst = new uint256[](n + m);
        for (uint256 i; i < n; ++i) {
            inst[i] = toField(input[i], i);
        }
        for (uint256 j; j < m; ++j) {
            inst[n + j] = toField(output[j], n + j);
        }
    }

    /// @notice The instances of a batch proof (a model version with `outputs.length` slots): every slot's input in
    /// slot order, then every slot's output in slot order (EZKL's row-major flattening of an [N, k] input and an
    /// [N, m] output). Slot i < inputs.length carries inputs[i]; the slots after them are padding, whose input is
    /// zeros (chosen here, never by the caller). Each input must have `inputLength` values (callers checked them
    /// against their stored hash); the outputs' lengths are the caller's to check.
    function buildBatch(int256[][] calldata inputs, int256[][] calldata outputs, uint256 inputLength)
        internal
        pure
        returns (uint256[] memory inst)
    {
        uint256 slots = outputs.length;
        uint256 at = slots * inputLength;
        uint256 total = at;
        for (uint256 i; i < slots; ++i) {
            total += outputs[i].length;
        }
        inst = new uint256[](total);
        uint256 k = inputs.length;
        for (uint256 i; i < k; ++i) {
            int256[] calldata input = inputs[i];
            uint256 base = i * inputLength;
            for (uint256 j; j < inputLength; ++j) {
                inst[base + j] = toField(input[j], base + j);
            }
        }
        for (uint256 i; i < slots; ++i) {
            int256[] calldata output = outputs[i];
            uint256 m = output.length;
            for (uint256 j; j < m; ++j) {
                inst[at] = toField(output[j], at);
                ++at;
            }
        }
    }

    /// @notice keccak256(abi.encode(values)): the hash the hub stores for an input or output.
    function hash(int256[] calldata values) internal pure returns (bytes32) {
        return keccak256(abi.encode(values));
    }

    /// @notice True iff both arrays have the same length and max_i |a_i - b_i| <= tolerance. Values are in range
    /// (|v| < 2^127), so differences cannot overflow.
    function withinTolerance(int256[] calldata a, int256[] memory b, uint256 tolerance) internal pure returns (bool) {
        uint256 n = a.length;
        if (n != b.length) return false;
        for (uint256 i; i < n; ++i) {
            int256 d = a[i] - b[i];
            uint256 absD = d >= 0 ? uint256(d) : uint256(-d);
            if (absD > tolerance) return false;
        }
        return true;
    }
}
