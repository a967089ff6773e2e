import type { Job, Queue } from "bullmq";
import { ALL_QUEUES, QueueName } from "./names.js";
import { createRedis, openQueue, type QueueContext } from "./connection.js";
import { PERMANENT_PREFIX } from "./failJob.js";

/**
 * The dead-letter view: failed jobs with their reasons, and retrying them once the cause is fixed (a missing model
 * file put in the store, a key staked, a bundle added). Failed jobs stay in BullMQ's failed set (a week,
 * queues/connection.ts defaultJobOptions) under their job id, so a fixed failure is retried under the same id
 * rather than re-added (adding the id again would be a no-op while the failed job is kept).
 *
 * Verification nodes keep their `verify` and `claim` queues under their own prefix (`<QUEUE_PREFIX>.vn-<address>`,
 * queues/keys.ts); the view finds those prefixes in Redis, so one call covers every node on the Redis.
 */

/** A failed job as the dead-letter view shows it. */
export interface DeadLetter {
  queue: QueueName;
  /** the queue prefix it lives under: QUEUE_PREFIX, or a verification node's */
  prefix: string;
  jobId: string;
  requestId?: string;
  reason: string;
  attemptsMade: number;
  failedAt?: number;
  /** true when the processor threw UnrecoverableError (retrying could not help) */
  permanent: boolean;
}

/** One queue under one prefix. */
interface Scope {
  prefix: string;
  queue: QueueName;
}

const NODE_QUEUES: QueueName[] = [QueueName.verify, QueueName.claim];

/** The verification nodes' queue prefixes under `ctx.prefix` found in Redis (each node's queues have a meta key). */
export async function nodePrefixes(ctx: QueueContext): Promise<string[]> {
  const redis = createRedis(ctx);
  const found = new Set<string>();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${ctx.prefix}.vn-*:*:meta`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) found.add(key.slice(0, key.indexOf(":")));
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return [...found].sort();
}

async function scopesFor(ctx: QueueContext, queues: readonly QueueName[]): Promise<Scope[]> {
  const scopes: Scope[] = queues.map((queue) => ({ prefix: ctx.prefix, queue }));
  const perNode = queues.filter((q) => NODE_QUEUES.includes(q));
  if (perNode.length) for (const prefix of await nodePrefixes(ctx)) for (const queue of perNode) scopes.push({ prefix, queue });
  return scopes;
}

async function withQueue<T>(ctx: QueueContext, scope: Scope, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const queue: Queue = openQueue({ ...ctx, prefix: scope.prefix }, scope.queue);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

function toDeadLetter(scope: Scope, job: Job): DeadLetter {
  const data = job.data as { requestId?: string };
  return {
    queue: scope.queue,
    prefix: scope.prefix,
    jobId: job.id!,
    requestId: data?.requestId,
    reason: job.failedReason ?? "(no reason recorded)",
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn,
    // BullMQ moves an UnrecoverableError straight to failed, before attempts run out.
    permanent: job.attemptsMade < (job.opts.attempts ?? 1) || (job.failedReason ?? "").startsWith(PERMANENT_PREFIX),
  };
}

/** Failed jobs of `queues` (all by default, every verification node's included), newest first. */
export async function listDeadLetters(ctx: QueueContext, queues: readonly QueueName[] = ALL_QUEUES, limit = 100): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (const scope of await scopesFor(ctx, queues)) {
    const jobs = await withQueue(ctx, scope, (q) => q.getFailed(0, limit - 1));
    for (const job of jobs) if (job?.id) out.push(toDeadLetter(scope, job));
  }
  return out.sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0)).slice(0, limit);
}

/** What to retry: given job ids (each names its queue: `<queue>-<chainId>-<requestId>…`), or every failed job of some queues. */
export type RetryTarget = { jobIds: readonly string[] } | { queues: readonly QueueName[] };

export interface RetryResult {
  /** moved back to waiting with a fresh set of attempts */
  retried: DeadLetter[];
  /** ids no queue holds (never existed, or removed after the retention period) */
  notFound: string[];
  /** ids found in another state than failed (waiting, active, completed…): left alone */
  notFailed: { jobId: string; queue: QueueName; prefix: string; state: string }[];
}

/** The queue a job id belongs to (queues/jobs.ts jobId: the id starts with its queue's name). */
export function queueOfJobId(jobId: string): QueueName | undefined {
  const name = jobId.slice(0, jobId.indexOf("-"));
  return ALL_QUEUES.find((q) => q === name);
}

/**
 * Moves failed jobs back to waiting with their attempt counters reset, so each gets its queue's full retry policy
 * again; the processors re-read the chain first, so a job whose request moved on meanwhile (settled, refunded)
 * ends as skipped rather than acting twice. Jobs in any other state are reported, never touched.
 */
export async function retryDeadLetters(ctx: QueueContext, target: RetryTarget): Promise<RetryResult> {
  const result: RetryResult = { retried: [], notFound: [], notFailed: [] };
  const retry = async (scope: Scope, job: Job) => {
    const letter = toDeadLetter(scope, job);
    await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    result.retried.push(letter);
  };
  if ("queues" in target) {
    for (const scope of await scopesFor(ctx, target.queues)) {
      await withQueue(ctx, scope, async (q) => {
        // retried jobs leave the failed set, so the first page is always the next one
        for (let jobs = await q.getFailed(0, 99); jobs.length; jobs = await q.getFailed(0, 99)) {
          for (const job of jobs) if (job?.id) await retry(scope, job);
        }
      });
    }
    return result;
  }
  for (const jobId of target.jobIds) {
    const queue = queueOfJobId(jobId);
    let found = false;
    if (queue) {
      for (const scope of await scopesFor(ctx, [queue])) {
        const done = await withQueue(ctx, scope, async (q) => {
          const job = await q.getJob(jobId);
          if (!job) return false;
          const state = await job.getState();
          if (state === "failed") await retry(scope, job);
          else result.notFailed.push({ jobId, queue: scope.queue, prefix: scope.prefix, state });
          return true;
        });
        if (done) {
          found = true;
          break;
        }
      }
    }
    if (!found) result.notFound.push(jobId);
  }
  return result;
}

export function formatDeadLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return "no failed jobs";
  const rows = letters.map((l) => [
    l.queue,
    l.jobId,
    String(l.attemptsMade),
    l.permanent ? "permanent" : "retries exhausted",
    l.failedAt ? new Date(l.failedAt).toISOString() : "",
    l.reason.split("\n")[0],
  ]);
  const header = ["queue", "job", "attempts", "kind", "failed at", "reason"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

export function formatRetryResult(r: RetryResult): string {
  const lines = [`retried ${r.retried.length} job(s)${r.retried.length ? `: ${r.retried.map((l) => l.jobId).join(", ")}` : ""}`];
  for (const n of r.notFailed) lines.push(`not retried: ${n.jobId} is ${n.state}, not failed`);
  for (const id of r.notFound) lines.push(`not found: ${id} (no queue holds this id; \`list\` shows the failed jobs)`);
  return lines.join("\n");
}
