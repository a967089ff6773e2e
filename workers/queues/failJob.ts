import { UnrecoverableError } from "bullmq";
import { classifyFailure, type Stage } from "../chain/failurePolicy.js";
import { formatProtocolError } from "../chain/protocolError.js";
import { TwinpathError, errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import type { QueueName } from "./names.js";

/** How a permanent failure's reason starts (the dead-letter view tells permanent from exhausted retries by it). */
export const PERMANENT_PREFIX = "permanent: ";

export interface FailJobOptions {
  queue: QueueName;
  /** whose hub-error table decides (null: only permanent TwinpathErrors end the job) */
  stage: Stage | null;
  log: Logger;
  metrics?: WorkerMetrics;
  /** runs before a permanent failure ends the job (e.g. schedule the request's refund) */
  onPermanent?: (reason: string) => Promise<void>;
}

/**
 * Ends a failed attempt the way the stage's policy says (chain/failurePolicy.ts): a permanent failure throws
 * UnrecoverableError("permanent: <reason>"), so BullMQ dead-letters the job at once with its reason; anything else
 * is rethrown for BullMQ to retry with backoff. Counts the failure either way.
 */
export async function failJob(err: unknown, o: FailJobOptions): Promise<never> {
  const { action, error } = classifyFailure(o.stage, err);
  const permanent = action === "permanent";
  o.metrics?.jobFailures.inc({ queue: o.queue, kind: permanent ? "permanent" : "retryable" });
  const reason = err instanceof TwinpathError ? err.message : error ? formatProtocolError(error) : errorMessage(err);
  if (!permanent) {
    o.log.warn({ err: reason }, `${o.queue} failed; will retry`);
    throw err;
  }
  o.log.error({ code: (err as TwinpathError).code, reason }, `${o.queue} failed permanently`);
  await o.onPermanent?.(reason);
  throw new UnrecoverableError(`${PERMANENT_PREFIX}${reason}`);
}
