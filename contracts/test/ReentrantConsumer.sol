// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {TestOnlyConsumer} from "./TestOnlyConsumer.sol";

/// @title ReentrantConsumer
/// @notice TEST ONLY. Fault injection: inside each callback it calls the hub with a payload chosen by the test
/// (submitResult, withdraw, refundExpired, requestInference...) and records whether that call succeeded and what
/// it returned, so the test can check the hub refused it (InferenceHubReentrantCall) and nothing changed.
contract ReentrantConsumer is TestOnlyConsumer {
    bytes public attack;
    uint256 public attempts;
    bool public lastSuccess;
    bytes public lastReturn;

    constructor(IInferenceHub hub_) TestOnlyConsumer(hub_) {}

    function setAttack(bytes calldata payload) external {
        attack = payload;
    }

    function _onResult(uint256 requestId, int256[] calldata output) internal override {
        super._onResult(requestId, output);
        _reenter();
    }

    function _onSettled(uint256 requestId, int256[] calldata output) internal override {
        super._onSettled(requestId, output);
        _reenter();
    }

    function _reenter() private {
        attempts += 1;
        (lastSuccess, lastReturn) = address(hub).call(attack);
    }
}
