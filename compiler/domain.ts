/**
 * The admitted input domain of a compiled model: per-element bounds (fixed point at the input scale) inside which
 * every input is guaranteed to prove. The registry stores them and the hub refuses every other input at request
 * time, so an input the circuit cannot prove never reaches a worker.
 *
 * Soundness by interval bound propagation over the lowered graph: for a box of inputs, each node gets an interval
 * that contains every value the node can take for any input in the box (linear ops with constant weights through
 * centre/radius with |W|, element-wise ops through their values at the interval ends, one fixed-point unit of
 * rounding slack added at every node). A box is admitted only if every node's interval fits the circuit's
 * decomposition range (|v| < decomp_base^decomp_legs at the node's scale) and every lookup's input interval fits
 * the lookup table. The box is the calibration samples' box, widened or narrowed around its centre by the largest
 * factor (up to MAX_WIDENING) that passes.
 *
 * The fast path returns the circuit's own fixed-point output (the EZKL witness), so the fast and the proven result
 * are equal by construction and the tolerance recorded next to the domain is 0 (see bench/executor.ts for the cost,
 * and what a float executor would need instead).
 */
import type { IrNode, LoweredModel } from "./graph/lower.js";
import { map, size, tensor, type Tensor } from "./graph/tensor.js";

/** The manifest's `admission` field: what the registry admits for this model version. */
export interface Admission {
  /** per input element: admitted inputs satisfy lower[i] <= input[i] <= upper[i] (fixed point at the input scale) */
  lower: number[];
  upper: number[];
  /** max |fast output - proven output| per element (fixed point): 0, the executor returns the circuit's output */
  tolerance: number;
  /** how executors compute results so that the tolerance holds */
  fastPath: "circuit-witness";
  /** how the domain was derived: the calibration box around its centre, times `widening` */
  method: "interval-bound-propagation";
  widening: number;
}

/** The circuit's value ranges (settings.run_args): decomposition range and lookup table. */
export interface CircuitRanges {
  decompBase: number;
  decompLegs: number;
  lookupRange: [number, number];
}

export class DomainError extends Error {
  override name = "DomainError";
}

/** Largest widening of the calibration box tried; the narrowest accepted is MIN_WIDENING. */
export const MAX_WIDENING = 4;
export const MIN_WIDENING = 1 / 64;

interface Interval {
  lo: Tensor;
  hi: Tensor;
}

const baseLabel = (label: string) => label.replace(/^RebaseScale\((.*)\)$/, "$1").replace(/^Rescaled\((.*)\)$/, "$1");
const isConst = (n: IrNode) => "Constant" in n.opkind;
const zip = (a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor => tensor(a.dims, Array.from(a.data, (x, i) => f(x, b.data[i])));
const abs = (t: Tensor) => map(t, Math.abs);
const zeros = (t: Tensor) => tensor(t.dims);

/** Interval of every node's float value for inputs in [lower, upper] (floats, input shape). */
export function boundModel(m: LoweredModel, lower: number[], upper: number[]): Map<number, Interval> {
  const byIdx = new Map(m.nodes.map((n) => [n.idx, n]));
  const out = new Map<number, Interval>();
  for (const n of m.nodes) {
    if (n.idx === m.inputIdx) {
      out.set(n.idx, { lo: tensor(m.inputDims, lower), hi: tensor(m.inputDims, upper) });
      continue;
    }
    if (isConst(n)) {
      const v = n.kernel([]);
      out.set(n.idx, { lo: v, hi: v });
      continue;
    }
    const ins = n.inputs.map((i) => out.get(i)!);
    const consts = n.inputs.map((i) => isConst(byIdx.get(i)!));
    const k = n.kernel;
    let iv: Interval;
    switch (baseLabel(n.label)) {
      case "Einsum":
      case "Conv":
      case "Mult": {
        // linear in the variable operand for constant weights: centre through W, radius through |W| (biases: 0)
        const variable = consts.map((c) => !c);
        if (variable.filter(Boolean).length === 1) {
          const centre = ins.map((x, i) => (variable[i] ? zip(x.lo, x.hi, (a, b) => (a + b) / 2) : x.lo));
          const radius = ins.map((x, i) => (variable[i] ? zip(x.lo, x.hi, (a, b) => (b - a) / 2) : i === 2 ? zeros(x.lo) : abs(x.lo)));
          const c = k(centre);
          const r = k(radius);
          iv = { lo: zip(c, r, (a, b) => a - b), hi: zip(c, r, (a, b) => a + b) };
        } else if (baseLabel(n.label) === "Mult") {
          // element-wise product of two variables: the extremes are among the four corner products
          const corners = [k([ins[0].lo, ins[1].lo]), k([ins[0].lo, ins[1].hi]), k([ins[0].hi, ins[1].lo]), k([ins[0].hi, ins[1].hi])];
          iv = {
            lo: corners.reduce((a, b) => zip(a, b, Math.min)),
            hi: corners.reduce((a, b) => zip(a, b, Math.max)),
          };
        } else {
          throw new DomainError(`cannot bound ${n.label} (node ${n.idx}, from '${n.source}') with two variable operands`);
        }
        break;
      }
      case "Add":
        iv = { lo: k([ins[0].lo, ins[1].lo]), hi: k([ins[0].hi, ins[1].hi]) };
        break;
      case "Sub":
        iv = { lo: k([ins[0].lo, ins[1].hi]), hi: k([ins[0].hi, ins[1].lo]) };
        break;
      case "ReLU":
      case "LeakyReLU":
      case "Sigmoid":
      case "Tanh":
      case "MaxPool":
      case "SumPool":
      case "Reshape":
      case "Flatten": {
        // monotone (or piecewise monotone through 0) element-wise, or positive-weight pooling, or a reshape
        const a = k([ins[0].lo]);
        const b = k([ins[0].hi]);
        let lo = zip(a, b, Math.min);
        let hi = zip(a, b, Math.max);
        if (baseLabel(n.label) === "LeakyReLU") {
          const z = k([zeros(ins[0].lo)]);
          const spans = zip(ins[0].lo, ins[0].hi, (x, y) => (x < 0 && y > 0 ? 1 : 0));
          lo = tensor(lo.dims, Array.from(lo.data, (v, i) => (spans.data[i] ? Math.min(v, z.data[i]) : v)));
          hi = tensor(hi.dims, Array.from(hi.data, (v, i) => (spans.data[i] ? Math.max(v, z.data[i]) : v)));
        }
        iv = { lo, hi };
        break;
      }
      case "Softmax":
        iv = { lo: tensor(n.outDims), hi: tensor(n.outDims, new Array(size(n.outDims)).fill(1)) };
        break;
      default:
        throw new DomainError(`cannot bound op ${n.label} (node ${n.idx}, from '${n.source}'): no interval rule`);
    }
    // one fixed-point unit of rounding slack per node (rebase divisions and quantisation round to nearest)
    const unit = 2 ** -n.outScale;
    out.set(n.idx, { lo: map(iv.lo, (v) => v - unit), hi: map(iv.hi, (v) => v + unit) });
  }
  return out;
}

/** Why inputs in [lower, upper] (fixed point at the input scale) might not all prove, or undefined if they do. */
export function domainProblem(m: LoweredModel, ranges: CircuitRanges, lower: readonly number[], upper: readonly number[]): string | undefined {
  const s = 2 ** m.inputScale;
  const bounds = boundModel(m, lower.map((v) => v / s), upper.map((v) => v / s));
  // strictly inside the range, with a margin of two units for rounding the engine does differently
  const limit = ranges.decompBase ** ranges.decompLegs - 2;
  for (const n of m.nodes) {
    if (isConst(n)) continue;
    const { lo, hi } = bounds.get(n.idx)!;
    const scale = 2 ** n.outScale;
    let worst = 0;
    for (let i = 0; i < lo.data.length; i++) worst = Math.max(worst, Math.abs(lo.data[i]) * scale, Math.abs(hi.data[i]) * scale);
    if (!(worst < limit)) return `node ${n.idx} ${n.label} (from '${n.source}') may reach ${worst.toFixed(0)} >= ${limit}`;
    if (n.lookup) {
      const src = m.nodes.find((x) => x.idx === n.inputs[0])!;
      const b = bounds.get(src.idx)!;
      const inScale = 2 ** src.outScale;
      let min = Infinity, max = -Infinity;
      for (let i = 0; i < b.lo.data.length; i++) {
        min = Math.min(min, Math.floor(b.lo.data[i] * inScale));
        max = Math.max(max, Math.ceil(b.hi.data[i] * inScale));
      }
      if (baseLabel(n.label) === "Softmax") {
        // the exp lookup sees x - max(x) in [min - max, 0]
        [min, max] = [min - max, 0];
      }
      if (min <= ranges.lookupRange[0] || max >= ranges.lookupRange[1]) {
        return `lookup of node ${n.idx} ${n.label} may see [${min}, ${max}], outside the table [${ranges.lookupRange}]`;
      }
    }
  }
  return undefined;
}

/**
 * The admission of a model: the calibration box (per-element min/max of the samples, at least one unit wide) around
 * its centre, widened by the largest factor in [MIN_WIDENING, MAX_WIDENING] for which domainProblem finds nothing
 * (binary search), in fixed point at the input scale. Throws DomainError if even the narrowest box may not prove.
 */
export function deriveAdmission(m: LoweredModel, ranges: CircuitRanges, samples: number[][]): Admission {
  const n = size(m.inputDims);
  if (samples.length === 0) throw new DomainError("no calibration samples to derive the input domain from");
  const s = 2 ** m.inputScale;
  const lo = new Array(n).fill(Infinity);
  const hi = new Array(n).fill(-Infinity);
  for (const x of samples) {
    if (x.length !== n) throw new DomainError(`calibration sample has ${x.length} values, the model input needs ${n}`);
    x.forEach((v, i) => {
      lo[i] = Math.min(lo[i], v * s);
      hi[i] = Math.max(hi[i], v * s);
    });
  }
  const centre = lo.map((l, i) => (l + hi[i]) / 2);
  const half = lo.map((l, i) => Math.max((hi[i] - l) / 2, 1));
  const box = (w: number) => ({
    lower: centre.map((c, i) => Math.ceil(c - w * half[i])),
    upper: centre.map((c, i) => Math.floor(c + w * half[i])),
  });
  const fits = (w: number) => domainProblem(m, ranges, box(w).lower, box(w).upper) === undefined;
  if (!fits(MIN_WIDENING)) {
    const b = box(MIN_WIDENING);
    throw new DomainError(`even the calibration centre may not prove: ${domainProblem(m, ranges, b.lower, b.upper)}`);
  }
  let ok = MIN_WIDENING;
  let bad = MAX_WIDENING;
  if (fits(MAX_WIDENING)) ok = MAX_WIDENING;
  else {
    for (let i = 0; i < 24; i++) {
      const mid = (ok + bad) / 2;
      if (fits(mid)) ok = mid;
      else bad = mid;
    }
  }
  // a round factor, so the recorded domain is easy to read and reproduce
  const widening = Math.floor(ok * 1024) / 1024;
  return { ...box(widening), tolerance: 0, fastPath: "circuit-witness", method: "interval-bound-propagation", widening };
}
