// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "./IInferenceHub.sol";
import {QuorumMath} from "../libraries/QuorumMath.sol";

/// @title IAttestationQuorum
/// @notice The attestation book of one hub (ZKML_ATTESTED). When a proof is submitted the hub opens a *round* for it
/// with a fixed electorate: the verifier stake the NodeRegistry counted at the round's snapshot. Verification nodes
/// sign EIP-712 attestations (domain "Twinpath" v1, verifyingContract = this contract; type
/// `Attestation(uint256 requestId,bytes32 proofHash,bytes32 instancesHash,bool valid)`) and anyone submits them
/// here, until the round's deadline. Settlement is its own step: `InferenceHub.settle(requestId)` reads the round's
/// outcome (accepted once the valid stake reaches quorumBps of the electorate; rejected once that is impossible).
/// Batches: a node signs ONE EIP-712 message `AttestationBatch(bytes32 root)` per batch, where `root` is the root of
/// a Merkle tree (OpenZeppelin StandardMerkleTree: sorted pairs, leaf = keccak256(bytes.concat(keccak256(abi.encode(
/// requestId, proofHash, instancesHash, valid))))) over its verdicts; `submitAttestationBatch` recovers the signer
/// once and records each leaf with a Merkle check. A batch leaf is the same vote as a single attestation (one vote
/// per node and round, whichever way it came).
/// Reverts with the hub's errors (IInferenceHub).
interface IAttestationQuorum {
    /// @notice A round as the `roundOf` view shows it (stored as one slot per round and one per electorate group).
    struct Round {
        uint88 validStake;
        uint88 invalidStake;
        uint40 snapshot; // the electorate's timepoint (a past timestamp)
        uint40 deadline; // last second a vote counts
        uint96 electorate; // verifier stake counted at snapshot
        uint64 seq; // rounds are numbered in opening order from 1 (0 = never opened)
    }

    error AttestationQuorumOnlyHub(address caller);
    error AttestationQuorumOnlyAdmin(address caller);
    error AttestationQuorumHubAlreadySet();
    error AttestationQuorumOnlySelf(address caller);

    event HubSet(address indexed hub);
    /// @notice The hub opened `round` for the proof under attestation of `requestId`.
    event RoundOpened(uint256 indexed requestId, bytes32 indexed round, uint256 seq, uint256 snapshot, uint256 electorate, uint256 deadline);
    /// @notice A vote counted in `round` with `verifier`'s stake at the round's snapshot; the round's tallies after it.
    event AttestationRecorded(
        uint256 indexed requestId,
        bytes32 indexed round,
        address indexed verifier,
        bool valid,
        uint256 validStake,
        uint256 invalidStake
    );
    /// @notice An item of submitAttestations failed on its own (`reason` is the revert data, e.g. a custom error).
    event AttestationRejected(uint256 indexed requestId, bytes reason);
    /// @notice A signed batch was submitted: `recorded` of its `submitted` leaves counted (the others have an
    /// AttestationRejected each).
    event AttestationBatchSubmitted(bytes32 indexed root, address indexed verifier, uint256 submitted, uint256 recorded);

    /// @notice A leaf of a signed batch and its Merkle path to the batch root.
    struct BatchVote {
        IInferenceHub.Attestation attestation;
        bytes32[] proof;
    }

    /// @notice Verification nodes' signed attestations, any submitter, any number per call; each item succeeds or
    /// fails on its own (AttestationRejected). A vote counts with the signer's stake at the round's snapshot; late
    /// votes on a round already decided still count for the reward and for liveness.
    function submitAttestations(IInferenceHub.Attestation[] calldata attestations, bytes[] calldata signatures)
        external
        returns (bool[] memory ok);

    /// @notice A verification node's signed batch of votes: `signature` over AttestationBatch(root) (batchDigest), one
    /// signature recovery and one stake lookup per electorate snapshot for the whole batch, then per leaf a Merkle
    /// check (leafHash, sorted pairs) and the same rules as a single vote. Any submitter; each leaf counts or fails on
    /// its own (AttestationRejected names it: InferenceHubNotInBatch, InferenceHubAttestationMismatch,
    /// InferenceHubDeadlinePassed, InferenceHubNotInElectorate, InferenceHubDuplicateAttestation); a signature that
    /// recovers nobody refuses the whole batch (InferenceHubInvalidBatchSignature).
    function submitAttestationBatch(bytes32 root, bytes calldata signature, BatchVote[] calldata votes)
        external
        returns (bool[] memory ok);

    /// @notice Hub-only: open the round of a proof under attestation, fixing its electorate (the Verifier stake
    /// counted at the last second before the current epoch of `epoch` seconds began); votes count until `deadline`.
    function open(uint256 requestId, bytes32 proofHash, bytes32 instancesHash, uint256 deadline, uint256 epoch)
        external
        returns (bytes32 round, uint256 snapshot, uint256 electorate);

    /// @notice Hub-only: mark `verifier`'s share of request `requestId`'s reward (its "valid" vote in `round`, the
    /// request's settled round) as paid; returns its weight (its stake at the round's snapshot) and the round's valid
    /// stake (reverts with InferenceHubNothingToClaim if there is nothing to pay). Marked per request, not per round:
    /// the requests of a batch proof share one round, each with its own reward.
    function claim(uint256 requestId, bytes32 round, address verifier) external returns (uint256 weight, uint256 validStake);

    /// @notice Hub-only: the signer of two opposite verdicts on the same proof (each signed alone or as a batch
    /// leaf), reported for the first time for this (request, signer).
    function checkEquivocation(IInferenceHub.SignedVerdict calldata a, IInferenceHub.SignedVerdict calldata b)
        external
        returns (address signer);

    /// @notice The outcome of `round` at `quorumBps`.
    function outcome(bytes32 round, uint256 quorumBps) external view returns (QuorumMath.Outcome);

    /// @notice EIP-712 digest a verification node signs for `a`.
    function digest(IInferenceHub.Attestation calldata a) external view returns (bytes32);

    /// @notice EIP-712 digest a verification node signs for a batch: AttestationBatch(bytes32 root).
    function batchDigest(bytes32 root) external view returns (bytes32);

    /// @notice The Merkle leaf of `a` in a batch: keccak256(bytes.concat(keccak256(abi.encode(requestId, proofHash,
    /// instancesHash, valid)))) (double hash: a leaf can never be read as an inner node).
    function leafHash(IInferenceHub.Attestation calldata a) external pure returns (bytes32);

    /// @notice The key of the round of proof `proofHash` with instances `instancesHash` for `requestId`.
    function roundKey(uint256 requestId, bytes32 proofHash, bytes32 instancesHash) external pure returns (bytes32);

    /// @notice A round (seq 0 = never opened).
    function roundOf(bytes32 round) external view returns (Round memory);

    /// @return verdict 0 none, 1 valid, 2 invalid
    /// @return weight the voter's stake at the round's snapshot (0 without a vote)
    function attestationOf(bytes32 round, address verifier) external view returns (uint8 verdict, uint256 weight);

    /// @notice Whether `verifier`'s share of request `requestId`'s verifier reward was paid.
    function rewardClaimed(uint256 requestId, address verifier) external view returns (bool);

    /// @notice The highest round sequence number `verifier` voted on (0 = never).
    function lastVotedRound(address verifier) external view returns (uint256);

    /// @notice Reverts with InferenceHubNotSilent unless `verifier` voted on none of the rounds from `fromRound` to
    /// `toRound` (at least `limit` by sequence number), both are closed and it was in the electorate of both.
    function checkSilence(address verifier, bytes32 fromRound, bytes32 toRound, uint256 limit) external view;

    function hub() external view returns (address);
}
