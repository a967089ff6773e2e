/// <reference lib="dom" />
/**
 * The explorer page's script (bundled for browsers by explorer/server.ts). Polls the explorer's JSON API and, when
 * the explorer gives it a public RPC URL, reads the chain itself with viem: the head block and the current status
 * of every open request, straight from the hub. Answers are decoded with the client library.
 */
import { createPublicClient, formatEther, http, type Address } from "viem";
import { decodeOutput, inferenceHubAbi, RequestStatus, requestStatusName, type TensorSpec } from "../../client/index.js";
import type { RequestRow } from "../indexer.js";

interface Config {
  chainId: number;
  hub: Address;
  publicRpcUrl: string | null;
  refreshMs: number;
}
interface ModelView {
  id: string;
  modeName: string;
  output: TensorSpec;
  labels: string[] | null;
  requests: number;
  byStatus: Record<string, number>;
  fastSeconds: { p50: number | null; p95: number | null };
  settleSeconds: { p50: number | null; p95: number | null };
  gasPerSettled: { bySteps: [string, number][]; total: number } | null;
}
interface NodeView {
  address: string;
  roleName: string;
  stake: string;
  eligible: boolean;
  slashed: string;
  slashes: { reason: string; amount: string }[];
}

/** Short names of the gas steps (events that opened a request's part of a transaction). */
const STEP_NAMES: Record<string, string> = {
  InferenceRequested: "request",
  ResultSubmitted: "result",
  ProofSubmitted: "proof",
  AttestationRecorded: "attestations",
  RequestSettled: "settle",
  RequestRefunded: "refund",
  ItemRejected: "rejected items",
  VerifierRewardClaimed: "reward claims",
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`api/${path}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`api/${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
};

function el(tag: string, text?: string | number | null, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells: (HTMLElement | string | number | null | undefined)[], nums: number[] = []): HTMLTableRowElement {
  const tr = document.createElement("tr");
  cells.forEach((c, i) => {
    const td = document.createElement("td");
    if (nums.includes(i)) td.className = "num";
    if (c instanceof HTMLElement) td.append(c);
    else td.textContent = c === null || c === undefined ? "–" : String(c);
    tr.append(td);
  });
  return tr;
}
function fill(tableId: string, rows: HTMLTableRowElement[], emptyText: string) {
  const body = $(tableId).querySelector("tbody")!;
  const cols = $(tableId).querySelectorAll("thead th").length;
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = el("td", emptyText, "empty");
    (td as HTMLTableCellElement).colSpan = cols;
    tr.append(td);
    rows = [tr];
  }
  body.replaceChildren(...rows);
}
const short = (a?: string | null) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : "–");
const secs = (s?: number | null) => (s === undefined || s === null ? "–" : `${s} s`);
const pair = (x: { p50: number | null; p95: number | null }) => (x.p50 === null ? "–" : `${x.p50} / ${x.p95} s`);

/** requested -> result -> proof -> settled (or refunded), each marked done, current or failed. */
function timeline(r: RequestRow, status: string): HTMLElement {
  const box = el("div", null, "steps");
  const after = (t?: number) => (t !== undefined ? ` +${t}s` : "");
  const refunded = status === "Refunded";
  const steps: [string, boolean][] = [
    ["requested", true],
    [`result${after(r.times.result)}`, r.times.result !== undefined],
    [`proof${after(r.times.proof)}`, r.times.proof !== undefined],
    [refunded ? `refunded${after(r.times.final)}` : `settled${after(r.times.final)}`, status === "Settled" || refunded],
  ];
  box.title = r.times.clock === "wall" ? "seconds after the request, as the explorer saw them" : "seconds after the request, chain time (block timestamps)";
  let current = false;
  for (const [label, done] of steps) {
    const cls = done ? (refunded && label.startsWith("refunded") ? "step fail" : "step done") : current ? "step" : "step now";
    if (!done) current = true;
    box.append(el("span", label, cls));
  }
  return box;
}

async function main() {
  const config = await get<Config>("config");
  $("chain").textContent = String(config.chainId);
  $("hub").textContent = config.hub;
  const chain = config.publicRpcUrl ? createPublicClient({ transport: http(config.publicRpcUrl) }) : null;
  $("block-source").textContent = chain ? "(read by this page from the chain)" : "(from the explorer)";
  const chainStatus = new Map<string, number>();

  const refresh = async () => {
    const [{ requests, indexedTo }, models, queues, nodes] = await Promise.all([
      get<{ requests: RequestRow[]; indexedTo: string }>("requests?limit=50"),
      get<ModelView[]>("models"),
      get<Record<string, Record<string, number>>>("queues"),
      get<{ nodes: NodeView[]; roles: Record<string, { minStake: string; totalEligibleStake: string; eligibleCount: string }> }>("nodes"),
    ]);
    $("indexed").textContent = indexedTo;
    if (chain) {
      $("block").textContent = String(await chain.getBlockNumber({ cacheTime: 0 }));
      // the hub's own word on every open request (fresher than the explorer's index)
      const open = requests.filter((r) => r.status !== "Settled" && r.status !== "Refunded").slice(0, 20);
      await Promise.all(
        open.map(async (r) => chainStatus.set(r.id, Number(await chain.readContract({ address: config.hub, abi: inferenceHubAbi, functionName: "status", args: [BigInt(r.id)] })))),
      );
    } else $("block").textContent = indexedTo;

    const byId = new Map(models.map((m) => [m.id, m]));
    fill(
      "requests",
      requests.map((r) => {
        const onChain = chainStatus.get(r.id);
        const status = onChain !== undefined && onChain > RequestStatus[r.status as keyof typeof RequestStatus] ? requestStatusName(onChain) : r.status;
        const m = byId.get(r.modelId);
        let answer = "–";
        if (r.output && m) {
          try {
            const d = decodeOutput(m.output, r.output.map(BigInt), { labels: m.labels ?? undefined });
            answer = d.label ?? d.values.map((v) => v.toFixed(2)).join(", ");
          } catch {
            answer = "(does not fit the model)";
          }
        }
        const tr = row(
          [r.id, r.modelId, el("span", status, `badge ${status}`), timeline(r, status), secs(r.fastSeconds), secs(status === "Settled" ? r.finalSeconds : undefined), answer, el("span", short(r.executor), "mono"), r.attestations.length || "–", r.gasTotal ? r.gasTotal.toLocaleString("en-US") : "–"],
          [4, 5, 8, 9],
        );
        tr.dataset.requestId = r.id;
        tr.dataset.status = status;
        if (r.mismatch) tr.title = "the proven output differed from the fast result: the executor was slashed";
        return tr;
      }),
      "no requests yet",
    );
    fill(
      "models",
      models.map((m) =>
        row(
          [m.id, m.modeName, m.requests, m.byStatus.Settled ?? 0, pair(m.fastSeconds), pair(m.settleSeconds), m.gasPerSettled ? m.gasPerSettled.total.toLocaleString("en-US") : "–", m.gasPerSettled ? m.gasPerSettled.bySteps.map(([k, v]) => `${STEP_NAMES[k] ?? k} ${Math.round(v / 1000)}k`).join(" · ") : "–"],
          [2, 3, 4, 5, 6],
        ),
      ),
      "no models registered",
    );
    fill(
      "queues",
      Object.entries(queues).map(([name, c]) => row([name, c.waiting, c.active, c.delayed, el("span", c.failed, c.failed ? "bad" : undefined), c.completed], [1, 2, 3, 4, 5])),
      "no queues",
    );
    fill(
      "nodes",
      nodes.nodes.map((n) =>
        row(
          [el("span", n.address, "mono"), n.roleName, Number(formatEther(BigInt(n.stake))).toLocaleString("en-US", { maximumFractionDigits: 4 }), n.eligible ? "yes" : el("span", "no", "bad"), BigInt(n.slashed) ? el("span", formatEther(BigInt(n.slashed)), "bad") : "0", n.slashes.map((s) => s.reason).join(", ") || "–"],
          [2, 4],
        ),
      ),
      "no nodes registered",
    );
    $("roles").textContent = Object.entries(nodes.roles)
      .map(([role, r]) => `${role}: ${r.eligibleCount} eligible, ${formatEther(BigInt(r.totalEligibleStake))} ETH staked (min ${formatEther(BigInt(r.minStake))})`)
      .join(" · ");
    $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.ready = "true";
  };

  const errorBox = $("error");
  for (;;) {
    try {
      await refresh();
      errorBox.style.display = "none";
    } catch (err) {
      errorBox.textContent = `cannot refresh: ${(err as Error).message}`;
      errorBox.style.display = "block";
    }
    await new Promise((r) => setTimeout(r, config.refreshMs));
  }
}

void main();
