// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {NodeRole, RequestStatus, VerificationMode} from "../types/Types.sol";
import {RequestLib} from "../libraries/RequestLib.sol";
import {Instances} from "../libraries/Instances.sol";
import {PackedOutputs} from "../libraries/PackedOutputs.sol";
import {FeeSplit} from "../libraries/FeeSplit.sol";
import {ExternalCalls} from "../libraries/ExternalCalls.sol";
import {QuorumMath} from "../libraries/QuorumMath.sol";
import {AttestationQuorum} from "../verifiers/AttestationQuorum.sol";
import {HubParameters} from "./HubParameters.sol";
import {HubPayments} from "./HubPayments.sol";

/// @title InferenceHub
/// @notice Twinpath's request queue and settlement state machine. A request is answered on the fast path by an
/// executor (`submitResult`), then settled on the proof path according to the model's verification mode:
/// ZKML_ONCHAIN (proof verified here), ZKML_ATTESTED (proof published, stake-weighted EIP-712 quorum of verification
/// nodes) or OPTIMISTIC (challenge window). Missed deadlines refund the consumer and slash the responsible node
/// (fail closed: a node is never paid on timeout).
/// @dev Known limits: the assignment window and quorum read the current parameters (an admin change applies to open
/// requests); attestation weights are the signer's stake when recorded; the slash on a proof/quorum timeout falls
/// on the executor who delivered the result (it is the node that owed a verifiable result).
contract InferenceHub is HubPayments, HubParameters {
    using RequestLib for RequestLib.Record;

    /// @dev Model facts the hub needs after the request, cached on first use. Safe to cache: a model version never
    /// changes them (only price, active flag and owner change, and those are read fresh at request time).
    struct ModelInfo {
        address verifier;
        uint32 inputLength;
        uint32 outputLength;
        VerificationMode mode;
        bool known;
        uint256 tolerance;
    }

    /// @dev Reward pool of a settled ZKML_ATTESTED request, shared by stake among its "valid" attesters.
    struct VerifierPool {
        uint128 remaining;
        uint128 unclaimedStake;
    }

    bytes32 internal constant REASON_RESULT_TIMEOUT = "RESULT_TIMEOUT";
    bytes32 internal constant REASON_PROOF_TIMEOUT = "PROOF_TIMEOUT";
    bytes32 internal constant REASON_OUTPUT_MISMATCH = "OUTPUT_MISMATCH";
    bytes32 internal constant REASON_PROOF_REJECTED = "PROOF_REJECTED";
    bytes32 internal constant REASON_EQUIVOCATION = "EQUIVOCATION";

    IModelRegistry public immutable models;
    INodeRegistry public immutable nodes;
    /// @notice This hub's attestation book (EIP-712 checks, tallies), deployed by the hub's constructor.
    AttestationQuorum public immutable attestationQuorum;

    uint256 private _requestCount;
    mapping(uint256 requestId => RequestLib.Record) private _requests;
    mapping(uint256 modelId => ModelInfo) private _modelInfo;
    mapping(uint256 requestId => mapping(uint256 => bytes32)) private _fastOutput;
    mapping(uint256 requestId => mapping(uint256 => bytes32)) private _provenOutput;
    /// @dev keccak256(requestId, proofHash) => rejected by quorum (cannot be submitted again)
    mapping(bytes32 => bool) private _rejectedProofs;
    mapping(uint256 requestId => VerifierPool) private _verifierPools;

    modifier onlySelf() {
        if (msg.sender != address(this)) revert InferenceHubOnlySelf(msg.sender);
        _;
    }

    /// @param models_ the model registry (the hub reads its `modelTerms` view on every request)
    /// @param nodes_ the node registry; its owner must call `nodes_.setHub(address(hub))` so the hub can slash
    /// @param owner_ the hub admin (protocol parameters)
    /// @param treasury_ receives the protocol fee and the protocol's part of slashed stake
    constructor(IModelRegistry models_, INodeRegistry nodes_, address owner_, address treasury_)
        HubParameters(owner_, treasury_)
    {
        models = models_;
        nodes = nodes_;
        attestationQuorum = new AttestationQuorum(address(this), nodes_);
    }

    /// @notice Only the node registry pays the hub (slashed stake, accounted by `_slash`).
    receive() external payable {
        if (msg.sender != address(nodes)) revert InferenceHubUnexpectedPayment(msg.sender);
    }

    // ------------------------------------------------------------------------------------------------ requests

    /// @inheritdoc IInferenceHub
    function requestInference(uint256 modelId, int256[] calldata input, RequestOptions calldata options)
        external
        payable
        nonReentrant
        returns (uint256 requestId)
    {
        VerificationMode mode = _checkModel(modelId, input.length);
        Instances.checkRange(input);
        if (msg.value > type(uint96).max) revert InferenceHubFeeTooHigh(type(uint96).max, msg.value);
        requestId = ++_requestCount;
        (address executor, uint256 resultDeadline) = _record(requestId, modelId, mode, Instances.hash(input), options);
        emit InferenceRequested(requestId, modelId, msg.sender, executor, input, msg.value, uint64(resultDeadline));
    }

    // ------------------------------------------------------------------------------------------------ fast path

    /// @inheritdoc IInferenceHub
    function submitResult(uint256 requestId, int256[] calldata output) external nonReentrant {
        _submitResult(_sender(), requestId, output);
    }

    /// @inheritdoc IInferenceHub
    function submitResults(uint256[] calldata requestIds, int256[][] calldata outputs)
        external
        nonReentrant
        returns (bool[] memory ok)
    {
        uint256 n = requestIds.length;
        if (n != outputs.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _beginBatch();
        for (uint256 i; i < n; ++i) {
            ok[i] = _runItem(requestIds[i], abi.encodeCall(this.submitResult, (requestIds[i], outputs[i])));
        }
        _endBatch();
    }


    function _submitResult(address executor, uint256 id, int256[] calldata output) internal {
        RequestLib.Record storage r = _requests[id];
        // 1. state, deadline, who may deliver
        r.transition(id, RequestStatus.Requested, RequestStatus.Executed);
        RequestLib.beforeDeadline(id, r.resultDeadline);
        if (!nodes.isEligible(executor, NodeRole.Executor)) {
            revert InferenceHubNotEligible(executor, uint8(NodeRole.Executor));
        }
        uint256 openAt = uint256(r.requestedAt) + _params.assignmentWindow;
        if (executor != r.executor && block.timestamp < openAt) {
            revert InferenceHubNotAssigned(id, executor, r.executor, openAt);
        }
        // 2. shape and range of the output
        ModelInfo storage m = _modelInfo[r.modelId];
        _checkOutput(r.modelId, m.outputLength, output);
        // 3. record; keep the output itself only where settlement or a tolerance check will need it
        bytes32 outputHash = Instances.hash(output);
        uint256 proofDeadline = block.timestamp + r.proofTimeout;
        r.outputHash = outputHash;
        r.deliveredBy = executor;
        r.proofDeadline = uint40(proofDeadline);
        if (m.mode == VerificationMode.OPTIMISTIC || m.tolerance != 0) PackedOutputs.store(_fastOutput[id], output);
        emit ResultSubmitted(id, executor, output, outputHash, uint64(proofDeadline));
        // 4. fast-path callback (gas-capped, failure isolated)
        if (r.resultCallback) _callback(id, r, false, output);
    }

    // ------------------------------------------------------------------------------------------------ proof path

    /// @inheritdoc IInferenceHub
    function submitProof(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external
        nonReentrant
    {
        _submitProof(_sender(), requestId, input, output, proof);
    }

    /// @inheritdoc IInferenceHub
    function submitProofs(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes[] calldata proofs
    ) external nonReentrant returns (bool[] memory ok) {
        uint256 n = requestIds.length;
        if (n != inputs.length || n != outputs.length || n != proofs.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _beginBatch();
        for (uint256 i; i < n; ++i) {
            ok[i] = _runItem(
                requestIds[i], abi.encodeCall(this.submitProof, (requestIds[i], inputs[i], outputs[i], proofs[i]))
            );
        }
        _endBatch();
    }


    function _submitProof(
        address prover,
        uint256 id,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) internal {
        RequestLib.Record storage r = _requests[id];
        // 1. state, mode, deadline, prover stake
        r.expect(id, RequestStatus.Executed);
        VerificationMode mode = r.mode;
        if (mode == VerificationMode.OPTIMISTIC) revert InferenceHubWrongMode(id, uint8(mode));
        RequestLib.beforeDeadline(id, r.proofDeadline);
        if (!nodes.isEligible(prover, NodeRole.Prover)) revert InferenceHubNotEligible(prover, uint8(NodeRole.Prover));
        // 2. bind the proof to this request: instances rebuilt from the stored input and the claimed output
        uint256[] memory instances = _bindInstances(id, r, input, output);
        bytes32 proofHash = keccak256(proof);
        bytes32 provenHash = Instances.hash(output);
        bool mismatch = _isMismatch(id, r, output, provenHash);
        r.provedBy = prover;
        r.proofHash = proofHash;
        r.instancesHash = keccak256(abi.encode(instances));
        r.provenOutputHash = provenHash;

        if (mode == VerificationMode.ZKML_ONCHAIN) {
            // 3a. verify here, settle now (the proof is in calldata; not repeated in the event)
            if (!_verify(r.modelId, proof, instances)) revert InferenceHubInvalidProof(id);
            r.status = RequestStatus.ProofSubmitted;
            emit ProofSubmitted(id, prover, proofHash, r.instancesHash, output, "");
            _settle(id, r, output, provenHash, mismatch, address(0));
        } else {
            // 3b. ZKML_ATTESTED: publish for verification nodes, wait for the quorum
            if (_rejectedProofs[_proofKey(id, proofHash)]) revert InferenceHubInvalidProof(id);
            r.status = RequestStatus.ProofSubmitted;
            r.mismatch = mismatch;
            PackedOutputs.store(_provenOutput[id], output);
            emit ProofSubmitted(id, prover, proofHash, r.instancesHash, output, proof);
        }
    }

    /// @inheritdoc IInferenceHub
    function challenge(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external
        nonReentrant
    {
        RequestLib.Record storage r = _requests[requestId];
        r.expect(requestId, RequestStatus.Executed);
        r.expectMode(requestId, VerificationMode.OPTIMISTIC);
        RequestLib.beforeDeadline(requestId, r.proofDeadline);
        uint256[] memory instances = _bindInstances(requestId, r, input, output);
        bytes32 provenHash = Instances.hash(output);
        if (!_isMismatch(requestId, r, output, provenHash)) revert InferenceHubChallengeFailed(requestId);
        if (!_verify(r.modelId, proof, instances)) revert InferenceHubInvalidProof(requestId);
        r.provedBy = msg.sender;
        r.proofHash = keccak256(proof);
        r.instancesHash = keccak256(abi.encode(instances));
        r.provenOutputHash = provenHash;
        emit Challenged(requestId, msg.sender, provenHash);
        _settle(requestId, r, output, provenHash, true, msg.sender);
    }

    /// @inheritdoc IInferenceHub
    function settleUnchallenged(uint256 requestId) external nonReentrant {
        RequestLib.Record storage r = _requests[requestId];
        r.expect(requestId, RequestStatus.Executed);
        r.expectMode(requestId, VerificationMode.OPTIMISTIC);
        RequestLib.afterDeadline(requestId, r.proofDeadline);
        int256[] memory output = PackedOutputs.load(_fastOutput[requestId], _modelInfo[r.modelId].outputLength);
        _settle(requestId, r, output, r.outputHash, false, address(0));
    }

    // ------------------------------------------------------------------------------------------------ attestations

    /// @inheritdoc IInferenceHub
    function submitAttestations(Attestation[] calldata attestations, bytes[] calldata signatures)
        external
        nonReentrant
        returns (bool[] memory ok)
    {
        uint256 n = attestations.length;
        if (n != signatures.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _beginBatch();
        for (uint256 i; i < n; ++i) {
            ok[i] = _runItem(
                attestations[i].requestId, abi.encodeCall(this.selfSubmitAttestation, (attestations[i], signatures[i]))
            );
        }
        _endBatch();
    }

    /// @notice One item of submitAttestations; callable only by the hub itself (there is no single-attestation
    /// entry point: attestations come in batches).
    function selfSubmitAttestation(Attestation calldata a, bytes calldata signature) external onlySelf {
        uint256 id = a.requestId;
        RequestLib.Record storage r = _requests[id];
        // 1. the attestation is about the proof currently under attestation, in time
        r.expect(id, RequestStatus.ProofSubmitted);
        RequestLib.beforeDeadline(id, r.proofDeadline);
        if (a.proofHash != r.proofHash || a.instancesHash != r.instancesHash) revert InferenceHubAttestationMismatch(id);
        // 2. signed by an eligible verification node, once; 3. count its stake
        (address signer, QuorumMath.Tally memory t, QuorumMath.Outcome outcome) =
            attestationQuorum.record(a, signature, _params.quorumBps);
        emit AttestationRecorded(id, signer, a.valid, t.validStake, t.invalidStake);
        // 4. settle or reject once the outcome is decided
        if (outcome == QuorumMath.Outcome.Accepted) {
            int256[] memory output = PackedOutputs.load(_provenOutput[id], _modelInfo[r.modelId].outputLength);
            _settle(id, r, output, r.provenOutputHash, r.mismatch, address(0));
        } else if (outcome == QuorumMath.Outcome.Rejected) {
            _rejectProof(id, r);
        }
    }

    /// @inheritdoc IInferenceHub
    function reportEquivocation(Attestation calldata a, bytes calldata sigA, Attestation calldata b, bytes calldata sigB)
        external
        nonReentrant
    {
        address signer = attestationQuorum.checkEquivocation(a, sigA, b, sigB);
        uint256 amount = _slash(signer, NodeRole.Verifier, _params.verifierSlash, REASON_EQUIVOCATION, msg.sender);
        emit EquivocationSlashed(a.requestId, signer, amount);
    }

    /// @inheritdoc IInferenceHub
    function claimVerifierReward(uint256 requestId) external nonReentrant returns (uint256 amount) {
        RequestLib.Record storage r = _requests[requestId];
        r.expect(requestId, RequestStatus.Settled);
        uint256 weight = attestationQuorum.claim(requestId, r.proofHash, msg.sender);
        VerifierPool storage pool = _verifierPools[requestId];
        // Proportional to what is left, so the last claimant takes the exact remainder.
        amount = uint256(pool.remaining) * weight / pool.unclaimedStake;
        pool.remaining -= uint128(amount);
        pool.unclaimedStake -= uint128(weight);
        _totalVerifierPools -= amount;
        _credit(msg.sender, amount);
        emit VerifierRewardClaimed(requestId, msg.sender, amount);
    }

    // ------------------------------------------------------------------------------------------------ deadlines

    /// @inheritdoc IInferenceHub
    function refundExpired(uint256 requestId) external nonReentrant {
        RequestLib.Record storage r = _requests[requestId];
        RequestStatus atStatus = r.status;
        uint256 deadline;
        address responsible;
        bytes32 reason;
        if (atStatus == RequestStatus.Requested) {
            (deadline, responsible, reason) = (r.resultDeadline, r.executor, REASON_RESULT_TIMEOUT);
        } else if (atStatus == RequestStatus.Executed || atStatus == RequestStatus.ProofSubmitted) {
            // An OPTIMISTIC result is not refunded when its window ends: it settles (settleUnchallenged).
            if (r.mode == VerificationMode.OPTIMISTIC) revert InferenceHubWrongMode(requestId, uint8(r.mode));
            (deadline, responsible, reason) = (r.proofDeadline, r.deliveredBy, REASON_PROOF_TIMEOUT);
        } else {
            revert InferenceHubUnexpectedStatus(requestId, atStatus, RequestStatus.Requested);
        }
        RequestLib.afterDeadline(requestId, deadline);
        // 1. close the request and return the whole fee (fail closed: no node is paid)
        r.status = RequestStatus.Refunded;
        address consumer = r.consumer;
        uint256 fee = r.fee;
        _totalEscrowed -= fee;
        _credit(consumer, fee);
        _clearOutputs(requestId, r);
        emit RequestRefunded(requestId, consumer, fee, atStatus);
        // 2. slash the node that let the deadline pass; the consumer gets the beneficiary share
        _slash(responsible, NodeRole.Executor, _params.executorSlash, reason, consumer);
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @inheritdoc IInferenceHub
    function getRequest(uint256 requestId) external view returns (Request memory) {
        return _requests[requestId].toView();
    }

    /// @inheritdoc IInferenceHub
    function status(uint256 requestId) external view returns (RequestStatus) {
        return _requests[requestId].status;
    }

    /// @inheritdoc IInferenceHub
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @inheritdoc IInferenceHub
    function expectedInstances(uint256 requestId, int256[] calldata input, int256[] calldata output)
        external
        view
        returns (uint256[] memory)
    {
        return _bindInstances(requestId, _requests[requestId], input, output);
    }

    /// @inheritdoc IInferenceHub
    function attestationDigest(Attestation calldata a) external view returns (bytes32) {
        return attestationQuorum.digest(a);
    }

    /// @inheritdoc IInferenceHub
    function assignedExecutor(uint256 requestId) external view returns (address) {
        RequestLib.Record storage r = _requests[requestId];
        if (r.status != RequestStatus.Requested) return address(0);
        if (block.timestamp >= uint256(r.requestedAt) + _params.assignmentWindow) return address(0);
        return r.executor;
    }

    // ------------------------------------------------------------------------------------------------ internals

    /// @dev Reads the model (fresh: active flag and price can change), checks it takes this request, caches the
    /// immutable facts the later stages need. Uses IModelRegistry.modelTerms (4 storage slots) rather than
    /// IModelRegistry.getModel (hashes and shapes too, ~3x the gas).
    function _checkModel(uint256 modelId, uint256 inputLength) private returns (VerificationMode) {
        IModelRegistry.ModelTerms memory model = models.modelTerms(modelId);
        if (!model.active) revert InferenceHubModelInactive(modelId);
        if (inputLength != model.inputLength) {
            revert InferenceHubWrongInputLength(modelId, model.inputLength, inputLength);
        }
        if (msg.value < model.price) revert InferenceHubFeeTooLow(modelId, model.price, msg.value);
        if (!_modelInfo[modelId].known) {
            _modelInfo[modelId] = ModelInfo({
                verifier: model.verifier,
                inputLength: model.inputLength,
                outputLength: model.outputLength,
                mode: model.mode,
                known: true,
                tolerance: model.tolerance
            });
        }
        return model.mode;
    }

    /// @dev Writes a new request's record (slots 0-4) and adds its fee to escrow.
    function _record(
        uint256 requestId,
        uint256 modelId,
        VerificationMode mode,
        bytes32 inputHash,
        RequestOptions calldata options
    ) private returns (address executor, uint256 resultDeadline) {
        (uint256 gasLimit, uint256 resultTimeout, uint256 proofTimeout) = _resolveOptions(options);
        executor = _assignExecutor(requestId);
        resultDeadline = block.timestamp + resultTimeout;
        RequestLib.Record storage r = _requests[requestId];
        r.consumer = msg.sender;
        r.modelId = uint64(modelId);
        r.callbackGasLimit = uint32(gasLimit);
        r.executor = executor;
        r.requestedAt = uint40(block.timestamp);
        r.resultDeadline = uint40(resultDeadline);
        r.status = RequestStatus.Requested;
        r.mode = mode;
        r.proofTimeout = uint32(proofTimeout);
        r.resultCallback = options.resultCallback;
        r.fee = uint96(msg.value);
        r.inputHash = inputHash;
        _totalEscrowed += msg.value;
    }

    /// @dev Options with zero fields replaced by defaults, each checked against the protocol bounds.
    function _resolveOptions(RequestOptions calldata options)
        private
        view
        returns (uint256 gasLimit, uint256 resultTimeout, uint256 proofTimeout)
    {
        Params storage p = _params;
        gasLimit = options.callbackGasLimit == 0 ? p.defaultCallbackGas : options.callbackGasLimit;
        if (gasLimit > p.maxCallbackGas) revert InferenceHubInvalidOptions("callbackGasLimit");
        resultTimeout =
            _pick(options.resultTimeout, p.defaultResultTimeout, p.minResultTimeout, p.maxResultTimeout, "resultTimeout");
        proofTimeout =
            _pick(options.proofTimeout, p.defaultProofTimeout, p.minProofTimeout, p.maxProofTimeout, "proofTimeout");
    }

    /// @dev Zero takes the default; anything else must be within [min, max].
    function _pick(uint256 chosen, uint256 defaultValue, uint256 min, uint256 max, string memory field)
        private
        pure
        returns (uint256)
    {
        if (chosen == 0) return defaultValue;
        if (chosen < min || chosen > max) revert InferenceHubInvalidOptions(field);
        return chosen;
    }

    /// @dev Deterministic over NodeRegistry's eligible executors, seeded by the request id and the previous block.
    function _assignExecutor(uint256 requestId) private view returns (address) {
        uint256 count = nodes.eligibleCount(NodeRole.Executor);
        if (count == 0) revert InferenceHubNoExecutors();
        uint256 seed = uint256(keccak256(abi.encode(requestId, blockhash(block.number - 1))));
        return nodes.eligibleAt(NodeRole.Executor, seed % count);
    }

    function _checkOutput(uint256 modelId, uint256 expected, int256[] calldata output) private pure {
        if (output.length != expected) revert InferenceHubWrongOutputLength(modelId, expected, output.length);
        Instances.checkRange(output);
    }

    /// @dev The instances a proof for request `id` claiming `output` must verify against. The input is supplied by
    /// the caller (the hub stores its hash only) and must hash to the stored inputHash.
    function _bindInstances(uint256 id, RequestLib.Record storage r, int256[] calldata input, int256[] calldata output)
        private
        view
        returns (uint256[] memory)
    {
        if (r.status == RequestStatus.None) revert InferenceHubUnexpectedStatus(id, RequestStatus.None, RequestStatus.Executed);
        if (Instances.hash(input) != r.inputHash) revert InferenceHubInputMismatch(id);
        uint256 modelId = r.modelId;
        _checkOutput(modelId, _modelInfo[modelId].outputLength, output);
        return Instances.build(input, output);
    }

    /// @dev True if the proven output differs from the fast-path output by more than the model's tolerance.
    function _isMismatch(uint256 id, RequestLib.Record storage r, int256[] calldata proven, bytes32 provenHash)
        private
        view
        returns (bool)
    {
        if (provenHash == r.outputHash) return false;
        ModelInfo storage m = _modelInfo[r.modelId];
        uint256 tolerance = m.tolerance;
        if (tolerance == 0) return true;
        int256[] memory fast = PackedOutputs.load(_fastOutput[id], m.outputLength);
        return !Instances.withinTolerance(proven, fast, tolerance);
    }

    function _verify(uint256 modelId, bytes calldata proof, uint256[] memory instances) private view returns (bool) {
        return ExternalCalls.staticCallBool(
            _modelInfo[modelId].verifier, abi.encodeCall(IProofVerifier.verifyProof, (proof, instances))
        );
    }

    /// @dev Settlement, in order: close the request, split the fee into pull balances, slash a mismatched executor,
    /// free stored outputs, then the consumer's onSettled callback (last, gas-capped).
    function _settle(
        uint256 id,
        RequestLib.Record storage r,
        int256[] memory output,
        bytes32 outputHash,
        bool mismatch,
        address challenger
    ) private {
        // 1. close the request; its fee leaves escrow
        r.status = RequestStatus.Settled;
        uint256 fee = r.fee;
        _totalEscrowed -= fee;
        // 2. split: a wrong executor's share goes to the harmed party (the challenger, else the consumer)
        VerificationMode mode = r.mode;
        Params storage p = _params;
        FeeSplit.Shares memory s = FeeSplit.split(
            fee,
            p.executorBps,
            p.proverBps,
            p.verifierBps,
            mode != VerificationMode.OPTIMISTIC || challenger != address(0),
            mode == VerificationMode.ZKML_ATTESTED
        );
        address harmed = challenger != address(0) ? challenger : r.consumer;
        _credit(mismatch ? harmed : r.deliveredBy, s.executor);
        _credit(r.provedBy, s.prover);
        if (s.verifiers != 0) {
            // shared later by the stake that attested "valid" (claimVerifierReward)
            _totalVerifierPools += s.verifiers;
            (uint256 validStake,) = attestationQuorum.tally(id, r.proofHash);
            _verifierPools[id] = VerifierPool(uint128(s.verifiers), uint128(validStake));
        }
        _credit(p.treasury, s.protocol);
        if (mismatch) emit ExecutorMismatch(id, r.deliveredBy, r.outputHash, outputHash);
        emit RequestSettled(id, outputHash, s.executor, s.prover, s.verifiers, s.protocol);
        // 3. slash a wrong executor
        if (mismatch) _slash(r.deliveredBy, NodeRole.Executor, p.executorSlash, REASON_OUTPUT_MISMATCH, harmed);
        // 4. free stored outputs, 5. tell the consumer
        _clearOutputs(id, r);
        _callback(id, r, true, output);
    }

    /// @dev The quorum can no longer accept this proof: slash the prover, reopen the request for another proof.
    function _rejectProof(uint256 id, RequestLib.Record storage r) private {
        _rejectedProofs[_proofKey(id, r.proofHash)] = true;
        address prover = r.provedBy;
        emit ProofRejected(id, prover, r.proofHash);
        r.status = RequestStatus.Executed;
        r.provedBy = address(0);
        r.mismatch = false;
        r.proofHash = bytes32(0);
        r.instancesHash = bytes32(0);
        r.provenOutputHash = bytes32(0);
        _slash(prover, NodeRole.Prover, _params.proverSlash, REASON_PROOF_REJECTED, address(0));
    }

    /// @dev Takes up to `amount` of `node`'s stake through the registry and credits what actually arrived: the
    /// beneficiary's share (slashRewardBps) and the rest to the treasury. No wei is created or lost.
    /// @dev Not wrapped in try/catch on purpose: the registry never reverts for lack of stake, and a catch would
    /// let a caller starve the slash of gas to dodge it.
    function _slash(address node, NodeRole role, uint256 amount, bytes32 reason, address beneficiary)
        private
        returns (uint256 received)
    {
        if (amount == 0 || node == address(0)) return 0;
        uint256 before = address(this).balance;
        nodes.slash(node, role, amount, reason);
        received = address(this).balance - before;
        if (received == 0) return 0;
        uint256 share = beneficiary == address(0) ? 0 : received * _params.slashRewardBps / BPS;
        _credit(beneficiary, share);
        _credit(_params.treasury, received - share);
        emit SlashCredited(node, role, received, beneficiary, share, reason);
    }

    function _clearOutputs(uint256 id, RequestLib.Record storage r) private {
        ModelInfo storage m = _modelInfo[r.modelId];
        uint256 length = m.outputLength;
        if (r.deliveredBy != address(0) && (m.mode == VerificationMode.OPTIMISTIC || m.tolerance != 0)) {
            PackedOutputs.clear(_fastOutput[id], length);
        }
        if (m.mode == VerificationMode.ZKML_ATTESTED) PackedOutputs.clear(_provenOutput[id], length);
    }

    /// @dev Consumer callback with the request's gas cap. Skipped for EOAs (nothing to call). Never reverts for the
    /// consumer's sake; the outcome is recorded in CallbackDelivered.
    function _callback(uint256 id, RequestLib.Record storage r, bool settled, int256[] memory output) private {
        address consumer = r.consumer;
        if (consumer.code.length == 0) return;
        bytes memory data = abi.encodeWithSelector(
            settled ? IInferenceConsumer.onSettled.selector : IInferenceConsumer.onResult.selector, id, output
        );
        (bool success, uint256 gasUsed) = ExternalCalls.callWithGasCap(consumer, r.callbackGasLimit, data);
        emit CallbackDelivered(id, settled, success, gasUsed);
    }

    function _proofKey(uint256 id, bytes32 proofHash) private pure returns (bytes32) {
        return keccak256(abi.encode(id, proofHash));
    }
}
