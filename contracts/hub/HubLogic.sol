// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {IAttestationQuorum} from "../interfaces/IAttestationQuorum.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IProofVerifier} from "../interfaces/IProofVerifier.sol";
import {NodeRole, RequestStatus, VerificationMode} from "../types/Types.sol";
import {RequestLib} from "../libraries/RequestLib.sol";
import {Instances} from "../libraries/Instances.sol";
import {PackedOutputs} from "../libraries/PackedOutputs.sol";
import {FeeSplit} from "../libraries/FeeSplit.sol";
import {ExternalCalls} from "../libraries/ExternalCalls.sol";
import {QuorumMath} from "../libraries/QuorumMath.sol";
import {DutyBuffer} from "../libraries/DutyBuffer.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {OpenedRound, HubDeps, HubParams, HubState, ModelInfo} from "./HubTypes.sol";

/// @title HubLogic
/// @notice The InferenceHub's state machine, as a linked library with external functions (the hub delegatecalls
/// it, so its code does not count towards the hub's 24,576-byte limit). Each external function is one step of a
/// request's life, working on the hub's HubState; the hub keeps the entry points, the reentrancy lock, batches and
/// views. Events and errors are the hub's (IInferenceHub), emitted from the hub's address.
/// @dev Deploy once per chain and link into InferenceHub (Ignition: ignition/modules/Hub.ts).
library HubLogic {
    using RequestLib for RequestLib.Record;

    uint256 private constant BPS = 10_000;
    /// @notice Longest proof store URL a commitment may carry (it is only emitted, never stored).
    uint256 private constant MAX_STORE_URL = 256;

    /// @notice Results are drawn their prover per bucket of 2^5 = 32 request ids and block, and a result group never
    /// spans buckets: at most 32 results share a draw and a ResultHead (as many as share a request head), so no single
    /// prover is handed a whole large batch.
    uint256 internal constant RESULT_BUCKET_BITS = 5;

    bytes32 private constant REASON_RESULT_TIMEOUT = "RESULT_TIMEOUT";
    bytes32 private constant REASON_PROOF_TIMEOUT = "PROOF_TIMEOUT";
    bytes32 private constant REASON_OUTPUT_MISMATCH = "OUTPUT_MISMATCH";
    bytes32 private constant REASON_PROOF_REJECTED = "PROOF_REJECTED";
    bytes32 private constant REASON_EQUIVOCATION = "EQUIVOCATION";

    // ------------------------------------------------------------------------------------------------ fast path

    /// @notice submitResult: the assigned executor (anyone eligible after the assignment window) delivers; the duty
    /// moves to it; the prover that owes the proof is drawn; the onResult callback is paid to `payee`. `groupFirst`:
    /// for an item of submitResults (`batched`), the request that opened the batch's current result group (0 before
    /// its first); returned as it is after this result (see _assignProver).
    function submitResult(
        HubState storage s,
        HubDeps memory d,
        address executor,
        uint256 id,
        int256[] calldata output,
        bool batched,
        uint256 groupFirst
    ) external returns (uint256) {
        RequestLib.Record storage r = s.requests[id];
        RequestLib.Head storage h = _head(s, id);
        // 1.-2. state, deadline, who may deliver, shape and range of the output; record; the duty moves
        _acceptResult(s, d, executor, id, r, h, output);
        // 3. the prover that owes the proof, by the proof deadline
        {
            uint256 proofDeadline = block.timestamp + h.proofTimeout;
            address prover;
            if (h.mode == VerificationMode.OPTIMISTIC) r.proofDeadline = uint40(proofDeadline);
            else (prover, groupFirst) = _assignProver(s, d, id, r, proofDeadline, batched, groupFirst);
            emit IInferenceHub.ResultSubmitted(id, executor, output, r.outputHash, uint64(proofDeadline), prover);
        }
        // 4. fast-path callback (gas-capped, failure isolated, paid from the callback budget to the deliverer)
        if (h.resultCallback) _resultCallback(s, id, r, h, output, executor);
        return groupFirst;
    }

    /// @dev onResult: half the budget pays it, the rest stays for onSettled.
    function _resultCallback(
        HubState storage s,
        uint256 id,
        RequestLib.Record storage r,
        RequestLib.Head storage h,
        int256[] calldata output,
        address executor
    ) private {
        uint256 budget = r.callbackBudget;
        r.callbackBudget = uint88(budget - budget / 2);
        _callback(s, id, h, budget / 2, false, output, executor);
    }

    /// @dev Request `id`'s prover and proof deadline. The prover is drawn from the request's bucket of 32 ids
    /// (`id >> RESULT_BUCKET_BITS`) and this block's RANDAO mix: one draw per bucket and block, whatever order or
    /// transactions the executor delivers the bucket's results in (it cannot pick the seed by choosing which result
    /// opens a group: threat row G4). An item of a submitResults batch joins the batch's current group (opened by
    /// request `groupFirst`) when it is of the same bucket, after it, with the same proof deadline, and records only how
    /// far back the group's first is: one ResultHead serves them all. Else it opens a group (in a batch) or writes its
    /// own slot (alone). Returns the prover and the batch's current group after this result.
    function _assignProver(
        HubState storage s,
        HubDeps memory d,
        uint256 id,
        RequestLib.Record storage r,
        uint256 proofDeadline,
        bool batched,
        uint256 groupFirst
    ) private returns (address prover, uint256) {
        RequestLib.ResultHead storage group = s.resultHeads[groupFirst];
        if (
            groupFirst != 0 && id > groupFirst && id >> RESULT_BUCKET_BITS == groupFirst >> RESULT_BUCKET_BITS
                && group.proofDeadline == proofDeadline
        ) {
            prover = group.prover;
            r.resultOffset = uint8(id + 1 - groupFirst); // <= 32: the same bucket
        } else {
            prover = _drawProver(d, uint256(keccak256(abi.encode(id >> RESULT_BUCKET_BITS, block.prevrandao))));
            if (batched) {
                s.resultHeads[id] = RequestLib.ResultHead(prover, uint40(proofDeadline));
                r.resultOffset = 1;
                groupFirst = id;
            } else {
                r.provedBy = prover;
                r.proofDeadline = uint40(proofDeadline);
            }
        }
        if (prover != address(0)) DutyBuffer.move(d.nodes, NodeRole.Prover, address(0), prover);
        return (prover, groupFirst);
    }

    function _acceptResult(
        HubState storage s,
        HubDeps memory d,
        address executor,
        uint256 id,
        RequestLib.Record storage r,
        RequestLib.Head storage h,
        int256[] calldata output
    ) private {
        r.transition(id, RequestStatus.Requested, RequestStatus.Executed);
        RequestLib.beforeDeadline(id, h.resultDeadline);
        if (!_isEligible(d, executor, NodeRole.Executor)) {
            revert IInferenceHub.InferenceHubNotEligible(executor, uint8(NodeRole.Executor));
        }
        address assigned = h.executor;
        if (executor != assigned) {
            uint256 openAt = uint256(h.requestedAt) + s.params.assignmentWindow;
            if (block.timestamp < openAt) revert IInferenceHub.InferenceHubNotAssigned(id, executor, assigned, openAt);
            r.delegated = true;
            r.deliveredBy = executor;
            DutyBuffer.move(d.nodes, NodeRole.Executor, assigned, executor);
        }
        uint256 modelId = h.modelId;
        ModelInfo storage m = s.modelInfo[modelId];
        _checkOutput(modelId, m.outputLength, output);
        r.outputHash = Instances.hash(output);
        // keep the output itself only where settlement or a tolerance check will need it
        if (m.mode == VerificationMode.OPTIMISTIC || m.tolerance != 0) PackedOutputs.store(s.fastOutput[id], output);
    }

    // ------------------------------------------------------------------------------------------------ proof path

    /// @notice submitProof (ZKML_ONCHAIN): only the prover whose window it is (a copied proof comes from the wrong
    /// key); verified and settled now.
    function submitProof(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        bytes32 proofHash = keccak256(proof);
        (uint256[] memory instances, bytes32 instancesHash) =
            _acceptProof(s, d, prover, id, input, output, proofHash, VerificationMode.ZKML_ONCHAIN);
        if (!_verify(s, _head(s, id).modelId, proof, instances)) revert IInferenceHub.InferenceHubInvalidProof(id);
        _settleProven(s, d, prover, id, output, proofHash, instancesHash);
    }

    /// @notice A batch proof's checks (`mode`: ZKML_ONCHAIN before the proof is verified, ZKML_ATTESTED before it is
    /// committed): every request of one version, once (ids ascending), each passing submitProof's (commitProof's)
    /// checks (state, mode, deadline, the prover's window and eligibility, the input against its stored hash, the
    /// output's shape); at most as many as the version has slots, and an output of the model's length for every slot.
    /// The hub's submitBatchProof and commitBatchProof run it first. Returns the version.
    function checkBatch(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        VerificationMode mode
    ) external view returns (uint256 modelId) {
        uint256 k = requestIds.length;
        if (k == 0 || inputs.length != k) revert IInferenceHub.InferenceHubBatchLengthMismatch();
        modelId = _head(s, requestIds[0]).modelId;
        for (uint256 i; i < k; ++i) {
            uint256 id = requestIds[i];
            // ascending, so each appears once
            if (i != 0 && id <= requestIds[i - 1]) revert IInferenceHub.InferenceHubBatchNotAscending(i);
            _checkBatchItem(s, d, prover, id, modelId, inputs[i], outputs[i], mode);
        }
        _checkPadding(modelId, s.modelInfo[modelId], k, outputs);
    }

    /// @dev A batch's request: of the batch's version, and passing submitProof's checks.
    function _checkBatchItem(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        uint256 modelId,
        int256[] calldata input,
        int256[] calldata output,
        VerificationMode mode
    ) private view {
        RequestLib.Head storage h = _head(s, id);
        if (h.modelId != modelId) revert IInferenceHub.InferenceHubBatchModelMismatch(id, modelId);
        _checkProofItem(s, d, prover, id, h, input, output, mode);
    }

    /// @dev `k` requests fit the version's slots, and every slot (padded ones too) has an output of the model's length.
    function _checkPadding(uint256 modelId, ModelInfo storage m, uint256 k, int256[][] calldata outputs) private view {
        uint256 slots = m.batch;
        if (k > slots) revert IInferenceHub.InferenceHubBatchTooLarge(k, slots);
        if (outputs.length != slots) revert IInferenceHub.InferenceHubBatchLengthMismatch();
        uint256 outputLength = m.outputLength;
        for (uint256 i = k; i < slots; ++i) {
            if (outputs[i].length != outputLength) {
                revert IInferenceHub.InferenceHubWrongOutputLength(modelId, outputLength, outputs[i].length);
            }
        }
    }

    /// @notice One verification of a ZKML_ONCHAIN batch proof (request `firstId` first) against the instances the hub
    /// rebuilds from its requests' inputs and outputs (padded slots' inputs are zeros). Returns the proof's hash and
    /// the instances'.
    function verifyBatch(
        HubState storage s,
        uint256 firstId,
        uint256 modelId,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes calldata proof
    ) external view returns (bytes32 proofHash, bytes32 instancesHash) {
        ModelInfo storage m = s.modelInfo[modelId];
        uint256[] memory instances = Instances.buildBatch(inputs, outputs, m.inputLength);
        if (!ExternalCalls.staticCallBool(m.verifier, abi.encodeCall(IProofVerifier.verifyProof, (proof, instances)))) {
            revert IInferenceHub.InferenceHubInvalidProof(firstId);
        }
        return (keccak256(proof), keccak256(abi.encode(instances)));
    }

    /// @notice The hash of a ZKML_ATTESTED batch proof's instances, which every verification node rebuilds and checks
    /// the proof against (no verifier on chain).
    function batchInstancesHash(HubState storage s, uint256 modelId, int256[][] calldata inputs, int256[][] calldata outputs)
        external
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(Instances.buildBatch(inputs, outputs, s.modelInfo[modelId].inputLength)));
    }

    /// @notice One request of a verified ZKML_ONCHAIN batch proof: recorded and settled as submitProof does (the
    /// duty moves to the prover, a mismatched executor is slashed, the fee is split, onSettled runs).
    function settleBatchItem(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata output,
        bytes32 proofHash,
        bytes32 instancesHash
    ) external {
        _recordAccepted(s, d, prover, id, output, proofHash, instancesHash);
        _settleProven(s, d, prover, id, output, proofHash, instancesHash);
    }

    /// @dev ZKML_ONCHAIN, the proof verified: settle now (the proof is in calldata; not repeated in the event).
    function _settleProven(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata output,
        bytes32 proofHash,
        bytes32 instancesHash
    ) private {
        RequestLib.Record storage r = s.requests[id];
        r.status = RequestStatus.ProofSubmitted;
        emit IInferenceHub.ProofSubmitted(id, prover, proofHash, instancesHash, output, "");
        _settle(s, d, id, r, output, address(0), prover);
    }

    /// @notice commitProof (ZKML_ATTESTED): only the prover whose window it is commits to a proof by its hash; the
    /// bytes stay in its proof store (`proofStore`), where verification nodes fetch them. Opens the proof's round with
    /// a fixed electorate.
    function commitProof(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata input,
        int256[] calldata output,
        bytes32 proofHash,
        string calldata proofStore
    ) external {
        (, bytes32 instancesHash) = _acceptProof(s, d, prover, id, input, output, proofHash, VerificationMode.ZKML_ATTESTED);
        RequestLib.Record storage r = s.requests[id];
        _commit(id, r, prover, output, proofHash, instancesHash, proofStore);
        // a single proof's round, opened by request `id`
        _announceRound(id, _openRound(s.params, d.quorum, id, proofHash, instancesHash));
    }

    /// @notice One request of a ZKML_ATTESTED batch proof (checked by checkBatch): recorded and committed as
    /// commitProof does, with the batch's instancesHash, under the batch's one round `b` (settled, rejected and
    /// rewarded per request, as any other).
    function commitBatchItem(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata output,
        string calldata proofStore,
        OpenedRound memory b
    ) external {
        RequestLib.Record storage r = s.requests[id];
        DutyBuffer.move(d.nodes, NodeRole.Prover, _proverOf(s, id, r), prover);
        _recordProof(s, id, r, output);
        // (checked in openBatchRound) the batch's round (key, prover) is stored once, under this number: no proofKey or
        // provedBy of its own
        r.proofBatch = uint32(b.batch);
        _commit(id, r, prover, output, b.proofHash, b.instancesHash, proofStore);
        _announceRound(id, b);
    }

    /// @dev A recorded ZKML_ATTESTED proof's commitment: checked and announced (the caller opens or joins its round).
    function _commit(
        uint256 id,
        RequestLib.Record storage r,
        address prover,
        int256[] calldata output,
        bytes32 proofHash,
        bytes32 instancesHash,
        string calldata proofStore
    ) private {
        uint256 storeLength = bytes(proofStore).length;
        if (proofHash == bytes32(0) || storeLength == 0 || storeLength > MAX_STORE_URL) {
            revert IInferenceHub.InferenceHubInvalidCommitment(id);
        }
        r.status = RequestStatus.ProofSubmitted;
        // the output is not stored: it is in ProofSubmitted, and settle() takes it back, checked against its hash
        emit IInferenceHub.ProofSubmitted(id, prover, proofHash, instancesHash, output, proofStore);
    }

    /// @notice settle (ZKML_ATTESTED): the quorum's outcome on the proof under attestation: accepted -> settle with
    /// `output` once it hashes to the proven output's hash, rejected -> slash the prover and reopen; pending -> revert.
    /// Returns the round's key when it was accepted (zero otherwise), which a settleMany remembers for its later items.
    function settle(HubState storage s, HubDeps memory d, address payee, uint256 id, int256[] calldata output)
        external
        returns (bytes32 acceptedRound)
    {
        RequestLib.Record storage r = s.requests[id];
        r.expect(id, RequestStatus.ProofSubmitted);
        QuorumMath.Outcome outcome;
        {
            bytes32 key = r.proofKeyOf(s.batchRounds);
            outcome = _quorumOutcome(s, d, key);
            if (outcome == QuorumMath.Outcome.Accepted) acceptedRound = key;
        }
        if (outcome == QuorumMath.Outcome.Accepted) {
            // the caller brings the output (the lean record keeps its hash): recomputed, never trusted
            bytes32 expected = r.settledOutputHash();
            bytes32 given = Instances.hash(output);
            if (given != expected) revert IInferenceHub.InferenceHubSettleOutputMismatch(id, expected, given);
            _settle(s, d, id, r, output, address(0), payee);
        } else if (outcome == QuorumMath.Outcome.Rejected) {
            _rejectProof(s, d, id, r);
        } else {
            revert IInferenceHub.InferenceHubQuorumPending(id);
        }
    }

    /// @notice commitChallenge (OPTIMISTIC): record a commitment binding the challenger.
    function commitChallenge(HubState storage s, uint256 id, bytes32 commitment) external {
        RequestLib.Record storage r = s.requests[id];
        r.expect(id, RequestStatus.Executed);
        RequestLib.expectMode(_head(s, id), id, VerificationMode.OPTIMISTIC);
        RequestLib.beforeDeadline(id, _proofDeadline(s, id, r));
        if (s.challengeCommits[commitment] == 0) s.challengeCommits[commitment] = block.number;
        emit IInferenceHub.ChallengeCommitted(id, commitment);
    }

    /// @notice challenge (OPTIMISTIC): a committed proof of another output settles it and slashes the executor.
    function challenge(
        HubState storage s,
        HubDeps memory d,
        address challenger,
        uint256 id,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external {
        _acceptChallenge(s, challenger, id, input, output, proof);
        RequestLib.Record storage r = s.requests[id];
        emit IInferenceHub.Challenged(id, challenger, r.provenOutputHash);
        _settle(s, d, id, r, output, challenger, challenger);
    }

    /// @dev A challenge in time, committed earlier by its sender, with a valid proof of an output beyond the tolerance
    /// of the result; recorded (the challenger as the prover).
    function _acceptChallenge(
        HubState storage s,
        address challenger,
        uint256 id,
        int256[] calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) private {
        RequestLib.Record storage r = s.requests[id];
        RequestLib.Head storage h = _head(s, id);
        r.expect(id, RequestStatus.Executed);
        RequestLib.expectMode(h, id, VerificationMode.OPTIMISTIC);
        RequestLib.beforeDeadline(id, _proofDeadline(s, id, r));
        _consumeCommitment(s, id, challenger, output, proof);
        _checkBinding(s, id, r, h, input, output);
        uint256[] memory instances = Instances.build(input, output);
        if (!_verify(s, h.modelId, proof, instances)) revert IInferenceHub.InferenceHubInvalidProof(id);
        _recordChallenge(s, id, r, challenger, QuorumMath.roundKey(id, keccak256(proof), keccak256(abi.encode(instances))), output);
    }

    /// @dev The commitment binds the challenger: whoever copies a challenge has no commitment of its own. It must
    /// come from an earlier block, and is used once.
    function _consumeCommitment(
        HubState storage s,
        uint256 id,
        address challenger,
        int256[] calldata output,
        bytes calldata proof
    ) private {
        bytes32 commitment = keccak256(abi.encode(id, challenger, Instances.hash(output), keccak256(proof)));
        uint256 committedAt = s.challengeCommits[commitment];
        if (committedAt == 0 || committedAt >= block.number) {
            revert IInferenceHub.InferenceHubChallengeNotCommitted(id, commitment);
        }
        delete s.challengeCommits[commitment];
    }

    /// @dev A challenge must contradict the result beyond the tolerance; the challenger is recorded as the prover.
    function _recordChallenge(
        HubState storage s,
        uint256 id,
        RequestLib.Record storage r,
        address challenger,
        bytes32 proofKey,
        int256[] calldata output
    ) private {
        bytes32 provenHash = Instances.hash(output);
        if (!_isMismatch(s, id, r, output, provenHash)) revert IInferenceHub.InferenceHubChallengeFailed(id);
        r.mismatch = true;
        r.provedBy = challenger;
        r.proofKey = proofKey;
        r.provenDiffers = true;
        r.provenOutputHash = provenHash;
    }

    /// @notice settleUnchallenged (OPTIMISTIC): the window closed without a challenge.
    function settleUnchallenged(HubState storage s, HubDeps memory d, address payee, uint256 id) external {
        RequestLib.Record storage r = s.requests[id];
        r.expect(id, RequestStatus.Executed);
        RequestLib.expectMode(_head(s, id), id, VerificationMode.OPTIMISTIC);
        RequestLib.afterDeadline(id, _proofDeadline(s, id, r));
        int256[] memory output = PackedOutputs.load(s.fastOutput[id], s.modelInfo[_head(s, id).modelId].outputLength);
        _settle(s, d, id, r, output, address(0), payee);
    }

    // ------------------------------------------------------------------------------------------------ verifiers

    /// @notice claimVerifierReward: `verifier`'s snapshot-stake share of the pool, once the round is closed.
    function claimVerifierReward(HubState storage s, HubDeps memory d, address verifier, uint256 id)
        external
        returns (uint256 amount)
    {
        RequestLib.Record storage r = s.requests[id];
        r.expect(id, RequestStatus.Settled);
        // the round's valid stake is final once its window is over (late votes share the reward)
        bytes32 key = r.proofKeyOf(s.batchRounds);
        uint256 verifyDeadline = _verifyDeadline(d, key);
        if (block.timestamp <= verifyDeadline) revert IInferenceHub.InferenceHubClaimTooEarly(id, verifyDeadline);
        (uint256 weight, uint256 validStake) = d.quorum.claim(id, key, verifier);
        // Proportional to what is left, so the last claimant takes the exact remainder. Since settlement the record's
        // callback budget field holds the pool still to claim and its fee field the valid stake that has claimed
        // (RequestLib): no slot of their own.
        uint256 pool = r.callbackBudget;
        uint256 claimedStake = r.fee;
        amount = pool * weight / (validStake - claimedStake);
        r.callbackBudget = uint88(pool - amount);
        r.fee = SafeCast.toUint88(claimedStake + weight); // <= validStake: each claimant is counted once
        s.totalVerifierPools -= amount;
        _credit(s, verifier, amount);
        emit IInferenceHub.VerifierRewardClaimed(id, verifier, amount);
    }

    /// @notice reportEquivocation: slash a node that signed both verdicts on one proof (alone or in batches); a
    /// share to the reporter.
    function reportEquivocation(
        HubState storage s,
        HubDeps memory d,
        address reporter,
        IInferenceHub.SignedVerdict calldata a,
        IInferenceHub.SignedVerdict calldata b
    ) external {
        address signer = d.quorum.checkEquivocation(a, b);
        uint256 amount = _slash(s, d, signer, NodeRole.Verifier, s.params.verifierSlash, REASON_EQUIVOCATION, reporter);
        emit IInferenceHub.EquivocationSlashed(a.attestation.requestId, signer, amount);
    }

    /// @notice reportSilence: suspend a verification node shown silent through silenceLimit closed rounds.
    function reportSilence(HubState storage s, HubDeps memory d, address verifier, bytes32 fromRound, bytes32 toRound)
        external
    {
        HubParams storage p = s.params;
        d.quorum.checkSilence(verifier, fromRound, toRound, p.silenceLimit);
        uint256 until = block.timestamp + p.suspension;
        d.nodes.suspend(verifier, NodeRole.Verifier, until);
        emit IInferenceHub.VerifierSuspended(verifier, fromRound, toRound, until);
    }

    // ------------------------------------------------------------------------------------------------ deadlines

    /// @notice refundExpired: refund fee + unused callback budget; slash only the node that alone owed the missing
    /// step (to the treasury, never to the consumer).
    function refundExpired(HubState storage s, HubDeps memory d, uint256 id) external {
        RequestLib.Record storage r = s.requests[id];
        RequestLib.Head storage h = _head(s, id);
        RequestStatus atStatus = r.status;
        uint256 deadline;
        address executor = RequestLib.executorOf(r, h);
        address prover = _proverOf(s, id, r);
        address slashed;
        NodeRole role = NodeRole.Prover;
        if (atStatus == RequestStatus.Requested) {
            // no result: the assigned executor alone owed it (every admitted input runs)
            (deadline, slashed, role) = (h.resultDeadline, executor, NodeRole.Executor);
        } else if (atStatus == RequestStatus.Executed) {
            // An OPTIMISTIC result is not refunded when its window ends: it settles (settleUnchallenged).
            if (h.mode == VerificationMode.OPTIMISTIC) revert IInferenceHub.InferenceHubWrongMode(id, uint8(h.mode));
            // no proof: the prover drawn at result time owed it (every admitted input proves), not the executor.
            // provedBy is empty if its proof was rejected (slashed then) or no prover was eligible.
            (deadline, slashed) = (_proofDeadline(s, id, r), prover);
        } else if (atStatus == RequestStatus.ProofSubmitted) {
            // the quorum did not decide in time: nobody alone owed that, nobody is slashed (a decided quorum settles)
            bytes32 key = r.proofKeyOf(s.batchRounds);
            if (_quorumOutcome(s, d, key) != QuorumMath.Outcome.Pending) revert IInferenceHub.InferenceHubQuorumDecided(id);
            deadline = _verifyDeadline(d, key);
        } else {
            revert IInferenceHub.InferenceHubUnexpectedStatus(id, atStatus, RequestStatus.Requested);
        }
        RequestLib.afterDeadline(id, deadline);
        // 1. close the request and return the fee and the unused callback budget (fail closed: no node is paid)
        r.status = RequestStatus.Refunded;
        address consumer = h.consumer;
        uint256 refund = uint256(r.fee) + r.callbackBudget;
        s.totalEscrowed -= refund;
        _credit(s, consumer, refund);
        _clearOutputs(s, id, r, h);
        emit IInferenceHub.RequestRefunded(id, consumer, refund, atStatus);
        // 2. duties end; 3. slash the node that let its own deadline pass
        DutyBuffer.move(d.nodes, NodeRole.Executor, executor, address(0));
        if (h.mode != VerificationMode.OPTIMISTIC) DutyBuffer.move(d.nodes, NodeRole.Prover, prover, address(0));
        if (slashed != address(0)) {
            uint256 amount = role == NodeRole.Executor ? s.params.executorSlash : s.params.proverSlash;
            _slash(s, d, slashed, role, amount, role == NodeRole.Executor ? REASON_RESULT_TIMEOUT : REASON_PROOF_TIMEOUT, address(0));
        }
    }

    // ------------------------------------------------------------------------------------------------ views

    /// @notice Who may submit a proof now, and when that window ends. Window 0 (proverWindow seconds from the
    /// result) belongs to the prover drawn at result time; each later window to a prover drawn from (id, window)
    /// over the provers eligible then. Exactly one key is entitled at any time.
    function entitledProver(HubState storage s, HubDeps memory d, uint256 id)
        public
        view
        returns (address prover, uint256 windowEnd)
    {
        RequestLib.Record storage r = s.requests[id];
        return _entitledProver(s, d, id, r, _proofDeadline(s, id, r));
    }

    /// @notice The prover whose window it is to prove request `id` now (address(0) unless it awaits a proof in time).
    function assignedProver(HubState storage s, HubDeps memory d, uint256 id) external view returns (address prover) {
        RequestLib.Record storage r = s.requests[id];
        if (r.status != RequestStatus.Executed || _head(s, id).mode == VerificationMode.OPTIMISTIC) return address(0);
        uint256 proofDeadline = _proofDeadline(s, id, r);
        if (block.timestamp > proofDeadline) return address(0);
        (prover,) = _entitledProver(s, d, id, r, proofDeadline);
    }

    // ------------------------------------------------------------------------------------------------ internals

    /// @dev entitledProver, for request `id`'s record `r` and its proof deadline (read once by the caller).
    function _entitledProver(
        HubState storage s,
        HubDeps memory d,
        uint256 id,
        RequestLib.Record storage r,
        uint256 proofDeadline
    ) private view returns (address prover, uint256 windowEnd) {
        uint256 start = RequestLib.executedAt(proofDeadline, _head(s, id));
        uint256 w = s.params.proverWindow;
        uint256 window = (block.timestamp - start) / w;
        windowEnd = start + (window + 1) * w;
        prover = _proverOf(s, id, r);
        if (window != 0 || prover == address(0)) prover = _drawProver(d, uint256(keccak256(abi.encode(id, window))));
    }

    /// @dev An eligible prover drawn with `seed`, or address(0) if there is none.
    function _drawProver(HubDeps memory d, uint256 seed) private view returns (address) {
        uint256 count = d.nodes.eligibleCount(NodeRole.Prover);
        if (count == 0) return address(0);
        return d.nodes.eligibleAt(NodeRole.Prover, seed % count);
    }

    /// @dev Steps 1-2 of submitProof and commitProof: state, mode, deadline, the prover's window and eligibility; then the binding
    /// (instances rebuilt from the stored input and the claimed output), recorded. Returns the instances and their hash.
    function _acceptProof(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata input,
        int256[] calldata output,
        bytes32 proofHash,
        VerificationMode mode
    ) private returns (uint256[] memory instances, bytes32 instancesHash) {
        // a batch version's circuit takes every slot: its proofs go through submitBatchProof / commitBatchProof
        RequestLib.Head storage h = _head(s, id);
        uint256 batch = s.modelInfo[h.modelId].batch;
        if (batch > 1) revert IInferenceHub.InferenceHubBatchTooLarge(1, batch);
        _checkProofItem(s, d, prover, id, h, input, output, mode);
        instances = Instances.build(input, output);
        instancesHash = keccak256(abi.encode(instances));
        _recordAccepted(s, d, prover, id, output, proofHash, instancesHash);
    }

    /// @dev The checks of a proof for request `id` before it is verified: state, mode, deadline, the prover's window and
    /// eligibility, the binding (_checkBinding).
    function _checkProofItem(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        RequestLib.Head storage h,
        int256[] calldata input,
        int256[] calldata output,
        VerificationMode mode
    ) private view {
        RequestLib.Record storage r = s.requests[id];
        r.expect(id, RequestStatus.Executed);
        RequestLib.expectMode(h, id, mode);
        uint256 proofDeadline = _proofDeadline(s, id, r);
        RequestLib.beforeDeadline(id, proofDeadline);
        _checkProver(s, d, id, r, prover, proofDeadline);
        _checkBinding(s, id, r, h, input, output);
    }

    /// @dev A proof accepted for request `id`: the duty to prove moves to `prover`, and who proved what is recorded.
    function _recordAccepted(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 id,
        int256[] calldata output,
        bytes32 proofHash,
        bytes32 instancesHash
    ) private {
        RequestLib.Record storage r = s.requests[id];
        DutyBuffer.move(d.nodes, NodeRole.Prover, _proverOf(s, id, r), prover);
        _recordProof(s, id, r, output);
        _setProver(s, id, r, prover);
        r.proofKey = QuorumMath.roundKey(id, proofHash, instancesHash);
    }

    /// @dev Reverts unless `prover` holds the current proof window and is eligible.
    function _checkProver(
        HubState storage s,
        HubDeps memory d,
        uint256 id,
        RequestLib.Record storage r,
        address prover,
        uint256 proofDeadline
    ) private view {
        (address entitled, uint256 windowEnd) = _entitledProver(s, d, id, r, proofDeadline);
        if (prover != entitled) revert IInferenceHub.InferenceHubNotAssigned(id, prover, entitled, windowEnd);
        if (!_isEligible(d, prover, NodeRole.Prover)) {
            revert IInferenceHub.InferenceHubNotEligible(prover, uint8(NodeRole.Prover));
        }
    }

    /// @dev `prover`'s single proof of request `id` is recorded: a grouped result proven by its group's prover writes
    /// nothing (proverOf reads the group's); proven by another, it leaves its group (see _leaveGroup).
    function _setProver(HubState storage s, uint256 id, RequestLib.Record storage r, address prover) private {
        if (r.resultOffset != 0) {
            if (r.resultHead(id, s.resultHeads).prover == prover) return;
            _leaveGroup(s, id, r);
        }
        r.provedBy = prover;
    }

    /// @dev A grouped result whose prover is no longer its group's (another proved it, or its proof was rejected) is
    /// alone from now on: its own slot takes the group's proof deadline (the caller sets its prover).
    function _leaveGroup(HubState storage s, uint256 id, RequestLib.Record storage r) private {
        r.proofDeadline = r.resultHead(id, s.resultHeads).proofDeadline;
        r.resultOffset = 0;
    }

    /// @dev Records whether the proof contradicts the fast result (the caller moved the duty to prove to the
    /// submitter, and records who proved it and the proof's key: `provedBy` and `proofKey`, or a batch round's
    /// `proofBatch`).
    function _recordProof(HubState storage s, uint256 id, RequestLib.Record storage r, int256[] calldata output) private {
        bytes32 provenHash = Instances.hash(output);
        r.mismatch = _isMismatch(s, id, r, output, provenHash);
        // the usual case (the proof confirms the result) stores nothing more: zero means "the result's outputHash"
        if (provenHash != r.outputHash) {
            r.provenDiffers = true;
            r.provenOutputHash = provenHash;
        }
    }

    /// @notice The round of a ZKML_ATTESTED batch proof (commitBatchProof), keyed by its first request `firstId`: opened
    /// as a single proof's, and its key and committer `prover` stored once under a new number (`b.batch`) that each of
    /// its requests records.
    function openBatchRound(
        HubState storage s,
        HubDeps memory d,
        address prover,
        uint256 firstId,
        bytes32 proofHash,
        bytes32 instancesHash
    ) external returns (OpenedRound memory b) {
        b = _openRound(s.params, d.quorum, firstId, proofHash, instancesHash);
        // each request records it in 32 bits: checked, so it never wraps onto an older round
        b.batch = SafeCast.toUint32(++s.batchRoundCount);
        s.batchRounds[b.batch] = RequestLib.BatchRound(b.key, prover);
    }

    /// @dev Opens the round of a ZKML_ATTESTED proof keyed by request `id` (a batch proof's first request): the quorum
    /// gets a full attestation window from now (a proof sent at the last second cannot run the clock out on its
    /// verifiers), and the electorate is fixed now. The one rule for single and batch commitments.
    function _openRound(HubParams storage p, IAttestationQuorum quorum, uint256 id, bytes32 proofHash, bytes32 instancesHash)
        private
        returns (OpenedRound memory b)
    {
        b.deadline = block.timestamp + p.attestationWindow;
        (b.key, b.snapshot, b.electorate) = quorum.open(id, proofHash, instancesHash, b.deadline, p.electorateEpoch);
        b.proofHash = proofHash;
        b.instancesHash = instancesHash;
    }

    /// @dev Request `id`'s proof is under attestation in round `b` (a single proof's, or its batch proof's).
    function _announceRound(uint256 id, OpenedRound memory b) private {
        emit IInferenceHub.VerificationOpened(id, b.key, b.snapshot, b.electorate, uint64(b.deadline));
    }

    /// @dev The quorum's outcome on round `key` (votes count only until its deadline). A round an earlier item of the
    /// batch found accepted is not asked again (HubDeps.acceptedRound).
    function _quorumOutcome(HubState storage s, HubDeps memory d, bytes32 key) private view returns (QuorumMath.Outcome) {
        if (key != bytes32(0) && key == d.acceptedRound) return QuorumMath.Outcome.Accepted;
        return d.quorum.outcome(key, s.params.quorumBps);
    }

    function _checkOutput(uint256 modelId, uint256 expected, int256[] calldata output) private pure {
        if (output.length != expected) revert IInferenceHub.InferenceHubWrongOutputLength(modelId, expected, output.length);
        Instances.checkRange(output);
    }

    /// @dev What a proof for request `id` claiming `output` is bound to: the input, supplied by the caller (the hub
    /// stores its hash only), must hash to the stored inputHash; the output must have the model's length and range.
    /// The instances are then input ‖ output (Instances.build), or a batch's slots (Instances.buildBatch).
    function _checkBinding(
        HubState storage s,
        uint256 id,
        RequestLib.Record storage r,
        RequestLib.Head storage h,
        int256[] calldata input,
        int256[] calldata output
    ) private view {
        if (Instances.hash(input) != r.inputHash) revert IInferenceHub.InferenceHubInputMismatch(id);
        uint256 modelId = h.modelId;
        _checkOutput(modelId, s.modelInfo[modelId].outputLength, output);
    }

    /// @dev True if the proven output differs from the fast-path output by more than the model's tolerance.
    function _isMismatch(
        HubState storage s,
        uint256 id,
        RequestLib.Record storage r,
        int256[] calldata proven,
        bytes32 provenHash
    ) private view returns (bool) {
        if (provenHash == r.outputHash) return false;
        ModelInfo storage m = s.modelInfo[_head(s, id).modelId];
        uint256 tolerance = m.tolerance;
        if (tolerance == 0) return true;
        int256[] memory fast = PackedOutputs.load(s.fastOutput[id], m.outputLength);
        return !Instances.withinTolerance(proven, fast, tolerance);
    }

    function _verify(HubState storage s, uint256 modelId, bytes calldata proof, uint256[] memory instances)
        private
        view
        returns (bool)
    {
        return ExternalCalls.staticCallBool(
            s.modelInfo[modelId].verifier, abi.encodeCall(IProofVerifier.verifyProof, (proof, instances))
        );
    }

    /// @dev Settlement of `output` (the proven one if a proof was recorded, else the fast one), in order: close the
    /// request and split its fee into pull balances, slash a mismatched executor, end the duties, free stored
    /// outputs, then the consumer's onSettled callback (last, gas-capped, paid to `payee`).
    function _settle(
        HubState storage s,
        HubDeps memory d,
        uint256 id,
        RequestLib.Record storage r,
        int256[] memory output,
        address challenger,
        address payee
    ) private {
        // 1. close the request; its fee leaves escrow, split into pull balances. What is left of the callback budget
        // pays onSettled (step 5): taken out of the record first, as _split may keep the verifiers' pool there.
        r.status = RequestStatus.Settled;
        uint256 budget = r.callbackBudget;
        r.callbackBudget = 0;
        RequestLib.Head storage h = _head(s, id);
        address executor = RequestLib.executorOf(r, h);
        address prover = _proverOf(s, id, r);
        _split(s, id, r, h, executor, prover, challenger);
        // 2. slash a wrong executor; part of it to the node that proved the fault (never to the consumer)
        if (r.mismatch) _slashMismatched(s, d, h, executor, prover);
        // 3. duties end
        DutyBuffer.move(d.nodes, NodeRole.Executor, executor, address(0));
        if (h.mode != VerificationMode.OPTIMISTIC) DutyBuffer.move(d.nodes, NodeRole.Prover, prover, address(0));
        // 4. free stored outputs, 5. tell the consumer (what is left of the budget pays for it, or goes back)
        _clearOutputs(s, id, r, h);
        _callback(s, id, h, budget, true, output, payee);
    }

    /// @dev A wrong executor's slash: a share to the node that proved the fault, never to the request's consumer.
    function _slashMismatched(HubState storage s, HubDeps memory d, RequestLib.Head storage h, address executor, address prover)
        private
    {
        address beneficiary = prover == h.consumer ? address(0) : prover;
        _slash(s, d, executor, NodeRole.Executor, s.params.executorSlash, REASON_OUTPUT_MISMATCH, beneficiary);
    }

    /// @dev The fee leaves escrow, split: executor (a wrong executor's share goes back to the harmed party: the
    /// challenger, else the consumer), prover, verifiers' pool (ZKML_ATTESTED), protocol.
    function _split(
        HubState storage s,
        uint256 id,
        RequestLib.Record storage r,
        RequestLib.Head storage h,
        address executor,
        address prover,
        address challenger
    ) private {
        VerificationMode mode = h.mode;
        uint256 fee = r.fee;
        s.totalEscrowed -= fee;
        r.fee = 0; // from now on the valid stake that has claimed the verifiers' pool (claimVerifierReward)
        HubParams storage p = s.params;
        FeeSplit.Shares memory sh = FeeSplit.split(
            fee,
            p.executorBps,
            p.proverBps,
            p.verifierBps,
            mode != VerificationMode.OPTIMISTIC || challenger != address(0),
            mode == VerificationMode.ZKML_ATTESTED
        );
        bool mismatch = r.mismatch;
        _credit(s, mismatch ? (challenger != address(0) ? challenger : h.consumer) : executor, sh.executor);
        _credit(s, prover, sh.prover);
        if (sh.verifiers != 0) {
            // shared after the attestation window by the snapshot stake that attested "valid" (claimVerifierReward);
            // kept in the record's callback budget field, which the onSettled callback empties (no slot of its own)
            s.totalVerifierPools += sh.verifiers;
            r.callbackBudget = uint88(sh.verifiers);
        }
        _credit(s, p.treasury, sh.protocol);
        bytes32 outputHash = r.settledOutputHash();
        if (mismatch) emit IInferenceHub.ExecutorMismatch(id, executor, r.outputHash, outputHash);
        emit IInferenceHub.RequestSettled(id, outputHash, sh.executor, sh.prover, sh.verifiers, sh.protocol);
    }

    /// @dev The quorum can no longer accept this proof: slash the prover, reopen the request for another proof.
    function _rejectProof(HubState storage s, HubDeps memory d, uint256 id, RequestLib.Record storage r) private {
        // the quorum opens a round once: this proof cannot come back under the same round key (a batch's round is keyed
        // by its first request: recommitted in another composition it is a new round, and is rejected, and its prover
        // slashed, again)
        address prover = _proverOf(s, id, r);
        emit IInferenceHub.ProofRejected(id, prover, r.proofKeyOf(s.batchRounds));
        r.status = RequestStatus.Executed;
        // a grouped result leaves its group (whose prover still owes the others' proofs), with nobody owing its proof
        // until the next window's draw (entitledProver)
        if (r.resultOffset != 0) _leaveGroup(s, id, r);
        r.provedBy = address(0);
        r.mismatch = false;
        if (r.proofBatch != 0) r.proofBatch = 0;
        else r.proofKey = bytes32(0);
        if (r.provenDiffers) {
            r.provenDiffers = false;
            r.provenOutputHash = bytes32(0);
        }
        DutyBuffer.move(d.nodes, NodeRole.Prover, prover, address(0));
        _slash(s, d, prover, NodeRole.Prover, s.params.proverSlash, REASON_PROOF_REJECTED, address(0));
    }

    /// @dev Takes up to `amount` of `node`'s stake through the registry and credits what actually arrived: the
    /// beneficiary's share (slashRewardBps) and the rest to the treasury. No wei is created or lost.
    /// @dev Not wrapped in try/catch on purpose: the registry never reverts for lack of stake, and a catch would
    /// let a caller starve the slash of gas to dodge it.
    function _slash(
        HubState storage s,
        HubDeps memory d,
        address node,
        NodeRole role,
        uint256 amount,
        bytes32 reason,
        address beneficiary
    ) private returns (uint256 received) {
        if (amount == 0 || node == address(0)) return 0;
        uint256 before = address(this).balance;
        d.nodes.slash(node, role, amount, reason);
        received = address(this).balance - before;
        if (received == 0) return 0;
        uint256 share = beneficiary == address(0) ? 0 : received * s.params.slashRewardBps / BPS;
        _credit(s, beneficiary, share);
        _credit(s, s.params.treasury, received - share);
        emit IInferenceHub.SlashCredited(node, role, received, beneficiary, share, reason);
    }

    function _clearOutputs(HubState storage s, uint256 id, RequestLib.Record storage r, RequestLib.Head storage h) private {
        ModelInfo storage m = s.modelInfo[h.modelId];
        uint256 length = m.outputLength;
        if (r.outputHash != bytes32(0) && (m.mode == VerificationMode.OPTIMISTIC || m.tolerance != 0)) {
            PackedOutputs.clear(s.fastOutput[id], length);
        }
    }

    /// @dev Consumer callback with the request's gas cap, paid `payment` (taken out of the record's callback budget
    /// by the caller) to `payee`, the node that runs it (half the budget for onResult when both callbacks were asked
    /// for, the rest for onSettled). Skipped for EOAs (nothing to call): their unused budget goes back to them. Never
    /// reverts for the consumer's sake; the outcome is recorded in CallbackDelivered.
    function _callback(
        HubState storage s,
        uint256 id,
        RequestLib.Head storage h,
        uint256 payment,
        bool settled,
        int256[] memory output,
        address payee
    ) private {
        address consumer = h.consumer;
        s.totalEscrowed -= payment;
        if (consumer.code.length == 0) {
            _credit(s, consumer, payment);
            return;
        }
        bytes memory data = abi.encodeWithSelector(
            settled ? IInferenceConsumer.onSettled.selector : IInferenceConsumer.onResult.selector, id, output
        );
        (bool success, uint256 gasUsed) = ExternalCalls.callWithGasCap(consumer, h.callbackGasLimit, data);
        _credit(s, payee, payment);
        emit IInferenceHub.CallbackDelivered(id, settled, success, gasUsed, payment);
    }

    function _head(HubState storage s, uint256 id) private view returns (RequestLib.Head storage) {
        return RequestLib.head(s.requests, id);
    }

    /// @dev Eligible for `role` now: known from the start of the batch (HubDeps.eligible), or asked of the registry.
    function _isEligible(HubDeps memory d, address node, NodeRole role) private view returns (bool) {
        return (node == d.eligible && role == d.eligibleRole && node != address(0)) || d.nodes.isEligible(node, role);
    }

    function _proverOf(HubState storage s, uint256 id, RequestLib.Record storage r) private view returns (address) {
        return r.proverOf(id, s.resultHeads, s.batchRounds);
    }

    /// @dev ZKML_ATTESTED: the last second the quorum may decide on the proof under attestation (its round's deadline,
    /// kept by the quorum alone).
    function _verifyDeadline(HubDeps memory d, bytes32 key) private view returns (uint256) {
        return d.quorum.roundOf(key).deadline;
    }

    function _proofDeadline(HubState storage s, uint256 id, RequestLib.Record storage r) private view returns (uint256) {
        return r.proofDeadlineOf(id, s.resultHeads);
    }

    function _credit(HubState storage s, address account, uint256 amount) internal {
        if (amount == 0) return;
        s.releasable[account] += amount;
        s.totalReleasable += amount;
    }

}
