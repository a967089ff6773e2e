// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {TestOnlyConsumer} from "./TestOnlyConsumer.sol";

/// @title RevertingConsumer
/// @notice TEST ONLY. Fault injection: every callback reverts, with a 64 KB revert payload (a "return bomb" the hub
/// must not copy).
contract RevertingConsumer is TestOnlyConsumer {
    constructor(IInferenceHub hub_) TestOnlyConsumer(hub_) {}

    function _onResult(uint256, int256[] calldata) internal pure override {
        _bomb();
    }

    function _onSettled(uint256, int256[] calldata) internal pure override {
        _bomb();
    }

    function _bomb() private pure {
        assembly {
            revert(0, 65536)
        }
    }
}
