// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {RequestStatus} from "../types/Types.sol";
import {TwinpathConsumer} from "../consumer/TwinpathConsumer.sol";

/// @title IrisClassifierConsumer
/// @notice Example dApp: classifies an iris flower from its 4 measurements (sepal length, sepal width, petal length,
/// petal width, in cm) with a model registered on Twinpath. It acts on nothing itself; it keeps the fast result and
/// the settled (verified) result and emits events, which is what a copy of it would build on.
/// @dev Features are passed as fixed-point integers at the model's input scale (e.g. scale 7: 5.1 cm -> 653), inside
/// the model's admitted domain. Outputs are the model's 3 class scores at its output scale; the class is the index of
/// the largest score. The payment is the hub's quoteFee(modelId, options of classify, gas price); if the request
/// expires, the hub refunds this contract and anyone can pass the refund on to the user who paid (claimRefund).
/// `classifyBatch` sends many classifications in one transaction (one quote per item). The contract keeps in storage
/// only what it acts on later (who paid, which class, which callbacks came: one slot per request); the scores are in
/// its events (FastClassification, SettledClassification) and the hub's.
contract IrisClassifierConsumer is TwinpathConsumer {
    /// @notice One storage slot per request; the scores are in the events.
    struct Classification {
        address requester;
        bool fast; // a fast-path result arrived
        bool settled; // the verified result arrived
        bool refunded; // the hub's refund was passed on to the requester
        uint8 fastClass;
        uint8 settledClass;
    }

    error IrisClassifierConsumerWrongOutputLength(uint256 length);
    error IrisClassifierConsumerNotRefunded(uint256 requestId, RequestStatus status);
    error IrisClassifierConsumerAlreadyRefunded(uint256 requestId);
    error IrisClassifierConsumerTransferFailed(address to, uint256 amount);
    error IrisClassifierConsumerBatchLengthMismatch(uint256 features, uint256 payments);

    event ClassificationRequested(uint256 indexed requestId, address indexed requester, int256[4] features);
    event FastClassification(uint256 indexed requestId, uint8 class, int256[] scores);
    event SettledClassification(uint256 indexed requestId, uint8 class, int256[] scores);
    /// @notice The hub refunded `requestId` (it expired) and `amount` went back to its requester.
    event RefundPassedOn(uint256 indexed requestId, address indexed requester, uint256 amount);

    /// @notice Gas for each callback: enough to record the class and emit the 3 scores, with room to spare.
    uint32 public constant CALLBACK_GAS = 300_000;

    uint256 public immutable modelId;
    mapping(uint256 requestId => Classification) private _classifications;

    constructor(IInferenceHub hub_, uint256 modelId_) TwinpathConsumer(hub_) {
        modelId = modelId_;
    }

    /// @notice Request a classification; msg.value pays the hub (quoteFee(modelId, requestOptions(), gas price)).
    function classify(int256[4] calldata features) external payable returns (uint256 requestId) {
        int256[] memory input = new int256[](4);
        for (uint256 i; i < 4; ++i) {
            input[i] = features[i];
        }
        requestId = _requestInference(modelId, input, requestOptions());
        _classifications[requestId].requester = msg.sender;
        emit ClassificationRequested(requestId, msg.sender, features);
    }

    /// @notice Many classifications in one transaction: item i classifies `features[i]` and pays `payments[i]`
    /// (each item its own quoteFee(modelId, requestOptions(), gas price)); the payments must add up to msg.value. All
    /// or nothing: a refused item reverts the batch with the hub's InferenceHubRequestItemInvalid(index, reason).
    /// Returns the first request id; the others follow consecutively, in item order.
    function classifyBatch(int256[4][] calldata features, uint256[] calldata payments)
        external
        payable
        returns (uint256 firstId)
    {
        uint256 n = features.length;
        if (n != payments.length) revert IrisClassifierConsumerBatchLengthMismatch(n, payments.length);
        uint256[] memory modelIds = new uint256[](n);
        int256[][] memory inputs = new int256[][](n);
        IInferenceHub.RequestOptions[] memory options = new IInferenceHub.RequestOptions[](n);
        IInferenceHub.RequestOptions memory o = requestOptions();
        for (uint256 i; i < n; ++i) {
            modelIds[i] = modelId;
            inputs[i] = new int256[](4);
            for (uint256 j; j < 4; ++j) {
                inputs[i][j] = features[i][j];
            }
            options[i] = o;
        }
        firstId = _requestInferences(modelIds, inputs, options, payments, msg.value);
        for (uint256 i; i < n; ++i) {
            _classifications[firstId + i].requester = msg.sender;
            emit ClassificationRequested(firstId + i, msg.sender, features[i]);
        }
    }

    /// @notice The options classify() sends: the fast result too, CALLBACK_GAS per callback, default deadlines.
    function requestOptions() public pure returns (IInferenceHub.RequestOptions memory) {
        return IInferenceHub.RequestOptions({callbackGasLimit: CALLBACK_GAS, resultCallback: true, resultTimeout: 0, proofTimeout: 0});
    }

    function classification(uint256 requestId) external view returns (Classification memory) {
        return _classifications[requestId];
    }

    /// @notice Anyone: pass the hub's refund of an expired request (its fee and unused callback budget) on to the
    /// user who paid for it, once. The refund never stays here or goes to anyone else.
    function claimRefund(uint256 requestId) external {
        Classification storage c = _classifications[requestId];
        IInferenceHub.Request memory r = hub.getRequest(requestId);
        if (r.status != RequestStatus.Refunded || c.requester == address(0)) {
            revert IrisClassifierConsumerNotRefunded(requestId, r.status);
        }
        if (c.refunded) revert IrisClassifierConsumerAlreadyRefunded(requestId);
        c.refunded = true;
        uint256 amount = r.fee + r.callbackBudget; // what the hub credited this contract for the request
        if (hub.releasable(address(this)) != 0) _withdrawFromHub();
        address requester = c.requester;
        emit RefundPassedOn(requestId, requester, amount);
        (bool ok,) = requester.call{value: amount}("");
        if (!ok) revert IrisClassifierConsumerTransferFailed(requester, amount);
    }

    function _onResult(uint256 requestId, int256[] calldata output) internal override {
        Classification storage c = _classifications[requestId];
        c.fast = true;
        c.fastClass = _argmax(output);
        emit FastClassification(requestId, c.fastClass, output);
    }

    function _onSettled(uint256 requestId, int256[] calldata output) internal override {
        Classification storage c = _classifications[requestId];
        c.settled = true;
        c.settledClass = _argmax(output);
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
