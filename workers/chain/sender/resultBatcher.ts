import type { Address, Hash } from "viem";
import type { TwinpathPublicClient } from "../client.js";
import { getRequestStatus } from "../getRequest.js";
import { parseSubmitReceipt, submitResultsCall, type ResultItem } from "../submitResults.js";
import { inferenceHubAbi } from "../../../protocol/abi/generated.js";
import { TxRejectedError, errorMessage } from "../../shared/errors.js";
import { failureReason, protocolErrorOf, type ProtocolError } from "../protocolError.js";
import type { Logger } from "../../shared/logger.js";
import type { TxSender } from "./txSender.js";
import { Batcher, type Settled } from "./batcher.js";
import { RequestStatus } from "../../../protocol/enums.js";

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

/**
 * Gathers results ready at about the same time into one submitResults transaction (a Batcher: at most maxBatchSize,
 * waiting at most maxWaitMs, gathering while the key's previous batch is on its way), checking each request's
 * on-chain status first so nothing already delivered is re-sent. One batcher per key (it sends through that key's
 * TxSender).
 */
export class ResultBatcher {
  private readonly batcher: Batcher<ResultItem, BatchOutcome>;

  constructor(private readonly o: ResultBatcherOptions) {
    this.batcher = new Batcher({ maxBatchSize: o.maxBatchSize, maxWaitMs: o.maxWaitMs ?? 25, gatherWhileSending: true, send: (items) => this.sendBatch(items) });
  }

  submit(item: ResultItem): Promise<BatchOutcome> {
    return this.batcher.submit(item);
  }

  /** Sends what is waiting; `force` (shutdown) even while the key's previous batch is on its way. */
  flush(force = false): void {
    this.batcher.flush(force);
  }

  private async sendBatch(items: ResultItem[]): Promise<Settled<BatchOutcome>[]> {
    const { hub, publicClient: pc } = this.o;
    const settled: Settled<BatchOutcome>[] = new Array(items.length);
    const done = (i: number, value: BatchOutcome) => (settled[i] = { ok: true, value });
    // 1. On-chain state first: only requests still waiting for a result are sent.
    const statuses = await Promise.all(items.map((item) => getRequestStatus(pc, { hub, requestId: item.requestId })));
    let live: number[] = [];
    statuses.forEach((status, i) => (status === RequestStatus.Requested ? live.push(i) : done(i, { kind: "not-needed", status })));
    if (live.length === 0) return settled;

    // 2. Simulate the batch; drop items the hub would reject, with the reason it would give.
    if (live.length > 1) {
      const { result } = (await pc.simulateContract({ ...submitResultsCall(hub, live.map((i) => items[i])), abi: inferenceHubAbi, functionName: "submitResults", account: this.o.sender.address } as never)) as {
        result: readonly boolean[];
      };
      const rejected = live.filter((_, k) => !result[k]);
      await Promise.all(rejected.map(async (i) => done(i, { kind: "rejected", ...(await this.rejection(items[i])) })));
      live = live.filter((_, k) => result[k]);
      if (live.length === 0) return settled;
    }

    // 3. Send and read each item's fate from the receipt.
    const batch = live.map((i) => items[i]);
    const requestIds = batch.map((item) => item.requestId);
    let sent;
    try {
      sent = await this.o.sender.send({
        call: submitResultsCall(hub, batch),
        label: batch.length === 1 ? "submitResult" : "submitResults",
        stillNeeded: async () =>
          (await Promise.all(requestIds.map((requestId) => getRequestStatus(pc, { hub, requestId })))).some((s) => s === RequestStatus.Requested),
      });
    } catch (err) {
      // A single item's revert is its own rejection (e.g. InferenceHubNotAssigned); let the job decide.
      if (batch.length === 1 && err instanceof TxRejectedError) done(live[0], { kind: "rejected", reason: errorMessage(err), error: protocolErrorOf(err) });
      else for (const i of live) settled[i] = { ok: false, error: err };
      return settled;
    }
    const outcomes = parseSubmitReceipt(sent.receipt, hub, requestIds);
    this.o.logger?.debug({ txHash: sent.hash, items: batch.length, gasUsed: String(sent.receipt.gasUsed) }, "results mined");
    outcomes.forEach((outcome, k) => {
      if (outcome.delivered) {
        done(live[k], { kind: "delivered", txHash: sent.hash, blockNumber: sent.receipt.blockNumber, batchSize: batch.length, gasUsed: sent.receipt.gasUsed, sentAt: sent.sentAt, minedAt: sent.minedAt });
      } else {
        done(live[k], { kind: "rejected", reason: outcome.reason, error: outcome.error });
      }
    });
    return settled;
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

