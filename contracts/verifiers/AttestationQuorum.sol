// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IInferenceHub} from "../interfaces/IInferenceHub.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {NodeRole} from "../types/Types.sol";
import {QuorumMath} from "../libraries/QuorumMath.sol";
import {AttestationSigning} from "./AttestationSigning.sol";

/// @title AttestationQuorum
/// @notice The attestation book of one hub (ZKML_ATTESTED): checks EIP-712 signatures of verification nodes,
/// rejects duplicates, tallies stake per (request, proof) and says when the quorum accepts or rejects a proof.
/// Detects equivocation (one node signing both verdicts on the same proof). Deployed by its hub, which is the only
/// caller of its state-changing functions; the hub keeps the request state, the events and the money.
/// @dev Reverts with the hub's own errors (IInferenceHub), which bubble up through the hub's call unchanged.
contract AttestationQuorum is AttestationSigning {
    uint256 private constant VERDICT_VALID = 1;
    uint256 private constant VERDICT_INVALID = 2;
    uint256 private constant CLAIMED = 4;

    error AttestationQuorumOnlyHub(address caller);

    address public immutable hub;
    INodeRegistry public immutable nodes;

    /// @dev keccak256(requestId, proofHash) => stake per verdict
    mapping(bytes32 => QuorumMath.Tally) private _tallies;
    /// @dev keccak256(requestId, proofHash, verifier) => weight << 8 | claimed (4) | verdict (1 valid, 2 invalid)
    mapping(bytes32 => uint256) private _attestations;
    /// @dev keccak256(requestId, verifier) => equivocation already reported
    mapping(bytes32 => bool) private _equivocations;

    modifier onlyHub() {
        if (msg.sender != hub) revert AttestationQuorumOnlyHub(msg.sender);
        _;
    }

    constructor(address hub_, INodeRegistry nodes_) AttestationSigning(hub_) {
        hub = hub_;
        nodes = nodes_;
    }

    /// @notice Records `a` (the hub has checked it names the proof under attestation, in time). Reverts for a bad
    /// signature, a signer that is not an eligible verification node, or a second attestation by the same node.
    /// @return signer the verification node
    /// @return t the tally after this attestation
    /// @return outcome whether the proof is now accepted, rejected or still pending
    function record(IInferenceHub.Attestation calldata a, bytes calldata signature, uint256 quorumBps)
        external
        onlyHub
        returns (address signer, QuorumMath.Tally memory t, QuorumMath.Outcome outcome)
    {
        uint256 id = a.requestId;
        signer = _attestationSigner(a, signature);
        if (signer == address(0)) revert IInferenceHub.InferenceHubInvalidSignature(id);
        if (!nodes.isEligible(signer, NodeRole.Verifier)) {
            revert IInferenceHub.InferenceHubNotEligible(signer, uint8(NodeRole.Verifier));
        }
        bytes32 key = _attestationKey(id, a.proofHash, signer);
        if (_attestations[key] != 0) revert IInferenceHub.InferenceHubDuplicateAttestation(id, signer);
        uint256 weight = nodes.stakeOf(signer, NodeRole.Verifier);
        _attestations[key] = (weight << 8) | (a.valid ? VERDICT_VALID : VERDICT_INVALID);
        t = QuorumMath.add(_tallies[_proofKey(id, a.proofHash)], a.valid, weight);
        outcome = QuorumMath.outcome(t, nodes.totalEligibleStake(NodeRole.Verifier), quorumBps);
    }

    /// @notice Checks that `a` and `b` are opposite verdicts on the same proof signed by the same key, reported for
    /// the first time. Returns that signer (the hub slashes it).
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
        signer = _attestationSigner(a, sigA);
        if (signer == address(0) || signer != _attestationSigner(b, sigB)) {
            revert IInferenceHub.InferenceHubNotEquivocation();
        }
        bytes32 key = keccak256(abi.encode(a.requestId, signer));
        if (_equivocations[key]) revert IInferenceHub.InferenceHubEquivocationAlreadyReported(a.requestId, signer);
        _equivocations[key] = true;
    }

    /// @notice Marks `verifier`'s "valid" attestation on the settled proof as paid and returns its weight.
    function claim(uint256 requestId, bytes32 proofHash, address verifier) external onlyHub returns (uint256 weight) {
        bytes32 key = _attestationKey(requestId, proofHash, verifier);
        uint256 rec = _attestations[key];
        if (rec & 3 != VERDICT_VALID || rec & CLAIMED != 0) {
            revert IInferenceHub.InferenceHubNothingToClaim(requestId, verifier);
        }
        _attestations[key] = rec | CLAIMED;
        return rec >> 8;
    }

    // ---------------------------------------------------------------- views

    /// @notice EIP-712 digest a verification node signs for `a`.
    function digest(IInferenceHub.Attestation calldata a) external view returns (bytes32) {
        return _attestationDigest(a);
    }

    function tally(uint256 requestId, bytes32 proofHash) external view returns (uint256 validStake, uint256 invalidStake) {
        QuorumMath.Tally storage t = _tallies[_proofKey(requestId, proofHash)];
        return (t.validStake, t.invalidStake);
    }

    /// @return verdict 0 none, 1 valid, 2 invalid
    function attestationOf(uint256 requestId, bytes32 proofHash, address verifier)
        external
        view
        returns (uint8 verdict, uint256 weight, bool claimed)
    {
        uint256 rec = _attestations[_attestationKey(requestId, proofHash, verifier)];
        return (uint8(rec & 3), rec >> 8, rec & CLAIMED != 0);
    }

    function _proofKey(uint256 id, bytes32 proofHash) private pure returns (bytes32) {
        return keccak256(abi.encode(id, proofHash));
    }

    function _attestationKey(uint256 id, bytes32 proofHash, address verifier) private pure returns (bytes32) {
        return keccak256(abi.encode(id, proofHash, verifier));
    }
}
