// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {TwinpathConsumer} from "../consumer/TwinpathConsumer.sol";

/// @title TestOnlyConsumer
/// @notice TEST ONLY. A generic consumer that records every callback, and the base of the fault-injection
/// consumers (which override `_onResult` / `_onSettled` to misbehave).
contract TestOnlyConsumer is TwinpathConsumer {
    uint256 public resultCalls;
    uint256 public settledCalls;
    mapping(uint256 requestId => int256[]) private _fastOutputs;
    mapping(uint256 requestId => int256[]) private _settledOutputs;

    constructor(IInferenceHub hub_) TwinpathConsumer(hub_) {}

    function request(uint256 modelId, int256[] calldata input, IInferenceHub.RequestOptions calldata options)
        external
        payable
        returns (uint256)
    {
        return _requestInference(modelId, input, options);
    }

    function requestMany(
        uint256[] calldata modelIds,
        int256[][] calldata inputs,
        IInferenceHub.RequestOptions[] calldata options,
        uint256[] calldata payments
    ) external payable returns (uint256) {
        return _requestInferences(modelIds, inputs, options, payments, msg.value);
    }

    function withdrawFromHub() external {
        _withdrawFromHub();
    }

    function fastOutput(uint256 requestId) external view returns (int256[] memory) {
        return _fastOutputs[requestId];
    }

    function settledOutput(uint256 requestId) external view returns (int256[] memory) {
        return _settledOutputs[requestId];
    }

    function _onResult(uint256 requestId, int256[] calldata output) internal virtual override {
        resultCalls += 1;
        _fastOutputs[requestId] = output;
    }

    function _onSettled(uint256 requestId, int256[] calldata output) internal virtual override {
        settledCalls += 1;
        _settledOutputs[requestId] = output;
    }
}
