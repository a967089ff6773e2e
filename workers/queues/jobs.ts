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
}

export interface RefundJobData extends ChainRef {
  reason: string;
  resultDeadline: number;
}

export interface JobDataByQueue {
  execute: ExecuteJobData;
  submit: SubmitJobData;
  prove: ProveJobData;
  verify: ChainRef & Record<string, unknown>;
  refund: RefundJobData;
}

/**
 * `<stage>-<chainId>-<requestId>`: one job per request and stage, so a replayed event or a retried step is a
 * no-op while the job is retained. (BullMQ ids must not contain ':' nor be purely numeric.)
 */
export const jobId = (queue: QueueName, chainId: number, requestId: bigint | string): string => `${queue}-${chainId}-${requestId.toString()}`;
