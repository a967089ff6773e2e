// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {TransientReentrancyGuard} from "../utils/TransientReentrancyGuard.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IAttestationQuorum} from "../interfaces/IAttestationQuorum.sol";
import {NodeRole, RequestStatus, VerificationMode} from "../types/Types.sol";
import {RequestLib} from "../libraries/RequestLib.sol";
import {DutyBuffer} from "../libraries/DutyBuffer.sol";
import {OpenedRound, HubDeps, HubParams, HubState, RequestBatch} from "./HubTypes.sol";
import {HubLogic} from "./HubLogic.sol";
import {HubRequests} from "./HubRequests.sol";
import {HubParameters} from "./HubParameters.sol";
import {HubViews} from "./HubViews.sol";

/// @title InferenceHub
/// @notice Twinpath's request queue and settlement state machine. A request is answered on the fast path by an
/// executor (`submitResult`), then settled on the proof path according to the model's verification mode:
/// ZKML_ONCHAIN (proof verified here), ZKML_ATTESTED (proof committed by its hash, bytes served by the prover's proof
/// store; votes of a fixed electorate of verification
/// nodes gathered by the AttestationQuorum; `settle` once decided) or OPTIMISTIC (challenge window). Only inputs
/// inside the model version's admitted domain are accepted. A missed deadline refunds the consumer and slashes only
/// the node that alone owed the missing step; slashed stake never goes to the consumer. Design and threat model:
/// contracts/hub/README.md.
/// @dev The hub holds the state (HubState), the entry points, the reentrancy lock (OpenZeppelin, transient), batches,
/// pull payments, admin and views; each step of the state machine runs in a linked library: the request in HubRequests,
/// the later steps in HubLogic.
contract InferenceHub is IInferenceHub, Ownable2Step, TransientReentrancyGuard {
    IModelRegistry public immutable models;
    INodeRegistry public immutable nodes;
    /// @notice This hub's attestation book (electorates, EIP-712 votes, tallies), wired to it with setHub.
    IAttestationQuorum public immutable attestationQuorum;

    HubState private _s;
    /// @dev The caller of the batch in progress (batch items are self-calls, so their msg.sender is the hub).
    address private transient _batchSender;
    /// @dev requestInferences: the batch's first request id (its items may share a head, RequestLib.head)
    uint256 private transient _batchFirst;
    /// @dev submitResults: the request that opened the current result group (its results share one ResultHead,
    /// RequestLib); set by each item's self-call, so a rejected item's group never counts
    uint256 private transient _groupFirst;
    /// @dev The batch's sender, found eligible for `_eligibleRole` when the batch began (HubDeps.eligible)
    address private transient _eligible;
    NodeRole private transient _eligibleRole;
    /// @dev settleMany: a round the quorum accepted, found by an earlier item (HubDeps.acceptedRound)
    bytes32 private transient _acceptedRound;

    /// @dev A batch entry point nets its items' duty moves per node and role and sends them to the NodeRegistry in
    /// one call at its end (DutyBuffer says why that is safe); a single entry point sends its moves as they happen.
    /// A batch of one item sends its moves as they happen, like a single call (the buffer's writes would cost it more
    /// than they save).
    modifier batchesDuties(uint256 items) {
        if (items > 1) DutyBuffer.open();
        _;
        if (items > 1) DutyBuffer.flush(nodes);
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert InferenceHubOnlySelf(msg.sender);
        _;
    }

    /// @param models_ the model registry (the hub reads its `modelTerms` view on every request)
    /// @param nodes_ the node registry; its owner must call `nodes_.setHub(address(hub))`. Its unbonding delay must
    /// exceed longestWindow() of `params`
    /// @param quorum_ the attestation book; its admin must call `quorum_.setHub(address(hub))`
    /// @param owner_ the hub admin (protocol parameters)
    /// @param params the initial protocol parameters (checked as by setParameters; ignition/modules/Hub.ts lists
    /// the defaults)
    constructor(
        IModelRegistry models_,
        INodeRegistry nodes_,
        IAttestationQuorum quorum_,
        address owner_,
        HubParams memory params
    ) Ownable(owner_) {
        models = models_;
        nodes = nodes_;
        attestationQuorum = quorum_;
        HubParameters.set(_s, params, nodes_.unbondingDelay());
    }

    /// @notice Only the node registry pays the hub (slashed stake, accounted where it is taken).
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
        return HubRequests.request(_s, _deps(), msg.sender, msg.value, modelId, input, options, 0);
    }

    /// @inheritdoc IInferenceHub
    function requestInferences(
        uint256[] calldata modelIds,
        int256[][] calldata inputs,
        RequestOptions[] calldata options,
        uint256[] calldata payments
    ) external payable nonReentrant batchesDuties(modelIds.length) returns (uint256 firstId) {
        uint256 n = modelIds.length;
        if (n == 0 || n != inputs.length || n != options.length || n != payments.length) {
            revert InferenceHubBatchLengthMismatch();
        }
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += payments[i];
        }
        if (total != msg.value) revert InferenceHubBatchPaymentMismatch(msg.value, total);
        firstId = _s.requestCount + 1;
        _batchSender = msg.sender;
        _batchFirst = firstId;
        // all items in one self-call (this call's own arguments); if it fails, again one by one (the same rules in the
        // same order), so the refused item can be named with its index
        (bool ok,) = address(this).call(bytes.concat(this.selfRequests.selector, msg.data[4:]));
        if (!ok) {
            for (uint256 i; i < n; ++i) {
                try this.selfRequest(modelIds[i], inputs[i], options[i], payments[i]) {}
                catch (bytes memory reason) {
                    // no revert data: the transaction ran out of gas, not the item's fault (keeps estimates honest)
                    if (reason.length == 0) revert();
                    revert InferenceHubRequestItemInvalid(i, reason);
                }
            }
            revert(); // (the items passed one by one: only the gas can have run out)
        }
        _endBatch();
    }

    /// @inheritdoc IInferenceHub
    function selfRequests(
        uint256[] calldata modelIds,
        int256[][] calldata inputs,
        RequestOptions[] calldata options,
        uint256[] calldata payments
    ) external onlySelf {
        HubRequests.requestBatch(_s, _deps(), RequestBatch(_batchSender, _batchFirst, modelIds, payments), inputs, options);
    }

    /// @inheritdoc IInferenceHub
    function selfRequest(uint256 modelId, int256[] calldata input, RequestOptions calldata options, uint256 payment)
        external
        onlySelf
    {
        HubRequests.request(_s, _deps(), _batchSender, payment, modelId, input, options, _batchFirst);
    }

    // ------------------------------------------------------------------------------------------------ fast path

    /// @inheritdoc IInferenceHub
    function submitResult(uint256 requestId, int256[] calldata output) external nonReentrant {
        _submitResult(msg.sender, requestId, output, false);
    }

    /// @inheritdoc IInferenceHub
    function submitResults(uint256[] calldata requestIds, int256[][] calldata outputs)
        external
        nonReentrant batchesDuties(requestIds.length)
        returns (bool[] memory ok)
    {
        uint256 n = requestIds.length;
        if (n != outputs.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _beginBatch(NodeRole.Executor);
        _groupFirst = 0;
        for (uint256 i; i < n; ++i) {
            ok[i] = _runItem(requestIds[i], abi.encodeCall(this.selfSubmitResult, (requestIds[i], outputs[i])));
        }
        _groupFirst = 0;
        _endBatch();
    }

    /// @notice One item of submitResults; callable only by the hub itself.
    function selfSubmitResult(uint256 requestId, int256[] calldata output) external onlySelf {
        _submitResult(_batchSender, requestId, output, true);
    }

    /// @dev A result, alone or as an item of submitResults (`batched`: it may join or open the batch's result group).
    function _submitResult(address executor, uint256 requestId, int256[] calldata output, bool batched) private {
        uint256 first = HubLogic.submitResult(_s, _deps(), executor, requestId, output, batched, _groupFirst);
        if (batched) _groupFirst = first;
    }

    // ------------------------------------------------------------------------------------------------ proof path

    /// @inheritdoc IInferenceHub
    function submitProof(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external
        nonReentrant
    {
        HubLogic.submitProof(_s, _deps(), msg.sender, requestId, input, output, proof);
    }

    /// @inheritdoc IInferenceHub
    function submitBatchProof(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes calldata proof
    ) external nonReentrant batchesDuties(requestIds.length) {
        _beginBatch(NodeRole.Prover);
        uint256 modelId =
            HubLogic.checkBatch(_s, _deps(), msg.sender, requestIds, inputs, outputs, VerificationMode.ZKML_ONCHAIN);
        (bytes32 proofHash, bytes32 instancesHash) = HubLogic.verifyBatch(_s, requestIds[0], modelId, inputs, outputs, proof);
        _settleBatch(modelId, requestIds, outputs, proofHash, instancesHash);
        _endBatch();
    }

    /// @inheritdoc IInferenceHub
    function commitBatchProof(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes32 proofHash,
        string calldata proofStore
    ) external nonReentrant batchesDuties(requestIds.length) {
        _beginBatch(NodeRole.Prover);
        OpenedRound memory b = _checkBatchCommitment(requestIds, inputs, outputs, proofHash);
        _commitBatch(requestIds, outputs, proofStore, b);
        _endBatch();
    }

    /// @dev commitBatchProof's checks (submitBatchProof's, in ZKML_ATTESTED), then the hash of the instances every
    /// verification node rebuilds and checks the proof against (no verifier on chain), announced; then the batch's one
    /// round, keyed by its first request (one electorate, one deadline, one tally for all of them; its committer, the
    /// caller, recorded with it).
    function _checkBatchCommitment(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes32 proofHash
    ) private returns (OpenedRound memory) {
        uint256 modelId =
            HubLogic.checkBatch(_s, _deps(), msg.sender, requestIds, inputs, outputs, VerificationMode.ZKML_ATTESTED);
        bytes32 instancesHash = HubLogic.batchInstancesHash(_s, modelId, inputs, outputs);
        _announceBatch(modelId, requestIds.length, outputs, proofHash, instancesHash);
        return HubLogic.openBatchRound(_s, _deps(), msg.sender, requestIds[0], proofHash, instancesHash);
    }

    /// @dev Each request of a committed batch proof is committed as a single proof would be, under the batch's round.
    function _commitBatch(uint256[] calldata requestIds, int256[][] calldata outputs, string calldata proofStore, OpenedRound memory b)
        private
    {
        HubDeps memory d = _deps();
        for (uint256 i; i < requestIds.length; ++i) {
            HubLogic.commitBatchItem(_s, d, msg.sender, requestIds[i], outputs[i], proofStore, b);
        }
    }

    /// @dev BatchProofCommitted, with the padded slots' outputs (the requests' own are in their ProofSubmitted).
    function _announceBatch(uint256 modelId, uint256 k, int256[][] calldata outputs, bytes32 proofHash, bytes32 instancesHash)
        private
    {
        int256[][] memory padding = new int256[][](outputs.length - k);
        for (uint256 i; i < padding.length; ++i) {
            padding[i] = outputs[k + i];
        }
        emit BatchProofCommitted(modelId, msg.sender, proofHash, instancesHash, k, padding);
    }

    /// @dev Each request of a verified batch proof settles as a single proof would.
    function _settleBatch(
        uint256 modelId,
        uint256[] calldata requestIds,
        int256[][] calldata outputs,
        bytes32 proofHash,
        bytes32 instancesHash
    ) private {
        emit BatchProofVerified(modelId, msg.sender, proofHash, instancesHash, requestIds.length);
        HubDeps memory d = _deps();
        for (uint256 i; i < requestIds.length; ++i) {
            HubLogic.settleBatchItem(_s, d, msg.sender, requestIds[i], outputs[i], proofHash, instancesHash);
        }
    }

    /// @inheritdoc IInferenceHub
    function submitProofs(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes[] calldata proofs
    ) external nonReentrant batchesDuties(requestIds.length) returns (bool[] memory ok) {
        uint256 n = requestIds.length;
        if (n != inputs.length || n != outputs.length || n != proofs.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _beginBatch(NodeRole.Prover);
        for (uint256 i; i < n; ++i) {
            ok[i] = _runItem(
                requestIds[i], abi.encodeCall(this.selfSubmitProof, (requestIds[i], inputs[i], outputs[i], proofs[i]))
            );
        }
        _endBatch();
    }

    /// @notice One item of submitProofs; callable only by the hub itself.
    function selfSubmitProof(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external
        onlySelf
    {
        HubLogic.submitProof(_s, _deps(), _batchSender, requestId, input, output, proof);
    }

    /// @inheritdoc IInferenceHub
    function commitProof(
        uint256 requestId,
        int256[] calldata input,
        int256[] calldata output,
        bytes32 proofHash,
        string calldata proofStore
    ) external nonReentrant {
        HubLogic.commitProof(_s, _deps(), msg.sender, requestId, input, output, proofHash, proofStore);
    }

    /// @inheritdoc IInferenceHub
    function commitProofs(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes32[] calldata proofHashes,
        string calldata proofStore
    ) external nonReentrant batchesDuties(requestIds.length) returns (bool[] memory ok) {
        uint256 n = requestIds.length;
        if (n != inputs.length || n != outputs.length || n != proofHashes.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _beginBatch(NodeRole.Prover);
        for (uint256 i; i < n; ++i) {
            ok[i] = _commitItem(requestIds[i], inputs[i], outputs[i], proofHashes[i], proofStore);
        }
        _endBatch();
    }

    /// @notice One item of commitProofs; callable only by the hub itself.
    function selfCommitProof(
        uint256 requestId,
        int256[] calldata input,
        int256[] calldata output,
        bytes32 proofHash,
        string calldata proofStore
    ) external onlySelf {
        HubLogic.commitProof(_s, _deps(), _batchSender, requestId, input, output, proofHash, proofStore);
    }

    /// @inheritdoc IInferenceHub
    function settle(uint256 requestId, int256[] calldata output) external nonReentrant {
        HubLogic.settle(_s, _deps(), msg.sender, requestId, output);
    }

    /// @inheritdoc IInferenceHub
    function settleMany(uint256[] calldata requestIds, int256[][] calldata outputs)
        external
        nonReentrant batchesDuties(requestIds.length)
        returns (bool[] memory ok)
    {
        uint256 n = requestIds.length;
        if (n != outputs.length) revert InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        _batchSender = msg.sender;
        for (uint256 i; i < n; ++i) {
            ok[i] = _runItem(requestIds[i], abi.encodeCall(this.selfSettle, (requestIds[i], outputs[i])));
        }
        _endBatch();
    }

    /// @inheritdoc IInferenceHub
    function selfSettle(uint256 requestId, int256[] calldata output) external onlySelf {
        bytes32 accepted = HubLogic.settle(_s, _deps(), _batchSender, requestId, output);
        if (accepted != bytes32(0)) _acceptedRound = accepted;
    }

    /// @inheritdoc IInferenceHub
    function commitChallenge(uint256 requestId, bytes32 commitment) external nonReentrant {
        HubLogic.commitChallenge(_s, requestId, commitment);
    }

    /// @inheritdoc IInferenceHub
    function challenge(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external
        nonReentrant
    {
        HubLogic.challenge(_s, _deps(), msg.sender, requestId, input, output, proof);
    }

    /// @inheritdoc IInferenceHub
    function settleUnchallenged(uint256 requestId) external nonReentrant {
        HubLogic.settleUnchallenged(_s, _deps(), msg.sender, requestId);
    }

    /// @inheritdoc IInferenceHub
    function refundExpired(uint256 requestId) external nonReentrant {
        HubLogic.refundExpired(_s, _deps(), requestId);
    }

    // ------------------------------------------------------------------------------------------------ verifiers

    /// @inheritdoc IInferenceHub
    function claimVerifierReward(uint256 requestId) external nonReentrant returns (uint256 amount) {
        return HubLogic.claimVerifierReward(_s, _deps(), msg.sender, requestId);
    }

    /// @inheritdoc IInferenceHub
    function reportEquivocation(SignedVerdict calldata a, SignedVerdict calldata b) external nonReentrant {
        HubLogic.reportEquivocation(_s, _deps(), msg.sender, a, b);
    }

    /// @inheritdoc IInferenceHub
    function reportSilence(address verifier, bytes32 fromRound, bytes32 toRound) external nonReentrant {
        HubLogic.reportSilence(_s, _deps(), verifier, fromRound, toRound);
    }

    // ------------------------------------------------------------------------------------------------ payments

    /// @inheritdoc IInferenceHub
    function withdraw() external nonReentrant {
        uint256 amount = _s.releasable[msg.sender];
        if (amount == 0) revert InferenceHubNothingToWithdraw(msg.sender);
        _s.releasable[msg.sender] = 0;
        _s.totalReleasable -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert InferenceHubTransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IInferenceHub
    function releasable(address account) external view returns (uint256) {
        return _s.releasable[account];
    }

    /// @inheritdoc IInferenceHub
    function accountedBalance() public view returns (uint256) {
        return _s.totalEscrowed + _s.totalVerifierPools + _s.totalReleasable;
    }

    // ------------------------------------------------------------------------------------------------ admin

    /// @inheritdoc IInferenceHub
    function parameters() external view returns (HubParams memory) {
        return _s.params;
    }

    /// @inheritdoc IInferenceHub
    function setParameters(HubParams calldata p) external onlyOwner {
        HubParameters.set(_s, p, nodes.unbondingDelay());
    }

    /// @notice The longest time stake can stay at risk on one request under the current parameters: electorate
    /// epoch + max result timeout + max proof timeout + attestation window. The NodeRegistry's unbonding delay must
    /// exceed it (both contracts check on every change).
    function longestWindow() external view returns (uint256) {
        return HubParameters.longestWindow(_s.params);
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @inheritdoc IInferenceHub
    function getRequest(uint256 requestId) external view returns (Request memory) {
        return HubViews.request(_s, attestationQuorum, requestId);
    }

    /// @inheritdoc IInferenceHub
    function getRequests(uint256[] calldata requestIds) external view returns (Request[] memory) {
        return HubViews.requests(_s, attestationQuorum, requestIds);
    }

    /// @inheritdoc IInferenceHub
    function status(uint256 requestId) external view returns (RequestStatus) {
        return _s.requests[requestId].status;
    }

    /// @inheritdoc IInferenceHub
    function requestCount() external view returns (uint256) {
        return _s.requestCount;
    }

    /// @inheritdoc IInferenceHub
    function expectedInstances(uint256 requestId, int256[] calldata input, int256[] calldata output)
        external
        view
        returns (uint256[] memory)
    {
        return HubViews.expectedInstances(_s, requestId, input, output);
    }

    /// @inheritdoc IInferenceHub
    function attestationDigest(Attestation calldata a) external view returns (bytes32) {
        return attestationQuorum.digest(a);
    }

    /// @inheritdoc IInferenceHub
    function assignedExecutor(uint256 requestId) external view returns (address) {
        return HubViews.assignedExecutor(_s, requestId);
    }

    /// @inheritdoc IInferenceHub
    function assignedProver(uint256 requestId) external view returns (address) {
        return HubLogic.assignedProver(_s, _deps(), requestId);
    }

    /// @inheritdoc IInferenceHub
    function quoteFee(uint256 modelId, RequestOptions calldata options, uint256 gasPrice) external view returns (uint256) {
        return HubRequests.quoteFee(_s, _deps(), modelId, options, gasPrice);
    }

    // ------------------------------------------------------------------------------------------------ internals

    function _commitItem(
        uint256 requestId,
        int256[] calldata input,
        int256[] calldata output,
        bytes32 proofHash,
        string calldata proofStore
    ) private returns (bool) {
        return _runItem(requestId, abi.encodeCall(this.selfCommitProof, (requestId, input, output, proofHash, proofStore)));
    }

    function _deps() private view returns (HubDeps memory) {
        return HubDeps(models, nodes, attestationQuorum, _eligible, _eligibleRole, _acceptedRound);
    }

    /// @dev Batch items are self-calls that succeed or fail on their own (a failed item emits ItemRejected with its
    /// revert data and leaves no trace). A failure that means the transaction itself ran short of gas (an out-of-gas
    /// item, which reverts with no data, or InferenceHubInsufficientCallbackGas) reverts the whole batch instead: it
    /// is the sender's fault, not the item's, and it keeps gas estimation honest.
    function _runItem(uint256 requestId, bytes memory call) private returns (bool success) {
        bytes memory reason;
        (success, reason) = address(this).call(call);
        if (success) return true;
        bytes4 selector;
        if (reason.length >= 4) {
            assembly ("memory-safe") {
                selector := mload(add(reason, 0x20))
            }
        }
        if (reason.length == 0 || selector == InferenceHubInsufficientCallbackGas.selector) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
        emit ItemRejected(requestId, reason);
    }

    /// @dev Where a batch ends (v4's "settle at the end of unlock"): the books never promise more than the hub holds.
    /// @dev A batch entry point's items run as `msg.sender`; a node eligible for `role` now stays so for the batch
    /// (HubDeps.eligible): checked once here, not per item.
    function _beginBatch(NodeRole role) private {
        _batchSender = msg.sender;
        if (nodes.isEligible(msg.sender, role)) (_eligible, _eligibleRole) = (msg.sender, role);
    }

    function _endBatch() private {
        (_batchSender, _eligible, _acceptedRound) = (address(0), address(0), bytes32(0));
        uint256 accounted = accountedBalance();
        if (address(this).balance < accounted) revert InferenceHubAccountingMismatch(address(this).balance, accounted);
    }
}
