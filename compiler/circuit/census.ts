/**
 * Layout census: counts what ezkl v21's layout of a lowered graph uses — advice coordinates
 * (total_assignments), shuffle column coordinates and shuffles, distinct constants, range checks —
 * without the engine. It re-implements, in counting form, the cell accounting of ezkl's layout
 * functions (every `region.increment`, `flush` and column-boundary duplication), so the circuit can
 * be sized once, exactly, instead of by trial key generations.
 *
 * Values are described by their shape and whether their cells are already assigned (a node output),
 * unassigned witness values (inputs, claimed outputs) or constants; the counts of ezkl's layouts
 * depend only on that.
 */
import { roundFixedPoint } from "../../protocol/fixedPoint.js";
import type { IrNode, LoweredModel, OpKind, Serde } from "../graph/ir.js";
import { size } from "../graph/tensor.js";

type Kind = "assigned" | "value" | "const";
/** A tensor as the layout sees it: dims, what its cells are, and how many are constant zeros. */
interface TV {
  dims: number[];
  kind: Kind;
  /** constant elements (kind "const": all) */
  nConst: number;
  /** constant zero elements (removed by sum) */
  nZero: number;
}

const len = (t: TV) => size(t.dims);
const tv = (dims: number[], kind: Kind, nZero = 0): TV => ({ dims: dims.length ? dims : [1], kind, nConst: kind === "const" ? size(dims.length ? dims : [1]) : 0, nZero });
const constT = (n: number, zero = false): TV => tv([n], "const", zero ? n : 0);

export interface CensusResult {
  /** ezkl's total_assignments: advice coordinates (rows x inner columns) the layout uses */
  linearCoord: number;
  /** rows used (linearCoord / inner columns, rounded up) */
  rows: number;
  shuffles: number;
  /** shuffle column coordinates (total_shuffle_col_size) */
  shuffleColCoord: number;
  /** dynamic lookups (variable-index gathers, argmax) and their column coordinates (total_dynamic_col_size) */
  dynamicLookups: number;
  dynamicColCoord: number;
  maxDynamicInputLen: number;
  /** distinct constant values assigned (an upper bound of ezkl's total_const_size) */
  constants: number;
  /** range-check tables used */
  rangeChecks: [number, number][];
}

export interface CensusOptions {
  numInnerCols: number;
  decompBase: number;
  decompLegs: number;
  /** usable rows per column at the chosen logrows (2^k - blinding rows); sets where dot products wrap */
  colSize: number;
  /** count as ezkl's dummy pass does (gen-settings: outputs of assignments are not marked assigned, so they are
   *  range-checked again where the real layout skips them); default false = the real layout keygen performs */
  dummy?: boolean;
  /** called after each node with the coordinate reached (diagnostics) */
  trace?: (node: IrNode, coord: number) => void;
}

class Region {
  coord = 0;
  shuffleCoord = 0;
  shuffles = 0;
  dynamicCoord = 0;
  dynamicLookups = 0;
  maxDynamicInput = 0;
  readonly constants = new Set<bigint>();
  readonly ranges = new Map<string, [number, number]>();
  constructor(readonly o: CensusOptions) {}
  get cols() {
    return this.o.numInnerCols;
  }
  increment(n: number) {
    this.coord += n;
  }
  flush() {
    const r = this.coord % this.cols;
    if (r) this.coord += this.cols - r;
  }
  /** assign_with_duplication (unconstrained/constrained, multi-column): one extra row of `cols` cells per block crossed */
  dupLen(n: number): number {
    const block = this.o.colSize * this.cols;
    const start = this.coord % block;
    const crossings = Math.floor((start + n - 1) / block);
    return n + crossings * this.cols;
  }
  /** single-column shuffle / dynamic-lookup assignment: values must not wrap a column; returns the flush padding */
  shuffleFlush(n: number): number {
    const c = this.o.colSize;
    const at = (this.dynamicCoord + this.shuffleCoord) % c;
    return at + n > c ? c - at : 0;
  }
  dynamicFlush(n: number): number {
    return this.shuffleFlush(n);
  }
  constant(v: bigint | number) {
    this.constants.add(BigInt(v));
  }
  range(r: [number, number]) {
    this.ranges.set(`${r[0]},${r[1]}`, r);
  }
}

/** The count of ezkl's layout functions, one method each (same names, same order of calls). */
class Layouts {
  constructor(readonly r: Region) {}

  /** what an assignment returns: assigned cells (real layout) or the unassigned values (ezkl's dummy pass) */
  private out(dims: number[]): TV {
    return tv(dims, this.r.o.dummy ? "value" : "assigned");
  }

  private get legs() {
    return this.r.o.decompLegs;
  }
  private get base() {
    return this.r.o.decompBase;
  }

  pairwise(a: TV, b: TV): TV {
    const dims = broadcast(a.dims, b.dims);
    this.r.increment(size(dims));
    return this.out(dims);
  }

  enforceEquality(a: TV): TV {
    this.r.increment(len(a));
    return this.out(a.dims);
  }

  rangeCheck(n: number, range: [number, number]) {
    this.r.range(range);
    this.r.increment(n);
  }

  identity(x: TV, decomp: boolean): TV {
    if (x.kind === "assigned") return x;
    if (decomp) return this.decompose(x).input;
    this.r.increment(len(x));
    return this.out(x.dims);
  }

  booleanIdentity(x: TV, assign: boolean): TV {
    if (assign || x.nConst > 0) this.r.increment(len(x));
    this.rangeCheck(len(x), [0, 1]);
    return this.out(x.dims);
  }

  decompose(x: TV): { digits: TV; input: TV } {
    const n = len(x);
    const legs = this.legs;
    for (let i = 0; i < legs; i++) this.r.constant(BigInt(this.base) ** BigInt(i));
    this.r.increment(n * (legs + 1)); // claimed digits (sign + legs)
    this.rangeCheck(n, [-1, 1]); // sign
    this.equalsZero(this.out(x.dims)); // isZero(input)
    this.pairwise(this.out([n]), this.out([n])); // sign * isZero
    this.r.constant(0);
    this.enforceEquality(this.out([n]));
    this.rangeCheck(n * legs, [0, this.base - 1]); // digits
    this.einsumDots(n, legs); // sum digits * base powers
    this.pairwise(this.out([n]), this.out([n])); // * sign
    this.enforceEquality(this.out([n])); // == input
    return { digits: this.out([...x.dims, legs + 1]), input: this.out(x.dims) };
  }

  sign(x: TV): TV {
    this.decompose(x);
    return this.out(x.dims);
  }

  abs(x: TV): TV {
    const s = this.sign(x);
    return this.pairwise(x, s);
  }

  equalsZero(x: TV): TV {
    this.pairwise(x, x); // x * inverse
    this.r.constant(1);
    const out = this.pairwise(constT(1), x); // 1 - x * inverse
    this.pairwise(x, out); // x * out
    this.r.constant(0);
    this.enforceEquality(out);
    return out;
  }

  equals(a: TV, b: TV): TV {
    return this.equalsZero(this.pairwise(a, b));
  }

  greater(a: TV, b: TV): TV {
    const diff = this.pairwise(a, b);
    const s = this.sign(diff);
    this.r.constant(1);
    return this.equals(s, constT(1));
  }

  greaterEqual(a: TV, b: TV): TV {
    this.r.constant(1);
    return this.greater(this.pairwise(a, constT(1)), b);
  }

  less(a: TV, b: TV): TV {
    return this.greater(b, a);
  }

  lessEqual(a: TV, b: TV): TV {
    return this.greaterEqual(b, a);
  }

  and(a: TV, b: TV): TV {
    const x = this.booleanIdentity(a, true);
    const y = this.booleanIdentity(b, true);
    return this.pairwise(x, y);
  }

  iff(mask: TV, a: TV, b: TV): TV {
    this.r.constant(1);
    const m = this.booleanIdentity(mask, true);
    const oneMinus = this.pairwise(constT(1), m);
    const ma = this.pairwise(a, m);
    const mb = this.pairwise(b, oneMinus);
    return this.pairwise(ma, mb);
  }

  not(mask: TV): TV {
    this.r.constant(0);
    this.r.constant(1);
    return this.iff(mask, constT(1, true), constT(1));
  }

  /** dot product of two length-k vectors (ezkl `dot`) */
  dot(k: number) {
    this.r.flush();
    const padded = Math.ceil(k / this.r.cols) * this.r.cols;
    this.r.increment(this.r.dupLen(padded));
  }

  /** an einsum whose every output coordinate is one dot product of length k (ezkl's dot branch) */
  einsumDots(outputs: number, k: number) {
    this.r.flush();
    for (let i = 0; i < outputs; i++) this.dot(k);
  }

  /** ezkl `einsum` for two-operand equations */
  einsum(eq: string, a: TV, b: TV): TV {
    const [lhs, out] = eq.split("->");
    const [ia, ib] = lhs.split(",");
    const sizes = new Map<string, number>();
    [...ia].forEach((c, i) => sizes.set(c, a.dims[i]));
    [...ib].forEach((c, i) => sizes.set(c, b.dims[i]));
    for (const c of out) if (!sizes.has(c)) sizes.set(c, 1);
    const outDims = [...out].map((c) => sizes.get(c)!);
    const common = [...ia].filter((c) => ib.includes(c));
    const nonCommon = [...sizes.keys()].filter((c) => !common.includes(c));
    const nonCommonCoord = nonCommon.reduce((p, c) => p * (out.includes(c) ? 1 : sizes.get(c)!), 1);
    const outputs = size(outDims.length ? outDims : [1]);
    if (nonCommonCoord === 1) {
      const k = common.filter((c) => !out.includes(c)).reduce((p, c) => p * sizes.get(c)!, 1);
      this.einsumDots(outputs, k);
    } else {
      // products of all element pairs, summed pairwise (rare: outer-product-like equations)
      this.r.flush();
      const sa = [...ia].filter((c) => !out.includes(c) && !common.includes(c)).reduce((p, c) => p * sizes.get(c)!, 1);
      const sb = [...ib].filter((c) => !out.includes(c) && !common.includes(c)).reduce((p, c) => p * sizes.get(c)!, 1);
      const cc = common.filter((c) => !out.includes(c)).reduce((p, c) => p * sizes.get(c)!, 1);
      const pairs = sa * sb * cc;
      for (let i = 0; i < outputs; i++) {
        for (let p = 0; p < pairs; p++) {
          this.prod(2);
          if (p > 0) this.r.increment(1);
        }
      }
    }
    return this.out(outDims);
  }

  prod(n: number) {
    this.r.flush();
    const padded = Math.ceil(n / this.r.cols) * this.r.cols;
    this.r.increment(this.r.dupLen(padded));
  }

  sum(x: TV): TV {
    if (len(x) === 1) return x;
    this.r.flush();
    const n = len(x) - x.nZero;
    if (n === 0) return constT(1, true);
    const padded = Math.ceil(n / this.r.cols) * this.r.cols;
    this.r.increment(this.r.dupLen(padded));
    return this.out([1]);
  }

  conv(image: TV, kernel: TV, bias: TV | undefined, outDims: number[], k: number) {
    const assigned: number[] = [];
    if (kernel.kind !== "assigned") assigned.push(len(kernel));
    if (image.kind !== "assigned") assigned.push(len(image));
    if (assigned.length) this.r.increment(Math.max(...assigned));
    this.r.flush();
    const outputs = size(outDims);
    for (let i = 0; i < outputs; i++) {
      this.einsumDots(1, k);
      if (bias) this.pairwise(this.out([1]), tv([1], "const"));
      this.r.flush();
    }
    return this.out(outDims);
  }

  div(x: TV, d: number): TV {
    if (d === 1) return x;
    this.r.constant(d);
    const claimed = this.identity(tv(x.dims, "value"), true);
    const product = this.pairwise(claimed, constT(1));
    this.diffLessThan(x, product, d);
    return claimed;
  }

  diffLessThan(a: TV, b: TV, c: number) {
    const dist = this.abs(this.pairwise(a, b));
    this.r.constant(c);
    const isLess = this.less(dist, constT(1));
    this.r.constant(1);
    this.enforceEquality(isLess);
  }

  recip(x: TV, inputScale: number, outputScale: number): TV {
    this.r.constant(BigInt(inputScale) * BigInt(outputScale));
    const claimed = this.identity(tv(x.dims, "value"), true);
    this.r.constant(zeroRecip(outputScale));
    const eqZero = this.equalsZero(x);
    const notZero = this.not(eqZero);
    const eqInverse = this.equals(claimed, constT(1));
    const masked = this.pairwise(constT(1), notZero);
    this.enforceEquality(eqZero);
    void eqInverse;
    const err = (v: TV) => this.abs(this.pairwise(this.pairwise(v, x), masked));
    let isOpt = this.optimumConvex(claimed, err);
    isOpt = this.pairwise(isOpt, eqZero);
    this.enforceEquality(isOpt);
    return claimed;
  }

  optimumConvex(x: TV, f: (v: TV) => TV): TV {
    this.r.constant(1);
    const fx = f(x);
    const xp1 = this.pairwise(x, constT(1));
    const fxp1 = f(xp1);
    const xm1 = this.pairwise(x, constT(1));
    const fxm1 = f(xm1);
    const rhs = this.lessEqual(fx, fxp1);
    const lhs = this.less(fx, fxm1);
    return this.and(lhs, rhs);
  }

  leakyRelu(x: TV, alpha: number, scale: number): TV {
    const s = this.sign(x);
    this.r.constant(1);
    const mask = this.equals(s, tv(s.dims, "const"));
    const positive = this.pairwise(x, mask);
    if (alpha === 0) return positive;
    this.r.constant(2 ** scale);
    const rescaled = this.pairwise(positive, constT(1));
    const neg = this.not(mask);
    this.r.constant(quantizeF32(alpha, scale));
    const scaledNeg = this.pairwise(neg, constT(1));
    const negPart = this.pairwise(x, scaledNeg);
    return this.pairwise(rescaled, negPart);
  }

  nonlinearity(x: TV): TV {
    this.r.increment(len(x) - x.nConst);
    return this.out(x.dims);
  }

  /** sort ascending with a shuffle argument (ezkl `_sort_ascending`); for max/min, top-k, argmax/argmin */
  sortAscending(x: TV, collision: "unsorted" | "indexed" = "unsorted") {
    const n = len(x);
    if (n === 1) return;
    this.r.increment(n); // sorted copy
    this.shuffle(n);
    const wa = this.out([n - 1]);
    this.r.constant(1);
    if (collision === "unsorted") {
      const ge = this.greaterEqual(wa, wa);
      this.enforceEquality(ge);
      return;
    }
    // ties broken by index: greater, equals, greater/less on indices, and, or
    const gt = this.greater(wa, wa);
    const eq = this.equals(wa, wa);
    const gi = this.greater(wa, wa);
    const both = this.and(eq, gi);
    this.enforceEquality(this.or(gt, both));
  }

  or(a: TV, b: TV): TV {
    const y = this.booleanIdentity(b, true);
    return this.iff(a, a, y);
  }

  shuffle(n: number) {
    const flush = this.r.shuffleFlush(n);
    for (let i = 0; i < n; i++) this.r.constant(i);
    this.r.constant(this.r.shuffles);
    this.r.shuffleCoord += n + flush;
    this.r.shuffles += 1;
    this.r.increment(n);
  }

  /** dynamic lookup of `lookups` values in a table of `table` rows (ezkl `dynamic_lookup`) */
  dynamicLookup(lookups: number, table: number) {
    const flush = this.r.dynamicFlush(table);
    for (let i = 0; i < table; i++) this.r.constant(i);
    this.r.constant(this.r.dynamicLookups);
    this.r.dynamicCoord += table + flush;
    this.r.dynamicLookups += 1;
    this.r.maxDynamicInput = Math.max(this.r.maxDynamicInput, table);
    this.r.increment(lookups);
  }

  /** ezkl `select`: values[index] through a dynamic lookup on (position, value) */
  select(table: number, indices: number): TV {
    this.dynamicLookup(indices, table);
    return this.out([indices]);
  }

  /** argmax / argmin over a slice (ezkl `argmax`): claimed index, select, indexed sort, two equalities */
  argmax(x: TV): TV {
    this.r.increment(1);
    this.select(len(x), 1);
    this.sortAscending(x, "indexed");
    this.enforceEquality(this.out([1]));
    this.enforceEquality(this.out([1]));
    return this.out([1]);
  }

  /** an op applied to every slice along `axes` (ezkl `axes_wise_op`: no re-assignment) */
  axesWise(x: TV, axes: number[], op: (slice: TV) => TV): TV {
    if (!axes.length) return x;
    const outDims = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
    const sliceLen = axes.reduce((p, a) => p * x.dims[a], 1);
    const slices = size(outDims);
    for (let i = 0; i < slices; i++) op({ dims: [sliceLen], kind: x.kind, nConst: x.nConst ? Math.round(x.nConst / slices) : 0, nZero: 0 });
    return this.out(outDims);
  }

  /** an op applied to every slice along `axes` after assigning the input (ezkl `multi_dim_axes_op`) */
  multiDimAxes(x: TV, axes: number[], op: (slice: TV) => TV, outDims: number[]): TV {
    let input = x;
    if (input.kind !== "assigned") {
      this.r.increment(len(input));
      input = this.out(input.dims);
    }
    if (input.dims.length === 1) {
      op(input);
      return this.out(outDims);
    }
    const sliceLen = axes.reduce((p, a) => p * input.dims[a], 1);
    const slices = len(input) / sliceLen;
    for (let i = 0; i < slices; i++) op({ dims: [sliceLen], kind: input.kind, nConst: 0, nZero: 0 });
    return this.out(outDims);
  }

  pow(x: TV, e: number): TV {
    let t = x;
    for (let i = 1; i < e; i++) t = this.pairwise(t, x);
    return t;
  }

  meanOfSquares(x: TV, axes: number[]): TV {
    const sq = this.pow(x, 2);
    const summed = this.axesWise(sq, axes, (s) => this.sum(s));
    return this.div(summed, len(x) / len(summed));
  }

  maxComp(a: TV, b: TV): TV {
    const gt = this.greater(a, b);
    const lt = this.not(gt);
    const p1 = this.pairwise(a, gt);
    const p2 = this.pairwise(b, lt);
    return this.pairwise(p1, p2);
  }

  sqrt(x: TV, scale: number): TV {
    this.r.constant(scale);
    const claimed = this.abs(tv(x.dims, "value"));
    const rescaled = this.pairwise(x, constT(1));
    const err = (v: TV) => this.abs(this.pairwise(this.pairwise(v, v), rescaled));
    const isOpt = this.optimumConvex(claimed, err);
    this.r.constant(1);
    this.enforceEquality(isOpt);
    return claimed;
  }

  /** ezkl `linearize_element_index` + `select` for Gather with variable indices along `dim` */
  gather(input: TV, indices: number, dim: number): TV {
    const iter = [...input.dims];
    iter[dim] = indices;
    const n = size(iter);
    for (let i = 0; i < n; i++) {
      this.pairwise(tv([1], "assigned"), constT(1));
      this.pairwise(tv([1], "assigned"), constT(1));
    }
    return this.select(len(input), n);
  }

  gatherElements(input: TV, index: TV): TV {
    const n = len(index);
    if (index.dims.length > 1) for (let i = 0; i < n; i++) {
      this.pairwise(tv([1], "assigned"), constT(1));
      this.pairwise(tv([1], "assigned"), constT(1));
    }
    return this.select(len(input), n);
  }

  max(x: TV): TV {
    this.sortAscending(x);
    return len(x) === 1 ? x : this.out([1]);
  }

  softmax(x: TV, inScale: number, outScale: number): TV {
    const m = this.max(x);
    const sub = this.pairwise(x, m);
    let ex = this.nonlinearity(sub);
    // percent
    if (ex.kind !== "assigned") {
      this.r.increment(len(ex));
      ex = this.out(ex.dims);
    }
    const denom = this.sum(ex);
    const inv = this.recip(denom, inScale, outScale);
    return this.pairwise(ex, inv);
  }
}

function broadcast(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) out.push(Math.max(a[a.length - r + i] ?? 1, b[b.length - r + i] ?? 1));
  return out;
}

const quantizeF32 = (x: number, scale: number) => BigInt(roundFixedPoint(x, scale));
/** ezkl's reciprocal of zero at an output scale: round(out / f64::EPSILON), a sentinel constant */
const zeroRecip = (outputScale: number) => BigInt(outputScale) * 2n ** 52n;

type Obj = { readonly [k: string]: Serde };
const obj = (v: Serde): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const variant = (v: Serde): [string, Serde] => {
  if (typeof v === "string") return [v, null];
  const o = obj(v);
  const k = Object.keys(o)[0];
  return [k, o[k]];
};
const nums = (v: Serde): number[] => (Array.isArray(v) ? (v as number[]) : []);
const pairs = (v: Serde): [number, number][] => (Array.isArray(v) ? (v as [number, number][]) : []);

export class CensusUnsupportedError extends Error {
  constructor(op: string) {
    super(`the layout census does not know op ${op}`);
    this.name = "CensusUnsupportedError";
  }
}

/** Count the layout of a lowered model (inputs and outputs public, parameters fixed). */
export function layoutCensus(m: LoweredModel, o: CensusOptions): CensusResult {
  const r = new Region(o);
  const L = new Layouts(r);
  const byIdx = new Map(m.nodes.map((n) => [n.idx, n]));
  const values = new Map<number, TV>();
  const outIdx = m.outputs.map((o) => o.idx);
  const asg: Kind = o.dummy ? "value" : "assigned";

  const layoutOp = (op: OpKind, node: IrNode, ins: TV[]): TV => {
    const [v, p] = variant(op);
    const x = ins[0];
    switch (v) {
      case "Input":
        // booleans are constrained to {0, 1}, other inputs range-checked by decomposition
        if (obj(p).datum_type === "Bool") return L.booleanIdentity(tv(node.outDims, "value"), true);
        return L.identity(tv(node.outDims, "value"), obj(p).decomp === true);
      case "Constant":
        return tv(node.outDims, "const");
      case "RebaseScale": {
        const q = obj(p);
        const inner = layoutOp(q.inner, node, ins);
        const denom = Number(obj(obj(q.rebase_op).Div).denom);
        return Number.isInteger(denom) ? L.div(inner, denom) : L.nonlinearity(inner);
      }
      case "Rescaled": {
        const q = obj(p);
        const scaled = ins.map((t, i) => {
          const mult = pairs(q.scale).find(([j]) => j === i)?.[1] ?? 1;
          if (mult === 1) return t;
          r.constant(mult);
          return L.pairwise(t, constT(1));
        });
        return layoutOp(q.inner, node, scaled);
      }
      case "Nonlinear":
        return L.nonlinearity(x);
      case "Linear": {
        const [pv, pp] = variant(p);
        switch (pv) {
          case "Add": case "Sub": case "Mult":
            return L.pairwise(ins[0], ins[1]);
          case "Reshape": case "Flatten":
            return { ...x, dims: node.outDims };
          case "Einsum":
            return L.einsum(String(obj(pp).equation), ins[0], ins[1]);
          case "LeakyReLU": {
            const q = obj(pp);
            return L.leakyRelu(x, Number(q.slope), Number(q.scale));
          }
          case "Conv": {
            const w = ins[1];
            const k = size(w.dims.slice(1));
            return L.conv(x, w, ins[2], node.outDims, k);
          }
          case "DeConv": {
            // conv (stride 1, no padding) over the stride-expanded, kernel-padded image (mixed zeros)
            const w = ins[1];
            const q = obj(pp);
            const k = size(w.dims.slice(1)); // the kernel is OIHW: C_in/group x spatial
            const expanded = x.dims.map((d, i) => (i < 2 ? d : (d - 1) * nums(q.stride)[i - 2] + 1 + 2 * (w.dims[i] - 1) - pairs(q.padding)[i - 2][0] - pairs(q.padding)[i - 2][1] + nums(q.output_padding)[i - 2]));
            return L.conv({ dims: expanded, kind: "value", nConst: 1, nZero: 1 }, w, ins[2], node.outDims, k);
          }
          case "Abs":
            return L.abs(x);
          case "Sign":
            return L.sign(x);
          case "Neg":
            r.constant(0);
            return L.pairwise(constT(1, true), x);
          case "Identity":
            return L.identity(x, false);
          case "Pow":
            return L.pow(x, Number(pp));
          case "Sum":
            return L.axesWise(x, nums(obj(pp).axes), (sl) => L.sum(sl));
          case "MeanOfSquares":
            return L.meanOfSquares(x, nums(obj(pp).axes));
          case "Iff":
            return L.iff(ins[0], ins[1], ins[2]);
          case "Concat": case "MoveAxis":
            return { dims: node.outDims, kind: ins.every((t) => t.kind === "assigned") ? "assigned" : ins.every((t) => t.kind === "const") ? "const" : "value", nConst: ins.reduce((n, t) => n + t.nConst, 0), nZero: ins.reduce((n, t) => n + t.nZero, 0) };
          case "Pad": {
            const pad = size(node.outDims) - len(x);
            return { dims: node.outDims, kind: "value", nConst: x.nConst + pad, nZero: x.nZero + pad };
          }
          case "Slice":
            L.identity(x, false);
            return tv(node.outDims, asg);
          case "MultiBroadcastTo":
            r.increment(size(node.outDims));
            return tv(node.outDims, asg);
          case "Resize":
            r.increment(len(x));
            return tv(node.outDims, asg);
          case "GatherElements":
            if (obj(pp).constant_idx !== null) return { ...x, dims: node.outDims };
            return L.gatherElements(x, ins[1]);
          default:
            throw new CensusUnsupportedError(`Linear.${pv}`);
        }
      }
      case "Hybrid": {
        const [hv, hp] = variant(p);
        const q = obj(hp);
        switch (hv) {
          case "SumPool": {
            const kernel = nums(q.kernel_shape);
            const kl = size(kernel);
            r.constant(1);
            r.increment(kl); // the unit kernel
            const unit = tv([1, 1, ...kernel], o.dummy ? "const" : "assigned");
            const [b, c] = x.dims;
            const outSpatial = node.outDims.slice(2);
            for (let i = 0; i < b * c; i++) L.conv(tv([1, 1, ...x.dims.slice(2)], x.kind, x.nZero), unit, undefined, [1, 1, ...outSpatial], kl);
            const out = tv(node.outDims, asg);
            return q.normalized === true ? L.div(out, kl) : out;
          }
          case "MaxPool": {
            const k = size(nums(q.pool_dims));
            const windows = size(node.outDims);
            for (let i = 0; i < windows; i++) L.max(tv([k], x.kind));
            return tv(node.outDims, asg);
          }
          case "Softmax": {
            const axes = nums(q.axes);
            let input = x;
            if (input.kind !== "assigned") {
              r.increment(len(input));
              input = tv(input.dims, asg);
            }
            const inScale = Number(q.input_scale), outScale = Number(q.output_scale);
            if (input.dims.length === 1) return L.softmax(input, inScale, outScale);
            const sliceLen = axes.reduce((p, a) => p * input.dims[a], 1);
            const slices = len(input) / sliceLen;
            for (let i = 0; i < slices; i++) L.softmax(tv([sliceLen], input.kind), inScale, outScale);
            return tv(node.outDims, asg);
          }
          case "Div": {
            const d = Number(q.denom);
            return Number.isInteger(d) ? L.div(x, d) : L.nonlinearity(x);
          }
          case "Max": case "Min":
            return L.maxComp(ins[0], ins[1]);
          case "Greater": case "Less":
            return L.greater(ins[0], ins[1]);
          case "GreaterEqual": case "LessEqual":
            return L.greaterEqual(ins[0], ins[1]);
          case "Equals":
            return L.equals(ins[0], ins[1]);
          case "ReduceMax": case "ReduceMin":
            return L.axesWise(x, nums(q.axes), (sl) => L.max(sl));
          case "ReduceArgMax": case "ReduceArgMin":
            return L.axesWise(x, [Number(q.dim)], (sl) => L.argmax(sl));
          case "TopK": {
            const dim = Number(q.dim);
            return L.multiDimAxes(x, [dim], (sl) => {
              L.sortAscending(sl);
              return sl;
            }, node.outDims);
          }
          case "Recip":
            return L.recip(x, Number(q.input_scale), Number(q.output_scale));
          case "Sqrt":
            return L.sqrt(x, Number(q.scale));
          case "Rsqrt":
            return L.recip(L.sqrt(x, Number(q.input_scale)), Number(q.input_scale), Number(q.output_scale));
          case "Gather":
            if (q.constant_idx !== null) return { ...x, dims: node.outDims };
            return L.gather(x, len(ins[1]), Number(q.dim));
          default:
            throw new CensusUnsupportedError(`Hybrid.${hv}`);
        }
      }
      default:
        throw new CensusUnsupportedError(v);
    }
  };

  for (const node of m.nodes) {
    const ins = node.inputs.map((i) => values.get(i)!);
    let out: TV;
    if (node.label === "Constant") {
      const n = byIdx.get(node.idx)!;
      const q = obj(obj(n.opkind).Constant).quantized_values;
      const vals = Array.isArray(obj(q).inner) ? (obj(q).inner as readonly bigint[]) : [];
      const t = tv(node.outDims, "const", vals.filter((x) => x === 0n).length);
      // a constant used more than once is assigned once (identity, no decomposition)
      if (node.numUses > 1) {
        for (const c of vals) r.constant(c);
        out = L.identity(t, false);
      } else {
        for (const c of vals) r.constant(c);
        out = t;
      }
    } else out = layoutOp(node.opkind, node, ins);
    values.set(node.idx, out);
    o.trace?.(node, r.coord);
  }
  // public outputs: the instance copy is range-checked (decomposed) and constrained equal to the result
  for (const i of outIdx) {
    const res = values.get(i)!;
    const assigned = L.identity(res, true);
    const comparator = L.identity(tv(res.dims, "value"), true);
    void assigned;
    L.enforceEquality(comparator);
  }
  return {
    linearCoord: r.coord,
    rows: Math.ceil(r.coord / o.numInnerCols),
    shuffles: r.shuffles,
    shuffleColCoord: r.shuffleCoord,
    dynamicLookups: r.dynamicLookups,
    dynamicColCoord: r.dynamicCoord,
    maxDynamicInputLen: r.maxDynamicInput,
    constants: r.constants.size,
    rangeChecks: [...r.ranges.values()],
  };
}
