import type { Hex } from "viem";
import type { RequestLog } from "../chain/getRequestLogs.js";

/** Where the listener reads the chain (viem-backed in production, fakeable in tests). */
export interface BlockSource {
  headNumber(): Promise<bigint>;
  /** Hash of block `n` on the current canonical chain, null if it does not exist (yet). */
  blockHash(n: bigint): Promise<Hex | null>;
  requestLogs(fromBlock: bigint, toBlock: bigint): Promise<RequestLog[]>;
  /** The hub's current status of a request (RequestStatus as a number). */
  requestStatus(requestId: bigint): Promise<number>;
}

export interface Checkpoint {
  block: bigint;
  hash: Hex;
}

/** The listener's position and the hashes of recently processed blocks. */
export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  /** Stored hashes of blocks in [from, to], by number. */
  recentHashes(): Promise<Map<bigint, Hex>>;
  /** Atomically: move the checkpoint, remember `hashes`, forget hashes of blocks below `keepFrom`. */
  advance(checkpoint: Checkpoint, hashes: Map<bigint, Hex>, keepFrom: bigint): Promise<void>;
  /** Atomically: set the checkpoint back to `checkpoint` and forget hashes above it; null forgets everything. */
  rewind(checkpoint: Checkpoint | null): Promise<void>;
}

/** Turns requests into execute jobs. Must be idempotent per request (and replace a job from another fork). */
export interface JobSink {
  enqueue(logs: RequestLog[]): Promise<{ added: number; duplicates: number; replaced: number }>;
}
