// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";

/// @title TwinpathConsumer
/// @notice Base contract for a dApp that asks Twinpath for inferences. Inherit it, call `_requestInference`, and
/// override `_onSettled` (verified result) and optionally `_onResult` (fast, not yet verified result).
/// @dev The hub is the only caller allowed into `onResult` / `onSettled`. Callbacks run under the gas limit chosen
/// in the request options: keep them small (store, emit), or the hub records a failed callback and carries on.
/// Refunds (a missed deadline) and slashing compensation are credited to this contract's balance at the hub:
/// collect them with `_withdrawFromHub()` (this contract must be able to receive ether for that, see `receive`).
abstract contract TwinpathConsumer is IInferenceConsumer {
    /// @notice The callback came from an address other than the hub.
    error TwinpathConsumerOnlyHub(address caller);

    IInferenceHub public immutable hub;

    constructor(IInferenceHub hub_) {
        hub = hub_;
    }

    modifier onlyHub() {
        if (msg.sender != address(hub)) revert TwinpathConsumerOnlyHub(msg.sender);
        _;
    }

    /// @inheritdoc IInferenceConsumer
    function onResult(uint256 requestId, int256[] calldata output) external onlyHub {
        _onResult(requestId, output);
    }

    /// @inheritdoc IInferenceConsumer
    function onSettled(uint256 requestId, int256[] calldata output) external onlyHub {
        _onSettled(requestId, output);
    }

    /// @notice Accepts refunds withdrawn from the hub.
    receive() external payable virtual {}

    /// @dev Ask for an inference paying `fee` (>= the model's price) from this contract's balance. Inputs are
    /// fixed-point integers at the model's input scale: round(x * 2^scale).
    function _requestInference(
        uint256 modelId,
        int256[] memory input,
        IInferenceHub.RequestOptions memory options,
        uint256 fee
    ) internal returns (uint256 requestId) {
        return hub.requestInference{value: fee}(modelId, input, options);
    }

    /// @dev Same, paying the whole msg.value of the current call.
    function _requestInference(uint256 modelId, int256[] memory input, IInferenceHub.RequestOptions memory options)
        internal
        returns (uint256 requestId)
    {
        return _requestInference(modelId, input, options, msg.value);
    }

    /// @dev Many requests in one transaction (IInferenceHub.requestInferences), paying `payments[i]` for item i; their
    /// sum must be `value`, taken from this contract's balance. Ids are firstId .. firstId + n - 1, in item order.
    function _requestInferences(
        uint256[] memory modelIds,
        int256[][] memory inputs,
        IInferenceHub.RequestOptions[] memory options,
        uint256[] memory payments,
        uint256 value
    ) internal returns (uint256 firstId) {
        return hub.requestInferences{value: value}(modelIds, inputs, options, payments);
    }

    /// @dev Pull this contract's releasable balance (refunds, compensation) from the hub.
    function _withdrawFromHub() internal {
        hub.withdraw();
    }

    /// @dev Fast-path result: unverified. Default: ignore. Only called if the request set `resultCallback`.
    function _onResult(uint256 requestId, int256[] calldata output) internal virtual {}

    /// @dev Settled result: verified according to the model's mode (the proven output if it differed).
    function _onSettled(uint256 requestId, int256[] calldata output) internal virtual;
}
