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
/// only what it acts on later: who paid (one slot per classify or per batch) and, per request, which class and which
/// callbacks came (32 bits: eight requests share a slot); the scores are in its events (FastClassification,
/// SettledClassification) and the hub's.
contract IrisClassifierConsumer is TwinpathConsumer {
    /// @notice What the contract knows of a request (the `classification` view); the scores are in the events.
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
    error IrisClassifierConsumerBatchTooLarge(uint256 size, uint256 maximum);

    event ClassificationRequested(uint256 indexed requestId, address indexed requester, int256[4] features);
    event FastClassification(uint256 indexed requestId, uint8 class, int256[] scores);
    event SettledClassification(uint256 indexed requestId, uint8 class, int256[] scores);
    /// @notice The hub refunded `requestId` (it expired) and `amount` went back to its requester.
    event RefundPassedOn(uint256 indexed requestId, address indexed requester, uint256 amount);

    /// @notice Gas for each callback: enough to record the class and emit the 3 scores, with room to spare.
    uint32 public constant CALLBACK_GAS = 300_000;

    /// @notice Most classifications one classifyBatch takes (an item records its place in the batch in 13 bits).
    uint256 public constant MAX_BATCH = 8191;

    uint256 private constant FAST = 1;
    uint256 private constant SETTLED = 2;
    uint256 private constant REFUNDED = 4;

    uint256 public immutable modelId;
    /// @dev Who paid: keyed by the request id of a classify, or of the first item of a classifyBatch.
    mapping(uint256 firstId => address) private _requesters;
    /// @dev 32 bits per request, eight requests per slot (requestId / 8; bits (requestId % 8) * 32):
    /// flags (3: FAST, SETTLED, REFUNDED) | fastClass (8) << 3 | settledClass (8) << 11 | place in its batch (13) << 19.
    mapping(uint256 word => uint256) private _states;

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
        _requesters[requestId] = msg.sender;
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
        if (n > MAX_BATCH) revert IrisClassifierConsumerBatchTooLarge(n, MAX_BATCH);
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
        _requesters[firstId] = msg.sender;
        for (uint256 i = 1; i < n; ++i) {
            _setState(firstId + i, _state(firstId + i) | i << 19); // its place, to find who paid
        }
        for (uint256 i; i < n; ++i) {
            emit ClassificationRequested(firstId + i, msg.sender, features[i]);
        }
    }

    /// @notice The options classify() sends: the fast result too, CALLBACK_GAS per callback, default deadlines.
    function requestOptions() public pure returns (IInferenceHub.RequestOptions memory) {
        return IInferenceHub.RequestOptions({callbackGasLimit: CALLBACK_GAS, resultCallback: true, resultTimeout: 0, proofTimeout: 0});
    }

    function classification(uint256 requestId) external view returns (Classification memory c) {
        uint256 state = _state(requestId);
        c.requester = _requesters[requestId - (state >> 19)];
        c.fast = state & FAST != 0;
        c.settled = state & SETTLED != 0;
        c.refunded = state & REFUNDED != 0;
        c.fastClass = uint8(state >> 3);
        c.settledClass = uint8(state >> 11);
    }

    /// @notice Anyone: pass the hub's refund of an expired request (its fee and unused callback budget) on to the
    /// user who paid for it, once. The refund never stays here or goes to anyone else.
    function claimRefund(uint256 requestId) external {
        uint256 state = _state(requestId);
        address requester = _requesters[requestId - (state >> 19)];
        IInferenceHub.Request memory r = hub.getRequest(requestId);
        if (r.status != RequestStatus.Refunded || requester == address(0)) {
            revert IrisClassifierConsumerNotRefunded(requestId, r.status);
        }
        if (state & REFUNDED != 0) revert IrisClassifierConsumerAlreadyRefunded(requestId);
        _setState(requestId, state | REFUNDED);
        uint256 amount = r.fee + r.callbackBudget; // what the hub credited this contract for the request
        if (hub.releasable(address(this)) != 0) _withdrawFromHub();
        emit RefundPassedOn(requestId, requester, amount);
        (bool ok,) = requester.call{value: amount}("");
        if (!ok) revert IrisClassifierConsumerTransferFailed(requester, amount);
    }

    function _onResult(uint256 requestId, int256[] calldata output) internal override {
        uint8 class = _argmax(output);
        _setState(requestId, _state(requestId) | FAST | uint256(class) << 3);
        emit FastClassification(requestId, class, output);
    }

    function _onSettled(uint256 requestId, int256[] calldata output) internal override {
        uint8 class = _argmax(output);
        _setState(requestId, _state(requestId) | SETTLED | uint256(class) << 11);
        emit SettledClassification(requestId, class, output);
    }

    function _state(uint256 requestId) private view returns (uint256) {
        return (_states[requestId >> 3] >> ((requestId & 7) << 5)) & 0xffffffff;
    }

    /// @dev Writes request `requestId`'s 32 bits (callers pass its current bits with theirs added: each callback comes
    /// once per request, so a class field is still zero when it is set).
    function _setState(uint256 requestId, uint256 state) private {
        uint256 shift = (requestId & 7) << 5;
        uint256 word = _states[requestId >> 3];
        _states[requestId >> 3] = (word & ~(uint256(0xffffffff) << shift)) | (state << shift);
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
