// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
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
/// `silenceLimit` rounds can be shown silent (checkSilence) without a loop. Detects equivocation.
/// @dev Deployed before its hub and wired once (setHub). The hub keeps the request state, the events and the money;
/// this contract reverts with the hub's errors (IInferenceHub), which bubble up through the hub's call unchanged.
/// A round is keyed by (requestId, proofHash, instancesHash); the snapshot can be per request (epoch = 1 s) or shared
/// by every round of an epoch (a batch of requests then shares one electorate).
contract AttestationQuorum is IAttestationQuorum, EIP712 {
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(uint256 requestId,bytes32 proofHash,bytes32 instancesHash,bool valid)");
    uint256 private constant VERDICT_VALID = 1;
    uint256 private constant VERDICT_INVALID = 2;
    uint256 private constant CLAIMED = 4;

    INodeRegistry public immutable nodes;
    address public immutable admin;
    /// @inheritdoc IAttestationQuorum
    address public hub;

    uint64 private _roundCount;
    mapping(bytes32 round => Round) private _rounds;
    /// @dev keccak256(round, verifier) => weight << 8 | claimed (4) | verdict (1 valid, 2 invalid)
    mapping(bytes32 => uint256) private _votes;
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
        snapshot = block.timestamp / epoch * epoch - 1;
        electorate = nodes.totalStakeAt(NodeRole.Verifier, snapshot);
        _rounds[round] = Round({
            validStake: 0,
            invalidStake: 0,
            snapshot: uint40(snapshot),
            deadline: SafeCast.toUint40(deadline),
            electorate: SafeCast.toUint96(electorate),
            seq: ++_roundCount
        });
        emit RoundOpened(requestId, round, _roundCount, snapshot, electorate, deadline);
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
        Round storage r = _rounds[round];
        uint256 deadline = r.deadline;
        if (deadline == 0) revert IInferenceHub.InferenceHubAttestationMismatch(id);
        if (block.timestamp > deadline) revert IInferenceHub.InferenceHubDeadlinePassed(id, deadline);
        address signer = _signer(a, signature);
        if (signer == address(0)) revert IInferenceHub.InferenceHubInvalidSignature(id);
        uint256 weight = nodes.stakeAt(signer, NodeRole.Verifier, r.snapshot);
        if (weight == 0) revert IInferenceHub.InferenceHubNotInElectorate(id, signer);
        bytes32 key = keccak256(abi.encode(round, signer));
        if (_votes[key] != 0) revert IInferenceHub.InferenceHubDuplicateAttestation(id, signer);
        _votes[key] = (weight << 8) | (a.valid ? VERDICT_VALID : VERDICT_INVALID);
        // weight <= electorate < 2^96 and each side sums distinct voters' snapshot stakes, so it stays <= electorate
        if (a.valid) r.validStake += uint88(weight);
        else r.invalidStake += uint88(weight);
        uint64 seq = r.seq;
        if (seq > _lastVoted[signer]) _lastVoted[signer] = seq;
        emit AttestationRecorded(id, round, signer, a.valid, r.validStake, r.invalidStake);
    }

    /// @inheritdoc IAttestationQuorum
    function outcome(bytes32 round, uint256 quorumBps) external view returns (QuorumMath.Outcome) {
        Round storage r = _rounds[round];
        return QuorumMath.outcome(r.validStake, r.invalidStake, r.electorate, quorumBps);
    }

    /// @inheritdoc IAttestationQuorum
    function checkEquivocation(
        IInferenceHub.Attestation calldata a,
        bytes calldata sigA,
        IInferenceHub.Attestation calldata b,
        bytes calldata sigB
    ) external onlyHub returns (address signer) {
        if (
            a.requestId != b.requestId || a.proofHash != b.proofHash || a.instancesHash != b.instancesHash
                || a.valid == b.valid
        ) revert IInferenceHub.InferenceHubNotEquivocation();
        signer = _signer(a, sigA);
        if (signer == address(0) || signer != _signer(b, sigB)) revert IInferenceHub.InferenceHubNotEquivocation();
        bytes32 key = keccak256(abi.encode(a.requestId, signer));
        if (_equivocations[key]) revert IInferenceHub.InferenceHubEquivocationAlreadyReported(a.requestId, signer);
        _equivocations[key] = true;
    }

    /// @inheritdoc IAttestationQuorum
    function claim(uint256 requestId, bytes32 round, address verifier)
        external
        onlyHub
        returns (uint256 weight, uint256 validStake)
    {
        bytes32 key = keccak256(abi.encode(round, verifier));
        uint256 vote = _votes[key];
        if (vote & 3 != VERDICT_VALID || vote & CLAIMED != 0) {
            revert IInferenceHub.InferenceHubNothingToClaim(requestId, verifier);
        }
        _votes[key] = vote | CLAIMED;
        return (vote >> 8, _rounds[round].validStake);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAttestationQuorum
    /// @dev An honest node votes on every round it is in before the round closes, so it can never be shown silent:
    /// its latest voted round would be at least `toRound`.
    function checkSilence(address verifier, bytes32 fromRound, bytes32 toRound, uint256 limit) external view {
        Round storage from = _rounds[fromRound];
        Round storage to = _rounds[toRound];
        if (
            from.seq == 0 || to.seq < uint256(from.seq) + limit - 1 || _lastVoted[verifier] >= from.seq
                || block.timestamp <= to.deadline || nodes.stakeAt(verifier, NodeRole.Verifier, from.snapshot) == 0
                || nodes.stakeAt(verifier, NodeRole.Verifier, to.snapshot) == 0
        ) revert IInferenceHub.InferenceHubNotSilent(verifier);
    }

    /// @inheritdoc IAttestationQuorum
    function roundKey(uint256 requestId, bytes32 proofHash, bytes32 instancesHash) public pure returns (bytes32) {
        return keccak256(abi.encode(requestId, proofHash, instancesHash));
    }

    /// @inheritdoc IAttestationQuorum
    function roundOf(bytes32 round) external view returns (Round memory) {
        return _rounds[round];
    }

    /// @notice Stake per verdict in the round of (requestId, proofHash, instancesHash).
    function tally(uint256 requestId, bytes32 proofHash, bytes32 instancesHash)
        external
        view
        returns (uint256 validStake, uint256 invalidStake)
    {
        Round storage r = _rounds[roundKey(requestId, proofHash, instancesHash)];
        return (r.validStake, r.invalidStake);
    }

    /// @inheritdoc IAttestationQuorum
    function attestationOf(bytes32 round, address verifier) external view returns (uint8 verdict, uint256 weight, bool claimed) {
        uint256 vote = _votes[keccak256(abi.encode(round, verifier))];
        return (uint8(vote & 3), vote >> 8, vote & CLAIMED != 0);
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

    /// @notice The EIP-712 domain separator (also see eip712Domain()).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev The signer of `a` (address(0) for a malformed or malleable signature).
    function _signer(IInferenceHub.Attestation calldata a, bytes calldata signature) private view returns (address signer) {
        (signer,,) = ECDSA.tryRecoverCalldata(digest(a), signature);
    }
}
