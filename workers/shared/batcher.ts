/** One item's fate in a batch: its outcome, or the error that failed it alone. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** The batcher already holds `maxWaiting` items: the caller backs off (a queue job retries later). */
export class BatcherFullError extends Error {
  override name = "BatcherFullError";
  constructor(readonly waiting: number) {
    super(`${waiting} items already wait for a batch; try again later`);
  }
}

/** Options of a Batcher. */
export interface BatcherOptions<I, O> {
  /** Items per batch at most. @defaultValue 16 */
  maxBatchSize?: number;
  /** How long the first waiting item waits for company. 0 sends each item alone. @defaultValue 25 */
  maxWaitMs?: number;
  /**
   * While `maxInFlight` batches are on their way, let a partial batch keep gathering (it is sent when one of them
   * finishes): under load batches grow instead of queueing on the key's nonce lock. @defaultValue false
   */
  gatherWhileSending?: boolean;
  /** Batches on their way at once before partial ones gather (with gatherWhileSending). @defaultValue 1 */
  maxInFlight?: number;
  /** Items waiting for a batch at most; one more is refused with BatcherFullError (back-pressure). @defaultValue unbounded */
  maxWaiting?: number;
  /** Sends one batch and settles each item (same order). A throw fails every item of the batch. */
  send: (items: I[]) => Promise<Settled<O>[]>;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers items ready at about the same time into batches (at most maxBatchSize, the first waiting at most
 * maxWaitMs) and settles each item's promise with its own outcome. The batching of results (chain/sender/
 * resultBatcher.ts), attestations and settlements (verifier-node/), proofs (prover/proofBatches.ts), request reads
 * (chain/requestReader.ts) and a batch version's witnesses (executor/circuits.ts).
 */
export class Batcher<I, O> {
  private pending: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending = 0;
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly o: BatcherOptions<I, O>) {
    this.maxBatchSize = o.maxBatchSize ?? 16;
    this.maxWaitMs = o.maxWaitMs ?? 25;
    this.maxInFlight = o.gatherWhileSending ? Math.max(1, o.maxInFlight ?? 1) : Infinity;
  }

  /** Items waiting for a batch, and batches on their way. */
  get depth(): { waiting: number; sending: number } {
    return { waiting: this.pending.length, sending: this.sending };
  }

  submit(item: I): Promise<O> {
    if (this.o.maxWaiting !== undefined && this.pending.length >= this.o.maxWaiting) return Promise.reject(new BatcherFullError(this.pending.length));
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatchSize) this.flush(true);
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Sends what is waiting (`force`: a full batch, shutdown: even while another batch is on its way). */
  flush(force = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0) {
      if (!force && this.sending >= this.maxInFlight && this.pending.length < this.maxBatchSize) return;
      const batch = this.pending.splice(0, this.maxBatchSize);
      this.sending++;
      void this.o
        .send(batch.map((p) => p.item))
        .then(
          (settled) =>
            batch.forEach((p, i) => {
              const s = settled[i];
              if (!s) p.reject(new Error("the batch returned no outcome for this item"));
              else if (s.ok) p.resolve(s.value);
              else p.reject(s.error);
            }),
          (err) => {
            for (const p of batch) p.reject(err);
          },
        )
        .finally(() => {
          this.sending--;
          if (this.maxInFlight !== Infinity && this.pending.length > 0 && !this.timer) this.flush();
        });
    }
  }
}
