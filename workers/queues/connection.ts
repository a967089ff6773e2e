import { Queue, Worker, type DefaultJobOptions, type Job, type JobsOptions, type Processor, type QueueOptions, type WorkerOptions } from "bullmq";
import { Redis } from "ioredis";
import type { ConnectionEvents } from "../shared/outage.js";
import type { QueueName } from "./names.js";
import { jobIdFor, type JobDataByQueue, type JobResultByQueue } from "./jobs.js";

export type { ConnectionEvents };

/** Where the queues live: the Redis URL and the key prefix (unique per deployment or test run). */
export interface QueueContext {
  redisUrl: string;
  prefix: string;
  /**
   * Told of every connection error of the clients opened here, and of each (re)connection of plain clients: a
   * role passes its Redis OutageLog (shared/outage.ts), which logs one line per outage. Without it errors are
   * not logged (the commands that fail still reject).
   */
  connection?: ConnectionEvents;
}

/** Reconnection backoff of every client: 1 s, then e^attempt ms, at most 20 s (BullMQ's own default). */
export const redisRetryStrategy = (times: number): number => Math.max(Math.min(Math.exp(times), 20_000), 1000);

/** BullMQ connection options; workers need maxRetriesPerRequest null so blocking calls survive Redis restarts. */
export const connectionOptions = (ctx: QueueContext) => ({ url: ctx.redisUrl, maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: redisRetryStrategy });

/**
 * Listens to a client's errors: without a listener ioredis prints every reconnection attempt's stack to stderr
 * ("[ioredis] Unhandled error event") and BullMQ prints it with console.error.
 */
function watch<T extends { on(event: "error", fn: (err: Error) => void): unknown }>(ctx: QueueContext, client: T): T {
  client.on("error", (err) => ctx.connection?.failed(err));
  return client;
}

/** A plain ioredis client (checkpoint reads/writes, health, configuration checks). */
export const createRedis = (ctx: QueueContext): Redis => {
  const redis = watch(ctx, new Redis(ctx.redisUrl, { maxRetriesPerRequest: null, retryStrategy: redisRetryStrategy }));
  redis.on("ready", () => ctx.connection?.recovered());
  return redis;
};

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

/** A queue whose jobs all have the queue's one shape (queues/jobs.ts). */
export type TypedQueue<Q extends QueueName> = Queue<JobDataByQueue[Q], JobResultByQueue[Q], Q>;
export type TypedJob<Q extends QueueName> = Job<JobDataByQueue[Q], JobResultByQueue[Q], Q>;
export type TypedWorker<Q extends QueueName> = Worker<JobDataByQueue[Q], JobResultByQueue[Q], Q>;

export function openQueue<Q extends QueueName>(ctx: QueueContext, name: Q, options: Partial<QueueOptions> = {}): TypedQueue<Q> {
  return watch(
    ctx,
    new Queue<JobDataByQueue[Q], JobResultByQueue[Q], Q>(name, {
      connection: connectionOptions(ctx),
      prefix: ctx.prefix,
      defaultJobOptions: defaultJobOptions(5, 1000),
      ...options,
    }),
  );
}

/** Adds a job under its id (queues/jobs.ts jobIdFor): adding the same request's job again is a no-op. */
export async function addJob<Q extends QueueName>(queue: TypedQueue<Q>, data: JobDataByQueue[Q], options: Omit<JobsOptions, "jobId"> = {}): Promise<void> {
  // The queue was opened by openQueue under its QueueName, so its name is that Q; BullMQ's own generics cannot
  // follow a generic Q through Queue.add, hence the plain Queue view for the call.
  const name = queue.name as Q;
  const plain: Queue = queue;
  await plain.add(name, data, { ...options, jobId: jobIdFor(name, data) });
}

/** A worker of one queue, its processor typed by the queue's job shape and result. */
export function openWorker<Q extends QueueName>(
  ctx: QueueContext,
  name: Q,
  processor: Processor<JobDataByQueue[Q], JobResultByQueue[Q], Q>,
  options: Omit<WorkerOptions, "connection">,
): TypedWorker<Q> {
  return watch(ctx, new Worker<JobDataByQueue[Q], JobResultByQueue[Q], Q>(name, processor, workerOptions(ctx, options)));
}

export const workerOptions = (ctx: QueueContext, options: Omit<WorkerOptions, "connection">): WorkerOptions => ({
  connection: connectionOptions(ctx),
  prefix: ctx.prefix,
  ...options,
});
