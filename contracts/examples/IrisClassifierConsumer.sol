// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {TwinpathConsumer} from "../consumer/TwinpathConsumer.sol";

/// @title IrisClassifierConsumer
/// @notice Example dApp: classifies an iris flower from its 4 measurements (sepal length, sepal width, petal length,
/// petal width, in cm) with a model registered on Twinpath. It acts on nothing itself; it keeps the fast result and
/// the settled (verified) result and emits events, which is what a copy of it would build on.
/// @dev Features are passed as fixed-point integers at the model's input scale (e.g. scale 7: 5.1 cm -> 653).
/// Outputs are the model's 3 class scores at its output scale; the class is the index of the largest score.
contract IrisClassifierConsumer is TwinpathConsumer {
    struct Classification {
        address requester;
        bool fast; // a fast-path result arrived
        bool settled; // the verified result arrived
        uint8 fastClass;
        uint8 settledClass;
        int256[] fastScores;
        int256[] settledScores;
    }

    error IrisClassifierConsumerWrongOutputLength(uint256 length);
    error IrisClassifierConsumerNotOwner(address caller);
    error IrisClassifierConsumerTransferFailed(address to, uint256 amount);

    event ClassificationRequested(uint256 indexed requestId, address indexed requester, int256[4] features);
    event FastClassification(uint256 indexed requestId, uint8 class, int256[] scores);
    event SettledClassification(uint256 indexed requestId, uint8 class, int256[] scores);

    uint256 public immutable modelId;
    address public immutable owner;
    mapping(uint256 requestId => Classification) private _classifications;

    constructor(IInferenceHub hub_, uint256 modelId_) TwinpathConsumer(hub_) {
        modelId = modelId_;
        owner = msg.sender;
    }

    /// @notice Request a classification; msg.value is the fee (>= the model's price).
    function classify(int256[4] calldata features) external payable returns (uint256 requestId) {
        int256[] memory input = new int256[](4);
        for (uint256 i; i < 4; ++i) {
            input[i] = features[i];
        }
        // Ask for the fast result too, with enough gas to store 3 scores; default deadlines.
        IInferenceHub.RequestOptions memory options =
            IInferenceHub.RequestOptions({callbackGasLimit: 300_000, resultCallback: true, resultTimeout: 0, proofTimeout: 0});
        requestId = _requestInference(modelId, input, options);
        _classifications[requestId].requester = msg.sender;
        emit ClassificationRequested(requestId, msg.sender, features);
    }

    function classification(uint256 requestId) external view returns (Classification memory) {
        return _classifications[requestId];
    }

    /// @notice Owner-only: collect refunds of expired requests from the hub and pass them on.
    function withdrawRefunds(address payable to) external {
        if (msg.sender != owner) revert IrisClassifierConsumerNotOwner(msg.sender);
        _withdrawFromHub();
        uint256 amount = address(this).balance;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert IrisClassifierConsumerTransferFailed(to, amount);
    }

    function _onResult(uint256 requestId, int256[] calldata output) internal override {
        Classification storage c = _classifications[requestId];
        c.fast = true;
        c.fastClass = _argmax(output);
        c.fastScores = output;
        emit FastClassification(requestId, c.fastClass, output);
    }

    function _onSettled(uint256 requestId, int256[] calldata output) internal override {
        Classification storage c = _classifications[requestId];
        c.settled = true;
        c.settledClass = _argmax(output);
        c.settledScores = output;
        emit SettledClassification(requestId, c.settledClass, output);
    }

    function _argmax(int256[] calldata scores) private pure returns (uint8 best) {
        if (scores.length == 0 || scores.length > type(uint8).max) {
            revert IrisClassifierConsumerWrongOutputLength(scores.length);
        }
        for (uint256 i = 1; i < scores.length; ++i) {
            if (scores[i] > scores[best]) best = uint8(i);
        }
    }
}
