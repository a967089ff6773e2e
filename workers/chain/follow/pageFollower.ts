import type { Hex } from "viem";
import { errorMessage } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import type { CheckpointStore } from "./checkpoint.js";
import { checkCheckpoint, readStablePage, type BlockHashSource } from "./reorg.js";

/** An event a follower handles: where it was seen (to remember the block's hash for reorg detection). */
export interface FollowedLog {
  blockNumber: bigint;
  blockHash: Hex;
}

/** Options of a PageFollower. */
export interface PageFollowerOptions<L extends FollowedLog, R> {
  source: BlockHashSource;
  store: CheckpointStore;
  /** The events of blocks [from, to]. */
  readPage: (fromBlock: bigint, toBlock: bigint) => Promise<L[]>;
  /** Handles one page's events. Must be idempotent: a crash before the checkpoint moves repeats the page. */
  handlePage: (logs: L[], page: { from: bigint; to: bigint }) => Promise<R>;
  /** Blocks an event must be buried under. @defaultValue 0 */
  confirmations?: number;
  /** First block to read when there is no checkpoint. @defaultValue 0 */
  startBlock?: bigint;
  /** Max blocks per page (one getLogs call). @defaultValue 2000 */
  pageSize?: number;
  /** Recent block hashes kept for reorg detection. @defaultValue 64 */
  reorgWindow?: number;
  /** Sleep between polls once caught up, and the base of the backoff after an error. @defaultValue 1000 */
  pollIntervalMs?: number;
  /**
   * Asked before each page: a reason to hold off reading (the queue the pages feed is full), or null. While held,
   * the follower waits one poll interval and asks again; the chain keeps the events meanwhile (back-pressure).
   */
  hold?: () => Promise<string | null>;
  /** What the events are, for log lines ("requests", "proofs"). */
  what: string;
  logger?: Logger;
}

export type FollowStep<R> =
  | { kind: "caught-up"; head: bigint; checkpoint: bigint }
  | { kind: "advanced"; from: bigint; to: bigint; logs: number; result: R }
  | { kind: "rewound"; from: bigint; to: bigint }
  | { kind: "inconsistent"; block: bigint }
  | { kind: "held"; reason: string };

/**
 * Follows a contract's events from a stored, reorg-aware position (the one page loop of the listener and the
 * verification node). Each step first checks that the last processed block is still canonical (else rewinds to the
 * newest remembered block that is), then reads at most one page of confirmed blocks against one chain, hands its
 * events to `handlePage`, and only then moves the checkpoint with the hashes needed to detect a later reorg. A crash
 * anywhere repeats at most one page.
 */
export class PageFollower<L extends FollowedLog, R> {
  private readonly confirmations: bigint;
  private readonly pageSize: bigint;
  private readonly reorgWindow: bigint;
  private readonly startBlock: bigint;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly o: PageFollowerOptions<L, R>) {
    this.confirmations = BigInt(o.confirmations ?? 0);
    this.pageSize = BigInt(o.pageSize ?? 2000);
    this.reorgWindow = BigInt(o.reorgWindow ?? 64);
    this.startBlock = o.startBlock ?? 0n;
  }

  /** One step: a rewind, one page, or nothing (caught up, or the chain changed while reading). */
  async step(): Promise<FollowStep<R>> {
    const { source, store, logger } = this.o;
    const rewound = await checkCheckpoint(source, store, this.startBlock, this.reorgWindow, logger);
    if (rewound) return { kind: "rewound", ...rewound };
    const held = this.o.hold ? await this.o.hold() : null;
    if (held !== null) return { kind: "held", reason: held };
    const checkpoint = await store.load();

    const last = checkpoint ? checkpoint.block : this.startBlock - 1n;
    const head = await source.headNumber();
    const safe = head - this.confirmations;
    if (safe <= last) return { kind: "caught-up", head, checkpoint: last };
    const from = last + 1n;
    const to = safe < from + this.pageSize - 1n ? safe : from + this.pageSize - 1n;

    const page = await readStablePage(source, to, () => this.o.readPage(from, to));
    if (!page) {
      logger?.warn({ block: String(to) }, `chain changed while reading ${this.o.what}; retrying the page`);
      return { kind: "inconsistent", block: to };
    }
    const hashes = new Map<bigint, Hex>([[to, page.toHash]]);
    for (const log of page.value) hashes.set(log.blockNumber, log.blockHash);
    const result = await this.o.handlePage(page.value, { from, to });
    await store.advance({ block: to, hash: page.toHash }, hashes, to - this.reorgWindow + 1n);
    return { kind: "advanced", from, to, logs: page.value.length, result };
  }

  /** Steps until caught up (or the chain changes under a page), returning the pages handled and the rewinds. */
  async catchUp(onAdvanced?: (step: Extract<FollowStep<R>, { kind: "advanced" }>) => void): Promise<{ pages: number; rewinds: number }> {
    let pages = 0;
    let rewinds = 0;
    while (!this.stopped) {
      const s = await this.step();
      if (s.kind === "rewound") rewinds++;
      else if (s.kind === "advanced") {
        pages++;
        onAdvanced?.(s);
      } else break;
    }
    return { pages, rewinds };
  }

  /** Catches up, then polls, until stop(). Errors are logged and retried with a capped exponential backoff. */
  async run(onAdvanced?: (step: Extract<FollowStep<R>, { kind: "advanced" }>) => void): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.catchUp(onAdvanced);
        failures = 0;
      } catch (err) {
        failures++;
        this.o.logger?.warn({ err: errorMessage(err), failures }, `following ${this.o.what} failed; retrying`);
      }
      if (this.stopped) break;
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

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
