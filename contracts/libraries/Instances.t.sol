// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Instances} from "./Instances.sol";
import {PackedOutputs} from "./PackedOutputs.sol";

/// @notice Fuzz tests of Instances and PackedOutputs (plain asserts: forge-std is not installed).
contract InstancesTest {
    mapping(uint256 => bytes32) private _words;

    error Mismatch(uint256 index, uint256 got, uint256 expected);

    function toFieldExternal(int256 v) external pure returns (uint256) {
        return Instances.toField(v, 0);
    }

    function testFuzz_toFieldIsInjectiveEncoding(int128 raw) public pure {
        int256 v = int256(raw);
        if (v == type(int128).min) return; // |v| = 2^127 is outside the bound
        uint256 f = Instances.toField(v, 0);
        require(f < Instances.FIELD_MODULUS, "in field");
        if (v >= 0) require(f == uint256(v), "non-negative maps to itself");
        else require(addmod(f, uint256(-v), Instances.FIELD_MODULUS) == 0, "negative is r - |v|");
        // non-negatives stay below 2^127, negatives above r - 2^127: the two ranges never meet
        if (v >= 0) require(f < 2 ** 127, "low range");
        else require(f > Instances.FIELD_MODULUS - 2 ** 127, "high range");
    }

    function testFuzz_outOfRangeReverts(int256 v) public view {
        bool inRange = v < Instances.BOUND && v > -Instances.BOUND;
        try this.toFieldExternal(v) returns (uint256) {
            require(inRange, "accepted an out-of-range value");
        } catch {
            require(!inRange, "rejected an in-range value");
        }
    }

    function testFuzz_packedRoundTrip(int128 a, int128 b, int128 c) public {
        int256[] memory values = new int256[](3);
        (values[0], values[1], values[2]) = (a, b, c);
        this.storeExternal(values);
        int256[] memory back = PackedOutputs.load(_words, 3);
        for (uint256 i; i < 3; ++i) {
            require(back[i] == values[i], "round trip");
        }
        PackedOutputs.clear(_words, 3);
        require(_words[0] == 0 && _words[1] == 0, "cleared");
    }

    function storeExternal(int256[] calldata values) external {
        PackedOutputs.store(_words, values);
    }
}
