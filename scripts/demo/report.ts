/**
 * What the proof-path demo prints and writes: the per-request table (answer, latencies, gas by step), a run's
 * summary (latency percentiles; gas per settled request by step next to the transactions behind each step) and the
 * side-by-side comparison of the per-request and batched paths (--compare), with its JSON.
 */
import { table } from "../../devnet/stats.js";
import type { ProofPathDemoResult } from "./proofpath.js";
import { STEPS, type RequestOutcome } from "./track.js";

const STEP_ROWS = ["request", ...STEPS] as const;
const gas = (n: number | null | undefined) => (n === null || n === undefined ? "-" : n.toLocaleString("en-US"));
const seconds = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(1)} s`);
const millis = (ms: number | null) => (ms === null ? "-" : `${ms} ms`);

/** One row per request: its answer, batch, fast-path latency, time to settlement, end state and gas by step. */
export function requestTable(rows: readonly RequestOutcome[], classes: readonly string[]): string {
  return table(
    ["request", "answer", "batch", "fast path", "settled after", "end state", "gas/request", ...STEP_ROWS],
    rows.map((r) => [
      `#${r.requestId}`,
      r.answer === null ? "-" : (classes[r.answer] ?? String(r.answer)),
      r.batch,
      millis(r.fastMs),
      seconds(r.settleMs),
      r.status + (r.mismatch ? " (executor slashed)" : ""),
      gas(r.gas.total),
      ...STEP_ROWS.map((k) => gas(r.gas[k])),
    ]),
  );
}

/** A run's totals: settled count and latencies, then per step its gas per settled request and its transactions. */
export function summaryTable(r: ProofPathDemoResult): string {
  const head = `${r.settled}/${r.requests} settled (${r.mode}, ${r.path} path${r.path === "batched" ? `, batch size ${r.batchSize}` : ""}${r.proofBatch > 1 ? `, ${r.proofBatch} requests per proof` : ""}); ` +
    `fast path p50 ${millis(r.fastPathMs.p50)}, p95 ${millis(r.fastPathMs.p95)}; ` +
    `settlement (request mined -> settled) p50 ${seconds(r.settlementMs.p50)}, p95 ${seconds(r.settlementMs.p95)}; ` +
    `${seconds(r.wallMs)} from the first request to the last settlement (load ${r.machine.load1.start} -> ${r.machine.load1.end} on ${r.machine.cpus} cores)`;
  const rows = STEP_ROWS.map((k) => {
    const t = r.transactions[k];
    return [k, gas(r.gasPerSettledRequest.byStep[k]), t.transactions, t.transactions ? (t.items / t.transactions).toFixed(1) : "-", t.reverted];
  });
  rows.push(["total", gas(r.gasPerSettledRequest.mean), STEP_ROWS.reduce((s, k) => s + r.transactions[k].transactions, 0), "", STEP_ROWS.reduce((s, k) => s + r.transactions[k].reverted, 0)]);
  return `${head}\n\n${table(["step", "gas per settled request", "transactions", "requests per tx", "reverted"], rows)}`;
}

/** The figures compared side by side, each with how to read it off a run. */
const FIGURES: { name: string; of: (r: ProofPathDemoResult) => number | null; show: (n: number | null) => string }[] = [
  { name: "settled", of: (r) => r.settled, show: (n) => String(n ?? "-") },
  { name: "settlement p50", of: (r) => r.settlementMs.p50, show: seconds },
  { name: "settlement p95", of: (r) => r.settlementMs.p95, show: seconds },
  { name: "fast path p50", of: (r) => r.fastPathMs.p50, show: millis },
  { name: "fast path p95", of: (r) => r.fastPathMs.p95, show: millis },
  { name: "gas per settled request", of: (r) => r.gasPerSettledRequest.mean, show: gas },
  ...STEP_ROWS.map((k) => ({ name: `  ${k}`, of: (r: ProofPathDemoResult) => r.gasPerSettledRequest.byStep[k], show: gas })),
  { name: "transactions", of: (r) => STEP_ROWS.reduce((s, k) => s + r.transactions[k].transactions, 0), show: (n) => String(n ?? "-") },
  { name: "reverted transactions", of: (r) => STEP_ROWS.reduce((s, k) => s + r.transactions[k].reverted, 0), show: (n) => String(n ?? "-") },
  { name: "first request -> last settled", of: (r) => r.wallMs, show: seconds },
];

/** per-request and batched runs side by side, with the batched/per-request ratio of each figure. */
export function comparisonTable(runs: readonly ProofPathDemoResult[]): string {
  const [a, b] = runs;
  const rows = FIGURES.map((f) => {
    const x = f.of(a);
    const y = f.of(b);
    return [f.name, f.show(x), f.show(y), x && y !== null ? `${(y / x).toFixed(2)}x` : "-"];
  });
  rows.push(["load (1 min) start -> end", `${a.machine.load1.start} -> ${a.machine.load1.end}`, `${b.machine.load1.start} -> ${b.machine.load1.end}`, ""]);
  const label = (r: ProofPathDemoResult) => `${r.path} path${r.path === "batched" ? ` (batch ${r.batchSize}${r.proofBatch > 1 ? `, ${r.proofBatch} per proof` : ""})` : ""}`;
  return table(["side by side", label(a), label(b), "ratio"], rows);
}

/** --compare's JSON: both runs whole, and each compared figure with its ratio. */
export function comparisonJson(runs: readonly ProofPathDemoResult[]) {
  const [a, b] = runs;
  return {
    description:
      "npm run demo -- --compare: the per-request path, then the batched path, each on a fresh local stack on the same machine one after the other; gas per settled request by step (each transaction's gas shared equally by the requests it names, reverted transactions included), settlement = request mined -> RequestSettled seen",
    sideBySide: Object.fromEntries(
      FIGURES.map((f) => {
        const x = f.of(a);
        const y = f.of(b);
        return [f.name.trim(), { [a.path]: x, [b.path]: y, ratio: x && y !== null ? Math.round((y / x) * 1000) / 1000 : null }];
      }),
    ),
    runs,
  };
}
