import { Queue, type DefaultJobOptions, type QueueOptions, type WorkerOptions } from "bullmq";
import { Redis } from "ioredis";
import type { QueueName } from "./names.js";
import type { JobDataByQueue } from "./jobs.js";

/** Where the queues live: the Redis URL and the key prefix (unique per deployment or test run). */
export interface QueueContext {
  redisUrl: string;
  prefix: string;
}

/** BullMQ connection options; workers need maxRetriesPerRequest null so blocking calls survive Redis restarts. */
export const connectionOptions = (ctx: QueueContext) => ({ url: ctx.redisUrl, maxRetriesPerRequest: null, enableOfflineQueue: true });

/** A plain ioredis client (checkpoint reads/writes). */
export const createRedis = (ctx: QueueContext): Redis => new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });

/**
 * Retention keeps finished jobs for a day so their ids still deduplicate replays (listener restarts, reorg
 * rewinds) and the dead-letter view can list failures with their reason.
 */
export const defaultJobOptions = (attempts: number, backoffMs: number): DefaultJobOptions => ({
  attempts,
  backoff: { type: "exponential", delay: backoffMs, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
});

export function openQueue<Q extends QueueName>(ctx: QueueContext, name: Q, options: Partial<QueueOptions> = {}): Queue<JobDataByQueue[Q]> {
  return new Queue<JobDataByQueue[Q]>(name, {
    connection: connectionOptions(ctx),
    prefix: ctx.prefix,
    defaultJobOptions: defaultJobOptions(5, 1000),
    ...options,
  });
}

export const workerOptions = (ctx: QueueContext, options: Omit<WorkerOptions, "connection">): WorkerOptions => ({
  connection: connectionOptions(ctx),
  prefix: ctx.prefix,
  ...options,
});
