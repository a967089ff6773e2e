import type { Hex } from "viem";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import { checkCheckpoint, readStablePage } from "./reorg.js";
import type { BlockSource, CheckpointStore, JobSink } from "./types.js";
import { RequestStatus } from "../../protocol/enums.js";

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
  /** Sleep between polls once caught up, and before retrying after an error. @defaultValue 1000 */
  pollIntervalMs?: number;
  logger?: Logger;
  metrics?: WorkerMetrics;
}

export type StepResult =
  | { kind: "caught-up"; head: bigint; checkpoint: bigint }
  | { kind: "advanced"; from: bigint; to: bigint; requests: number; enqueued: number; skipped: number }
  | { kind: "rewound"; from: bigint; to: bigint }
  | { kind: "inconsistent"; block: bigint };

/**
 * Follows the hub's InferenceRequested events from a stored position. Each step: detect a reorg of the last
 * processed block (rewind to the newest remembered block still on the chain), then process at most one page of
 * confirmed blocks: read the logs, check each request's on-chain status (one already executed or refunded is
 * not enqueued), enqueue the rest idempotently, and only then move the checkpoint. A crash anywhere repeats at
 * most one page, and the repeat is a no-op thanks to the job ids.
 */
export class Listener {
  private readonly confirmations: bigint;
  private readonly pageSize: bigint;
  private readonly reorgWindow: bigint;
  private readonly startBlock: bigint;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly o: ListenerOptions) {
    this.confirmations = BigInt(o.confirmations ?? 0);
    this.pageSize = BigInt(o.pageSize ?? 2000);
    this.reorgWindow = BigInt(o.reorgWindow ?? 64);
    this.startBlock = o.startBlock ?? 0n;
  }

  async step(): Promise<StepResult> {
    const { source, store, sink, logger } = this.o;

    // 1. Reorg check: is the last processed block still canonical?
    const rewound = await checkCheckpoint(source, store, this.startBlock, this.reorgWindow, logger);
    if (rewound) return { kind: "rewound", ...rewound };
    const checkpoint = await store.load();

    // 2. The next page of confirmed blocks.
    const last = checkpoint ? checkpoint.block : this.startBlock - 1n;
    const head = await source.headNumber();
    const safe = head - this.confirmations;
    if (safe <= last) return { kind: "caught-up", head, checkpoint: last };
    const from = last + 1n;
    const to = safe < from + this.pageSize - 1n ? safe : from + this.pageSize - 1n;

    const page = await readStablePage(source, to, () => source.requestLogs(from, to));
    if (!page) {
      logger?.warn({ block: String(to) }, "chain changed while reading a page; retrying it");
      return { kind: "inconsistent", block: to };
    }
    const { toHash, value: logs } = page;
    const hashes = new Map<bigint, Hex>([[to, toHash]]);
    for (const log of logs) hashes.set(log.blockNumber, log.blockHash);

    // 3. Reconcile with on-chain state, then enqueue what still needs a result.
    const statuses = await Promise.all(logs.map((l) => source.requestStatus(l.requestId)));
    const open = logs.filter((_, i) => statuses[i] === RequestStatus.Requested);
    const { added, duplicates, replaced } = open.length ? await sink.enqueue(open) : { added: 0, duplicates: 0, replaced: 0 };

    // 4. Only now move the checkpoint (with the hashes needed to detect a later reorg).
    const keepFrom = to - this.reorgWindow + 1n;
    await store.advance({ block: to, hash: toHash }, hashes, keepFrom);
    this.o.metrics?.listenerBlock.set(Number(to));
    this.o.metrics?.listenerEvents.inc(added + replaced);
    if (logs.length) {
      logger?.info(
        { from: String(from), to: String(to), requests: logs.length, added, duplicates, replaced, skipped: logs.length - open.length },
        "requests enqueued",
      );
    }
    return { kind: "advanced", from, to, requests: logs.length, enqueued: added + replaced, skipped: logs.length - open.length };
  }

  /** Runs steps until stop(): pages back-to-back while behind, then polls. Errors are logged and retried. */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let idle = false;
      try {
        const result = await this.step();
        idle = result.kind === "caught-up" || result.kind === "inconsistent";
        failures = 0;
      } catch (err) {
        failures++;
        this.o.logger?.warn({ err: errorMessage(err), failures }, "listener step failed; retrying");
        idle = true;
      }
      if (idle && !this.stopped) {
        const base = this.o.pollIntervalMs ?? 1000;
        const delay = failures ? Math.min(base * 2 ** Math.min(failures - 1, 5), 30_000) : base;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
