/**
 * Calibration: from sample inputs, pick the decomposition base and legs (fixed-point range), the
 * lookup range, logrows and the number of advice blocks. The layout is counted exactly by the layout
 * census (circuit/census.ts: ezkl's cell accounting without the engine), so every (base, logrows)
 * candidate is priced without a key generation; the cheapest is chosen and, unless disabled,
 * confirmed by one real prove + verify in an isolated worker (an under-sized circuit traps the WASM).
 */
import { encodeCircuit, type CircuitSizing } from "./circuit/build.js";
import { layoutCensus, type CensusResult } from "./circuit/census.js";
import { runIsolated } from "./engine/isolated.js";
import { feltHexToInt, genWitness, verify } from "./engine/engine.js";
import { inputLength, isConstantNode, outputLength, splitFlat, type OpKind } from "./graph/ir.js";
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
  /** decomposition base; default: the cheaper of 2^7 and 2^14 for this circuit */
  decompBase?: number;
  numInnerCols: number;
  minLogrows: number;
  maxLogrows: number;
  /** max decomposition legs (fixed-point range = base^legs) */
  maxLegs: number;
  /** SRS of exactly size k used for sizing trials (any SRS works: the constraint system does not depend on it) */
  trialSrs: (k: number) => Promise<Uint8Array>;
  /** confirm the chosen size with a real prove + verify in an isolated worker (default true) */
  confirmWithProof?: boolean;
  /** size the layout (default true); false gives settings good for witness generation only (no keys) */
  layout?: boolean;
  /** keep the circuit within the WASM engine's 4 GB memory (default true); false for a native prover */
  memoryLimit?: boolean;
  log: (msg: string) => void;
  /** a magnitude the fixed-point range must cover beyond the samples' (the bound over a declared input domain) */
  coverMagnitude?: { idx: number; value: number };
  /** lookup inputs the table must cover besides the samples' (an admitted box's interval bound) */
  coverLookup?: [number, number];
}

export interface Calibration {
  sizing: CircuitSizing;
  legs: number;
  maxAbsFixedPoint: number;
  worstNode: string;
  lookupInputRange: [number, number] | null;
  /** the layout census of the chosen sizing */
  census?: CensusResult;
  /** advice blocks of the chosen sizing */
  blocks?: number;
  /** the next-cheapest sizings, to try in order when the chosen one does not key (should not happen) */
  alternatives: CircuitSizing[];
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
  /** per sample: its lowest and highest lookup input and largest fixed-point magnitude (to pick the samples worth an engine witness) */
  const perSample: { lo: number; hi: number; worst: number }[] = [];
  const scaleOf = new Map(m.nodes.map((n) => [n.idx, n.outScale]));
  for (const s of samples) {
    let sLo = Infinity, sHi = -Infinity, sWorst = 0;
    if (s.length !== inputLength(m))
      throw new CalibrationError(`calibration sample has ${s.length} values, the model input${m.inputs.length > 1 ? "s" : ""} ${m.inputs.map((i) => `[${i.dims}]`).join(" + ")} need${m.inputs.length > 1 ? "" : "s"} ${inputLength(m)}`);
    const vals = simulate(m, s);
    for (const n of m.nodes) {
      if (isConstantNode(n)) continue;
      const v = vals.get(n.idx)!;
      let mx = 0;
      for (const x of v.data) mx = Math.max(mx, Math.abs(x));
      // MeanOfSquares divides (and range-checks the quotient) before its rebase: count it at the inner scale
      const at = innerDecomposes(n.opkind) && n.originalScale !== undefined ? n.originalScale : n.outScale;
      // a rebase by d = 2^k range-checks d - |x - q·d|, which is d itself when x is a multiple of d (x = 0)
      const rebase = n.originalScale !== undefined ? 2 ** (n.originalScale - n.outScale) : 0;
      const worstHere = Math.max(mx * 2 ** at, rebase);
      maxAbs.set(n.idx, Math.max(maxAbs.get(n.idx) ?? 0, worstHere));
      sWorst = Math.max(sWorst, worstHere);
      if (n.lookup) {
        const inScale = scaleOf.get(n.inputs[0])!;
        for (const x of vals.get(n.inputs[0])!.data) {
          sLo = Math.min(sLo, Math.floor(x * 2 ** inScale));
          sHi = Math.max(sHi, Math.ceil(x * 2 ** inScale));
        }
      }
    }
    perSample.push({ lo: sLo, hi: sHi, worst: sWorst });
    lookupLo = Math.min(lookupLo, sLo);
    lookupHi = Math.max(lookupHi, sHi);
  }
  let worst = m.inputs[0].idx, worstV = 0;
  for (const [i, v] of maxAbs) if (v > worstV) { worst = i; worstV = v; }
  return { maxAbs, worst, worstV, perSample, lookup: lookupLo <= lookupHi ? ([lookupLo, lookupHi] as [number, number]) : null };
}

/** Ops whose layouts range-check values the float simulation does not see (quotients, square roots). */
const HIDDEN_RANGE_OPS = ["Recip", "Sqrt", "Rsqrt", "Softmax", "MeanOfSquares"];

/** A rebased op whose own layout range-checks its un-rebased output (MeanOfSquares divides by n first). */
function innerDecomposes(op: OpKind): boolean {
  const r = typeof op === "object" && op !== null && !Array.isArray(op) ? (op as { RebaseScale?: { inner?: OpKind } }).RebaseScale : undefined;
  return JSON.stringify(r?.inner ?? null).startsWith('{"Linear":{"MeanOfSquares"');
}

/** Rows of a column usable by the layout: 2^k minus halo2's blinding rows (5 for ezkl's gates) and one. */
export const colSize = (k: number) => 2 ** k - 6;

/** ezkl's number of advice blocks for a total_assignments (VarTensor::new_advice, with its duplication buffer). */
export function advBlocks(totalAssignments: number, k: number, cols: number): number {
  const max = colSize(k) * cols;
  const m0 = Math.floor(totalAssignments / max) + 1;
  return Math.floor((totalAssignments + m0) / max) + 1;
}

/** Per-column proving overhead, in rows: a column costs about as much as this many extra rows (measured on the demo models). */
const COLUMN_OVERHEAD = 2 ** 11;

/**
 * The largest circuit the WASM engine can key and prove: its memory is capped at 4 GB and key generation
 * plus proving take about 600-900 bytes per row x column (measured: 87 MB at logrows 12 x 35 columns),
 * so rows x columns must stay under about 5 million. A native prover has no such cap (memoryLimit: false).
 */
export const WASM_MAX_AREA = 2 ** 17 * 40;

interface Candidate {
  sizing: CircuitSizing;
  blocks: number;
  census: CensusResult;
  cost: number;
}

/** Fixed-point legs for a base: enough that base^legs covers twice the largest value seen. */
const legsFor = (base: number, worstV: number, maxLegs: number) => {
  let legs = 2;
  while (base ** legs <= 2 * worstV && legs < maxLegs) legs++;
  return legs;
};
/** The fixed-point range is the same whatever the base: 2^(7 x maxLegs), maxLegs counted in base-128 digits. */
const legsCap = (base: number, maxLegs: number) => Math.max(2, Math.floor((7 * maxLegs) / Math.log2(base)));

export async function calibrate(m: LoweredModel, o: CalibrateOptions): Promise<Calibration> {
  const a = analyzeRanges(m, o.samples);
  if (o.coverMagnitude && o.coverMagnitude.value > a.worstV) {
    a.worstV = o.coverMagnitude.value;
    a.worst = o.coverMagnitude.idx;
  }
  const bases = o.decompBase !== undefined ? [o.decompBase] : [128, 16384];
  const maxLegs = (b: number) => (o.decompBase !== undefined ? o.maxLegs : legsCap(b, o.maxLegs));
  const fitting = bases.filter((b) => a.worstV < b ** maxLegs(b) / 2);
  if (!fitting.length) {
    const b = bases[0];
    const limit = b ** maxLegs(b) / 2;
    const n = m.nodes.find((x) => x.idx === a.worst)!;
    throw new OverflowError(
      `fixed-point overflow at ${nodeName(m, a.worst)}: |value| reaches ${a.worstV.toExponential(3)} at scale ${n.outScale} ` +
        `(float ${(a.worstV / 2 ** n.outScale).toExponential(3)}), exceeding the range ±${limit.toExponential(3)} ` +
        `(decomp_base ${b}^${maxLegs(b)}/2) by a factor of ${(a.worstV / limit).toFixed(2)}. Lower the input/param scale or rescale the model.`,
    );
  }

  // Lookup range: exact min/max lookup inputs from engine witnesses of the samples that reach the
  // extremes in the float simulation, with a 2x safety margin.
  let lookupInputRange: [number, number] | null = null;
  let lookupRange: [number, number] = [0, 0];
  if (m.lookups.length) {
    const est = a.lookup ?? [-1, 1];
    const probe = { totalConstSize: 0, decompBase: fitting[0], decompLegs: legsFor(fitting[0], a.worstV, maxLegs(fitting[0])), numInnerCols: o.numInnerCols };
    const provisional = encodeCircuit(m, { ...probe, logrows: o.maxLogrows, totalAssignments: 0, lookupRange: [Math.min(-1, 4 * est[0]), Math.max(1, 4 * est[1])] });
    const order = a.perSample.map((_, i) => i);
    const pick = new Set([0, ...[...order].sort((x, y) => a.perSample[x].lo - a.perSample[y].lo).slice(0, 4), ...[...order].sort((x, y) => a.perSample[y].hi - a.perSample[x].hi).slice(0, 4)]);
    let lo = Infinity, hi = -Infinity;
    for (const i of pick) {
      let w;
      try {
        w = genWitness(provisional.compiled, o.samples[i]);
      } catch (e) {
        throw new CalibrationError(`witness generation failed during calibration: ${(e as Error).message}`);
      }
      lo = Math.min(lo, w.minLookupInputs);
      hi = Math.max(hi, w.maxLookupInputs);
    }
    lookupInputRange = [lo, hi];
    lookupRange = [Math.min(-1, 2 * lo), Math.max(1, 2 * hi)];
    // a declared admitted box: the table covers its interval bound, strictly inside (domain.ts's check)
    if (o.coverLookup) lookupRange = [Math.min(lookupRange[0], o.coverLookup[0] - 1), Math.max(lookupRange[1], o.coverLookup[1] + 1)];
    if (lookupRange[1] - lookupRange[0] > 2 ** 20) {
      const ln = m.nodes.find((n) => n.lookup)!;
      throw new OverflowError(
        `lookup input range [${lo}, ${hi}] at ${nodeName(m, ln.idx)} is too wide for a lookup table (width ${lookupRange[1] - lookupRange[0]} > 2^20 with margin)`,
      );
    }
  }
  // The float simulation cannot see every value ezkl's layouts range-check (quotients inside
  // reciprocals, square roots, softmax): confirm the legs with engine witnesses of the samples with the
  // largest values, and widen the range while the engine's decomposition overflows.
  if (m.nodes.some((n) => HIDDEN_RANGE_OPS.some((l) => n.label.includes(l)))) {
    const order = a.perSample.map((_, i) => i).sort((x, y) => a.perSample[y].worst - a.perSample[x].worst);
    const picks = [...new Set([order[0], ...order.slice(1, 3)])];
    const rangeBits = 7 * o.maxLegs;
    for (;;) {
      const base = fitting[0], legs = legsFor(base, a.worstV, maxLegs(base));
      const probe = encodeCircuit(m, { logrows: o.maxLogrows, totalAssignments: 0, totalConstSize: 0, decompBase: base, decompLegs: legs, numInnerCols: o.numInnerCols, lookupRange: [Math.min(lookupRange[0], -1), Math.max(lookupRange[1], 1)] });
      const bad = picks.find((i) => {
        try {
          genWitness(probe.compiled, o.samples[i]);
          return false;
        } catch {
          return true;
        }
      });
      if (bad === undefined) break;
      const widened = Math.max(a.worstV, base ** legs / 2);
      if (Math.log2(widened * 2) >= rangeBits || legs >= maxLegs(base)) {
        throw new OverflowError(
          `fixed-point overflow inside the circuit: sample ${bad} needs values beyond ±${(base ** legs / 2).toExponential(3)} (decomp_base ${base}^${legs}), ` +
            `the widest range allowed (2^${rangeBits - 1}); lower the input/param scale or rescale the model`,
        );
      }
      o.log(`calibration: the engine's range check overflowed at ${base}^${legs}; widening`);
      a.worstV = widened * base; // one more leg
      for (let i = fitting.length - 1; i >= 0; i--) if (a.worstV >= fitting[i] ** maxLegs(fitting[i]) / 2) fitting.splice(i, 1);
      if (!fitting.length) throw new OverflowError(`fixed-point overflow inside the circuit (sample ${bad}); lower the input/param scale`);
    }
  }
  const lookupWidth = lookupRange[1] - lookupRange[0] + 1;
  const nInstances = inputLength(m) + outputLength(m);
  const done = (c: Omit<Calibration, "maxAbsFixedPoint" | "worstNode" | "lookupInputRange">): Calibration =>
    ({ ...c, maxAbsFixedPoint: a.worstV, worstNode: nodeName(m, a.worst), lookupInputRange });

  if (o.layout === false) {
    const base = fitting[0], legs = legsFor(base, a.worstV, maxLegs(base));
    const k = Math.min(o.maxLogrows, Math.max(o.minLogrows, Math.ceil(Math.log2(Math.max(lookupWidth, base, nInstances) + 16))));
    const sizing: CircuitSizing = { logrows: k, totalAssignments: 0, totalConstSize: 64, lookupRange, decompBase: base, decompLegs: legs, numInnerCols: o.numInnerCols };
    return done({ sizing, legs, alternatives: [], trials: [] });
  }

  // Every (base, logrows) candidate, priced by its columns x rows (the prover's work), from an exact
  // count of the layout at that logrows.
  const cols = o.numInnerCols;
  const cands: Candidate[] = [];
  for (const base of fitting) {
    const legs = legsFor(base, a.worstV, maxLegs(base));
    // without column wraps: a lower bound of every k's count, to skip hopeless k cheaply
    const flat = layoutCensus(m, { numInnerCols: cols, decompBase: base, decompLegs: legs, colSize: 2 ** 30 });
    for (let k = Math.max(o.minLogrows, Math.ceil(Math.log2(nInstances + 16))); k <= o.maxLogrows; k++) {
      const rows = colSize(k);
      const roughBlocks = advBlocks(flat.linearCoord, k, cols);
      // table columns of each range check and lookup table; ezkl adds one lookup argument per table
      // column per advice column (blocks x inner columns), each with three extra polynomials
      const rangeTables = [base, 3, ...(m.rangeChecks.length ? [2] : [])].map((w) => Math.ceil(w / rows));
      const lookupTables = m.lookups.map(() => Math.ceil(lookupWidth / rows));
      const tableCols = [...rangeTables, ...lookupTables].reduce((x, y) => x + y, 0);
      const shuffleCols = (flat.shuffles ? Math.ceil((flat.shuffleColCoord + flat.shuffles) / rows) : 0) + (flat.dynamicLookups ? Math.ceil((flat.dynamicColCoord + flat.dynamicLookups) / rows) : 0);
      const columnsOf = (blocks: number) =>
        3 * blocks * cols + 3 * blocks * cols * tableCols + 2 * tableCols + shuffleCols * 6 + Math.ceil((flat.constants + 16) / rows) + 4;
      if (o.memoryLimit !== false && 2 ** k * columnsOf(roughBlocks) > WASM_MAX_AREA) continue;
      const census = layoutCensus(m, { numInnerCols: cols, decompBase: base, decompLegs: legs, colSize: rows });
      // the census counts the real layout exactly (column-wrap duplicates included) at this logrows
      const ta = census.linearCoord;
      const blocks = advBlocks(ta, k, cols);
      const sizing: CircuitSizing = {
        logrows: k, totalAssignments: ta, totalConstSize: census.constants + 16, lookupRange, decompBase: base, decompLegs: legs, numInnerCols: cols,
        shuffleColSize: census.shuffles ? census.shuffleColCoord + 16 : undefined,
        shuffles: census.shuffles,
        extraRangeChecks: census.rangeChecks,
        dynamicLookups: census.dynamicLookups ? { count: census.dynamicLookups, colSize: census.dynamicColCoord + 16, maxInputLen: census.maxDynamicInputLen } : undefined,
      };
      // rows x columns, plus a per-column overhead (commitments, selectors, lookup arguments) that makes
      // many short columns slower than the same area in fewer long ones
      cands.push({ sizing, blocks, census, cost: (2 ** k + COLUMN_OVERHEAD) * columnsOf(blocks) });
    }
  }
  if (!cands.length) {
    const kInst = Math.ceil(Math.log2(nInstances + 6));
    if (o.maxLogrows < kInst || o.maxLogrows < o.minLogrows)
      throw new CalibrationError(
        o.maxLogrows < o.minLogrows
          ? `logrows must be at least ${o.minLogrows} (minLogrows) and at most ${o.maxLogrows} (maxLogrows)`
          : `the circuit has ${nInstances} public values (inputs + outputs), which must fit one column of 2^k - 6 rows: it needs logrows >= ${kInst}, the limit is ${o.maxLogrows}`,
      );
    const base = fitting[0];
    const flat = layoutCensus(m, { numInnerCols: cols, decompBase: base, decompLegs: legsFor(base, a.worstV, maxLegs(base)), colSize: 2 ** 30 });
    throw new CalibrationError(
      `the circuit needs ${flat.linearCoord} assignments (x3 advice columns), more than the WASM prover can hold: its 4 GB memory ` +
        `fits about ${WASM_MAX_AREA / 2 ** 17} columns at logrows 17 (maxLogrows ${o.maxLogrows}). Use a smaller model (fewer channels, ` +
        `strided convolutions, integer inputs that need no rescaling), or size it for a native EZKL prover (compileModel option memoryLimit: false)`,
    );
  }
  cands.sort((x, y) => x.cost - y.cost || x.sizing.logrows - y.sizing.logrows);
  const best = cands[0];
  // safety net if a keygen ever traps: the same logrows with one more block, then the next cheapest
  const oneMore = (c: Candidate): CircuitSizing => ({ ...c.sizing, totalAssignments: c.blocks * colSize(c.sizing.logrows) * cols + 1 });
  const alternatives = [oneMore(best), ...cands.slice(1, 3).map((c) => c.sizing)];
  o.log(`calibration: base ${best.sizing.decompBase}^${best.sizing.decompLegs}, ${best.census.linearCoord} assignments, logrows ${best.sizing.logrows} with ${best.blocks} advice block(s), lookup range ${JSON.stringify(lookupRange)}`);
  if (o.confirmWithProof === false) return done({ sizing: best.sizing, legs: best.sizing.decompLegs, census: best.census, blocks: best.blocks, alternatives, trials: [] });

  const trials: Calibration["trials"] = [];
  for (const c of cands.slice(0, 3)) {
    const { compiled, settings } = encodeCircuit(m, c.sizing);
    const srs = await o.trialSrs(c.sizing.logrows);
    const t0 = Date.now();
    const r = await runIsolated("prove", { compiled, srs, input: splitFlat(o.samples[0], m.inputs) });
    let ok = r.ok;
    let error = r.error;
    if (ok) {
      ok = verify(r.proof!, r.vk!, settings, srs);
      if (!ok) error = "proof did not verify";
      const w = JSON.parse(new TextDecoder().decode(r.witness!));
      if (ok && (w.outputs as string[][]).flat().map(feltHexToInt).length !== outputLength(m)) { ok = false; error = "witness output size mismatch"; }
    }
    trials.push({ logrows: c.sizing.logrows, blocks: c.blocks, ok, error, ms: Date.now() - t0 });
    o.log(`  prove trial logrows=${c.sizing.logrows} blocks=${c.blocks}: ${ok ? "proves" : `fails (${error})`} [${Date.now() - t0} ms]`);
    if (ok) return done({ sizing: c.sizing, legs: c.sizing.decompLegs, census: c.census, blocks: c.blocks, alternatives: [oneMore(c), ...cands.filter((x) => x !== c).slice(0, 2).map((x) => x.sizing)], trials });
  }
  throw new CalibrationError(`no circuit size proved (tried ${trials.map((t) => `k${t.logrows}/b${t.blocks}: ${t.error}`).join("; ")})`);
}
