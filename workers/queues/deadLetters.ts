import type { Queue } from "bullmq";
import { ALL_QUEUES, type QueueName } from "./names.js";
import { openQueue, type QueueContext } from "./connection.js";
import { PERMANENT_PREFIX } from "./failJob.js";

/** A failed job as the dead-letter view shows it. */
export interface DeadLetter {
  queue: QueueName;
  jobId: string;
  requestId?: string;
  reason: string;
  attemptsMade: number;
  failedAt?: number;
  /** true when the processor threw UnrecoverableError (retrying could not help) */
  permanent: boolean;
}

/** Failed jobs of `queues` (all by default), newest first. Failed jobs stay in BullMQ's failed set with their reason. */
export async function listDeadLetters(ctx: QueueContext, queues: QueueName[] = ALL_QUEUES, limit = 100): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (const name of queues) {
    const queue: Queue = openQueue(ctx, name);
    try {
      const jobs = await queue.getFailed(0, limit - 1);
      for (const job of jobs) {
        if (!job?.id) continue;
        const data = job.data as { requestId?: string };
        out.push({
          queue: name,
          jobId: job.id,
          requestId: data?.requestId,
          reason: job.failedReason ?? "(no reason recorded)",
          attemptsMade: job.attemptsMade,
          failedAt: job.finishedOn,
          // BullMQ moves an UnrecoverableError straight to failed, before attempts run out.
          permanent: job.attemptsMade < (job.opts.attempts ?? 1) || (job.failedReason ?? "").startsWith(PERMANENT_PREFIX),
        });
      }
    } finally {
      await queue.close();
    }
  }
  return out.sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0)).slice(0, limit);
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
