/**
 * Calibration: from sample inputs, pick decomposition legs (fixed-point range), the lookup range,
 * logrows and the number of advice blocks (total_assignments). Sizing trials run genVk in isolated
 * workers (an under-sized circuit traps the WASM), the chosen size is confirmed by a real
 * prove + verify. Candidates are tried cheapest first, so the result is the smallest circuit found
 * that proves.
 */
import { encodeCircuit, type CircuitSizing } from "./circuit/build.js";
import { runIsolated } from "./engine/isolated.js";
import { feltHexToInt, verify } from "./engine/engine.js";
import { isConstantNode } from "./graph/ir.js";
import { CompileError, simulate, type LoweredModel } from "./graph/lower.js";
import { size, tensor } from "./graph/tensor.js";

export class OverflowError extends CompileError {
  constructor(message: string) {
    super(message);
    this.name = "OverflowError";
  }
}

export class CalibrationError extends CompileError {
  constructor(message: string) {
    super(message);
    this.name = "CalibrationError";
  }
}

export interface CalibrateOptions {
  samples: number[][];
  decompBase: number;
  numInnerCols: number;
  minLogrows: number;
  maxLogrows: number;
  /** max decomposition legs (fixed-point range = base^legs) */
  maxLegs: number;
  /** SRS of exactly size k used for sizing trials (any SRS works: the constraint system does not depend on it) */
  trialSrs: (k: number) => Promise<Uint8Array>;
  /** confirm the chosen size with a real prove + verify (default true) */
  confirmWithProof?: boolean;
  /** search the circuit layout (logrows, advice blocks) with engine trials (default true); false gives
   *  settings good for witness generation only (no keys), e.g. to check a model's ops and accuracy fast */
  layout?: boolean;
  log: (msg: string) => void;
}

export interface Calibration {
  sizing: CircuitSizing;
  legs: number;
  maxAbsFixedPoint: number;
  worstNode: string;
  lookupInputRange: [number, number] | null;
  trials: { logrows: number; blocks: number; ok: boolean; error?: string; ms: number }[];
}

const nodeName = (m: LoweredModel, idx: number) => {
  const n = m.nodes.find((x) => x.idx === idx)!;
  return `node ${idx} ${n.label} (from ONNX node '${n.source}')`;
};

/** Fixed-point magnitude analysis over the samples (float simulation with quantized weights). */
export function analyzeRanges(m: LoweredModel, samples: number[][]) {
  const maxAbs = new Map<number, number>();
  let lookupLo = Infinity, lookupHi = -Infinity;
  for (const s of samples) {
    if (s.length !== size(m.inputDims)) throw new CalibrationError(`calibration sample has ${s.length} values, the model input [${m.inputDims}] needs ${size(m.inputDims)}`);
    const vals = simulate(m, tensor(m.inputDims, s));
    for (const n of m.nodes) {
      if (isConstantNode(n)) continue;
      const v = vals.get(n.idx)!;
      let mx = 0;
      for (const x of v.data) mx = Math.max(mx, Math.abs(x));
      maxAbs.set(n.idx, Math.max(maxAbs.get(n.idx) ?? 0, mx * 2 ** n.outScale));
      if (n.lookup) {
        const inScale = m.nodes.find((x) => x.idx === n.inputs[0])!.outScale;
        for (const x of vals.get(n.inputs[0])!.data) {
          lookupLo = Math.min(lookupLo, Math.floor(x * 2 ** inScale));
          lookupHi = Math.max(lookupHi, Math.ceil(x * 2 ** inScale));
        }
      }
    }
  }
  let worst = m.inputIdx, worstV = 0;
  for (const [i, v] of maxAbs) if (v > worstV) { worst = i; worstV = v; }
  return { maxAbs, worst, worstV, lookup: lookupLo <= lookupHi ? ([lookupLo, lookupHi] as [number, number]) : null };
}

/** Rough cell count of the layout, used only to skip hopeless sizing candidates. */
function estimateCells(m: LoweredModel, legs: number): number {
  let cells = 0;
  for (const n of m.nodes) {
    const out = size(n.outDims);
    const ins = n.inputs.map((i) => m.nodes.find((x) => x.idx === i)!);
    const label = n.label;
    if (label === "Constant") continue;
    if (label === "Input") cells += out * (legs + 3);
    else if (label.includes("Einsum")) {
      const k = size(ins[0].outDims) / (ins[0].outDims[ins[0].outDims.length - 2] ?? 1);
      cells += out * (k + 2) * 1;
    } else if (label.includes("Conv")) cells += out * (size(ins[1].outDims) / ins[1].outDims[0] + 2);
    else if (label.includes("Pool")) cells += out * 8 * (legs + 3);
    else cells += out * 2;
    if (label.startsWith("RebaseScale") || label.includes("ReLU")) cells += out * (legs + 6);
  }
  return cells;
}

const blocksOf = (ta: number, cap: number) => Math.floor((ta + Math.floor(ta / cap) + 1) / cap) + 1;

/** total_assignments giving exactly `blocks` advice blocks at this capacity. */
function taForBlocks(blocks: number, cap: number): number {
  let ta = Math.max(0, (blocks - 1) * cap - blocks);
  while (blocksOf(ta, cap) > blocks && ta > 0) ta--;
  while (blocksOf(ta, cap) < blocks) ta++;
  return ta;
}

export async function calibrate(m: LoweredModel, o: CalibrateOptions): Promise<Calibration> {
  const a = analyzeRanges(m, o.samples);
  let legs = 2;
  while (o.decompBase ** legs <= 2 * a.worstV && legs < o.maxLegs) legs++;
  const limit = o.decompBase ** o.maxLegs / 2;
  if (a.worstV >= limit) {
    const n = m.nodes.find((x) => x.idx === a.worst)!;
    throw new OverflowError(
      `fixed-point overflow at ${nodeName(m, a.worst)}: |value| reaches ${a.worstV.toExponential(3)} at scale ${n.outScale} ` +
        `(float ${(a.worstV / 2 ** n.outScale).toExponential(3)}), exceeding the range ±${limit.toExponential(3)} ` +
        `(decomp_base ${o.decompBase}^${o.maxLegs}/2) by a factor of ${(a.worstV / limit).toFixed(2)}. Lower the input/param scale or rescale the model.`,
    );
  }
  const constCount = m.nodes.reduce((s, n) => s + (isConstantNode(n) ? size(n.outDims) : 0), 0);
  const base: Omit<CircuitSizing, "logrows" | "totalAssignments"> = {
    totalConstSize: constCount + 16 * m.nodes.length + 64,
    lookupRange: [0, 0],
    decompBase: o.decompBase,
    decompLegs: legs,
    numInnerCols: o.numInnerCols,
  };

  // Lookup range: exact min/max lookup inputs from engine witnesses, with a 2x safety margin.
  let lookupInputRange: [number, number] | null = null;
  if (m.lookups.length) {
    const est = a.lookup ?? [-1, 1];
    const provisional = encodeCircuit(m, { ...base, logrows: o.maxLogrows, totalAssignments: 0, lookupRange: [Math.min(-1, 4 * est[0]), Math.max(1, 4 * est[1])] });
    const r = await runIsolated("witnesses", { compiled: provisional.compiled, inputs: o.samples });
    if (!r.ok) throw new CalibrationError(`witness generation failed during calibration: ${r.error}`);
    let lo = Infinity, hi = -Infinity;
    for (const wb of r.witnesses!) {
      const w = JSON.parse(new TextDecoder().decode(wb));
      lo = Math.min(lo, Number(w.min_lookup_inputs));
      hi = Math.max(hi, Number(w.max_lookup_inputs));
    }
    lookupInputRange = [lo, hi];
    base.lookupRange = [Math.min(-1, 2 * lo), Math.max(1, 2 * hi)];
    if (base.lookupRange[1] - base.lookupRange[0] > 2 ** 20) {
      const ln = m.nodes.find((n) => n.lookup)!;
      throw new OverflowError(
        `lookup input range [${lo}, ${hi}] at ${nodeName(m, ln.idx)} is too wide for a lookup table (width ${base.lookupRange[1] - base.lookupRange[0]} > 2^20 with margin)`,
      );
    }
  }

  const nInstances = size(m.inputDims) + size(m.outputDims);
  const est = estimateCells(m, legs);
  const lookupWidth = base.lookupRange[1] - base.lookupRange[0] + 1;
  const minK = Math.max(o.minLogrows, Math.ceil(Math.log2(nInstances + 16)), Math.ceil(Math.log2(o.decompBase + 16)) - 1);
  if (o.layout === false) {
    const sizing = { ...base, logrows: Math.min(o.maxLogrows, Math.max(minK, Math.ceil(Math.log2(lookupWidth + 16)))), totalAssignments: 0 };
    return { sizing, legs, maxAbsFixedPoint: a.worstV, worstNode: nodeName(m, a.worst), lookupInputRange, trials: [] };
  }
  type Cand = { k: number; b: number; cost: number };
  const cands: Cand[] = [];
  for (let k = minK; k <= o.maxLogrows; k++) {
    const cap = (2 ** k - 8) * o.numInnerCols;
    for (let b = 1; b <= 4; b++) {
      const tableCols = Math.ceil(lookupWidth / (2 ** k - 8)) + Math.ceil(o.decompBase / (2 ** k - 8));
      cands.push({ k, b, cost: 2 ** k * (3 * b * o.numInnerCols + (m.lookups.length ? tableCols * 2 : tableCols) + 4) });
    }
  }
  cands.sort((x, y) => x.cost - y.cost || x.k - y.k);
  o.log(`calibration: legs=${legs}, est. cells=${est}, lookup range=${JSON.stringify(base.lookupRange)}, ${cands.length} sizing candidates`);

  const trials: Calibration["trials"] = [];
  const capOf = (c: Cand) => c.b * (2 ** c.k - 8) * o.numInnerCols;
  const sizingOf = (c: Cand): CircuitSizing => ({ ...base, logrows: c.k, totalAssignments: taForBlocks(c.b, (2 ** c.k - 8) * o.numInnerCols) });
  const vkCache = new Map<Cand, boolean>();
  /** genVk trial in an isolated worker: false when the layout does not fit (WASM trap) */
  const fits = async (c: Cand): Promise<boolean> => {
    if (vkCache.has(c)) return vkCache.get(c)!;
    const { compiled } = encodeCircuit(m, sizingOf(c));
    const t0 = Date.now();
    const r = await runIsolated("vk", { compiled, srs: await o.trialSrs(c.k) });
    trials.push({ logrows: c.k, blocks: c.b, ok: r.ok, error: r.error, ms: Date.now() - t0 });
    o.log(`  genVk trial logrows=${c.k} blocks=${c.b}: ${r.ok ? "fits" : `fails (${r.error})`} [${Date.now() - t0} ms]`);
    vkCache.set(c, r.ok);
    return r.ok;
  };
  // 1. smallest advice capacity that lays out (a trap means "too small"): grow the capacity
  //    geometrically from the estimate, then binary-search between the last failure and the first fit
  const byCap = [...cands].sort((x, y) => capOf(x) - capOf(y) || x.cost - y.cost);
  let i = Math.max(0, byCap.findIndex((c) => capOf(c) >= est * 0.5));
  let lo = i - 1, hi = -1;
  for (;;) {
    if (await fits(byCap[i])) { hi = i; break; }
    lo = i;
    if (i === byCap.length - 1) break;
    const j = byCap.findIndex((c) => capOf(c) >= 2 * capOf(byCap[i]));
    i = j < 0 ? byCap.length - 1 : j;
  }
  if (hi < 0) {
    throw new CalibrationError(`the circuit does not lay out even at logrows ${byCap[lo].k} with ${byCap[lo].b} advice blocks (${trials.at(-1)?.error}); the model is too large for maxLogrows ${o.maxLogrows} or uses an op layout this compiler does not size`);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await fits(byCap[mid])) hi = mid;
    else lo = mid;
  }
  const minCap = capOf(byCap[hi]);
  // 2. cheapest candidate with at least that capacity that really lays out, confirmed by prove + verify
  const feasible = cands.filter((c) => capOf(c) >= minCap);
  for (const c of feasible.slice(0, 6)) {
    if (!(await fits(c))) continue;
    const sizing = sizingOf(c);
    if (o.confirmWithProof === false) return { sizing, legs, maxAbsFixedPoint: a.worstV, worstNode: nodeName(m, a.worst), lookupInputRange, trials };
    const { compiled, settings } = encodeCircuit(m, sizing);
    const srs = await o.trialSrs(c.k);
    const t0 = Date.now();
    const r = await runIsolated("prove", { compiled, srs, input: o.samples[0] });
    let ok = r.ok;
    let error = r.error;
    if (ok) {
      ok = verify(r.proof!, r.vk!, settings, srs);
      if (!ok) error = "proof did not verify";
      const w = JSON.parse(new TextDecoder().decode(r.witness!));
      if (ok && w.outputs[0].map(feltHexToInt).length !== size(m.outputDims)) { ok = false; error = "witness output size mismatch"; }
    }
    trials.push({ logrows: c.k, blocks: c.b, ok, error, ms: Date.now() - t0 });
    o.log(`  prove trial logrows=${c.k} blocks=${c.b}: ${ok ? "proves" : `fails (${error})`} [${Date.now() - t0} ms]`);
    if (ok) return { sizing, legs, maxAbsFixedPoint: a.worstV, worstNode: nodeName(m, a.worst), lookupInputRange, trials };
  }
  throw new CalibrationError(
    `no circuit size up to logrows ${o.maxLogrows} proved (tried ${trials.map((t) => `k${t.logrows}/b${t.blocks}: ${t.error}`).join("; ")})`,
  );
}
