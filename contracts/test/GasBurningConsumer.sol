// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {TestOnlyConsumer} from "./TestOnlyConsumer.sol";

/// @title GasBurningConsumer
/// @notice TEST ONLY. Fault injection: every callback loops until it runs out of gas.
contract GasBurningConsumer is TestOnlyConsumer {
    uint256 public sink;

    constructor(IInferenceHub hub_) TestOnlyConsumer(hub_) {}

    function _onResult(uint256, int256[] calldata) internal override {
        _burn();
    }

    function _onSettled(uint256, int256[] calldata) internal override {
        _burn();
    }

    function _burn() private {
        uint256 i;
        while (true) {
            sink = ++i;
        }
    }
}
