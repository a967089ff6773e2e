// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Instances} from "../libraries/Instances.sol";
import {FeeSplit} from "../libraries/FeeSplit.sol";
import {QuorumMath} from "../libraries/QuorumMath.sol";
import {PackedOutputs} from "../libraries/PackedOutputs.sol";

/// @title TestOnlyLibraryHarness
/// @notice TEST ONLY. Exposes the hub's libraries so TypeScript property tests can compare them with reference
/// implementations (e.g. the instance encoding against viem/bigint arithmetic).
contract TestOnlyLibraryHarness {
    mapping(uint256 => bytes32) private _words;

    function build(int256[] calldata input, int256[] calldata output) external pure returns (uint256[] memory) {
        return Instances.build(input, output);
    }

    function withinTolerance(int256[] calldata a, int256[] calldata b, uint256 tolerance) external pure returns (bool) {
        return Instances.withinTolerance(a, b, tolerance);
    }

    function split(uint256 fee, uint256 e, uint256 p, uint256 v, bool hasProver, bool hasVerifiers)
        external
        pure
        returns (FeeSplit.Shares memory)
    {
        return FeeSplit.split(fee, e, p, v, hasProver, hasVerifiers);
    }

    function outcome(uint128 validStake, uint128 invalidStake, uint256 total, uint256 bps) external pure returns (uint8) {
        return uint8(QuorumMath.outcome(validStake, invalidStake, total, bps));
    }

    function roundTrip(int256[] calldata values) external returns (int256[] memory) {
        PackedOutputs.store(_words, values);
        return PackedOutputs.load(_words, values.length);
    }
}
