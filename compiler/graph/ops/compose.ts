/**
 * Building blocks for ops that ezkl lowers as small graphs (activations, norms, recurrent cells):
 * each adds ezkl nodes with its scale rule and a float kernel.
 */
import type { LoweringContext } from "../context.js";
import { binary, map, tensor } from "../tensor.js";
import { scaleBy } from "./reduce.js";
import type { OpContext } from "../context.js";

const pair = (f: (a: number, b: number) => number, where: string) => (v: { dims: number[]; data: Float64Array }[]) => binary(v[0], v[1], f, where);

/** x + c for a scalar constant c (the constant at x's scale). */
export function addConst(g: LoweringContext, x: number, c: number, source: string): number {
  const k = g.constant(tensor([1], [c]), g.scaleOf(x), source);
  return g.op({ Linear: "Add" }, g.scaleOf(x), [x, k], pair((a, b) => a + b, source), "Add", source);
}

/** x * c for a scalar constant (free when 1/c is a power of two). */
export const mulConst = (n: OpContext, x: number, c: number): number => (c === 1 ? x : scaleBy(n, x, c));

/** min(x, c) / max(x, c) for a scalar constant (ezkl Hybrid Min/Max, the constant at x's scale). */
export function minMaxConst(g: LoweringContext, x: number, c: number, which: "Min" | "Max", source: string): number {
  const k = g.constant(tensor([1], [c]), g.scaleOf(x), source);
  return g.op({ Hybrid: which }, g.scaleOf(x), [x, k], pair(which === "Min" ? Math.min : Math.max, source), which, source);
}

/** x * y of two variables (scales add, rebased). */
export function mul(g: LoweringContext, x: number, y: number, source: string): number {
  return g.op({ Linear: "Mult" }, g.scaleOf(x) + g.scaleOf(y), [x, y], pair((a, b) => a * b, source), "Mult", source);
}

/** x + y or x - y of two variables at a common scale. */
export function addSub(g: LoweringContext, x: number, y: number, kind: "Add" | "Sub", source: string): number {
  const h = g.homogenize({ Linear: kind }, [x, y], [0, 1]);
  return g.op(h.opkind, h.scale, [x, y], pair(kind === "Add" ? (a, b) => a + b : (a, b) => a - b, source), h.scale === g.scaleOf(x) && h.scale === g.scaleOf(y) ? kind : `Rescaled(${kind})`, source);
}

/** max(x, 0) (ezkl LeakyReLU with slope 0). */
export const relu = (g: LoweringContext, x: number, source: string): number =>
  g.op({ Linear: { LeakyReLU: { slope: 0, scale: 1 } } }, g.scaleOf(x), [x], (v) => map(v[0], (t) => Math.max(0, t)), "ReLU", source);

/** 1 where x < 0, else 0 (ezkl Hybrid Less against a zero constant; scale 0). */
export function negativeMask(g: LoweringContext, x: number, source: string): number {
  const z = g.constant(tensor([1], [0]), g.scaleOf(x), source);
  return g.op({ Hybrid: "Less" }, 0, [x, z], pair((a, b) => +(a < b), source), "Less", source);
}

/** mask ? a : b (ezkl Iff; branches at a common scale). */
export function select(g: LoweringContext, mask: number, a: number, b: number, source: string): number {
  const h = g.homogenize({ Linear: "Iff" }, [mask, a, b], [1, 2]);
  return g.op(h.opkind, h.scale, [mask, a, b], (v) => {
    const dims = binary(binary(v[0], v[1], () => 0, source), v[2], () => 0, source).dims;
    const out = tensor(dims);
    const m = binary(v[0], tensor(dims), (p) => p, source), A = binary(v[1], tensor(dims), (p) => p, source), B = binary(v[2], tensor(dims), (p) => p, source);
    for (let i = 0; i < out.data.length; i++) out.data[i] = m.data[i] ? A.data[i] : B.data[i];
    return out;
  }, "Iff", source);
}
