import { parseEventLogs, type Address, type Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";
import type { TwinpathPublicClient } from "../chain/client.js";
import { classifyFailure, classifyProtocolError } from "../chain/failurePolicy.js";
import { decodeRevertData, describeRevertData } from "../chain/protocolError.js";
import type { TxSender } from "../chain/sender/txSender.js";
import { Batcher, type Settled } from "../shared/batcher.js";
import type { Logger } from "../shared/logger.js";
import { getRequests } from "../chain/getRequest.js";
import { settleCall } from "../proofs/chain.js";
import type { AttestationMode } from "./attestationBatcher.js";
import { settleManyCall, type SettleItem } from "./calls.js";

/**
 * A settle attempt's outcome: `settled` (accepted), `rejected` (the quorum rejected the proof: its prover slashed,
 * the request reopened), or `skipped` (nothing to do: another node settled it first, or the quorum is pending).
 */
export type SettleOutcome =
  | { kind: "settled" | "rejected"; txHash: Hex; gasUsed: bigint; batchSize: number }
  | { kind: "skipped"; reason: string; txHash?: Hex };

export interface SettleBatcherOptions {
  hub: Address;
  /** reads each item's status just before its batch is sent */
  publicClient: TwinpathPublicClient;
  sender: TxSender;
  /** `batch`: settleMany (item by item); `single`: one `settle` transaction per request. @defaultValue "batch" */
  mode?: AttestationMode;
  /** @defaultValue 16 */
  maxBatchSize?: number;
  /** @defaultValue 50 */
  maxWaitMs?: number;
  logger?: Logger;
}

/**
 * Settles the requests this node has to settle (settleDuty.ts: the rounds its vote decided, or a silent settler's), in
 * settleMany transactions. Two nodes can still meet on a request (a fallback and a late settler); settleMany turns a
 * request another node settled first into a rejected item (ItemRejected), never a reverted transaction, and its gas
 * is estimated when the quorum has already decided (it only gets cheaper after).
 */
export class SettleBatcher {
  private readonly batcher: Batcher<SettleItem, SettleOutcome>;
  private readonly mode: AttestationMode;

  constructor(private readonly o: SettleBatcherOptions) {
    this.mode = o.mode ?? "batch";
    this.batcher = new Batcher({
      maxBatchSize: this.mode === "single" ? 1 : o.maxBatchSize,
      maxWaitMs: o.maxWaitMs ?? 50,
      send: (items) => (this.mode === "single" ? this.sendOne(items[0]) : this.sendMany(items)),
    });
  }

  /** Settle `item.requestId` with its proven output (ProofSubmitted's). */
  submit(item: SettleItem): Promise<SettleOutcome> {
    return this.batcher.submit(item);
  }

  flush(): void {
    this.batcher.flush(true);
  }

  /** Settlements waiting for a batch, and batches on their way. */
  get depth(): { waiting: number; sending: number } {
    return this.batcher.depth;
  }

  private async sendMany(items: SettleItem[]): Promise<Settled<SettleOutcome>[]> {
    const ids = items.map((i) => i.requestId);
    const outcome = new Map<bigint, Settled<SettleOutcome>>();
    // While the batch gathered, another node may have settled some of its requests: those are left out (settleMany
    // would refuse them item by item, in a transaction this node pays for), and a batch left empty sends nothing.
    // One read of the batch's records (status and the proof each waits on) is the only status check of a settlement.
    const distinct = [...new Map(items.map((i) => [i.requestId, i])).values()];
    const records = await getRequests(this.o.publicClient, { hub: this.o.hub, requestIds: distinct.map((i) => i.requestId) });
    const waits = (k: number) => records[k].status === RequestStatus.ProofSubmitted && (!distinct[k].proofKey || records[k].proofKey === distinct[k].proofKey);
    const unique = distinct.filter((_, k) => waits(k));
    for (const [k, item] of distinct.entries()) {
      if (waits(k)) continue;
      const why = records[k].status === RequestStatus.ProofSubmitted ? "waits on another proof" : `is ${requestStatusName(records[k].status)} (settled first by another node)`;
      outcome.set(item.requestId, { ok: true, value: { kind: "skipped", reason: `request ${item.requestId} ${why}` } });
    }
    if (!unique.length) return ids.map((id) => outcome.get(id)!);
    const sent = await this.o.sender.send({ call: settleManyCall(this.o.hub, unique), label: "settleMany" });
    const logs = parseEventLogs({ abi: inferenceHubAbi, logs: sent.receipt.logs }).filter((l) => l.address.toLowerCase() === this.o.hub.toLowerCase());
    const done = { txHash: sent.hash, gasUsed: sent.receipt.gasUsed, batchSize: unique.length };
    for (const l of logs) {
      if (l.eventName === "RequestSettled") outcome.set(l.args.requestId, { ok: true, value: { kind: "settled", ...done } });
      else if (l.eventName === "ProofRejected") outcome.set(l.args.requestId, { ok: true, value: { kind: "rejected", ...done } });
      else if (l.eventName === "ItemRejected") outcome.set(l.args.requestId, refused(l.args.requestId, l.args.reason, sent.hash));
    }
    this.o.logger?.debug({ txHash: sent.hash, batch: unique.length, gasUsed: String(sent.receipt.gasUsed) }, "settleMany sent");
    return ids.map((id) => outcome.get(id) ?? { ok: false, error: new Error(`settleMany ${sent.hash}: no outcome for request ${id}`) });
  }

  /** The per-request path (comparison): one settle transaction; a race lost to another node reverts it. */
  private async sendOne(item: SettleItem): Promise<Settled<SettleOutcome>[]> {
    try {
      const sent = await this.o.sender.send({ call: settleCall(this.o.hub, item.requestId, item.output), label: "settle" });
      const rejected = parseEventLogs({ abi: inferenceHubAbi, logs: sent.receipt.logs, eventName: "ProofRejected" }).length > 0;
      return [{ ok: true, value: { kind: rejected ? "rejected" : "settled", txHash: sent.hash, gasUsed: sent.receipt.gasUsed, batchSize: 1 } }];
    } catch (err) {
      const { action } = classifyFailure("settleQuorum", err);
      if (action === "skip") return [{ ok: true, value: { kind: "skipped", reason: String((err as Error).message ?? err) } }];
      return [{ ok: false, error: err }];
    }
  }
}

/** An item the hub refused: nothing to do for the settle stage's "skip" errors, else the item fails (its job retries). */
function refused(id: bigint, reason: Hex, txHash: Hex): Settled<SettleOutcome> {
  if (classifyProtocolError("settleQuorum", decodeRevertData(reason)) === "skip") {
    return { ok: true, value: { kind: "skipped", reason: describeRevertData(reason), txHash } };
  }
  return { ok: false, error: new Error(`settleMany refused request ${id}: ${describeRevertData(reason)}`) };
}
