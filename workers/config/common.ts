import { z } from "zod";
import { address, int, logLevel, prefix, url } from "./fields.js";

/** Variables every role reads. */
export const commonShape = {
  /** Redis shared by all workers of one deployment (the only shared state). */
  REDIS_URL: url(["redis", "rediss"]),
  /** JSON-RPC endpoint of the chain. */
  RPC_URL: url(["http", "https"]),
  /** Expected chain id; the worker refuses to start on another chain. */
  CHAIN_ID: int(1, Number.MAX_SAFE_INTEGER),
  HUB_ADDRESS: address(),
  /** Namespace of every Redis key (queues, checkpoint). Unique per deployment/test run. */
  QUEUE_PREFIX: prefix(),
  LOG_LEVEL: logLevel(),
  /** Port of /health and /metrics; 0 picks a free port (logged at start). */
  METRICS_PORT: int(0, 65535, 0),
  METRICS_HOST: z.string().default("127.0.0.1"),
  /** Retry policy of the jobs this process adds (BullMQ sets attempts and backoff when a job is added, so the
   * producer applies them: listener -> execute, executor -> submit and refund, sender -> prove). */
  JOB_ATTEMPTS: int(1, 100, 8),
  /** First retry delay; exponential with jitter after that. */
  JOB_BACKOFF_MS: int(10, 3_600_000, 1000),
};

/** JSON-RPC batching, for the roles that read the chain per request (listener, executor, sender). */
export const rpcBatchShape = {
  /** Calls made at the same moment go to the node in one HTTP request (a JSON-RPC batch), up to this many: it
   * costs the node and this process a fraction of one request per call. 0 sends each call alone (for a provider
   * that refuses batches). */
  RPC_BATCH_SIZE: int(0, 1000, 50),
};
