import type { AbiEvent, Address } from "viem";
import type { Logger } from "../../shared/logger.js";
import type { TwinpathPublicClient } from "../client.js";

export interface ConfirmationStallOptions {
  client: TwinpathPublicClient;
  /** the contract whose events the follower waits on */
  address: Address;
  event: AbiEvent;
  confirmations: number;
  /** the variable that sets `confirmations`, named in the warning */
  variable: string;
  /** How long the head must stand still, with events waiting, before the warning. @defaultValue 30_000 */
  stallMs?: number;
  /** @defaultValue min(5_000, stallMs) */
  pollMs?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Warns when events wait for confirmations that are not coming. A follower handles an event once it is
 * `confirmations` blocks deep; a chain that mines only on transactions (an automining `hardhat node`, anvil) never
 * buries the last request, and the worker would wait in silence. When the head has not moved for `stallMs` and
 * the unconfirmed blocks hold events, this logs one warning per stalled head naming the variable to change.
 */
export class ConfirmationStallWatch {
  private head: bigint | null = null;
  private movedAt = 0;
  private warnedAt: bigint | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: ConfirmationStallOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.o.confirmations === 0 || this.timer) return;
    const loop = () => {
      this.timer = setTimeout(() => void this.tick().finally(() => this.timer && loop()), this.o.pollMs ?? 5_000);
      this.timer.unref();
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One observation; returns the number of waiting events when it warned (tests call it directly). */
  async tick(): Promise<number> {
    let head: bigint;
    try {
      head = await this.o.client.getBlockNumber({ cacheTime: 0 });
    } catch {
      return 0; // an unreachable RPC is reported by the RPC outage log
    }
    const now = this.now();
    if (head !== this.head) {
      this.head = head;
      this.movedAt = now;
      return 0;
    }
    if (now - this.movedAt < (this.o.stallMs ?? 30_000) || this.warnedAt === head) return 0;
    const from = head - BigInt(this.o.confirmations) + 1n;
    const logs = await this.o.client
      .getLogs({ address: this.o.address, event: this.o.event, fromBlock: from > 0n ? from : 0n, toBlock: head })
      .catch(() => []);
    if (logs.length === 0) return 0;
    this.warnedAt = head;
    const stillS = Math.round((now - this.movedAt) / 1000);
    this.o.logger.warn(
      { event: this.o.event.name, waiting: logs.length, head: String(head), confirmations: this.o.confirmations, headStillForS: stillS },
      `${logs.length} ${this.o.event.name} event(s) wait for ${this.o.variable}=${this.o.confirmations} confirmations, but the chain head (block ${head}) has not moved for ${stillS} s: ` +
        `a chain that mines only on transactions (an automining hardhat node) never confirms them; set ${this.o.variable}=0 there (the pm2 dev preset does)`,
    );
    return logs.length;
  }
}
