import type { Address, Hash } from "viem";
import type { TwinpathPublicClient } from "../client.js";
import { getRequestStatus } from "../getRequest.js";
import { parseSubmitReceipt, submitResultsCall, type ResultItem } from "../submitResults.js";
import { inferenceHubAbi } from "../../../protocol/abi/generated.js";
import { TxRejectedError, errorMessage } from "../../shared/errors.js";
import { failureReason, protocolErrorOf, type ProtocolError } from "../protocolError.js";
import type { Logger } from "../../shared/logger.js";
import type { TxSender } from "./txSender.js";
import { RequestStatus, requestStatusName } from "../../../protocol/enums.js";

/** Options of a ResultBatcher. */
export interface ResultBatcherOptions {
  hub: Address;
  sender: TxSender;
  publicClient: TwinpathPublicClient;
  /** Results per transaction at most. @defaultValue 16 */
  maxBatchSize?: number;
  /** How long the first waiting result waits for company. 0 sends each result alone. @defaultValue 25 */
  maxWaitMs?: number;
  logger?: Logger;
}

/** What became of one submitted result. */
export type BatchOutcome =
  | {
      kind: "delivered";
      txHash: Hash;
      blockNumber: bigint;
      batchSize: number;
      gasUsed: bigint;
      sentAt: number;
      minedAt: number;
    }
  /** Nothing sent: on-chain state says the request does not need it (already executed, refunded, unknown). */
  | { kind: "not-needed"; status: RequestStatus }
  /** The hub refused this item (simulation or ItemRejected): the decoded error, and `reason` for logs. */
  | { kind: "rejected"; reason: string; error: ProtocolError | null };

interface Pending {
  item: ResultItem;
  resolve: (o: BatchOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers results ready at about the same time into one submitResults transaction (at most maxBatchSize, waiting
 * at most maxWaitMs), checking each request's on-chain status first so nothing already delivered is re-sent.
 * One batcher per key (it sends through that key's TxSender).
 */
export class ResultBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;

  constructor(private readonly o: ResultBatcherOptions) {
    this.maxBatchSize = o.maxBatchSize ?? 16;
    this.maxWaitMs = o.maxWaitMs ?? 25;
  }

  submit(item: ResultItem): Promise<BatchOutcome> {
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatchSize) this.flush(true);
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /**
   * Sends what is waiting. While an earlier batch of this key is still on its way, a partial batch keeps
   * gathering (it is sent when that one finishes): under load batches grow instead of queueing on the key's
   * nonce lock. `force` (a full batch, shutdown) sends now.
   */
  flush(force = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!force && this.sending > 0 && this.pending.length < this.maxBatchSize) return;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatchSize);
      this.sending++;
      void this.sendBatch(batch)
        .catch((err) => {
          for (const p of batch) p.reject(err);
        })
        .finally(() => {
          this.sending--;
          if (this.pending.length > 0 && !this.timer) this.flush();
        });
    }
  }
  private sending = 0;

  private async sendBatch(batch: Pending[]): Promise<void> {
    const { hub, publicClient: pc } = this.o;
    // 1. On-chain state first: only requests still waiting for a result are sent.
    const statuses = await Promise.all(batch.map((p) => getRequestStatus(pc, { hub, requestId: p.item.requestId })));
    let live = batch.filter((p, i) => {
      if (statuses[i] === RequestStatus.Requested) return true;
      p.resolve({ kind: "not-needed", status: statuses[i] });
      return false;
    });
    if (live.length === 0) return;

    // 2. Simulate the batch; drop items the hub would reject, with the reason it would give.
    if (live.length > 1) {
      const { result } = await pc.simulateContract({ ...submitResultsCall(hub, live.map((p) => p.item)), abi: inferenceHubAbi, functionName: "submitResults", account: this.o.sender.address } as never) as { result: readonly boolean[] };
      const kept: Pending[] = [];
      await Promise.all(
        live.map(async (p, i) => {
          if (result[i]) return kept.push(p);
          p.resolve({ kind: "rejected", ...(await this.rejection(p.item)) });
        }),
      );
      live = kept;
      if (live.length === 0) return;
    }

    // 3. Send and read each item's fate from the receipt.
    const items = live.map((p) => p.item);
    const requestIds = items.map((i) => i.requestId);
    let sent;
    try {
      sent = await this.o.sender.send({
        call: submitResultsCall(hub, items),
        label: items.length === 1 ? "submitResult" : "submitResults",
        stillNeeded: async () =>
          (await Promise.all(requestIds.map((requestId) => getRequestStatus(pc, { hub, requestId })))).some((s) => s === RequestStatus.Requested),
      });
    } catch (err) {
      if (items.length === 1) {
        // A single item's revert is its own rejection (e.g. InferenceHubNotAssigned); let the job decide.
        if (err instanceof TxRejectedError) return live[0].resolve({ kind: "rejected", reason: errorMessage(err), error: protocolErrorOf(err) });
      }
      throw err;
    }
    const outcomes = parseSubmitReceipt(sent.receipt, hub, requestIds);
    const share = sent.receipt.gasUsed;
    this.o.logger?.debug({ txHash: sent.hash, items: items.length, gasUsed: String(share) }, "results mined");
    outcomes.forEach((outcome, i) => {
      if (outcome.delivered) {
        live[i].resolve({
          kind: "delivered",
          txHash: sent.hash,
          blockNumber: sent.receipt.blockNumber,
          batchSize: items.length,
          gasUsed: sent.receipt.gasUsed,
          sentAt: sent.sentAt,
          minedAt: sent.minedAt,
        });
      } else {
        live[i].resolve({ kind: "rejected", reason: outcome.reason, error: outcome.error });
      }
    });
  }

  /** Why the hub refuses one item, from simulating it alone. */
  private async rejection(item: ResultItem): Promise<{ reason: string; error: ProtocolError | null }> {
    try {
      await this.o.publicClient.simulateContract({ ...submitResultsCall(this.o.hub, [item]), account: this.o.sender.address } as never);
      return { reason: "rejected in the batch simulation", error: null };
    } catch (err) {
      return { reason: failureReason(err), error: protocolErrorOf(err) };
    }
  }
}

