/**
 * The explorer's JSON API (GET, under /explorer/api/): what the page shows, for scripts too.
 *
 *   config    chain id, contract addresses, the page's RPC URL (if any), refresh interval
 *   requests  newest requests with their fast/settled timeline, transactions and gas (?limit=N, at most 500)
 *   models    per model: terms, requests by status, fast and settlement latency p50/p95, gas per settled request
 *   queues    BullMQ queue depths (waiting, active, delayed, failed, completed)
 *   nodes     registered nodes: role, stake, eligibility, slashes; per role totals
 */
import type { Queue } from "bullmq";
import type { Address } from "viem";
import { getModel, type TwinpathModel } from "../client/chain/models.js";
import { getNodes, type NodesView } from "../client/chain/nodes.js";
import { modelRegistryAbi } from "../protocol/abi/generated.js";
import type { ReadClient } from "../client/chain/types.js";
import { meanGas, percentile, type ExplorerIndex } from "./indexer.js";

export interface ExplorerApiOptions {
  client: ReadClient;
  index: ExplorerIndex;
  chainId: number;
  addresses: { hub: Address; modelRegistry: Address; nodeRegistry: Address };
  startBlock: bigint;
  queues: Record<string, Queue>;
  publicRpcUrl?: string;
  refreshMs: number;
  labels?: Record<string, string[]>;
}

/** JSON with bigints as decimal strings. */
export const toJson = (v: unknown): string => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x));

/** Results of slow reads kept for `ttlMs` (several page views share one read). */
function cached<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | null = null;
  return () => {
    if (!value || Date.now() - at > ttlMs) {
      at = Date.now();
      value = read();
      value.catch(() => (value = null));
    }
    return value;
  };
}

export function explorerApi(o: ExplorerApiOptions): Record<string, (params: URLSearchParams) => Promise<unknown>> {
  const models = new Map<string, Promise<TwinpathModel>>();
  const model = (id: string) => {
    let m = models.get(id);
    if (!m) {
      m = getModel(o.client, { modelRegistry: o.addresses.modelRegistry, modelId: BigInt(id) });
      m.catch(() => models.delete(id));
      models.set(id, m);
    }
    return m;
  };
  const nodes = cached<NodesView>(Math.max(o.refreshMs, 2000), () => getNodes(o.client, { nodeRegistry: o.addresses.nodeRegistry, fromBlock: o.startBlock }));
  const queueDepths = cached(Math.max(o.refreshMs / 2, 250), async () => {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, q] of Object.entries(o.queues)) out[name] = await q.getJobCounts("waiting", "active", "delayed", "failed", "completed");
    return out;
  });
  return {
    config: async () => ({ chainId: o.chainId, ...o.addresses, startBlock: o.startBlock, publicRpcUrl: o.publicRpcUrl ?? null, refreshMs: o.refreshMs, indexedTo: o.index.head }),
    requests: async (params) => {
      const limit = Math.min(500, Math.max(1, Number(params.get("limit") ?? 100) || 100));
      return { indexedTo: o.index.head, requests: o.index.requests(limit) };
    },
    models: async () => {
      const stats = o.index.modelStats();
      const count = Number(await o.client.readContract({ address: o.addresses.modelRegistry, abi: modelRegistryAbi, functionName: "modelCount" }));
      const ids = Array.from({ length: count }, (_, i) => String(i + 1));
      return Promise.all(
        ids.map(async (id) => {
          const m = await model(id);
          const s = stats.get(id);
          return {
            id,
            modeName: m.modeName,
            active: m.active,
            price: m.price,
            tolerance: m.tolerance,
            input: m.input,
            output: m.output,
            labels: o.labels?.[id] ?? null,
            requests: s?.requests ?? 0,
            byStatus: s?.byStatus ?? {},
            fastSeconds: { p50: percentile(s?.fast ?? [], 50), p95: percentile(s?.fast ?? [], 95) },
            settleSeconds: { p50: percentile(s?.final ?? [], 50), p95: percentile(s?.final ?? [], 95) },
            gasPerSettled: meanGas(s?.settledGas ?? []),
          };
        }),
      );
    },
    queues: () => queueDepths(),
    nodes: () => nodes(),
  };
}
