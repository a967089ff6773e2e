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
import { inputLength, splitFlat, type IrNode, type LoweredModel } from "./graph/ir.js";
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
const isConst = (n: IrNode) => n.label === "Constant";
const zip = (a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor => tensor(a.dims, Array.from(a.data, (x, i) => f(x, b.data[i])));
const abs = (t: Tensor) => map(t, Math.abs);
const zeros = (t: Tensor) => tensor(t.dims);

/** Per element of the hub's input vector (all inputs concatenated): its fixed-point scale (integer inputs: 0). */
export const elementScales = (m: Pick<LoweredModel, "inputs">): number[] => m.inputs.flatMap((io) => new Array<number>(inputLength({ inputs: [io] })).fill(io.scale));

/** A value an op's layout range-checks besides its output (ezkl decomposes it): its largest magnitude, or why it fails. */
export interface Hidden {
  /** largest |value| (fixed point) the layout decomposes inside this node */
  value: number;
  what: string;
}

/** Interval bounds of every node plus the hidden values their layouts range-check. */
export interface BoxAnalysis {
  bounds: Map<number, Interval>;
  hidden: Map<number, Hidden>;
}

type Obj = { readonly [k: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** The op inside RebaseScale / Rescaled wrappers. */
function innerOp(op: unknown): unknown {
  if (isObj(op) && isObj(op.RebaseScale)) return innerOp(op.RebaseScale.inner);
  if (isObj(op) && isObj(op.Rescaled)) return innerOp(op.Rescaled.inner);
  return op;
}
/** The fields of `{ Hybrid: { Variant: fields } }` (or Linear), unwrapped. */
function variant(op: unknown, family: string, name: string): Obj | undefined {
  const o = innerOp(op);
  const f = isObj(o) ? o[family] : undefined;
  return isObj(f) && isObj(f[name]) ? f[name] : undefined;
}

const maxAbs = (t: Tensor) => t.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
const minOf = (t: Tensor) => t.data.reduce((a, v) => Math.min(a, v), Infinity);
const maxOf = (t: Tensor) => t.data.reduce((a, v) => Math.max(a, v), -Infinity);
/** Rust's `f64 as i128` after `round()`: half away from zero, NaN -> 0 (ezkl's integer nonlinearities). */
const rustRound = (v: number) => (Number.isNaN(v) ? 0 : Math.sign(v) * Math.round(Math.abs(v)));
/** ezkl's reciprocal of the integer 0 (nonlinearities::zero_recip): out_scale / f64::EPSILON, far beyond any decomposition. */
const zeroRecip = (outScaleMult: number) => outScaleMult / Number.EPSILON;
/** Ops that round inside their own layout (besides rebases and lookups). */
const ROUNDING = new Set(["SumPool", "MeanOfSquares", "Sqrt", "Recip", "Rsqrt", "Softmax"]);
/** Ops whose exact result is never negative. */
const NON_NEGATIVE = new Set(["MeanOfSquares", "Sqrt", "Softmax", "Abs"]);
/** Widest lookup input interval enumerated exactly (tables are at most 2^20 wide; wider inputs fail the table check). */
const MAX_ENUMERATION = 2 ** 21;

/**
 * The exact range of a lookup's integer outputs: ezkl's table maps each integer input k (fixed point at scale s) to
 * round(2^s f(k / 2^s)), so over each element's integer input interval the output is bounded by the table's own
 * min/max on that interval (any function: monotone or not, NaN -> 0 as ezkl casts it).
 */
function lookupBounds(n: IrNode, x: Interval, inScale: number): Interval {
  const s = 2 ** inScale;
  const out = 2 ** n.outScale;
  const los = Array.from(x.lo.data, (v) => Math.floor(v * s));
  const his = Array.from(x.hi.data, (v) => Math.ceil(v * s));
  const L = Math.min(...los), H = Math.max(...his);
  if (!(H - L < MAX_ENUMERATION)) {
    return { lo: tensor(n.outDims, new Array(size(n.outDims)).fill(-Infinity)), hi: tensor(n.outDims, new Array(size(n.outDims)).fill(Infinity)) };
  }
  const grid = tensor([H - L + 1], Array.from({ length: H - L + 1 }, (_, i) => (L + i) / s));
  const f = Array.from(n.kernel([grid]).data, (v) => rustRound(v * out) / out);
  // block minima/maxima so that each element's sub-range is a few blocks plus two partial ones
  const B = 256;
  const bmin: number[] = [], bmax: number[] = [];
  for (let i = 0; i < f.length; i += B) {
    let a = Infinity, b = -Infinity;
    for (let j = i; j < Math.min(f.length, i + B); j++) { a = Math.min(a, f[j]); b = Math.max(b, f[j]); }
    bmin.push(a); bmax.push(b);
  }
  const range = (from: number, to: number): [number, number] => {
    let a = Infinity, b = -Infinity;
    let i = from;
    while (i <= to) {
      if (i % B === 0 && i + B - 1 <= to) { a = Math.min(a, bmin[i / B]); b = Math.max(b, bmax[i / B]); i += B; }
      else { a = Math.min(a, f[i]); b = Math.max(b, f[i]); i++; }
    }
    return [a, b];
  };
  const lo = tensor(n.outDims), hi = tensor(n.outDims);
  for (let i = 0; i < los.length; i++) [lo.data[i], hi.data[i]] = range(los[i] - L, his[i] - L);
  return { lo, hi };
}

/**
 * ezkl's Recip on integers x in [lo, hi] (input multiplier a, output multiplier b): round(a·b / x), and zero_recip
 * for x = 0. Returns the float interval of the output and the largest hidden value: the claimed output itself is
 * decomposed, and the convexity check decomposes |x·(y±1) - a·b| (≤ 1.5|x|) and differences of those.
 */
function recipBounds(lo: number, hi: number, a: number, b: number, outScale: number): { lo: number; hi: number; hidden: number } {
  const u = a * b;
  const xs = Math.max(Math.abs(lo), Math.abs(hi));
  if (lo <= 0 && hi >= 0) {
    const z = rustRound(zeroRecip(b));
    return { lo: -u / 2 ** outScale, hi: Math.max(u, z) / 2 ** outScale, hidden: Math.max(z, 3 * xs + 2) };
  }
  // same sign: 1/x is monotone, largest in magnitude at the end nearest 0
  const ys = [rustRound(u / lo), rustRound(u / hi)];
  return { lo: Math.min(...ys) / 2 ** outScale, hi: Math.max(...ys) / 2 ** outScale, hidden: 3 * xs + 2 };
}

/** ezkl's Sqrt on integers in [lo, hi] at multiplier s: round(sqrt(x·s)) (0 for x < 0), with its hidden checks. */
function sqrtBounds(lo: number, hi: number, s: number): { lo: number; hi: number; hidden: number } {
  const y = (x: number) => (x <= 0 ? 0 : rustRound(Math.sqrt(x * s)));
  const top = y(hi);
  // |y² - x·s| and its neighbours (y±1)², and for x < 0 (y = 0) |x|·s itself
  return { lo: y(lo), hi: top, hidden: Math.max(2 * top + 2, lo < 0 ? -lo * s + 1 : 0) };
}

/**
 * The LayerNorm bound (y = d · rsqrt(mean(d²) + eps) over n elements): |d_i| ≤ sqrt(n · mean(d²)), so |y_i| ≤ sqrt(n)
 * in exact arithmetic. With ezkl's roundings (mean of squares divided by n and rebased, sqrt and reciprocal each
 * rounded) and an epsilon of at least one unit at the variance's scale t, the same argument gives
 * |y_i| ≤ sqrt(n) / (1 - 2^(-t/2-1)) + max|d| · 2^-(o+1) (o: the reciprocal's output scale). Undefined when the
 * node is not this pattern or the epsilon rounds to 0 (then a constant row divides by zero and nothing bounds y).
 */
function normBound(m: Map<number, IrNode>, n: IrNode, bounds: Map<number, Interval>): number | undefined {
  const [dIdx, rIdx] = n.inputs;
  const r = m.get(rIdx);
  if (!r || baseLabel(r.label) !== "Rsqrt") return undefined;
  const e = m.get(r.inputs[0]);
  if (!e || e.label !== "Add") return undefined;
  const [vIdx, cIdx] = e.inputs;
  const v = m.get(vIdx), c = m.get(cIdx);
  if (!v || !c || !isConst(c) || baseLabel(v.label) !== "MeanOfSquares" || v.inputs[0] !== dIdx) return undefined;
  const eps = c.kernel([]);
  if (eps.data.length !== 1 || !(eps.data[0] * 2 ** e.outScale >= 1)) return undefined;
  const d = bounds.get(dIdx)!;
  const count = size(m.get(dIdx)!.outDims) / size(v.outDims);
  const t = e.outScale, o = r.outScale;
  return Math.sqrt(count) / (1 - 2 ** (-t / 2 - 1)) + Math.max(maxAbs(d.lo), maxAbs(d.hi)) * 2 ** -(o + 1);
}

/** Interval of every node's float value for inputs in [lower, upper] (floats, the hub's flat input vector). */
export function boundModel(m: LoweredModel, lower: readonly number[], upper: readonly number[]): Map<number, Interval> {
  return analyzeBox(m, lower, upper).bounds;
}

/**
 * Interval bound propagation over the lowered graph for inputs in [lower, upper] (floats), plus the values each op's
 * layout range-checks inside itself (comparison differences, sort steps, reciprocal and square-root checks).
 * Throws DomainError for an op without an interval rule.
 */
export function analyzeBox(m: LoweredModel, lower: readonly number[], upper: readonly number[]): BoxAnalysis {
  const byIdx = new Map(m.nodes.map((n) => [n.idx, n]));
  const out = new Map<number, Interval>();
  const hidden = new Map<number, Hidden>();
  const los = splitFlat(lower, m.inputs);
  const his = splitFlat(upper, m.inputs);
  m.inputs.forEach((io, i) => out.set(io.idx, { lo: tensor(io.dims, los[i]), hi: tensor(io.dims, his[i]) }));
  const scaleOf = (idx: number) => byIdx.get(idx)!.outScale;
  /** the sorted copy of a sort-based op (max, top-k, arg-max) checks each step a[i+1] - a[i] + 1 */
  const sortSteps = (x: Interval, scale: number): Hidden => ({ value: (maxOf(x.hi) - minOf(x.lo)) * 2 ** scale + 1, what: "sort step" });
  for (const n of m.nodes) {
    if (out.has(n.idx)) continue;
    if (isConst(n)) {
      const v = n.kernel([]);
      out.set(n.idx, { lo: v, hi: v });
      continue;
    }
    const ins = n.inputs.map((i) => out.get(i)!);
    const consts = n.inputs.map((i) => isConst(byIdx.get(i)!));
    const k = n.kernel;
    const label = baseLabel(n.label);
    const fill = (v: number) => tensor(n.outDims, new Array(size(n.outDims)).fill(v));
    /** ezkl's comparison of two operands at their common scale decomposes their difference */
    const difference = (a: Interval, b: Interval): Hidden => {
      const s = 2 ** Math.max(scaleOf(n.inputs[0]), scaleOf(n.inputs[1]));
      return { value: Math.max(maxOf(a.hi) - minOf(b.lo), maxOf(b.hi) - minOf(a.lo)) * s + 1, what: "comparison difference" };
    };
    let iv: Interval;
    if (n.lookup && label !== "Softmax") {
      iv = lookupBounds(n, ins[0], scaleOf(n.inputs[0]));
    } else {
      switch (label) {
        case "Einsum":
        case "Conv":
        case "DeConv":
        case "Mult": {
          const variable = consts.map((c) => !c);
          const centreOf = (x: Interval) => zip(x.lo, x.hi, (a, b) => (a + b) / 2);
          const radiusOf = (x: Interval) => zip(x.lo, x.hi, (a, b) => (b - a) / 2);
          if (variable.filter(Boolean).length === 1) {
            // linear in the variable operand for constant weights: centre through W, radius through |W| (biases: 0)
            const centre = ins.map((x, i) => (variable[i] ? centreOf(x) : x.lo));
            const radius = ins.map((x, i) => (variable[i] ? radiusOf(x) : i === 2 ? zeros(x.lo) : abs(x.lo)));
            const c = k(centre);
            const r = k(radius);
            iv = { lo: zip(c, r, (a, b) => a - b), hi: zip(c, r, (a, b) => a + b) };
          } else if (ins.length === 2) {
            // bilinear in two variables (x·y, attention's Q·Kᵀ): x·y ∈ cx·cy ± (|cx|·ry + rx·|cy| + rx·ry) term by term
            const [cx, cy] = ins.map(centreOf), [rx, ry] = ins.map(radiusOf);
            const c = k([cx, cy]);
            const r = zip(zip(k([abs(cx), ry]), k([rx, abs(cy)]), (a, b) => a + b), k([rx, ry]), (a, b) => a + b);
            iv = { lo: zip(c, r, (a, b) => a - b), hi: zip(c, r, (a, b) => a + b) };
            if (label === "Mult") {
              // element-wise: the four corner products are exact; a LayerNorm's d·rsqrt(var + eps) has its own bound
              const corners = [k([ins[0].lo, ins[1].lo]), k([ins[0].lo, ins[1].hi]), k([ins[0].hi, ins[1].lo]), k([ins[0].hi, ins[1].hi])];
              iv = { lo: corners.reduce((a, b) => zip(a, b, Math.min)), hi: corners.reduce((a, b) => zip(a, b, Math.max)) };
              const b = normBound(byIdx, n, out);
              if (b !== undefined) iv = { lo: map(iv.lo, (v) => Math.max(v, -b)), hi: map(iv.hi, (v) => Math.min(v, b)) };
            }
          } else {
            throw new DomainError(`cannot bound ${n.label} (node ${n.idx}, from '${n.source}') with ${variable.filter(Boolean).length} variable operands`);
          }
          break;
        }
        case "Add":
          iv = { lo: k([ins[0].lo, ins[1].lo]), hi: k([ins[0].hi, ins[1].hi]) };
          break;
        case "Sub":
          iv = { lo: k([ins[0].lo, ins[1].hi]), hi: k([ins[0].hi, ins[1].lo]) };
          break;
        case "Neg":
          iv = { lo: k([ins[0].hi]), hi: k([ins[0].lo]) };
          break;
        case "Abs":
          iv = { lo: zip(ins[0].lo, ins[0].hi, (a, b) => (a > 0 ? a : b < 0 ? -b : 0)), hi: zip(ins[0].lo, ins[0].hi, (a, b) => Math.max(Math.abs(a), Math.abs(b))) };
          break;
        case "Pow": {
          // integer power (a lookup Pow took the branch above): monotone for odd exponents, through 0 for even ones
          const e = Number((innerOp(n.opkind) as { Linear: { Pow: number } }).Linear.Pow);
          const a = k([ins[0].lo]), b = k([ins[0].hi]);
          const spans = zip(ins[0].lo, ins[0].hi, (x, y) => (x < 0 && y > 0 ? 1 : 0));
          iv = {
            lo: tensor(a.dims, Array.from(a.data, (v, i) => (e % 2 === 0 && spans.data[i] ? 0 : Math.min(v, b.data[i])))),
            hi: zip(a, b, Math.max),
          };
          break;
        }
        case "MeanOfSquares": {
          // monotone in every |x_i|; its division by n decomposes the mean at the un-rebased scale
          const minAbs = zip(ins[0].lo, ins[0].hi, (a, b) => (a > 0 ? a : b < 0 ? -b : 0));
          const maxA = zip(ins[0].lo, ins[0].hi, (a, b) => Math.max(Math.abs(a), Math.abs(b)));
          iv = { lo: k([minAbs]), hi: k([maxA]) };
          hidden.set(n.idx, { value: maxOf(iv.hi) * 2 ** (n.originalScale ?? n.outScale) + 1, what: "mean of squares before rebase" });
          break;
        }
        case "Sqrt": {
          const s = scaleOf(n.inputs[0]);
          const per = Array.from(ins[0].lo.data, (l, i) => sqrtBounds(Math.floor(l * 2 ** s), Math.ceil(ins[0].hi.data[i] * 2 ** s), 2 ** s));
          iv = { lo: tensor(n.outDims, per.map((p) => p.lo / 2 ** s)), hi: tensor(n.outDims, per.map((p) => p.hi / 2 ** s)) };
          hidden.set(n.idx, { value: Math.max(...per.map((p) => p.hidden)), what: "square-root check" });
          break;
        }
        case "Recip":
        case "Rsqrt": {
          const f = variant(n.opkind, "Hybrid", label)!;
          const a = Number(f.input_scale), b = Number(f.output_scale);
          const s = scaleOf(n.inputs[0]);
          const per = Array.from(ins[0].lo.data, (l, i) => {
            let lo = Math.floor(l * 2 ** s), hi = Math.ceil(ins[0].hi.data[i] * 2 ** s), h = 0;
            if (label === "Rsqrt") {
              const q = sqrtBounds(lo, hi, a);
              [lo, hi, h] = [q.lo, q.hi, q.hidden];
            }
            const r = recipBounds(lo, hi, a, b, n.originalScale ?? n.outScale);
            return { lo: r.lo, hi: r.hi, hidden: Math.max(h, r.hidden) };
          });
          iv = { lo: tensor(n.outDims, per.map((p) => p.lo)), hi: tensor(n.outDims, per.map((p) => p.hi)) };
          const worst = Math.max(...per.map((p) => p.hidden));
          hidden.set(n.idx, { value: worst, what: worst >= zeroRecip(b) / 2 ? "reciprocal of a divisor that may be 0" : "reciprocal check" });
          break;
        }
        case "Greater":
        case "Less":
        case "GreaterEqual":
        case "LessEqual":
          hidden.set(n.idx, difference(ins[0], ins[1]));
          iv = { lo: fill(0), hi: fill(1) };
          break;
        case "Equals":
        case "Not":
        case "And":
        case "Or":
        case "Xor":
          iv = { lo: fill(0), hi: fill(1) };
          break;
        case "Iff": {
          // either branch, whatever the mask
          const one = map(ins[0].lo, () => 1), zero = map(ins[0].lo, () => 0);
          const a = [k([one, ins[1].lo, ins[2].lo]), k([zero, ins[1].lo, ins[2].lo])];
          const b = [k([one, ins[1].hi, ins[2].hi]), k([zero, ins[1].hi, ins[2].hi])];
          iv = { lo: zip(a[0], a[1], Math.min), hi: zip(b[0], b[1], Math.max) };
          break;
        }
        case "ReduceArgMax":
        case "ReduceArgMin": {
          const dim = Number(variant(n.opkind, "Hybrid", label)!.dim);
          iv = { lo: fill(0), hi: fill(byIdx.get(n.inputs[0])!.outDims[dim] - 1) };
          hidden.set(n.idx, sortSteps(ins[0], scaleOf(n.inputs[0])));
          break;
        }
        case "Gather":
        case "GatherElements": {
          if (consts.length === 1 || consts[1]) {
            // constant indices: a selection (monotone group below)
            iv = { lo: k(ins.map((x) => x.lo)), hi: k(ins.map((x) => x.hi)) };
            break;
          }
          // variable indices (an embedding lookup): any element of the data; every index must be valid
          const f = variant(n.opkind, label === "Gather" ? "Hybrid" : "Linear", label)!;
          const len = byIdx.get(n.inputs[0])!.outDims[Number(f.dim)];
          iv = { lo: fill(minOf(ins[0].lo)), hi: fill(maxOf(ins[0].hi)) };
          const [ilo, ihi] = [minOf(ins[1].lo), maxOf(ins[1].hi)];
          if (ilo < 0 || ihi > len - 1) hidden.set(n.idx, { value: Infinity, what: `index in [${ilo}, ${ihi}] outside the axis [0, ${len - 1}]` });
          break;
        }
        case "Max":
        case "Min":
          // ezkl's pairwise max/min compares the operands
          if (ins.length === 2) hidden.set(n.idx, difference(ins[0], ins[1]));
        // falls through
        case "ReduceMax":
        case "ReduceMin":
        case "MaxPool":
        case "TopK":
          if (["ReduceMax", "ReduceMin", "MaxPool", "TopK"].includes(label)) hidden.set(n.idx, sortSteps(ins[0], scaleOf(n.inputs[0])));
        // falls through
        case "ReLU":
        case "LeakyReLU":
        case "Sign":
        case "SumPool":
        case "Sum":
        case "Reshape":
        case "Flatten":
        case "Identity":
        case "MoveAxis":
        case "NCHW":
        case "MultiBroadcastTo":
        case "Slice":
        case "Downsample":
        case "Pad":
        case "Resize":
        case "Concat": {
          // monotone (or piecewise monotone through 0) element-wise, positive-weight pooling and sums, max/min and
          // order statistics of variables, or an op that only moves, copies, pads or selects elements by constant
          // positions (constants pass unchanged)
          const a = k(ins.map((x) => x.lo));
          const b = k(ins.map((x) => x.hi));
          let lo = zip(a, b, Math.min);
          let hi = zip(a, b, Math.max);
          if (label === "LeakyReLU") {
            const z = k([zeros(ins[0].lo)]);
            const spans = zip(ins[0].lo, ins[0].hi, (x, y) => (x < 0 && y > 0 ? 1 : 0));
            lo = tensor(lo.dims, Array.from(lo.data, (v, i) => (spans.data[i] ? Math.min(v, z.data[i]) : v)));
            hi = tensor(hi.dims, Array.from(hi.data, (v, i) => (spans.data[i] ? Math.max(v, z.data[i]) : v)));
          }
          iv = { lo, hi };
          break;
        }
        case "Softmax": {
          // the max is a sort; then the reciprocal of the sum of exps along the axis (each at most 1: x - max <= 0)
          const f = variant(n.opkind, "Hybrid", "Softmax")!;
          const axis = Number((f.axes as number[])[0]);
          const sum = byIdx.get(n.inputs[0])!.outDims[axis] * Number(f.input_scale);
          const steps = sortSteps(ins[0], scaleOf(n.inputs[0]));
          hidden.set(n.idx, { value: Math.max(steps.value, 3 * sum + 2), what: "softmax sort and reciprocal check" });
          iv = { lo: fill(0), hi: fill(1) };
          break;
        }
        default:
          throw new DomainError(`cannot bound op ${n.label} (node ${n.idx}, from '${n.source}'): no interval rule`);
      }
    }
    if (n.originalScale !== undefined) {
      // a rebase division checks |x - q·d| < d and d - |x - q·d| (d = 2^(original - target scale))
      const d = 2 ** (n.originalScale - n.outScale) + 1;
      const h = hidden.get(n.idx);
      if (!h || h.value < d) hidden.set(n.idx, { value: d, what: "rebase division check" });
    }
    // one fixed-point unit of rounding slack where the circuit rounds (rebase divisions, lookups, divisions inside
    // the op); integer additions, products, selections and comparisons are exact. Rounding keeps a non-negative value
    // non-negative (round half away from zero), which keeps a variance + epsilon away from 0.
    if (n.originalScale !== undefined || n.lookup || ROUNDING.has(label)) {
      const unit = 2 ** -n.outScale;
      const floor = NON_NEGATIVE.has(label) ? 0 : -Infinity;
      iv = { lo: map(iv.lo, (v) => Math.max(floor, v - unit)), hi: map(iv.hi, (v) => v + unit) };
    }
    out.set(n.idx, iv);
  }
  return { bounds: out, hidden };
}

/** The integer inputs a lookup node's table may see, given every node's interval. */
function lookupInputs(m: LoweredModel, bounds: Map<number, Interval>, n: IrNode): [number, number] {
  const src = m.nodes.find((x) => x.idx === n.inputs[0])!;
  const b = bounds.get(src.idx)!;
  const inScale = 2 ** src.outScale;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < b.lo.data.length; i++) {
    min = Math.min(min, Math.floor(b.lo.data[i] * inScale));
    max = Math.max(max, Math.ceil(b.hi.data[i] * inScale));
  }
  // softmax's exp lookup sees x - max(x) in [min - max, 0]
  return baseLabel(n.label) === "Softmax" ? [min - max, 0] : [min, max];
}

/** Why inputs in [lower, upper] (fixed point at the input scale) might not all prove, or undefined if they do. */
export function domainProblem(m: LoweredModel, ranges: CircuitRanges, lower: readonly number[], upper: readonly number[]): string | undefined {
  const s = elementScales(m).map((e) => 2 ** e);
  const { bounds, hidden } = analyzeBox(m, lower.map((v, i) => v / s[i]), upper.map((v, i) => v / s[i]));
  // strictly inside the range, with a margin of two units for rounding the engine does differently
  const limit = ranges.decompBase ** ranges.decompLegs - 2;
  for (const n of m.nodes) {
    if (isConst(n)) continue;
    const { lo, hi } = bounds.get(n.idx)!;
    if (n.lookup) {
      const [min, max] = lookupInputs(m, bounds, n);
      if (min <= ranges.lookupRange[0] || max >= ranges.lookupRange[1]) {
        return `lookup of node ${n.idx} ${n.label} may see [${min}, ${max}], outside the table [${ranges.lookupRange}]`;
      }
    }
    const h = hidden.get(n.idx);
    if (h && !(h.value < limit)) return `node ${n.idx} ${n.label} (from '${n.source}'): its ${h.what} may reach ${h.value.toExponential(3)} >= ${limit}`;
    const scale = 2 ** n.outScale;
    let worst = 0;
    for (let i = 0; i < lo.data.length; i++) worst = Math.max(worst, Math.abs(lo.data[i]) * scale, Math.abs(hi.data[i]) * scale);
    if (!(worst < limit)) return `node ${n.idx} ${n.label} (from '${n.source}') may reach ${worst.toFixed(0)} >= ${limit}`;
  }
  return undefined;
}

/**
 * What the circuit must cover for every input in the float box [lower, upper] (flat input vector) to prove, from one
 * interval analysis: `magnitude`, the largest fixed-point value any node (or range check inside one) can reach, and
 * where (the decomposition range); `lookupRange`, the integer range every lookup table must include (null without
 * lookups).
 */
export function boxCover(m: LoweredModel, lower: readonly number[], upper: readonly number[]): { magnitude: { idx: number; value: number }; lookupRange: [number, number] | null } {
  const { bounds, hidden } = analyzeBox(m, lower, upper);
  let magnitude = { idx: m.inputs[0].idx, value: 0 };
  let lo = Infinity, hi = -Infinity;
  for (const n of m.nodes) {
    if (n.lookup) {
      const [a, b] = lookupInputs(m, bounds, n);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    if (isConst(n)) continue;
    const r = bounds.get(n.idx)!;
    for (let i = 0; i < r.lo.data.length; i++) {
      const v = Math.max(Math.abs(r.lo.data[i]), Math.abs(r.hi.data[i])) * 2 ** n.outScale;
      if (!(v <= magnitude.value)) magnitude = { idx: n.idx, value: v };
    }
    const h = hidden.get(n.idx);
    if (h && !(h.value <= magnitude.value)) magnitude = { idx: n.idx, value: h.value };
  }
  return { magnitude, lookupRange: lo <= hi ? [lo, hi] : null };
}

/**
 * The admission of a declared box (`[lo, hi]` in floats for every input element, e.g. pixel values 0..16): the box
 * itself when every input in it proves, else a DomainError saying which node or lookup may fail.
 */
export function declaredAdmission(m: LoweredModel, ranges: CircuitRanges, box: readonly [number, number]): Admission {
  const scales = elementScales(m).map((e) => 2 ** e);
  const lower = scales.map((s) => Math.ceil(box[0] * s));
  const upper = scales.map((s) => Math.floor(box[1] * s));
  if (lower.some((l, i) => l > upper[i])) throw new DomainError(`the declared input range [${box}] holds no fixed-point value`);
  const problem = domainProblem(m, ranges, lower, upper);
  if (problem) throw new DomainError(`the declared input range [${box}] may not prove: ${problem}`);
  return { lower, upper, tolerance: 0, fastPath: "circuit-witness", method: "interval-bound-propagation", widening: 1 };
}

/**
 * The admission of a model: the calibration box (per-element min/max of the samples, at least one unit wide) around
 * its centre, widened by the largest factor in [MIN_WIDENING, MAX_WIDENING] for which domainProblem finds nothing
 * (binary search), in fixed point at the input scale. Throws DomainError if even the narrowest box may not prove.
 */
export function deriveAdmission(m: LoweredModel, ranges: CircuitRanges, samples: number[][]): Admission {
  const n = inputLength(m);
  if (samples.length === 0) throw new DomainError("no calibration samples to derive the input domain from");
  const scales = elementScales(m).map((e) => 2 ** e);
  const lo = new Array(n).fill(Infinity);
  const hi = new Array(n).fill(-Infinity);
  for (const x of samples) {
    if (x.length !== n) throw new DomainError(`calibration sample has ${x.length} values, the model input needs ${n}`);
    x.forEach((v, i) => {
      lo[i] = Math.min(lo[i], v * scales[i]);
      hi[i] = Math.max(hi[i], v * scales[i]);
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
