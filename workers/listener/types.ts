import type { RequestLog } from "../chain/getRequestLogs.js";
import type { BlockHashSource } from "../chain/follow/reorg.js";

/** Where the listener reads the chain (viem-backed in production, fakeable in tests). */
export interface BlockSource extends BlockHashSource {
  requestLogs(fromBlock: bigint, toBlock: bigint): Promise<RequestLog[]>;
  /** The hub's current status of each request (RequestStatus as a number), in order: one read for a page. */
  requestStatuses(requestIds: readonly bigint[]): Promise<number[]>;
}

/** Turns requests into execute jobs. Must be idempotent per request (and replace a job from another fork). */
export interface JobSink {
  enqueue(logs: RequestLog[]): Promise<{ added: number; duplicates: number; replaced: number }>;
  /** Jobs added and not yet picked up by an executor (the listener holds off reading above its bound). */
  backlog?(): Promise<number>;
}
