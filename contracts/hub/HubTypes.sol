// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRole, VerificationMode} from "../types/Types.sol";
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

/// @notice A requestInferences batch (HubRequests.requestBatch): who pays, its first request id, and each item's model
/// and payment (the inputs and options stay in calldata).
struct RequestBatch {
    address consumer;
    uint256 first;
    uint256[] modelIds;
    uint256[] payments;
}

/// @notice The contracts the hub works with (immutables of the hub, passed to HubLogic on each call), and what a batch
/// in progress already learnt from them, so its items do not ask again (zero outside batches).
struct HubDeps {
    IModelRegistry models;
    INodeRegistry nodes;
    IAttestationQuorum quorum;
    // the batch's sender, found eligible for `eligibleRole` when the batch began. It stays so for the batch: only the
    // hub slashes or suspends, and no batch that checks a role slashes that role; the node's own unbonding during a
    // callback would only let it finish work it is bonded for (its duties still hold its stake)
    address eligible;
    NodeRole eligibleRole;
    // a round the quorum accepted, found by an earlier item of this settleMany (an accepted round stays accepted:
    // each signer counts once, and a valid quorum above half the electorate leaves no room for a rejecting one)
    bytes32 acceptedRound;
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
    /// @dev A ZKML_ATTESTED batch proof's round (key and committer; its attestation deadline is the quorum's), by a
    /// number never reused: each of its requests records the number (RequestLib.Record.proofBatch) instead of writing
    /// them, and a rejected request drops it
    mapping(uint256 index => RequestLib.BatchRound) batchRounds;
    /// @dev What the results of one submitResults batch in one 32-id bucket with the same proof deadline share
    /// (RequestLib.ResultHead), under the group's first request id (each records how far back it is: resultOffset)
    mapping(uint256 firstId => RequestLib.ResultHead) resultHeads;
}
