// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {RequestStatus, VerificationMode} from "../types/Types.sol";

/// @title RequestLib
/// @notice The stored record of a request and its lifecycle transitions. Every status change goes through
/// `transition`, which checks the current status and reverts with (id, current, expected) otherwise.
/// @dev The record packs into 9 slots. Slots 0-1 are the request's **head**: its terms, which never change, and the
/// executor assigned to it. The items of one requestInferences batch with the same terms share one head: only the
/// first of them writes it (and draws the executor), each later one records how far back it is (`headOffset`), so
/// such an item writes two new slots (2 and 3), a lone request or a batch's first item four. Read the head through
/// `head` only. Likewise the results of one submitResults batch in one 32-id bucket with the same proof deadline share
/// one **result head** (`ResultHead`: the prover drawn for them and that deadline, in HubState.resultHeads under the
/// group's first id; `resultOffset`), so such an item writes one new slot (5) where a lone result writes two (4 and 5). A new request
/// writes slots 0-3 (or 2-3), its result slots 2, 5 and either 4 (alone) or its group's result head, and 8 when a
/// node other than the assigned executor delivered; its proof 2, 6 (not for a batch proof, whose round keeps its key
/// and prover: `BatchRound`), 7 (when the proof contradicts the result), and 4 only where its prover is not the one
/// that owed it (a grouped result then leaves its group). Read the prover and the proof deadline through `proverOf`
/// and `proofDeadlineOf`; the attestation deadline is the AttestationQuorum round's (roundOf). Layout:
///   slot 0: consumer (20) | modelId (5) | proofTimeout (3) | callbackGasLimit (4)          (head)
///   slot 1: executor (20) | requestedAt (5) | resultDeadline (5) | mode (1) | resultCallback (1)   (head)
///   slot 2: status (1) | fee (11) | callbackBudget (11) | mismatch (1) | provenDiffers (1) | delegated (1)
///           | headOffset (1) | proofBatch (4) | resultOffset (1)
///   slot 3: inputHash
///   slot 4: provedBy (20) | proofDeadline (5): a lone result's drawn prover and proof deadline, then its proof's
///           submitter; empty for a grouped result (proven by another prover, or rejected, a result leaves its group
///           and is lone)
///   slots 5-7: outputHash, proofKey (QuorumMath.roundKey(id, proofHash, instancesHash): the proof recorded, and the
///   AttestationQuorum's round of it; both hashes are in ProofSubmitted; not written for a ZKML_ATTESTED batch proof,
///   whose requests record its round's number, `proofBatch`: read it through `proofKeyOf`), provenOutputHash (written
///   only when it differs from outputHash: zero with a proof recorded means the proof confirmed the result)
///   slot 8: deliveredBy (written only when it is not the assigned executor: `delegated`)
library RequestLib {
    /// @notice A request's terms, which never change, and the executor assigned to it: shared by the items of a
    /// batch whose terms are the same (see head), so one executor is assigned to all of them.
    struct Head {
        address consumer;
        uint40 modelId; // the registry's ids are sequential: 2^40 models cannot be registered
        uint24 proofTimeout; // <= HubParams.maxProofTimeout <= 30 days < 2^24 s
        uint32 callbackGasLimit;
        address executor; // the executor assigned at request time (owes the result)
        uint40 requestedAt;
        uint40 resultDeadline;
        VerificationMode mode;
        bool resultCallback;
    }

    /// @notice What the results of one submitResults batch in one 32-id bucket with the same proof deadline share (see
    /// resultOffset): the prover drawn for them (it owes every proof of the group; address(0) if none was eligible) and
    /// that deadline.
    struct ResultHead {
        address prover;
        uint40 proofDeadline;
    }

    /// @notice A ZKML_ATTESTED batch proof's round (HubState.batchRounds), shared by every request it covers: its key
    /// and the prover that committed it.
    struct BatchRound {
        bytes32 key;
        address prover;
    }

    struct Record {
        Head ownHead; // set only where headOffset is 0: read through head()
        RequestStatus status;
        // what the nodes and the protocol share at settlement (refunded on timeout); once settled, the "valid" stake
        // whose share of the verifiers' pool has been claimed (ZKML_ATTESTED): no slot of its own
        uint88 fee; // 2^88 wei is more than all the ether there is
        // what is left of the callback gas the consumer paid for (callbackGasLimit x gas price); once settled (the
        // budget spent), the part of the verifiers' pool not claimed yet (ZKML_ATTESTED): no slot of its own
        uint88 callbackBudget;
        bool mismatch; // the recorded proof's output differs from the fast output beyond tolerance
        bool provenDiffers; // provenOutputHash is set (the recorded proof's output is not the fast one): a settlement
        // reads that slot only then
        bool delegated; // the result came from a node other than the assigned executor (deliveredBy)
        uint8 headOffset; // how far back the record holding this request's head is (0: its own; < MAX_HEAD_ITEMS)
        uint32 proofBatch; // ZKML_ATTESTED batch proof: its round's number in HubState.batchRounds (then no proofKey)
        uint8 resultOffset; // 0: a lone result (slot 4 holds its prover and deadline); k (<= 32): its result head is
        // HubState.resultHeads[id - (k - 1)]
        bytes32 inputHash;
        address provedBy; // the prover drawn when the result arrives (owes the proof), then the proof's submitter
        // (read through proverOf: a grouped result has none of its own)
        uint40 proofDeadline; // last second a proof (or OPTIMISTIC challenge) is accepted (read through proofDeadlineOf:
        // a grouped result has none of its own)
        bytes32 outputHash;
        bytes32 proofKey; // keccak256(abi.encode(id, proofHash, instancesHash)); zero without a proof
        bytes32 provenOutputHash; // zero when equal to outputHash (see toView)
        address deliveredBy; // only where delegated
    }

    /// @notice Request `id`'s head: in its own record, or in the batch item's `headOffset` ids before it.
    function head(mapping(uint256 => Record) storage records, uint256 id) internal view returns (Head storage) {
        return records[id - records[id].headOffset].ownHead;
    }

    /// @notice True if a request with head `b` may share head `a` (every term equal; the executor is a's).
    function sameTerms(Head storage a, Head memory b) internal view returns (bool) {
        return a.consumer == b.consumer && a.modelId == b.modelId && a.proofTimeout == b.proofTimeout
            && a.callbackGasLimit == b.callbackGasLimit && a.requestedAt == b.requestedAt
            && a.resultDeadline == b.resultDeadline && a.mode == b.mode && a.resultCallback == b.resultCallback;
    }

    /// @notice The executor that owes request `id`'s result (the assigned one) until it arrives, then the one that
    /// delivered it.
    function executorOf(Record storage r, Head storage h) internal view returns (address) {
        return r.delegated ? r.deliveredBy : h.executor;
    }

    /// @notice Request `id`'s result head when its result is grouped (`resultOffset` != 0).
    function resultHead(Record storage r, uint256 id, mapping(uint256 => ResultHead) storage resultHeads)
        internal
        view
        returns (ResultHead storage)
    {
        return resultHeads[id + 1 - r.resultOffset];
    }

    /// @notice The last second a proof (or an OPTIMISTIC challenge) of request `id` is accepted (zero before its
    /// result).
    function proofDeadlineOf(Record storage r, uint256 id, mapping(uint256 => ResultHead) storage resultHeads)
        internal
        view
        returns (uint256)
    {
        return r.resultOffset == 0 ? r.proofDeadline : resultHead(r, id, resultHeads).proofDeadline;
    }

    /// @notice The prover that owes request `id`'s proof (drawn when the result arrived; address(0) once its proof was
    /// rejected or if none was eligible), then the one whose proof is recorded: a batch proof's committer, a grouped
    /// result's group's prover (a result proven by another, or whose proof was rejected, leaves its group), else the
    /// record's own `provedBy`.
    function proverOf(
        Record storage r,
        uint256 id,
        mapping(uint256 => ResultHead) storage resultHeads,
        mapping(uint256 => BatchRound) storage batchRounds
    ) internal view returns (address) {
        uint256 batch = r.proofBatch;
        if (batch != 0) return batchRounds[batch].prover;
        return r.resultOffset == 0 ? r.provedBy : resultHead(r, id, resultHeads).prover;
    }

    /// @notice The key of the proof recorded for `r` (its AttestationQuorum round in ZKML_ATTESTED): its own, or its
    /// batch proof's round's (`batchRounds`, HubState). Zero without a proof.
    function proofKeyOf(Record storage r, mapping(uint256 => BatchRound) storage batchRounds) internal view returns (bytes32) {
        uint256 batch = r.proofBatch;
        return batch == 0 ? r.proofKey : batchRounds[batch].key;
    }

    /// @notice Reverts unless the request is in `expected`.
    function expect(Record storage r, uint256 id, RequestStatus expected) internal view {
        RequestStatus current = r.status;
        if (current != expected) revert IInferenceHub.InferenceHubUnexpectedStatus(id, current, expected);
    }

    /// @notice Checked status change `from` -> `to`.
    function transition(Record storage r, uint256 id, RequestStatus from, RequestStatus to) internal {
        expect(r, id, from);
        r.status = to;
    }

    /// @notice Reverts unless the request's model runs in `mode`.
    function expectMode(Head storage h, uint256 id, VerificationMode mode) internal view {
        VerificationMode current = h.mode;
        if (current != mode) revert IInferenceHub.InferenceHubWrongMode(id, uint8(current));
    }

    /// @notice Reverts if `deadline` has passed (the deadline second itself is still in time).
    function beforeDeadline(uint256 id, uint256 deadline) internal view {
        if (block.timestamp > deadline) revert IInferenceHub.InferenceHubDeadlinePassed(id, deadline);
    }

    /// @notice Reverts unless `deadline` has passed.
    function afterDeadline(uint256 id, uint256 deadline) internal view {
        if (block.timestamp <= deadline) revert IInferenceHub.InferenceHubDeadlineNotReached(id, deadline);
    }

    /// @notice When the result arrived (the proof window started), from its proof deadline.
    function executedAt(uint256 proofDeadline, Head storage h) internal view returns (uint256) {
        return proofDeadline - h.proofTimeout;
    }

    /// @notice The hash of the output a settlement delivers: the proven output's when a recorded proof (or challenge)
    /// contradicted the result, else the result's.
    function settledOutputHash(Record storage r) internal view returns (bytes32) {
        return r.provenDiffers ? r.provenOutputHash : r.outputHash;
    }

    /// @notice The record in the interface's (unpacked) shape.
    function toView(
        mapping(uint256 => Record) storage records,
        mapping(uint256 => ResultHead) storage resultHeads,
        mapping(uint256 => BatchRound) storage batchRounds,
        uint256 id
    ) internal view returns (IInferenceHub.Request memory v) {
        Record storage r = records[id];
        Head storage h = head(records, id);
        v.consumer = h.consumer;
        v.status = r.status;
        v.modelId = h.modelId;
        address executor = executorOf(r, h);
        v.executor = executor;
        v.requestedAt = h.requestedAt;
        v.resultDeadline = h.resultDeadline;
        v.proofDeadline = uint64(proofDeadlineOf(r, id, resultHeads));
        v.callbackGasLimit = h.callbackGasLimit;
        v.resultCallback = h.resultCallback;
        v.fee = r.status == RequestStatus.Settled ? 0 : r.fee; // settled: the split is in RequestSettled
        v.callbackBudget = r.status == RequestStatus.Settled ? 0 : r.callbackBudget; // settled: the pool, not a budget
        if (r.outputHash != bytes32(0)) v.deliveredBy = executor;
        v.provedBy = proverOf(r, id, resultHeads, batchRounds);
        v.inputHash = r.inputHash;
        v.outputHash = r.outputHash;
        v.proofKey = proofKeyOf(r, batchRounds);
        // stored only where it differs from the result's (zero with a proof recorded: the proof confirmed it)
        bytes32 proven = r.provenOutputHash;
        v.provenOutputHash = proven != bytes32(0) || v.proofKey == bytes32(0) ? proven : r.outputHash;
    }
}
