import type { Address, Hex } from "viem";
import type { QueueName } from "./names.js";

/**
 * Job data of each queue. Everything is JSON: integers that may exceed 2^53 (ids, fixed-point values, wei) are
 * decimal strings. Timestamps are wall-clock milliseconds (Date.now()) so stage latencies can be measured.
 */
export interface ChainRef {
  chainId: number;
  hub: Address;
  /** uint256 request id, decimal */
  requestId: string;
}

export interface ExecuteJobData extends ChainRef {
  modelId: string;
  consumer: Address;
  /** executor assigned by the hub at request time */
  executor: Address;
  /** fixed-point input at the model's input scale */
  input: string[];
  /** keccak256(abi.encode(int256[] input)), checked against the hub's record before running */
  inputHash: Hex;
  fee: string;
  resultDeadline: number;
  blockNumber: number;
  blockHash: Hex;
  txHash: Hex;
  /** when the listener enqueued the job */
  seenAt: number;
}

export interface ExecuteJobResult {
  output: string[];
  inferenceMs: number;
  /** false when the request no longer needed a result (already executed/refunded) */
  executed: boolean;
  status?: number;
}

export interface SubmitJobData extends ChainRef {
  modelId: string;
  input: string[];
  /** fixed-point output at the model's output scale */
  output: string[];
  executor: Address;
  resultDeadline: number;
  seenAt: number;
  executeStartedAt: number;
  inferenceMs: number;
  /** when the executor handed the output to the submit queue */
  readyAt: number;
}

export interface SubmitJobResult {
  delivered: boolean;
  /** why nothing was sent (request already executed by someone, refunded...) */
  skipped?: string;
  txHash?: Hex;
  blockNumber?: number;
  sender?: Address;
  batchSize?: number;
  /** gas of the whole transaction, and this item's share */
  gasUsed?: string;
  gasShare?: string;
  sentAt?: number;
  minedAt?: number;
}

/** What a prover needs to reproduce and prove the fast-path result. */
export interface ProveJobData extends ChainRef {
  modelId: string;
  input: string[];
  output: string[];
  executor: Address;
  resultTxHash: Hex;
  resultBlockNumber: number;
  /** OPTIMISTIC: the challenge this job committed to, kept while it waits (delayed, off the worker's slots) for a
   * block after its commitment */
  challenge?: ChallengeRecord;
}

/** An OPTIMISTIC challenge between its commitment and the challenge itself (workers/prover/processor.ts). */
export interface ChallengeRecord {
  /** challengeCommitment(requestId, this prover, output, proof): what the challenge must match */
  commitment: Hex;
  /** keccak256 of the committed proof bytes (kept in the prover's proof store) */
  proofHash: Hex;
  /** the proven output committed to */
  output: string[];
  /** the block of the mined commitChallenge (absent while it is being sent) */
  commitBlock?: string;
  /** when the commitment was seen mined (wall clock ms): a chain with no later block by then + the stall limit fails
   * the attempt */
  at?: number;
}

export interface RefundJobData extends ChainRef {
  reason: string;
  resultDeadline: number;
}

/** What a verification node needs of one published proof (ProofSubmitted). */
export interface VerifyJobData extends ChainRef {
  prover: Address;
  proofHash: Hex;
  instancesHash: Hex;
  output: string[];
  /** base URL of the prover's proof store, as published in ProofSubmitted (the bytes are fetched by hash) */
  proofStore: string;
  blockNumber: number;
  /** block the event was seen in (absent in jobs from before reorg handling) */
  blockHash?: Hex;
  txHash: Hex;
  seenAt: number;
  /** The request the proof's round is keyed by, when not the job's own: a ZKML_ATTESTED batch proof's first request
   * (its one round covers every request of the batch). Recorded by the verify job once it read the batch. */
  roundId?: string;
  /** Set on a verification node's fallback settle check of this proof's round (a job of its own, id `…-settle`):
   * the node voted and was not the one whose vote decided the quorum (workers/verifier-node/settleDuty.ts). */
  settleCheck?: SettleCheck;
}

/** A fallback's pending settle check: its role in the round, the wait between checks, whether it saw the round decided. */
export interface SettleCheck {
  role: "late" | "early";
  delayMs: number;
  sawDecided?: boolean;
}

/** An OPTIMISTIC result the proof agrees with: settleUnchallenged once the challenge window closes. */
export type SettleJobData = ChainRef;

/** A request this node attested valid: claim its share of the verifier reward once it settles. */
export interface ClaimJobData extends ChainRef {
  /** the proof attested (one claim job per request and proof) */
  proofHash: Hex;
}

export interface RefundJobResult {
  refunded: boolean;
  status: string;
  txHash?: Hex;
}

export interface ProveJobResult {
  outcome: "submitted" | "challenged" | "agreed" | "skipped";
  reason?: string;
  proofHash?: Hex;
  provenOutput?: string[];
  fastOutput?: string[];
  /** max |proven - fast| per element, fixed-point units */
  maxDiff?: number;
  mismatch?: boolean;
  witnessMs?: number;
  proveMs?: number;
  txHash?: Hex;
  gasUsed?: string;
  startedAt?: number;
  submittedAt?: number;
}

export interface SettleJobResult {
  settled: boolean;
  reason?: string;
  txHash?: Hex;
  gasUsed?: string;
}

export interface VerifyJobResult {
  /** `checked`: a fallback settle check that settled the request itself */
  outcome: "attested" | "skipped" | "checked";
  valid?: boolean;
  reason?: string;
  checks?: { backend: string; valid: boolean; ms: number }[];
  txHash?: Hex;
  gasUsed?: string;
  batchSize?: number;
  settled?: boolean;
  rejectedProof?: boolean;
  /** the hub's settle, sent by this node once the quorum decided */
  settleTx?: Hex;
  /** this node's settle duty for the round: `decider` settles at once, the others check after a grace period */
  settleRole?: "decider" | "late" | "early";
  /** settled by a fallback check (the designated settler had not) */
  fallback?: boolean;
}

export interface ClaimJobResult {
  claimed: boolean;
  reason?: string;
  txHash?: Hex;
  gasUsed?: string;
}

/** The data of each queue's jobs: one shape per queue. */
export interface JobDataByQueue {
  execute: ExecuteJobData;
  submit: SubmitJobData;
  refund: RefundJobData;
  prove: ProveJobData;
  settle: SettleJobData;
  verify: VerifyJobData;
  claim: ClaimJobData;
}

/** What each queue's processor returns (kept with the finished job). */
export interface JobResultByQueue {
  execute: ExecuteJobResult;
  submit: SubmitJobResult;
  refund: RefundJobResult;
  prove: ProveJobResult;
  settle: SettleJobResult;
  verify: VerifyJobResult;
  claim: ClaimJobResult;
}

/**
 * `<stage>-<chainId>-<requestId>[-<discriminator>]`: one job per request and stage (per proof for `verify` and
 * `claim`), so a replayed event or a retried step is a no-op while the job is retained. (BullMQ ids must not contain
 * ':' nor be purely numeric.)
 */
export const jobId = (queue: QueueName, chainId: number, requestId: bigint | string, discriminator?: string): string =>
  `${queue}-${chainId}-${requestId.toString()}${discriminator ? `-${discriminator}` : ""}`;

/** The first 8 bytes of a proof hash: what tells two proofs of one request apart in a job id. */
const proofTag = (proofHash: Hex) => proofHash.slice(2, 18);

/** The id of a job of `queue` with `data`: every producer goes through here. */
export function jobIdFor<Q extends QueueName>(queue: Q, data: JobDataByQueue[Q]): string {
  const d = data as ChainRef & { proofHash?: Hex; settleCheck?: SettleCheck };
  const perProof = queue === "verify" || queue === "claim";
  const tag = perProof && d.proofHash ? proofTag(d.proofHash) + (d.settleCheck ? "-settle" : "") : undefined;
  return jobId(queue, d.chainId, d.requestId, tag);
}

/** The verify job of one published proof (a proof rejected and replaced by another gets a new job). */
export const verifyJobId = (chainId: number, requestId: bigint | string, proofHash: Hex): string => jobId("verify", chainId, requestId, proofTag(proofHash));
