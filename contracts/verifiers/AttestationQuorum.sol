// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAttestationQuorum} from "../interfaces/IAttestationQuorum.sol";
import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {NodeRole} from "../types/Types.sol";
import {QuorumMath} from "../libraries/QuorumMath.sol";

/// @title AttestationQuorum
/// @notice The attestation book of one hub (ZKML_ATTESTED; see IAttestationQuorum). A proof under attestation opens a *round* with a fixed
/// electorate: the verifier stake counted by the NodeRegistry at the round's snapshot (a past timestamp, the start
/// of the current electorate epoch). Each vote weighs the signer's stake at that snapshot and the pass mark is a share
/// of the electorate at that snapshot, so unbonding or moving stake to a second key after the snapshot changes
/// nothing. Votes are EIP-712 signatures (OpenZeppelin EIP712 + ECDSA; domain "Twinpath" v1, verifyingContract = this
/// contract), accepted until the round's deadline, also after the hub has settled or rejected the proof (they count
/// for the reward and for liveness). Tracks each node's latest voted round, so a node that stays silent through
/// `silenceLimit` rounds can be shown silent (checkSilence) without a loop. Detects equivocation. A node may also
/// vote on many rounds with one signature over a Merkle root of its verdicts (submitAttestationBatch).
/// @dev Deployed before its hub and wired once (setHub). The hub keeps the request state, the events and the money;
/// this contract reverts with the hub's errors (IInferenceHub), which bubble up through the hub's call unchanged.
/// A round is keyed by (requestId, proofHash, instancesHash); the snapshot can be per request (epoch = 1 s) or shared
/// by every round of an epoch (a batch of requests then shares one electorate).
contract AttestationQuorum is IAttestationQuorum, EIP712 {
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(uint256 requestId,bytes32 proofHash,bytes32 instancesHash,bool valid)");
    bytes32 public constant BATCH_TYPEHASH = keccak256("AttestationBatch(bytes32 root)");
    uint256 private constant VERDICT_VALID = 1;
    uint256 private constant VERDICT_INVALID = 2;

    INodeRegistry public immutable nodes;
    address public immutable admin;
    /// @inheritdoc IAttestationQuorum
    address public hub;

    /// @dev A round's tallies and where it sits: one slot per round. Its electorate (snapshot, stake) and deadline are
    /// those of its group: the rounds opened at one second share them (a batch of commitments writes one group).
    struct Tally {
        uint88 validStake;
        uint88 invalidStake;
        uint40 seq; // opening order from 1 (0 = never opened)
        uint40 group;
    }

    /// @dev What the rounds of a group share: one slot per group.
    struct Group {
        uint40 snapshot; // the electorate's timepoint (a past timestamp)
        uint40 deadline; // last second a vote counts
        uint96 electorate; // verifier stake counted at snapshot
    }

    uint64 private _roundCount;
    uint40 private _groupCount;
    mapping(bytes32 round => Tally) private _rounds;
    mapping(uint256 group => Group) private _groups;
    /// @dev Each node's ballots, 2 bits per round indexed by the round's seq (1 valid, 2 invalid; 0 no vote), 128
    /// rounds per word: a node voting on consecutive rounds (a batch) writes one new word per 128 rounds instead of a
    /// slot per vote. The weight is not stored: it is the node's stake at the round's (past, immutable) snapshot.
    mapping(address verifier => mapping(uint256 word => uint256)) private _ballots;
    /// @dev Reward claims, 1 bit per request (the requests of a batch proof share a round, each its own reward), 256
    /// requests per word.
    mapping(address verifier => mapping(uint256 word => uint256)) private _claims;
    /// @dev the highest round sequence number `verifier` voted on
    mapping(address verifier => uint64) private _lastVoted;
    /// @dev keccak256(requestId, verifier) => equivocation already reported
    mapping(bytes32 => bool) private _equivocations;

    modifier onlyHub() {
        if (msg.sender != hub) revert AttestationQuorumOnlyHub(msg.sender);
        _;
    }

    /// @param nodes_ the node registry whose Verifier stake checkpoints define electorates
    /// @param admin_ may call setHub, once
    constructor(INodeRegistry nodes_, address admin_) EIP712("Twinpath", "1") {
        nodes = nodes_;
        admin = admin_;
    }

    /// @notice Admin-only, once: the hub this book serves.
    function setHub(address hub_) external {
        if (msg.sender != admin) revert AttestationQuorumOnlyAdmin(msg.sender);
        if (hub != address(0)) revert AttestationQuorumHubAlreadySet();
        hub = hub_;
        emit HubSet(hub_);
    }

    // ---------------------------------------------------------------- hub

    /// @inheritdoc IAttestationQuorum
    function open(uint256 requestId, bytes32 proofHash, bytes32 instancesHash, uint256 deadline, uint256 epoch)
        external
        onlyHub
        returns (bytes32 round, uint256 snapshot, uint256 electorate)
    {
        round = roundKey(requestId, proofHash, instancesHash);
        Tally storage t = _rounds[round];
        // a round opens once: a proof the quorum rejected (or any proof already voted on) cannot come back
        if (t.seq != 0) revert IInferenceHub.InferenceHubInvalidProof(requestId);
        snapshot = block.timestamp / epoch * epoch - 1;
        uint256 group = _groupCount;
        Group storage g = _groups[group];
        if (group == 0 || g.snapshot != snapshot || g.deadline != deadline) {
            // the first round of this second (and of these parameters): a new group. A past snapshot is final, so
            // the electorate read now is the one every round of the group weighs against.
            electorate = nodes.totalStakeAt(NodeRole.Verifier, snapshot);
            _groupCount = SafeCast.toUint40(++group);
            _groups[group] =
                Group(uint40(snapshot), SafeCast.toUint40(deadline), SafeCast.toUint96(electorate));
        } else {
            electorate = g.electorate;
        }
        uint64 seq = ++_roundCount;
        _rounds[round] = Tally(0, 0, SafeCast.toUint40(seq), uint40(group));
        emit RoundOpened(requestId, round, seq, snapshot, electorate, deadline);
    }

    /// @inheritdoc IAttestationQuorum
    function submitAttestations(IInferenceHub.Attestation[] calldata attestations, bytes[] calldata signatures)
        external
        returns (bool[] memory ok)
    {
        uint256 n = attestations.length;
        if (n != signatures.length) revert IInferenceHub.InferenceHubBatchLengthMismatch();
        ok = new bool[](n);
        for (uint256 i; i < n; ++i) {
            bytes memory reason;
            (ok[i], reason) = address(this).call(abi.encodeCall(this.selfRecord, (attestations[i], signatures[i])));
            if (ok[i]) continue;
            // out of gas (no revert data): the sender's fault, not the item's; fail the whole call
            if (reason.length == 0) revert();
            emit AttestationRejected(attestations[i].requestId, reason);
        }
    }

    /// @notice One item of submitAttestations (callable only by this contract): records `a` in its round. Reverts
    /// for an unknown round (AttestationMismatch), after the round's deadline, for a bad signature, a signer outside
    /// the electorate, or a second vote by the same node.
    function selfRecord(IInferenceHub.Attestation calldata a, bytes calldata signature) external {
        if (msg.sender != address(this)) revert AttestationQuorumOnlySelf(msg.sender);
        uint256 id = a.requestId;
        bytes32 round = roundKey(id, a.proofHash, a.instancesHash);
        Tally storage r = _rounds[round];
        Group storage g = _groups[r.group];
        _revertWith(_roundRefusal(id, r, g));
        address signer = _signer(a, signature);
        if (signer == address(0)) revert IInferenceHub.InferenceHubInvalidSignature(id);
        uint256 weight = nodes.stakeAt(signer, NodeRole.Verifier, g.snapshot);
        _revertWith(_voterRefusal(id, r.seq, signer, weight));
        _record(a, round, r, signer, weight);
    }

    /// @inheritdoc IAttestationQuorum
    /// @dev No self-call per leaf: a refused leaf is found by checks that do not write, so it is skipped with its
    /// reason (AttestationRejected) and nothing else. The signer's weight is looked up once per distinct snapshot
    /// (once per batch when its rounds share an electorate epoch).
    function submitAttestationBatch(bytes32 root, bytes calldata signature, BatchVote[] calldata votes)
        external
        returns (bool[] memory ok)
    {
        (address signer,,) = ECDSA.tryRecoverCalldata(batchDigest(root), signature);
        if (signer == address(0)) revert IInferenceHub.InferenceHubInvalidBatchSignature(root);
        uint256 n = votes.length;
        ok = new bool[](n);
        // [snapshot, the signer's weight at it]: looked up again only when a leaf's round has another snapshot
        uint256[2] memory weightAt = [type(uint256).max, 0];
        uint256 recorded;
        for (uint256 i; i < n; ++i) {
            if (_batchLeaf(votes[i], root, signer, weightAt)) {
                ok[i] = true;
                ++recorded;
            }
        }
        emit AttestationBatchSubmitted(root, signer, n, recorded);
    }

    /// @inheritdoc IAttestationQuorum
    function outcome(bytes32 round, uint256 quorumBps) external view returns (QuorumMath.Outcome) {
        Tally storage r = _rounds[round];
        return QuorumMath.outcome(r.validStake, r.invalidStake, _groups[r.group].electorate, quorumBps);
    }

    /// @inheritdoc IAttestationQuorum
    function checkEquivocation(IInferenceHub.SignedVerdict calldata a, IInferenceHub.SignedVerdict calldata b)
        external
        onlyHub
        returns (address signer)
    {
        IInferenceHub.Attestation calldata x = a.attestation;
        IInferenceHub.Attestation calldata y = b.attestation;
        if (
            x.requestId != y.requestId || x.proofHash != y.proofHash || x.instancesHash != y.instancesHash
                || x.valid == y.valid
        ) revert IInferenceHub.InferenceHubNotEquivocation();
        signer = _verdictSigner(a);
        if (signer == address(0) || signer != _verdictSigner(b)) revert IInferenceHub.InferenceHubNotEquivocation();
        bytes32 key = keccak256(abi.encode(x.requestId, signer));
        if (_equivocations[key]) revert IInferenceHub.InferenceHubEquivocationAlreadyReported(x.requestId, signer);
        _equivocations[key] = true;
    }

    /// @inheritdoc IAttestationQuorum
    function claim(uint256 requestId, bytes32 round, address verifier)
        external
        onlyHub
        returns (uint256 weight, uint256 validStake)
    {
        Tally storage r = _rounds[round];
        uint256 bit = 1 << (requestId & 255);
        uint256 claims = _claims[verifier][requestId >> 8];
        if (_verdict(verifier, r.seq) != VERDICT_VALID || claims & bit != 0) {
            revert IInferenceHub.InferenceHubNothingToClaim(requestId, verifier);
        }
        _claims[verifier][requestId >> 8] = claims | bit;
        return (nodes.stakeAt(verifier, NodeRole.Verifier, _groups[r.group].snapshot), r.validStake);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAttestationQuorum
    /// @dev An honest node votes on every round it is in before the round closes, so it can never be shown silent:
    /// its latest voted round would be at least `toRound`.
    function checkSilence(address verifier, bytes32 fromRound, bytes32 toRound, uint256 limit) external view {
        Tally storage from = _rounds[fromRound];
        Tally storage to = _rounds[toRound];
        Group storage fromGroup = _groups[from.group];
        Group storage toGroup = _groups[to.group];
        if (
            from.seq == 0 || to.seq < uint256(from.seq) + limit - 1 || _lastVoted[verifier] >= from.seq
                || block.timestamp <= toGroup.deadline
                || nodes.stakeAt(verifier, NodeRole.Verifier, fromGroup.snapshot) == 0
                || nodes.stakeAt(verifier, NodeRole.Verifier, toGroup.snapshot) == 0
        ) revert IInferenceHub.InferenceHubNotSilent(verifier);
    }

    /// @inheritdoc IAttestationQuorum
    function roundKey(uint256 requestId, bytes32 proofHash, bytes32 instancesHash) public pure returns (bytes32) {
        return QuorumMath.roundKey(requestId, proofHash, instancesHash);
    }

    /// @inheritdoc IAttestationQuorum
    function roundOf(bytes32 round) external view returns (Round memory v) {
        Tally storage r = _rounds[round];
        if (r.seq == 0) return v;
        Group storage g = _groups[r.group];
        return Round(r.validStake, r.invalidStake, g.snapshot, g.deadline, g.electorate, r.seq);
    }

    /// @notice Stake per verdict in the round of (requestId, proofHash, instancesHash).
    function tally(uint256 requestId, bytes32 proofHash, bytes32 instancesHash)
        external
        view
        returns (uint256 validStake, uint256 invalidStake)
    {
        Tally storage r = _rounds[roundKey(requestId, proofHash, instancesHash)];
        return (r.validStake, r.invalidStake);
    }

    /// @inheritdoc IAttestationQuorum
    function attestationOf(bytes32 round, address verifier) external view returns (uint8 verdict, uint256 weight) {
        Tally storage r = _rounds[round];
        uint256 seq = r.seq;
        if (seq == 0) return (0, 0);
        verdict = uint8(_verdict(verifier, seq));
        if (verdict != 0) weight = nodes.stakeAt(verifier, NodeRole.Verifier, _groups[r.group].snapshot);
    }

    /// @inheritdoc IAttestationQuorum
    function rewardClaimed(uint256 requestId, address verifier) external view returns (bool) {
        return _claims[verifier][requestId >> 8] & (1 << (requestId & 255)) != 0;
    }

    /// @inheritdoc IAttestationQuorum
    function lastVotedRound(address verifier) external view returns (uint256) {
        return _lastVoted[verifier];
    }

    /// @inheritdoc IAttestationQuorum
    function digest(IInferenceHub.Attestation calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(ATTESTATION_TYPEHASH, a.requestId, a.proofHash, a.instancesHash, a.valid))
        );
    }

    /// @inheritdoc IAttestationQuorum
    function batchDigest(bytes32 root) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(BATCH_TYPEHASH, root)));
    }

    /// @inheritdoc IAttestationQuorum
    function leafHash(IInferenceHub.Attestation calldata a) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(a.requestId, a.proofHash, a.instancesHash, a.valid))));
    }

    /// @notice The EIP-712 domain separator (also see eip712Domain()).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev One leaf of a signed batch: counted (true), or refused with its reason (AttestationRejected, false).
    function _batchLeaf(BatchVote calldata v, bytes32 root, address signer, uint256[2] memory weightAt)
        private
        returns (bool)
    {
        IInferenceHub.Attestation calldata a = v.attestation;
        uint256 id = a.requestId;
        bytes32 round = roundKey(id, a.proofHash, a.instancesHash);
        Tally storage r = _rounds[round];
        Group storage g = _groups[r.group];
        bytes memory reason;
        if (!MerkleProof.verifyCalldata(v.proof, root, leafHash(a))) {
            reason = abi.encodeWithSelector(IInferenceHub.InferenceHubNotInBatch.selector, id, root);
        } else {
            reason = _roundRefusal(id, r, g);
            if (reason.length == 0) {
                if (g.snapshot != weightAt[0]) {
                    weightAt[0] = g.snapshot;
                    weightAt[1] = nodes.stakeAt(signer, NodeRole.Verifier, weightAt[0]);
                }
                reason = _voterRefusal(id, r.seq, signer, weightAt[1]);
            }
        }
        if (reason.length != 0) {
            emit AttestationRejected(id, reason);
            return false;
        }
        _record(a, round, r, signer, weightAt[1]);
        return true;
    }

    /// @dev Why round `r` takes no vote on request `id` now (empty: it does): never opened, or closed.
    function _roundRefusal(uint256 id, Tally storage r, Group storage g) private view returns (bytes memory) {
        if (r.seq == 0) return abi.encodeWithSelector(IInferenceHub.InferenceHubAttestationMismatch.selector, id);
        uint256 deadline = g.deadline;
        if (block.timestamp > deadline) {
            return abi.encodeWithSelector(IInferenceHub.InferenceHubDeadlinePassed.selector, id, deadline);
        }
        return "";
    }

    /// @dev Why `signer` (with `weight` at the round's snapshot) may not vote in round number `seq` (empty: it may).
    function _voterRefusal(uint256 id, uint256 seq, address signer, uint256 weight) private view returns (bytes memory) {
        if (weight == 0) return abi.encodeWithSelector(IInferenceHub.InferenceHubNotInElectorate.selector, id, signer);
        if (_verdict(signer, seq) != 0) {
            return abi.encodeWithSelector(IInferenceHub.InferenceHubDuplicateAttestation.selector, id, signer);
        }
        return "";
    }

    /// @dev `verifier`'s verdict in round number `seq` (0 none, 1 valid, 2 invalid).
    function _verdict(address verifier, uint256 seq) private view returns (uint256) {
        return (_ballots[verifier][seq >> 7] >> ((seq & 127) << 1)) & 3;
    }

    /// @dev Counts a checked vote: one per (round, signer), whether it came alone or in a batch.
    function _record(IInferenceHub.Attestation calldata a, bytes32 round, Tally storage r, address signer, uint256 weight)
        private
    {
        bool valid = a.valid;
        uint64 seq = r.seq;
        _ballots[signer][seq >> 7] |= (valid ? VERDICT_VALID : VERDICT_INVALID) << ((seq & 127) << 1);
        // weight <= electorate < 2^96 and each side sums distinct voters' snapshot stakes, so it stays <= electorate
        if (valid) r.validStake += uint88(weight);
        else r.invalidStake += uint88(weight);
        if (seq > _lastVoted[signer]) _lastVoted[signer] = seq;
        emit AttestationRecorded(a.requestId, round, signer, valid, r.validStake, r.invalidStake);
    }

    /// @dev Reverts with `reason` (custom error data) unless it is empty.
    function _revertWith(bytes memory reason) private pure {
        if (reason.length != 0) {
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @dev The signer of a verdict signed alone or as a batch leaf (address(0) if the signature or the Merkle path
    /// does not hold).
    function _verdictSigner(IInferenceHub.SignedVerdict calldata v) private view returns (address signer) {
        if (v.root == bytes32(0)) return _signer(v.attestation, v.signature);
        if (!MerkleProof.verifyCalldata(v.proof, v.root, leafHash(v.attestation))) return address(0);
        (signer,,) = ECDSA.tryRecoverCalldata(batchDigest(v.root), v.signature);
    }

    /// @dev The signer of `a` (address(0) for a malformed or malleable signature).
    function _signer(IInferenceHub.Attestation calldata a, bytes calldata signature) private view returns (address signer) {
        (signer,,) = ECDSA.tryRecoverCalldata(digest(a), signature);
    }
}
