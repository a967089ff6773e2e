import type { RequestLog } from "../chain/getRequestLogs.js";
import type { CheckpointStore } from "../chain/follow/checkpoint.js";
import { PageFollower } from "../chain/follow/pageFollower.js";
import { RequestStatus } from "../../protocol/enums.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import type { BlockSource, JobSink } from "./types.js";

/** Options of a Listener. */
export interface ListenerOptions {
  source: BlockSource;
  store: CheckpointStore;
  sink: JobSink;
  /** Blocks a request must be buried under. @defaultValue 0 */
  confirmations?: number;
  /** First block to scan when there is no checkpoint. @defaultValue 0 */
  startBlock?: bigint;
  /** Max blocks per getLogs call. @defaultValue 2000 */
  pageSize?: number;
  /** Recent block hashes kept for reorg detection. @defaultValue 64 */
  reorgWindow?: number;
  /**
   * Execute jobs waiting for an executor at most: above it the listener reads no new page until executors catch
   * up (the chain keeps the requests; Redis stays bounded). 0: no bound. @defaultValue 0
   */
  maxBacklog?: number;
  /** Sleep between polls once caught up, and before retrying after an error. @defaultValue 1000 */
  pollIntervalMs?: number;
  logger?: Logger;
  metrics?: WorkerMetrics;
}

export type StepResult =
  | { kind: "caught-up"; head: bigint; checkpoint: bigint }
  | { kind: "advanced"; from: bigint; to: bigint; requests: number; enqueued: number; skipped: number }
  | { kind: "rewound"; from: bigint; to: bigint }
  | { kind: "inconsistent"; block: bigint }
  | { kind: "held"; reason: string };

/**
 * Follows the hub's InferenceRequested events from a stored position (chain/follow/: reorg-aware checkpoint, one
 * page at a time). Each page's requests are reconciled with on-chain state (one already executed or refunded is not
 * enqueued) and the rest enqueued idempotently before the checkpoint moves, so a crash repeats at most one page and
 * the repeat is a no-op thanks to the job ids.
 */
export class Listener {
  private readonly follower: PageFollower<RequestLog, { enqueued: number; skipped: number }>;

  constructor(private readonly o: ListenerOptions) {
    const { source, sink, logger } = o;
    this.follower = new PageFollower({
      ...o,
      what: "requests",
      hold: async () => {
        if (!o.maxBacklog || !sink.backlog) return null;
        const backlog = await sink.backlog();
        if (backlog < o.maxBacklog) return null;
        logger?.debug({ backlog, max: o.maxBacklog }, "execute queue full; holding off reading requests");
        return `${backlog} execute jobs waiting (LISTENER_MAX_BACKLOG ${o.maxBacklog})`;
      },
      readPage: (from, to) => source.requestLogs(from, to),
      handlePage: async (logs, { from, to }) => {
        const statuses = logs.length ? await source.requestStatuses(logs.map((l) => l.requestId)) : [];
        const open = logs.filter((_, i) => statuses[i] === RequestStatus.Requested);
        const { added, duplicates, replaced } = open.length ? await sink.enqueue(open) : { added: 0, duplicates: 0, replaced: 0 };
        if (logs.length) {
          logger?.info(
            { from: String(from), to: String(to), requests: logs.length, added, duplicates, replaced, skipped: logs.length - open.length },
            "requests enqueued",
          );
        }
        return { enqueued: added + replaced, skipped: logs.length - open.length };
      },
    });
  }

  async step(): Promise<StepResult> {
    const s = await this.follower.step();
    if (s.kind !== "advanced") return s;
    this.advanced(s.to, s.result.enqueued);
    return { kind: "advanced", from: s.from, to: s.to, requests: s.logs, ...s.result };
  }

  /** Runs until stop(): pages back-to-back while behind, then polls. Errors are logged and retried. */
  run(): Promise<void> {
    return this.follower.run((s) => this.advanced(s.to, s.result.enqueued));
  }

  stop(): void {
    this.follower.stop();
  }

  private advanced(to: bigint, enqueued: number): void {
    this.o.metrics?.listenerBlock.set(Number(to));
    this.o.metrics?.listenerEvents.inc(enqueued);
  }
}
