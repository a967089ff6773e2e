// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {NodeRole, RequestStatus} from "../types/Types.sol";
import {IRequestWindows} from "./IRequestWindows.sol";
import {HubParams} from "../hub/HubTypes.sol";
import {IAttestationQuorum} from "./IAttestationQuorum.sol";

/// @title IInferenceHub
/// @notice The request queue and settlement state machine of Twinpath. Inputs and outputs are fixed-point integers
/// at the model's registered scales (`round(x * 2^scale)`), the same numbers EZKL exposes as public instances; the
/// hub stores only hashes and emits the values in events (data availability through logs). The payment of a
/// request is its fee (shared at settlement) plus a callback budget (callbackGasLimit x callbacks x the request's gas
/// price; each callback also pays 10,000 gas of call overhead) that pays whoever runs the consumer's callbacks; what
/// is not used goes back to the consumer.
interface IInferenceHub is IRequestWindows {
    /// @notice Caller-chosen options of a request. Zero fields take the protocol defaults.
    struct RequestOptions {
        uint32 callbackGasLimit; // gas forwarded to each consumer callback (capped by maxCallbackGas)
        bool resultCallback; // call onResult on the fast path (onSettled is always attempted)
        uint32 resultTimeout; // seconds from request to result deadline (within protocol bounds)
        uint32 proofTimeout; // seconds from result to proof/settlement deadline (within protocol bounds)
    }

    /// @notice Compact stored record of a request (hashes, not data).
    struct Request {
        address consumer;
        RequestStatus status;
        uint64 modelId;
        address executor; // the assigned executor (anyone eligible may deliver after the assignment window), then the one that delivered
        uint64 requestedAt;
        uint64 resultDeadline;
        uint64 proofDeadline; // set when the result arrives: last second for a proof (or a challenge)
        uint64 verifyDeadline; // ZKML_ATTESTED: last second for the quorum on the proof under attestation
        uint32 callbackGasLimit;
        bool resultCallback;
        uint128 fee; // shared by the nodes and the protocol at settlement (0 once settled: the split is in RequestSettled); refunded on timeout
        uint128 callbackBudget; // callback gas still paid for (unused budget goes back to the consumer; 0 once settled)
        address deliveredBy; // executor who delivered the result
        address provedBy; // the prover assigned first (it owes the proof) until a proof arrives, then its submitter
        bytes32 inputHash; // keccak256(abi.encode(int256[] input))
        bytes32 outputHash; // keccak256(abi.encode(int256[] output)) of the fast-path result
        // keccak256(abi.encode(requestId, proofHash, instancesHash)) of the proof recorded (zero: none), where proofHash
        // = keccak256(proof) and instancesHash = keccak256(abi.encode(uint256[] instances)) are in ProofSubmitted; for
        // ZKML_ATTESTED it is the AttestationQuorum's round key
        bytes32 proofKey;
        bytes32 provenOutputHash; // output hash carried by the submitted proof
    }

    /// @notice An EIP-712 statement by a verification node about a submitted proof.
    /// Domain: name "Twinpath", version "1", chainId, verifyingContract = the hub's AttestationQuorum.
    /// Type: Attestation(uint256 requestId,bytes32 proofHash,bytes32 instancesHash,bool valid)
    struct Attestation {
        uint256 requestId;
        bytes32 proofHash;
        bytes32 instancesHash;
        bool valid;
    }

    /// @notice A verification node's signed verdict, as evidence (reportEquivocation). Either one attestation signed
    /// alone (`root` = 0, `proof` empty, `signature` over the Attestation digest) or a leaf of a signed batch: `proof`
    /// is the Merkle path of `attestation`'s leaf to `root` and `signature` is over the AttestationBatch(root) digest
    /// (AttestationQuorum.leafHash, batchDigest).
    struct SignedVerdict {
        Attestation attestation;
        bytes32 root;
        bytes32[] proof;
        bytes signature;
    }

    // ---- errors ----
    error InferenceHubUnexpectedStatus(uint256 requestId, RequestStatus current, RequestStatus expected);
    error InferenceHubModelInactive(uint256 modelId);
    error InferenceHubWrongInputLength(uint256 modelId, uint256 expected, uint256 actual);
    error InferenceHubWrongOutputLength(uint256 modelId, uint256 expected, uint256 actual);
    error InferenceHubValueOutOfRange(uint256 index, int256 value);
    error InferenceHubFeeTooLow(uint256 modelId, uint256 required, uint256 sent);
    error InferenceHubInvalidOptions(string field);
    error InferenceHubNoExecutors();
    error InferenceHubNotEligible(address node, uint8 role);
    error InferenceHubNotAssigned(uint256 requestId, address caller, address assigned, uint256 openAt);
    error InferenceHubDeadlinePassed(uint256 requestId, uint256 deadline);
    error InferenceHubDeadlineNotReached(uint256 requestId, uint256 deadline);
    error InferenceHubWrongMode(uint256 requestId, uint8 mode);
    error InferenceHubInvalidProof(uint256 requestId);
    error InferenceHubInputMismatch(uint256 requestId);
    error InferenceHubAttestationMismatch(uint256 requestId);
    error InferenceHubInvalidSignature(uint256 requestId);
    error InferenceHubDuplicateAttestation(uint256 requestId, address verifier);
    error InferenceHubNotEquivocation();
    /// @notice A batch vote's signature recovers no signer (the whole batch is refused).
    error InferenceHubInvalidBatchSignature(bytes32 root);
    /// @notice The Merkle path given for this request's leaf does not lead to the signed batch root.
    error InferenceHubNotInBatch(uint256 requestId, bytes32 root);
    error InferenceHubBatchLengthMismatch();
    error InferenceHubNothingToWithdraw(address account);
    error InferenceHubTransferFailed(address to, uint256 amount);
    // added with the implementation:
    /// @notice The transaction's gas cannot give the consumer its full callback gas limit (EIP-150 63/64 rule).
    error InferenceHubInsufficientCallbackGas(uint256 required, uint256 available);
    /// @notice msg.value does not fit the stored fee field (uint96).
    error InferenceHubFeeTooHigh(uint256 maximum, uint256 sent);
    /// @notice A challenge whose proven output is within the model's tolerance of the result (nothing to dispute).
    error InferenceHubChallengeFailed(uint256 requestId);
    /// @notice Ether sent to the hub by anyone but the node registry (slashed stake).
    error InferenceHubUnexpectedPayment(address from);
    /// @notice A batch-item entry point called by anyone but the hub itself.
    error InferenceHubOnlySelf(address caller);
    error InferenceHubNothingToClaim(uint256 requestId, address account);
    error InferenceHubEquivocationAlreadyReported(uint256 requestId, address verifier);
    /// @notice The hub's books promise more than its balance (must never happen; checked at the end of batches).
    error InferenceHubAccountingMismatch(uint256 balance, uint256 accounted);
    /// @notice Input element `index` is outside the model version's admitted domain [lower, upper].
    error InferenceHubInputOutOfDomain(uint256 index, int256 value, int256 lower, int256 upper);
    /// @notice A ZKML_ATTESTED request while no verification node is eligible: it could never settle.
    error InferenceHubNoVerifiers(uint256 modelId);
    /// @notice The signer held no counted stake at the electorate snapshot of the proof under attestation.
    error InferenceHubNotInElectorate(uint256 requestId, address verifier);
    /// @notice challenge() without an earlier commitChallenge of keccak256(abi.encode(requestId, challenger,
    /// keccak256(abi.encode(output)), keccak256(proof))) by anyone, in an earlier block.
    error InferenceHubChallengeNotCommitted(uint256 requestId, bytes32 commitment);
    /// @notice reportSilence whose rounds do not show `verifier` silent (see AttestationQuorum.checkSilence).
    error InferenceHubNotSilent(address verifier);
    /// @notice A parameter outside its bounds (`name` as a bytes32 string).
    error InferenceHubInvalidParameter(bytes32 name);
    /// @notice The node registry's unbonding delay does not exceed the windows the parameters allow.
    error InferenceHubUnbondingTooShort(uint256 unbondingDelay, uint256 longestWindow);
    /// @notice settle() before the quorum decided (neither accepted nor rejected).
    error InferenceHubQuorumPending(uint256 requestId);
    /// @notice refundExpired() of a proof the quorum decided in time: settle() it instead.
    error InferenceHubQuorumDecided(uint256 requestId);
    /// @notice Verifier rewards are claimable once the attestation window of the settled proof is over.
    error InferenceHubClaimTooEarly(uint256 requestId, uint256 verifyDeadline);
    /// @notice A proof commitment with a zero proofHash, or a proof store URL that is empty or longer than 256 bytes.
    error InferenceHubInvalidCommitment(uint256 requestId);
    /// @notice Item `index` of a requestInferences batch is refused (`reason` is its own error, e.g.
    /// InferenceHubFeeTooLow, InferenceHubInputOutOfDomain, ModelRegistryUnknownModel); the whole batch reverts.
    error InferenceHubRequestItemInvalid(uint256 index, bytes reason);
    /// @notice The payments of a requestInferences batch do not add up to msg.value (each item pays its own quote).
    error InferenceHubBatchPaymentMismatch(uint256 sent, uint256 payments);
    /// @notice settle() of an accepted proof with an output whose hash is not the proven output's (`expected`).
    /// @notice A batch proof names more requests than the model version has slots (or a proof of a batch version,
    /// whose circuit takes every slot, was sent to submitProof or commitProof: use submitBatchProof or
    /// commitBatchProof).
    error InferenceHubBatchTooLarge(uint256 requests, uint256 slots);
    /// @notice A batch proof's request ids must be strictly ascending (so each appears once); `index` breaks the order.
    error InferenceHubBatchNotAscending(uint256 index);
    /// @notice Every request of a batch proof must be of the batch's model version (that of its first request).
    error InferenceHubBatchModelMismatch(uint256 requestId, uint256 modelId);
    error InferenceHubSettleOutputMismatch(uint256 requestId, bytes32 expected, bytes32 given);

    // ---- events (one per transition) ----
    /// @notice Every parameter change (and the initial values) with the complete new set.
    event ParametersChanged(HubParams params);
    event InferenceRequested(
        uint256 indexed requestId,
        uint256 indexed modelId,
        address indexed consumer,
        address executor,
        int256[] input,
        uint256 fee,
        uint64 resultDeadline
    );
    /// @dev `prover` is the prover assigned to prove it (zero for OPTIMISTIC): it alone may submit the proof until
    /// proofRoundStart + proverWindow (see assignedProver).
    event ResultSubmitted(
        uint256 indexed requestId, address indexed executor, int256[] output, bytes32 outputHash, uint64 proofDeadline, address prover
    );
    event ItemRejected(uint256 indexed requestId, bytes reason); // a batch item that failed on its own
    /// @dev `payment` is what the node that ran the callback was credited from the request's callback budget.
    event CallbackDelivered(uint256 indexed requestId, bool settled, bool success, uint256 gasUsed, uint256 payment);
    /// @dev ZKML_ATTESTED: the hub keeps only the commitment (proofHash, bound to the request by instancesHash and to
    /// `prover` by its window); the bytes are served by the prover's proof store at `proofStore` + "/proofs/" +
    /// proofHash (lower-case hex), where verification nodes fetch them and check the hash. ZKML_ONCHAIN: `proofStore`
    /// is empty (the proof was verified in the same transaction and is in its calldata).
    event ProofSubmitted(
        uint256 indexed requestId, address indexed prover, bytes32 proofHash, bytes32 instancesHash, int256[] output, string proofStore
    );
    /// @notice The quorum rejected the proof of `round` (its proofKey; see VerificationOpened), `prover` is slashed
    /// and the request is open for another proof.
    event ProofRejected(uint256 indexed requestId, address indexed prover, bytes32 round);
    event ExecutorMismatch(uint256 indexed requestId, address indexed executor, bytes32 fastOutputHash, bytes32 provenOutputHash);
    /// @notice One proof verified for `requests` requests of a batch version (each also has its ProofSubmitted and
    /// RequestSettled); `instancesHash` = keccak256(abi.encode(instances)) of the whole batch.
    event BatchProofVerified(uint256 indexed modelId, address indexed prover, bytes32 proofHash, bytes32 instancesHash, uint256 requests);
    /// @notice ZKML_ATTESTED: one batch proof committed for `requests` requests of a batch version (each also has its
    /// ProofSubmitted, with its output, and VerificationOpened); `paddingOutputs` are the outputs of the padded slots
    /// after them (the rest of the instances a verification node rebuilds); `instancesHash` =
    /// keccak256(abi.encode(instances)) of the whole batch.
    event BatchProofCommitted(
        uint256 indexed modelId,
        address indexed prover,
        bytes32 proofHash,
        bytes32 instancesHash,
        uint256 requests,
        int256[][] paddingOutputs
    );
    event RequestSettled(uint256 indexed requestId, bytes32 outputHash, uint256 executorReward, uint256 proverReward, uint256 verifierReward, uint256 protocolFee);
    /// @dev `amount` = fee + unused callback budget.
    event RequestRefunded(uint256 indexed requestId, address indexed consumer, uint256 amount, RequestStatus atStatus);
    event ChallengeCommitted(uint256 indexed requestId, bytes32 commitment);
    event Challenged(uint256 indexed requestId, address indexed challenger, bytes32 provenOutputHash);
    event EquivocationSlashed(uint256 indexed requestId, address indexed verifier, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    // added with the implementation:
    /// @notice Stake slashed from `node` arrived at the hub: `beneficiaryShare` credited to the harmed party
    /// (consumer, challenger or equivocation reporter; none for a rejected proof), the rest to the treasury.
    event SlashCredited(
        address indexed node, NodeRole role, uint256 amount, address indexed beneficiary, uint256 beneficiaryShare, bytes32 indexed reason
    );
    /// @notice A verification node took its stake-weighted part of a settled request's verifier reward.
    event VerifierRewardClaimed(uint256 indexed requestId, address indexed verifier, uint256 amount);
    /// @notice The proof under attestation of `requestId` opened its round: the electorate is the verifier stake
    /// counted at `snapshot` (`electorate` in total); the quorum may decide until `verifyDeadline`.
    event VerificationOpened(uint256 indexed requestId, bytes32 indexed round, uint256 snapshot, uint256 electorate, uint64 verifyDeadline);
    /// @notice `verifier` stayed silent through the rounds `fromRound`..`toRound` and is suspended until `until`.
    event VerifierSuspended(address indexed verifier, bytes32 fromRound, bytes32 toRound, uint256 until);

    // ---- requests ----
    /// @notice Ask for an inference. msg.value pays the callback budget ((the callback gas limit, resolved from the
    /// options, + 10,000) times 2 with resultCallback else 1, times tx.gasprice) and the fee (the rest, >= the model's
    /// price);
    /// see quoteFee. The input must be inside the model's admitted domain (InferenceHubInputOutOfDomain). The
    /// executor is drawn from the eligible ones with block.prevrandao mixed in. Emits InferenceRequested carrying
    /// the input. Returns the request id (ids start at 1).
    function requestInference(uint256 modelId, int256[] calldata input, RequestOptions calldata options)
        external
        payable
        returns (uint256 requestId);

    /// @notice Many requests in one transaction, each exactly as requestInference would take it: item i asks model
    /// `modelIds[i]` for `inputs[i]` with `options[i]` and pays `payments[i]` (its own quoteFee; one item's payment
    /// never covers another's). The payments must add up to msg.value (InferenceHubBatchPaymentMismatch). All or
    /// nothing: an item the hub refuses reverts the batch with InferenceHubRequestItemInvalid(index, its error).
    /// Request ids are consecutive: firstId .. firstId + n - 1, one InferenceRequested each, in item order. An item
    /// with the same terms as the previous item (consumer, model, options) shares its stored terms and its assigned
    /// executor (one draw for them); each item keeps its own payment, input, result, proof and settlement.
    function requestInferences(
        uint256[] calldata modelIds,
        int256[][] calldata inputs,
        RequestOptions[] calldata options,
        uint256[] calldata payments
    ) external payable returns (uint256 firstId);

    /// @notice The items of requestInferences, in one call; callable only by the hub itself.
    function selfRequests(
        uint256[] calldata modelIds,
        int256[][] calldata inputs,
        RequestOptions[] calldata options,
        uint256[] calldata payments
    ) external;

    /// @notice One item of requestInferences (run one by one to name a refused item); callable only by the hub itself.
    function selfRequest(uint256 modelId, int256[] calldata input, RequestOptions calldata options, uint256 payment)
        external;

    // ---- fast path ----
    /// @notice Executor delivers the fast-path result. Marks the request Executed and calls onResult (gas-capped).
    function submitResult(uint256 requestId, int256[] calldata output) external;

    /// @notice Many results in one transaction; each item succeeds or fails on its own (ItemRejected on failure).
    function submitResults(uint256[] calldata requestIds, int256[][] calldata outputs) external returns (bool[] memory ok);

    // ---- proof path ----
    /// @notice ZKML_ONCHAIN: the assigned prover (assignedProver) submits an EZKL proof with the request's input
    /// (checked against the stored inputHash: the hub keeps only hashes) and the output it proves; verified now
    /// against instances the hub rebuilds (input ‖ output, as field elements) and settled. ZKML_ATTESTED models take
    /// a commitment instead (commitProof), OPTIMISTIC ones a challenge: both revert with InferenceHubWrongMode.
    function submitProof(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external;

    /// @notice ZKML_ONCHAIN, a batch version (ModelSpec.batch = N > 1): one proof settles up to N requests of that
    /// version. Slot i < requestIds.length is request requestIds[i] (ids strictly ascending, so each appears once, all
    /// of one model version, each proved by its assigned prover = the caller), with `inputs[i]` (checked against its
    /// stored inputHash) and `outputs[i]`. The padding rule: the slots after them carry **zeros as input, chosen by the
    /// hub**, and `outputs[i]` (whatever the circuit computes for zeros; the proof commits to it) settle nothing, so a
    /// padded slot is never a request. `outputs` has N entries. The hub rebuilds the instances (every slot's input in
    /// slot order, then every slot's output: Instances.buildBatch), verifies the proof once and settles every request
    /// in it as submitProof would (fee split, executor mismatch, callbacks). Any bad item reverts the whole call.
    function submitBatchProof(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes calldata proof
    ) external;

    /// @notice Many proofs in one transaction; each item succeeds or fails on its own.
    function submitProofs(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes[] calldata proofs
    )
        external
        returns (bool[] memory ok);

    /// @notice ZKML_ATTESTED: the assigned prover (assignedProver) commits to a proof without sending its bytes:
    /// `proofHash` = keccak256 of the proof bytes, `input` (checked against the stored inputHash) and the `output` it
    /// proves (the hub binds both into instancesHash), and `proofStore`, the base URL of the prover's proof store
    /// (1-256 bytes), which must serve the bytes at proofStore + "/proofs/" + proofHash to every verification node
    /// until the round closes. Records the commitment, moves the duty to prove to the caller, emits ProofSubmitted
    /// and opens the round with a fixed electorate. Verification nodes that cannot fetch bytes hashing to proofHash
    /// vote invalid: a proof nobody can fetch is rejected and its prover slashed, like an invalid one.
    function commitProof(
        uint256 requestId,
        int256[] calldata input,
        int256[] calldata output,
        bytes32 proofHash,
        string calldata proofStore
    ) external;

    /// @notice ZKML_ATTESTED, a batch version (ModelSpec.batch = N > 1): one proof, committed by its hash, for up to N
    /// requests of that version. Slots, ordering and the padding rule are submitBatchProof's (ids strictly ascending,
    /// each with its caller-supplied input checked against its inputHash; padded slots take zeros as input, their
    /// `outputs` settle nothing); `outputs` has N entries. One round opens for the batch, keyed by its first request
    /// (roundKey(requestIds[0], proofHash, instancesHash), instancesHash over every slot: Instances.buildBatch), and
    /// each request is committed as commitProof would commit it under that round (its proofKey): one vote per
    /// verification node decides all of them; each is then settled, rejected (slashing the prover) and rewarded on its
    /// own (reward claims are per request). Verification nodes rebuild the batch's instances from this transaction's
    /// BatchProofCommitted and the ProofSubmitted that follow it (ids ascending, padding zeros and the padded slots'
    /// outputs) and verify the proof once. Any bad item reverts the whole call.
    function commitBatchProof(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes32 proofHash,
        string calldata proofStore
    ) external;

    /// @notice Many commitments (one prover, one proof store) in one transaction; each item succeeds or fails on its
    /// own (ItemRejected).
    function commitProofs(
        uint256[] calldata requestIds,
        int256[][] calldata inputs,
        int256[][] calldata outputs,
        bytes32[] calldata proofHashes,
        string calldata proofStore
    ) external returns (bool[] memory ok);

    /// @notice ZKML_ATTESTED, its own step after the votes (submitted to the AttestationQuorum): settle the proof under
    /// attestation once the valid stake reached quorumBps of its round's electorate, or reject it (slashing its
    /// prover and reopening the request for another proof) once the invalid stake makes that impossible. Reverts with
    /// InferenceHubQuorumPending otherwise. Anyone may call; the caller is paid the callback budget for onSettled.
    /// `output` is the proven output (ProofSubmitted's `output`): the hub keeps only its hash, so settling an accepted
    /// proof checks it against that hash (InferenceHubSettleOutputMismatch) before the consumer's onSettled gets it. A
    /// rejection does not read it.
    function settle(uint256 requestId, int256[] calldata output) external;

    /// @notice `settle` for many requests in one transaction (e.g. every request of an attestation batch), each with
    /// its proven output; each item succeeds or fails on its own (ItemRejected: pending quorum, already settled by
    /// someone else, a wrong output, ...), so nodes racing to settle the same requests waste an item, never a
    /// transaction. The caller is paid each item's onSettled budget.
    function settleMany(uint256[] calldata requestIds, int256[][] calldata outputs) external returns (bool[] memory ok);

    /// @notice One item of settleMany; callable only by the hub itself.
    function selfSettle(uint256 requestId, int256[] calldata output) external;

    /// @notice Slash a verification node that signed both verdicts on the same proof (same request, proof and
    /// instances), each signed alone or as a leaf of a batch, in any combination; once per (request, node). The
    /// reporter gets slashRewardBps of the slash.
    function reportEquivocation(SignedVerdict calldata a, SignedVerdict calldata b) external;

    /// @notice OPTIMISTIC, step one of a challenge: record `commitment` = keccak256(abi.encode(requestId, challenger,
    /// keccak256(abi.encode(output)), keccak256(proof))). Binding the challenger makes a copied challenge worthless.
    function commitChallenge(uint256 requestId, bytes32 commitment) external;

    /// @notice OPTIMISTIC: dispute an executed result inside its challenge window with a proof of a different output,
    /// committed (commitChallenge) by the caller in an earlier block.
    function challenge(uint256 requestId, int256[] calldata input, int256[] calldata output, bytes calldata proof)
        external;

    /// @notice OPTIMISTIC: settle an unchallenged result once the challenge window is over. Anyone may call.
    function settleUnchallenged(uint256 requestId) external;

    /// @notice Refund the consumer (fee + unused callback budget) of a request whose deadline passed. Slashes only
    /// the node that alone owed the missing step: the assigned executor (no result), the assigned prover (no
    /// proof). A quorum that did not decide in time slashes nobody. Slashed stake goes to the treasury, never to
    /// the consumer. Anyone may call.
    function refundExpired(uint256 requestId) external;

    /// @notice Suspend a verification node that voted on none of the rounds `fromRound`..`toRound` (at least
    /// silenceLimit rounds, both closed, both with the node in their electorate). Anyone may call.
    function reportSilence(address verifier, bytes32 fromRound, bytes32 toRound) external;

    // ---- payments ----
    /// @notice Withdraw the caller's balance (fees, rewards, refunds).
    function withdraw() external;

    function releasable(address account) external view returns (uint256);

    /// @notice ZKML_ATTESTED: move the caller's stake-weighted part of a settled request's verifier reward into its
    /// releasable balance, once the attestation window is over. Every verification node that attested "valid" on the
    /// settled proof in time may claim; the last claimant receives the exact remainder (no rounding dust is left).
    function claimVerifierReward(uint256 requestId) external returns (uint256 amount);

    /// @notice Escrowed fees + unclaimed verifier pools + releasable balances: what the hub owes. Its balance equals
    /// this (it exceeds it only if someone force-sends ether).
    function accountedBalance() external view returns (uint256);

    // ---- admin ----
    /// @notice All protocol parameters.
    function parameters() external view returns (HubParams memory);

    /// @notice Owner-only: replace the parameters (read `parameters()`, change fields, write back). Each field is
    /// checked against its bounds; the first bad one reverts with InferenceHubInvalidParameter(name). Reverts with
    /// InferenceHubUnbondingTooShort unless the registry's unbonding delay exceeds the new longestWindow().
    function setParameters(HubParams calldata p) external;

    // ---- views ----
    function getRequest(uint256 requestId) external view returns (Request memory);
    /// @notice getRequest of each id, in order (an unknown id reads as a zero record, status None): one call for the
    /// requests of a page of events or of a worker's concurrent jobs, instead of one each.
    function getRequests(uint256[] calldata requestIds) external view returns (Request[] memory);
    function status(uint256 requestId) external view returns (RequestStatus);

    /// @notice The public instances the hub expects for a proof of `requestId` claiming `output`
    /// (input ‖ output as field elements, negatives as r - |v|). Needs the original input (the hub stores only its
    /// hash): pass it, and the hub checks it against inputHash.
    function expectedInstances(uint256 requestId, int256[] calldata input, int256[] calldata output)
        external
        view
        returns (uint256[] memory);

    /// @notice EIP-712 digest a verification node signs for `a`.
    function attestationDigest(Attestation calldata a) external view returns (bytes32);

    /// @notice The executor allowed to deliver `requestId` now (address(0) once the window is open to everyone).
    function assignedExecutor(uint256 requestId) external view returns (address);

    /// @notice The prover allowed to submit a proof of `requestId` now (address(0) if none or not awaiting one).
    /// The first prover (drawn when the result arrives) has the first proverWindow seconds; each later window
    /// belongs to one eligible prover drawn per window, so a copied proof always comes from the wrong key.
    function assignedProver(uint256 requestId) external view returns (address);

    /// @notice msg.value requestInference needs for `options` at `gasPrice` (the price the request pays).
    function quoteFee(uint256 modelId, RequestOptions calldata options, uint256 gasPrice) external view returns (uint256);

    /// @notice Number of requests so far (= the latest request id).
    function requestCount() external view returns (uint256);

    /// @notice This hub's AttestationQuorum: where verification nodes submit votes, and the EIP-712 verifying contract
    /// of attestations.
    function attestationQuorum() external view returns (IAttestationQuorum);

}
