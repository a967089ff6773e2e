// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {VerificationMode} from "../types/Types.sol";
import {RequestLib} from "../libraries/RequestLib.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IAttestationQuorum} from "../interfaces/IAttestationQuorum.sol";

/// @notice The hub's protocol parameters (four slots). Times in seconds, gas in gas units, slash amounts in wei.
struct HubParams {
    // fee split, basis points summing to 10_000
    uint16 executorBps;
    uint16 proverBps;
    uint16 verifierBps;
    uint16 protocolBps;
    // share of the electorate's stake that must attest "valid" to settle a ZKML_ATTESTED proof
    uint16 quorumBps;
    // share of slashed stake credited to the node that proved the fault (prover, challenger, reporter); never to
    // the consumer; the rest to the treasury
    uint16 slashRewardBps;
    // executor's exclusive delivery window after the request
    uint32 assignmentWindow;
    uint32 minResultTimeout;
    uint32 defaultResultTimeout;
    uint32 maxResultTimeout;
    uint32 minProofTimeout;
    uint32 defaultProofTimeout;
    uint32 maxProofTimeout;
    uint32 defaultCallbackGas;
    uint32 maxCallbackGas;
    // each prover's exclusive window to submit a proof (the first one is the prover drawn at result time)
    uint32 proverWindow;
    // ZKML_ATTESTED: time the quorum has to decide on a proof, from its submission (a late proof extends it)
    uint32 attestationWindow;
    // electorate snapshots are taken at the start of the current epoch of this many seconds (1 = per request)
    uint32 electorateEpoch;
    // rounds a verification node may stay silent through before anyone can have it suspended
    uint32 silenceLimit;
    // how long a silent verification node stays suspended
    uint32 suspension;
    uint96 executorSlash; // result timeout, wrong output
    uint96 proverSlash; // proof timeout (the assigned prover), proof rejected by the quorum
    uint96 verifierSlash; // equivocation
    address treasury; // receives the protocol fee and slashed stake (less the prover/challenger/reporter share)
}

/// @notice Model facts the hub needs after the request, cached on first use. Safe to cache: a model version never
/// changes them (only price, active flag and owner change, and those are read fresh at request time).
struct ModelInfo {
    address verifier;
    uint32 inputLength;
    uint32 outputLength;
    VerificationMode mode;
    bool known;
    uint16 batch; // requests one proof covers (ModelSpec.batch)
    uint256 tolerance;
}

/// @notice A round the AttestationQuorum opened for a ZKML_ATTESTED proof (HubLogic.openRound): a single proof's, or a
/// batch proof's, shared by every request it covers.
struct OpenedRound {
    bytes32 key; // QuorumMath.roundKey(the request, or a batch's first request, proofHash, instancesHash)
    bytes32 proofHash;
    bytes32 instancesHash;
    uint256 snapshot;
    uint256 electorate;
    uint256 deadline;
    uint256 batch; // a batch proof's round: its index in HubState.batchRounds (0 for a single proof's)
}

/// @notice The contracts the hub works with (immutables of the hub, passed to HubLogic on each call).
struct HubDeps {
    IModelRegistry models;
    INodeRegistry nodes;
    IAttestationQuorum quorum;
}

/// @notice All of the hub's state, in one struct so the hub and its linked library (HubLogic) share it. Every wei the
/// hub holds is in exactly one bucket: escrow of open requests (fees and unused callback budgets), unclaimed
/// verifier pools, releasable balances (accountedBalance() is their sum).
struct HubState {
    uint256 requestCount;
    uint256 totalReleasable;
    uint256 totalEscrowed;
    uint256 totalVerifierPools;
    uint256 batchRoundCount;
    HubParams params;
    mapping(uint256 requestId => RequestLib.Record) requests;
    mapping(uint256 modelId => ModelInfo) modelInfo;
    mapping(uint256 requestId => mapping(uint256 => bytes32)) fastOutput;
    /// @dev challenge commitment => block it was first committed in
    mapping(bytes32 commitment => uint256) challengeCommits;
    mapping(address account => uint256) releasable;
    /// @dev A ZKML_ATTESTED batch proof's round key, by a number never reused: each of its requests records the number
    /// (RequestLib.Record.proofBatch) instead of writing the key, and a rejected request drops it
    mapping(uint256 index => bytes32 roundKey) batchRounds;
}
