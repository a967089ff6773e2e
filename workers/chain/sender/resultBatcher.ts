import type { Address, Hash } from "viem";
import type { TwinpathPublicClient } from "../client.js";
import { getRequestStatus, getRequests } from "../getRequest.js";
import { parseSubmitReceipt, submitResultsCall, type ResultItem } from "../submitResults.js";
import { TxRejectedError, errorMessage } from "../../shared/errors.js";
import { failureReason, protocolErrorOf, type ProtocolError } from "../protocolError.js";
import type { Logger } from "../../shared/logger.js";
import type { ContractCall, TxSender } from "./txSender.js";
import { Batcher, type Settled } from "../../shared/batcher.js";
import { RequestStatus } from "../../../protocol/enums.js";

/** Mined batches whose gas per item a learned gas limit covers. */
const LEARNED_SAMPLES = 8;
/** A transaction's part of a batch's gas limit beyond its items: 21,000 intrinsic gas and the batch's own work. */
const TX_OVERHEAD_GAS = 60_000n;
/** Gas per item a key's first batch is simulated with (a result without callback uses about 75,000). */
const FIRST_GUESS_ITEM_GAS = 150_000n;

/** Options of a ResultBatcher. */
export interface ResultBatcherOptions {
  hub: Address;
  sender: TxSender;
  publicClient: TwinpathPublicClient;
  /** Results per transaction at most (fewer when the gas bound splits it). @defaultValue 16 */
  maxBatchSize?: number;
  /** How long the first waiting result waits for company. 0 sends each result alone. @defaultValue 25 */
  maxWaitMs?: number;
  /** Batches of this key on their way at once (sent, receipt pending); later results gather meanwhile. @defaultValue 1 */
  maxInFlight?: number;
  /** Gas limit of one transaction at most (a batch above it is split); never above the block gas limit. */
  maxBatchGas?: bigint;
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

interface Slot {
  item: ResultItem;
  /** index in the batch handed over by the Batcher */
  at: number;
}

/**
 * Gathers results ready at about the same time into one submitResults transaction (a Batcher: at most maxBatchSize,
 * waiting at most maxWaitMs, gathering while the key's maxInFlight previous batches are on their way). One batcher
 * per key (it sends through that key's TxSender, which keeps nonces in order while receipts are pending).
 *
 * The happy path costs one node call per batch, whatever its size: one simulation (which items the hub takes) run at
 * the gas limit the last mined batches vouch for, which the TxSender then uses as is (no eth_estimateGas, which runs
 * the batch many times and which Hardhat refuses for a batch where a consumer's callback runs out of gas). Only when
 * something fails is anything read per item: an item the simulation refuses is isolated (its on-chain status, then its own simulation for the hub's reason); a batch
 * that reverts as a whole (an item that sinks its batch, or more gas than a block holds) and a batch whose gas is
 * above the bound are split in halves and each half delivered on its own.
 */
export class ResultBatcher {
  private readonly batcher: Batcher<ResultItem, BatchOutcome>;
  /** gas used per item by the last few mined batches: a batch's first gas limit, and batches that clearly exceed the
   * bound are split before simulating */
  private minedPerItem: bigint[] = [];

  constructor(private readonly o: ResultBatcherOptions) {
    this.batcher = new Batcher({
      maxBatchSize: o.maxBatchSize,
      maxWaitMs: o.maxWaitMs ?? 25,
      gatherWhileSending: true,
      maxInFlight: o.maxInFlight ?? 1,
      send: (items) => this.sendBatch(items),
    });
  }

  submit(item: ResultItem): Promise<BatchOutcome> {
    return this.batcher.submit(item);
  }

  /** Sends what is waiting; `force` (shutdown) even while the key's previous batch is on its way. */
  flush(force = false): void {
    this.batcher.flush(force);
  }

  /** Results waiting for a batch and batches on their way (the queue the submit worker's concurrency bounds). */
  get depth(): { waiting: number; sending: number } {
    return this.batcher.depth;
  }

  private async sendBatch(items: ResultItem[]): Promise<Settled<BatchOutcome>[]> {
    const settled: Settled<BatchOutcome>[] = new Array(items.length);
    await this.deliver(
      items.map((item, at) => ({ item, at })),
      settled,
    );
    return settled;
  }

  /** The gas one transaction may use: the configured bound, never above the sender's gasCeiling(). */
  private async gasBound(): Promise<bigint> {
    const ceiling = await this.o.sender.gasCeiling();
    return this.o.maxBatchGas !== undefined && this.o.maxBatchGas < ceiling ? this.o.maxBatchGas : ceiling;
  }

  private async deliver(part: Slot[], settled: Settled<BatchOutcome>[]): Promise<void> {
    if (part.length === 0) return;
    const { hub, sender } = this.o;
    const fail = (err: unknown) => part.forEach((s) => (settled[s.at] = { ok: false, error: err }));
    let bound: bigint;
    try {
      bound = await this.gasBound();
    } catch (err) {
      return fail(err);
    }
    const perItem = this.minedGasPerItem();
    if (part.length > 1 && perItem !== undefined && perItem * BigInt(part.length) > bound) return this.split(part, settled);

    const batch = part.map((s) => s.item);
    const call = submitResultsCall(hub, batch);
    const label = batch.length === 1 ? "submitResult" : "submitResults";
    let gas: bigint;
    try {
      // 1. The hub's bool per item says which it would take (a lone item's revert shows here, decoded); run at a gas
      // limit, every item taken means that limit suffices (no eth_estimateGas: it runs the batch many times over).
      const sim = await this.simulateBatch(call, label, part.length, bound);
      if (sim.ok.some((x) => !x)) {
        await Promise.all(part.filter((_, k) => !sim.ok[k]).map((s) => this.isolate(s, settled)));
        return this.deliver(
          part.filter((_, k) => sim.ok[k]),
          settled,
        );
      }
      gas = sim.gas;
    } catch (err) {
      if (!(err instanceof TxRejectedError)) return fail(err); // RPC trouble: every item is retried
      // The whole batch reverts: one item sinks it (e.g. too little callback gas) or it needs more gas than a block
      // holds. Halves find out which.
      if (part.length > 1) return this.split(part, settled);
      return this.isolate(part[0], settled, err);
    }

    // 3. Send with that gas (no second simulation) and read each item's fate from the receipt.
    const requestIds = batch.map((item) => item.requestId);
    const pc = this.o.publicClient;
    let sent;
    try {
      sent = await sender.send({
        call,
        label,
        gas,
        stillNeeded: async () => (await getRequests(pc, { hub, requestIds })).some((r) => r.status === RequestStatus.Requested),
      });
    } catch (err) {
      return fail(err);
    }
    if (sent.receipt.status === "success") this.minedPerItem = [...this.minedPerItem.slice(-(LEARNED_SAMPLES - 1)), sent.receipt.gasUsed / BigInt(batch.length)];
    const outcomes = parseSubmitReceipt(sent.receipt, hub, requestIds);
    this.o.logger?.debug({ txHash: sent.hash, items: batch.length, gasUsed: String(sent.receipt.gasUsed) }, "results mined");
    outcomes.forEach((outcome, k) => {
      settled[part[k].at] = {
        ok: true,
        value: outcome.delivered
          ? { kind: "delivered", txHash: sent.hash, blockNumber: sent.receipt.blockNumber, batchSize: batch.length, gasUsed: sent.receipt.gasUsed, sentAt: sent.sentAt, minedAt: sent.minedAt }
          : { kind: "rejected", reason: outcome.reason, error: outcome.error },
      };
    });
  }

  /** The most gas an item of the last few mined batches used. */
  private minedGasPerItem(): bigint | undefined {
    return this.minedPerItem.length ? this.minedPerItem.reduce((a, b) => (a > b ? a : b)) : undefined;
  }

  /**
   * Which items of a batch the hub takes, and a gas limit that takes them all, from simulations alone. First at the
   * gas the last mined batches vouch for (the most an item used, plus a quarter and the transaction's own part; a
   * first guess before any). Refused there (short of gas, or an item refused for what it is), at `bound`: an item
   * refused there is refused for what it is (the caller isolates it); otherwise the limit doubles from the first
   * until every item is taken (e.g. a consumer's large callback gas). The limit sent has an eighth more than the one
   * simulated: the mined block draws its provers with another RANDAO mix than the simulation's, and a batch simulated
   * while the previous one is on its way runs on older state. A whole-batch revert at `bound` throws.
   */
  private async simulateBatch(call: ContractCall, label: string, n: number, bound: bigint): Promise<{ ok: readonly boolean[]; gas: bigint }> {
    const perItem = this.minedGasPerItem() ?? FIRST_GUESS_ITEM_GAS;
    const first = (perItem * BigInt(n) * 5n) / 4n + TX_OVERHEAD_GAS;
    const withHeadroom = (gas: bigint) => (gas + gas / 8n < bound ? gas + gas / 8n : bound);
    // submitResults returns a bool per item; submitResult (one item) nothing, or reverts
    const simulate = async (gas: bigint) => (await this.o.sender.simulate<readonly boolean[] | undefined>(call, label, gas)) ?? [true];
    const allTaken = (r: readonly boolean[] | undefined) => (r ?? [true]).every(Boolean);
    if (first < bound) {
      try {
        const ok = await simulate(first);
        if (allTaken(ok)) return { ok, gas: withHeadroom(first) };
      } catch (err) {
        if (!(err instanceof TxRejectedError)) throw err;
      }
    }
    const ok = await simulate(bound);
    if (!allTaken(ok) || first >= bound) return { ok, gas: bound };
    const found = await this.o.sender.findGas<readonly boolean[] | undefined>(call, label, { from: first * 2n, ceiling: bound, accepts: allTaken });
    return { ok: found.result ?? [true], gas: withHeadroom(found.gas) };
  }

  private async split(part: Slot[], settled: Settled<BatchOutcome>[]): Promise<void> {
    const half = Math.ceil(part.length / 2);
    this.o.logger?.debug({ items: part.length }, "batch split in halves");
    await Promise.all([this.deliver(part.slice(0, half), settled), this.deliver(part.slice(half), settled)]);
  }

  /**
   * One item the hub refuses: not needed any more (its status moved on: delivered, refunded), or rejected with the
   * hub's reason (`err` when its own simulation already failed, else simulated alone now).
   */
  private async isolate(slot: Slot, settled: Settled<BatchOutcome>[], err?: unknown): Promise<void> {
    try {
      const status = await getRequestStatus(this.o.publicClient, { hub: this.o.hub, requestId: slot.item.requestId });
      let value: BatchOutcome;
      if (status !== RequestStatus.Requested) value = { kind: "not-needed", status };
      else if (err !== undefined) value = { kind: "rejected", reason: errorMessage(err), error: protocolErrorOf(err) };
      else value = { kind: "rejected", ...(await this.rejection(slot.item)) };
      settled[slot.at] = { ok: true, value };
    } catch (e) {
      settled[slot.at] = { ok: false, error: e };
    }
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
