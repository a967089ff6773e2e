// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {NodeRole, RequestStatus, VerificationMode} from "../types/Types.sol";
import {RequestLib} from "../libraries/RequestLib.sol";
import {Instances} from "../libraries/Instances.sol";
import {InputDomain} from "../libraries/InputDomain.sol";
import {DutyBuffer} from "../libraries/DutyBuffer.sol";
import {HubDeps, HubParams, HubState, ModelInfo, RequestBatch} from "./HubTypes.sol";

/// @title HubRequests
/// @notice The first step of a request's life, as a linked library (like HubLogic, which runs the later steps): the
/// model's terms, the options, the payment in escrow, the record with its head, the executor drawn. Also the options
/// and callback budget rules that quoteFee shares.
/// @dev Deploy once per chain and link into InferenceHub (Ignition: ignition/modules/Hub.ts).
library HubRequests {
    /// @notice Most requests that share one head (and so one executor draw): a batch of more items draws again every
    /// MAX_HEAD_ITEMS, so no single executor is handed a whole large batch (all of it due within the result timeout).
    uint256 internal constant MAX_HEAD_ITEMS = 32;
    /// @notice Gas paid per callback on top of its limit: the call itself, encoding the output, CallbackDelivered.
    uint256 internal constant CALLBACK_OVERHEAD = 10_000;

    /// @notice A request in the making: who pays `value` for it, its model and that model's terms, and the first id of
    /// the requestInferences batch it is an item of (0 for a lone request).
    struct Item {
        address consumer;
        uint256 value;
        uint256 modelId;
        IModelRegistry.ModelTerms model;
        uint256 batchFirst;
    }

    /// @notice requestInference: checks the model takes this request (active, input length and domain, payment,
    /// an electorate for ZKML_ATTESTED), records it, escrows `value`, draws the executor (RANDAO mixed in).
    /// `batchFirst`: the first id of the requestInferences batch this request is an item of (0 for a lone request):
    /// an item after it with the same terms as the previous item shares its head, executor included (RequestLib).
    function request(
        HubState storage s,
        HubDeps memory d,
        address consumer,
        uint256 value,
        uint256 modelId,
        int256[] calldata input,
        IInferenceHub.RequestOptions calldata options,
        uint256 batchFirst
    ) external returns (uint256) {
        return _request(s, d, Item(consumer, value, modelId, _model(s, d, modelId), batchFirst), input, options);
    }

    /// @notice requestInferences' items in one call (all or nothing; the hub names a refused item by running them one
    /// by one with `request`, which applies the same rules): item i requests `b.modelIds[i]` for `inputs[i]` with
    /// `options[i]`, paying `b.payments[i]`. A model's terms are read from the registry once per run of items of that
    /// model (nothing can change them within the call: no outside code runs while requests are made).
    function requestBatch(
        HubState storage s,
        HubDeps memory d,
        RequestBatch memory b,
        int256[][] calldata inputs,
        IInferenceHub.RequestOptions[] calldata options
    ) external {
        Item memory item;
        item.consumer = b.consumer;
        item.batchFirst = b.first;
        for (uint256 i; i < inputs.length; ++i) {
            uint256 modelId = b.modelIds[i];
            if (i == 0 || modelId != item.modelId) (item.modelId, item.model) = (modelId, _model(s, d, modelId));
            item.value = b.payments[i];
            _request(s, d, item, inputs[i], options[i]);
        }
    }

    function _request(
        HubState storage s,
        HubDeps memory d,
        Item memory item,
        int256[] calldata input,
        IInferenceHub.RequestOptions calldata options
    ) private returns (uint256 requestId) {
        requestId = ++s.requestCount;
        RequestLib.Record storage r = s.requests[requestId];
        // the options resolved once: the head's terms, and the callback budget paid for them
        RequestLib.Head memory h = _terms(s.params, item, options);
        _admit(s, r, item, input, _budget(h.callbackGasLimit, h.resultCallback, tx.gasprice));
        _writeHead(s, d, requestId, r, h, item.batchFirst);
        r.inputHash = Instances.hash(input);
        DutyBuffer.move(d.nodes, NodeRole.Executor, address(0), h.executor);
        emit IInferenceHub.InferenceRequested(
            requestId, item.modelId, item.consumer, h.executor, input, r.fee, h.resultDeadline
        );
    }

    /// @notice quoteFee: what a request for `modelId` with `options` pays at `gasPrice`: the model's price now plus the
    /// callback budget.
    function quoteFee(
        HubState storage s,
        HubDeps memory d,
        uint256 modelId,
        IInferenceHub.RequestOptions calldata options,
        uint256 gasPrice
    ) external view returns (uint256) {
        return d.models.modelTerms(modelId).price + callbackBudget(s.params, options, gasPrice);
    }

    /// @notice The callback gas a request pays for: its callback gas limit plus CALLBACK_OVERHEAD, for each callback,
    /// at `gasPrice`.
    function callbackBudget(HubParams storage p, IInferenceHub.RequestOptions calldata options, uint256 gasPrice)
        internal
        view
        returns (uint256)
    {
        (uint256 gasLimit,,) = resolveOptions(p, options);
        return _budget(gasLimit, options.resultCallback, gasPrice);
    }

    /// @dev The callback budget for a resolved callback gas limit: (limit + CALLBACK_OVERHEAD) per callback.
    function _budget(uint256 gasLimit, bool resultCallback, uint256 gasPrice) private pure returns (uint256) {
        return (gasLimit + CALLBACK_OVERHEAD) * (resultCallback ? 2 : 1) * gasPrice;
    }

    /// @notice Options with zero fields replaced by defaults, each checked against the protocol bounds.
    function resolveOptions(HubParams storage p, IInferenceHub.RequestOptions calldata options)
        internal
        view
        returns (uint256 gasLimit, uint256 resultTimeout, uint256 proofTimeout)
    {
        gasLimit = options.callbackGasLimit == 0 ? p.defaultCallbackGas : options.callbackGasLimit;
        if (gasLimit > p.maxCallbackGas) revert IInferenceHub.InferenceHubInvalidOptions("callbackGasLimit");
        resultTimeout =
            _pick(options.resultTimeout, p.defaultResultTimeout, p.minResultTimeout, p.maxResultTimeout, "resultTimeout");
        proofTimeout =
            _pick(options.proofTimeout, p.defaultProofTimeout, p.minProofTimeout, p.maxProofTimeout, "proofTimeout");
    }

    /// @dev Reads the model's terms (fresh: active flag and price can change) and checks it takes requests (active, an
    /// electorate for ZKML_ATTESTED); caches the immutable facts the later stages need. Uses IModelRegistry.modelTerms
    /// rather than getModel (hashes, shapes).
    function _model(HubState storage s, HubDeps memory d, uint256 modelId)
        private
        returns (IModelRegistry.ModelTerms memory model)
    {
        model = d.models.modelTerms(modelId);
        if (!model.active) revert IInferenceHub.InferenceHubModelInactive(modelId);
        if (model.mode == VerificationMode.ZKML_ATTESTED && d.nodes.totalEligibleStake(NodeRole.Verifier) == 0) {
            revert IInferenceHub.InferenceHubNoVerifiers(modelId);
        }
        if (!s.modelInfo[modelId].known) {
            s.modelInfo[modelId] = ModelInfo({
                verifier: model.verifier,
                inputLength: model.inputLength,
                outputLength: model.outputLength,
                mode: model.mode,
                known: true,
                batch: model.batch,
                tolerance: model.tolerance
            });
        }
    }

    /// @dev A new request's terms (its head but the executor): the options resolved (defaults, bounds), the times.
    function _terms(HubParams storage p, Item memory item, IInferenceHub.RequestOptions calldata options)
        private
        view
        returns (RequestLib.Head memory h)
    {
        (uint256 gasLimit, uint256 resultTimeout, uint256 proofTimeout) = resolveOptions(p, options);
        h.consumer = item.consumer;
        h.modelId = uint40(item.modelId); // a registered model (checked): its id is far below 2^40
        h.proofTimeout = uint24(proofTimeout);
        h.callbackGasLimit = uint32(gasLimit);
        h.requestedAt = uint40(block.timestamp);
        h.resultDeadline = uint40(block.timestamp + resultTimeout);
        h.mode = item.model.mode;
        h.resultCallback = options.resultCallback;
    }

    /// @dev Checks the model (its terms read by _model) takes this input and payment: the input's length and domain,
    /// the price and the callback `budget`; puts the payment in escrow.
    function _admit(HubState storage s, RequestLib.Record storage r, Item memory item, int256[] calldata input, uint256 budget)
        private
    {
        IModelRegistry.ModelTerms memory model = item.model;
        uint256 modelId = item.modelId;
        if (input.length != model.inputLength) {
            revert IInferenceHub.InferenceHubWrongInputLength(modelId, model.inputLength, input.length);
        }
        InputDomain.check(model.domain, input);
        uint256 value = item.value;
        if (value < model.price + budget) revert IInferenceHub.InferenceHubFeeTooLow(modelId, model.price + budget, value);
        _escrow(s, r, value, budget);
    }

    /// @dev A new request's status and money: its payment in escrow, split into fee and callback budget.
    function _escrow(HubState storage s, RequestLib.Record storage r, uint256 value, uint256 budget) private {
        // fee and budget are 88-bit fields: bounding what was paid bounds both (budget <= value was checked)
        if (value > type(uint88).max) revert IInferenceHub.InferenceHubFeeTooHigh(type(uint88).max, value);
        r.status = RequestStatus.Requested;
        r.fee = uint88(value - budget);
        r.callbackBudget = uint88(budget);
        s.totalEscrowed += value;
    }

    /// @dev Request `id`'s head `h`: where the previous item of its batch has the same terms, points to that item's
    /// head and takes its executor (no slots 0-1 of its own); else draws the executor and writes its own. Never across
    /// batches (a lone request would pay two cold reads to save two slots only sometimes), nor for more than
    /// MAX_HEAD_ITEMS requests per head.
    function _writeHead(
        HubState storage s,
        HubDeps memory d,
        uint256 id,
        RequestLib.Record storage r,
        RequestLib.Head memory h,
        uint256 batchFirst
    ) private {
        if (batchFirst != 0 && id > batchFirst) {
            uint256 headId = id - 1 - s.requests[id - 1].headOffset;
            RequestLib.Head storage prev = s.requests[headId].ownHead;
            if (RequestLib.sameTerms(prev, h) && id - headId < MAX_HEAD_ITEMS) {
                h.executor = prev.executor;
                r.headOffset = uint8(id - headId);
                return;
            }
        }
        h.executor = _assignExecutor(d, id);
        r.ownHead = h;
    }

    /// @dev Zero takes the default; anything else must be within [min, max].
    function _pick(uint256 chosen, uint256 defaultValue, uint256 min, uint256 max, string memory field)
        private
        pure
        returns (uint256)
    {
        if (chosen == 0) return defaultValue;
        if (chosen < min || chosen > max) revert IInferenceHub.InferenceHubInvalidOptions(field);
        return chosen;
    }

    /// @dev Over NodeRegistry's eligible executors, seeded by the request id, the previous block hash and this block's
    /// RANDAO mix (unknown to the requester until its request is mined).
    function _assignExecutor(HubDeps memory d, uint256 requestId) private view returns (address) {
        uint256 count = d.nodes.eligibleCount(NodeRole.Executor);
        if (count == 0) revert IInferenceHub.InferenceHubNoExecutors();
        uint256 seed = uint256(keccak256(abi.encode(requestId, blockhash(block.number - 1), block.prevrandao)));
        return d.nodes.eligibleAt(NodeRole.Executor, seed % count);
    }
}
