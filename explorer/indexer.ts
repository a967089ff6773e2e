/**
 * The explorer's view of the chain: every request event of the hub since the start block (decoded by the client
 * library, the one place that knows the events), folded per request into its timeline, with each transaction's
 * gas shared among the requests it served. Kept in memory, newest `maxRequests` requests.
 */
import type { Address, Hex } from "viem";
import { addTimestamps, getAttestationQuorum, getRequestEvents, type RequestEvent } from "../client/chain/events.js";
import { gasByRequest, type GasBySteps } from "../client/chain/gas.js";
import { timelineOf, type RequestTimeline } from "../client/chain/lifecycle.js";
import type { ReadClient } from "../client/chain/types.js";
import { RequestStatus } from "../protocol/enums.js";

/** Events this close to the head when read count as seen live (their wall-clock time is meaningful). */
const LIVE_BLOCKS = 2n;
const eventKey = (e: RequestEvent) => `${e.transactionHash}:${e.logIndex}`;

export interface ExplorerIndexOptions {
  hub: Address;
  startBlock: bigint;
  maxRequests: number;
  /** blocks per eth_getLogs call. @defaultValue 2000 */
  pageSize?: number;
}

/** A request as the page shows it (JSON-friendly: ids and amounts as strings). */
export interface RequestRow {
  id: string;
  modelId: string;
  status: string;
  consumer?: string;
  executor?: string;
  prover?: string;
  /** block timestamp of the request, seconds */
  requestedAt?: number;
  /**
   * Seconds after the request when the result, the proof and the settlement (or refund) happened: on the wall
   * clock when the explorer saw them live, else in chain time (block timestamps; a local automining node runs its
   * clock ahead, one second per block).
   */
  times: { clock: "wall" | "chain"; result?: number; proof?: number; final?: number };
  fastSeconds?: number;
  finalSeconds?: number;
  attestations: { verifier: string; valid: boolean }[];
  /** fast-path output (fixed point) */
  output?: string[];
  /** settled output when it differs from the fast one (the executor was slashed) */
  mismatch: boolean;
  txs: Record<string, string>;
  gas: GasBySteps;
  gasTotal: number;
}

export class ExplorerIndex {
  private next: bigint;
  private readonly events = new Map<bigint, RequestEvent[]>();
  private readonly gasUsed = new Map<Hex, bigint>();
  private readonly blocks = new Map<bigint, Promise<number>>();
  /** the hub's AttestationQuorum (votes are its events), read once */
  private quorum?: Promise<Address>;
  /** wall-clock ms when an event was first read, for events read live (within a few blocks of the head) */
  private readonly seenAt = new Map<string, number>();
  /** highest block indexed */
  head = -1n;

  constructor(
    private readonly client: ReadClient,
    private readonly options: ExplorerIndexOptions,
  ) {
    this.next = options.startBlock;
  }

  /** Reads blocks since the last call (one page at most per call). Returns true once it has reached the head. */
  async poll(): Promise<boolean> {
    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    if (head < this.next) return true;
    const to = head - this.next >= BigInt(this.options.pageSize ?? 2000) ? this.next + BigInt(this.options.pageSize ?? 2000) - 1n : head;
    this.quorum ??= getAttestationQuorum(this.client, this.options.hub).catch((err: unknown) => {
      this.quorum = undefined;
      throw err;
    });
    const quorum = await this.quorum;
    const events = await getRequestEvents(this.client, { hub: this.options.hub, quorum, fromBlock: this.next, toBlock: to, pageSize: this.options.pageSize ?? 2000 });
    await addTimestamps(this.client, events, this.blocks);
    const txs = [...new Set(events.map((e) => e.transactionHash))].filter((h) => !this.gasUsed.has(h));
    const receipts = await Promise.all(txs.map((hash) => this.client.getTransactionReceipt({ hash })));
    for (const r of receipts) this.gasUsed.set(r.transactionHash, r.gasUsed);
    const now = Date.now();
    const live = head - to <= LIVE_BLOCKS;
    for (const e of events) {
      if (live && to - e.blockNumber <= LIVE_BLOCKS) this.seenAt.set(eventKey(e), now);
      const list = this.events.get(e.args.requestId) ?? [];
      list.push(e);
      this.events.set(e.args.requestId, list);
    }
    this.prune();
    this.head = to;
    this.next = to + 1n;
    return to === head;
  }

  /** Drops the oldest requests beyond maxRequests (and their transactions' gas and block times). */
  private prune(): void {
    const extra = this.events.size - this.options.maxRequests;
    if (extra <= 0) return;
    const ids = [...this.events.keys()].sort((a, b) => (a < b ? -1 : 1)).slice(0, extra);
    for (const id of ids) for (const e of this.events.get(id) ?? []) this.seenAt.delete(eventKey(e));
    for (const id of ids) this.events.delete(id);
    const keep = new Set([...this.events.values()].flat().map((e) => e.transactionHash));
    for (const tx of this.gasUsed.keys()) if (!keep.has(tx)) this.gasUsed.delete(tx);
    const keepBlocks = new Set([...this.events.values()].flat().map((e) => e.blockNumber));
    for (const b of this.blocks.keys()) if (!keepBlocks.has(b)) this.blocks.delete(b);
  }

  /** Seconds after the request of its result, proof and end: wall clock when all were seen live, else chain time. */
  private times(t: RequestTimeline): RequestRow["times"] {
    const end = t.settled ?? t.refunded;
    const at = (name: string) => {
      const e = t.events.find((x) => x.eventName === name);
      return e && this.seenAt.get(eventKey(e));
    };
    const endName = t.settled ? "RequestSettled" : "RequestRefunded";
    const start = at("InferenceRequested");
    const wall = [start, t.result && at("ResultSubmitted"), t.proof && at("ProofSubmitted"), end && at(endName)];
    const needed = [true, !!t.result, !!t.proof, !!end];
    if (wall.every((w, i) => !needed[i] || w !== undefined)) {
      const s = (ms?: number) => (ms === undefined ? undefined : Math.round((ms - start!) / 100) / 10);
      return { clock: "wall", result: s(wall[1]), proof: s(wall[2]), final: s(wall[3]) };
    }
    const t0 = t.requested?.timestamp;
    const c = (ts?: number) => (ts === undefined || t0 === undefined ? undefined : ts - t0);
    return { clock: "chain", result: c(t.result?.timestamp), proof: c(t.proof?.timestamp), final: c(end?.timestamp) };
  }

  timelines(): RequestTimeline[] {
    return [...this.events.entries()].sort(([a], [b]) => (a > b ? -1 : 1)).map(([id, events]) => timelineOf(id, events));
  }

  /** Newest first. */
  requests(limit = 100): RequestRow[] {
    const gas = gasByRequest([...this.events.values()].flat(), this.gasUsed);
    return this.timelines()
      .slice(0, limit)
      .map((t) => {
        const g = gas.get(t.requestId) ?? {};
        const times = this.times(t);
        const txs: Record<string, string> = {};
        for (const e of t.events) txs[e.eventName] ??= e.transactionHash;
        return {
          id: t.requestId.toString(),
          modelId: String(t.modelId ?? ""),
          status: t.statusName,
          consumer: t.consumer,
          executor: t.result?.executor,
          prover: t.proof?.prover,
          requestedAt: t.requested?.timestamp,
          times,
          fastSeconds: times.result,
          finalSeconds: times.final,
          attestations: t.attestations.map((a) => ({ verifier: a.verifier, valid: a.valid })),
          output: t.result?.output.map(String),
          mismatch: t.events.some((e) => e.eventName === "ExecutorMismatch"),
          txs,
          gas: g,
          gasTotal: Math.round(Object.values(g).reduce((s, v) => s + (v ?? 0), 0)),
        };
      });
  }

  /** Per model: requests by status, fast and settlement latencies (seconds, as RequestRow.times) and gas of the settled requests. */
  modelStats(): Map<string, ModelStats> {
    const gas = gasByRequest([...this.events.values()].flat(), this.gasUsed);
    const out = new Map<string, ModelStats>();
    for (const t of this.timelines()) {
      const id = String(t.modelId ?? "");
      const s = out.get(id) ?? { requests: 0, byStatus: {}, fast: [], final: [], settledGas: [] };
      const times = this.times(t);
      s.requests++;
      s.byStatus[t.statusName] = (s.byStatus[t.statusName] ?? 0) + 1;
      if (times.result !== undefined) s.fast.push(times.result);
      if (t.status === RequestStatus.Settled) {
        if (times.final !== undefined) s.final.push(times.final);
        s.settledGas.push(gas.get(t.requestId) ?? {});
      }
      out.set(id, s);
    }
    return out;
  }
}

export interface ModelStats {
  requests: number;
  byStatus: Record<string, number>;
  fast: number[];
  final: number[];
  settledGas: GasBySteps[];
}

export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The order steps are shown in: the request's life, then anything else (rejected items, reward claims) by name. */
const STEP_ORDER = ["InferenceRequested", "ResultSubmitted", "ProofSubmitted", "AttestationRecorded", "RequestSettled", "RequestRefunded"];
const stepRank = (k: string) => (STEP_ORDER.includes(k) ? STEP_ORDER.indexOf(k) : STEP_ORDER.length);

/** Mean gas per settled request, by step (in lifecycle order) and in total. */
export function meanGas(list: GasBySteps[]): { bySteps: [step: string, gas: number][]; total: number } | null {
  if (!list.length) return null;
  const sum: Record<string, number> = {};
  for (const g of list) for (const [k, v] of Object.entries(g)) sum[k] = (sum[k] ?? 0) + (v ?? 0) / list.length;
  const bySteps = Object.entries(sum)
    .map(([k, v]): [string, number] => [k, Math.round(v)])
    .sort(([a], [b]) => stepRank(a) - stepRank(b) || a.localeCompare(b));
  return { bySteps, total: bySteps.reduce((a, [, v]) => a + v, 0) };
}
