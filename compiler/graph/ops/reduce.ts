/**
 * Reductions, as ezkl lowers them: ReduceSum -> Sum{axes}; ReduceMean -> Sum, then x/n (a free scale
 * shift when n is a power of two, else a multiplication by 1/n at param_scale, rebased); ReduceMax/Min
 * -> ReduceMax/ReduceMin (sort + shuffle per slice); ReduceL1 -> Abs + Sum; ReduceSumSquare -> Pow(2)
 * + Sum; ReduceL2 -> Pow(2) + Sum + Sqrt. keepdims=0 adds a free Reshape.
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { map, reduce as reduceT, reshape, tensor, type Tensor } from "../tensor.js";
import { reducedDims, reductionAxes } from "./axes.js";

const sum = (x: Tensor, axes: number[]) => reduceT(x, axes, 0, (a, v) => a + v);

function kernel(op: string, x: Tensor, axes: number[]): Tensor {
  switch (op) {
    case "ReduceSum": return sum(x, axes);
    case "ReduceMean": return reduceT(x, axes, 0, (a, v) => a + v, (a, n) => a / n);
    case "ReduceMax": return reduceT(x, axes, -Infinity, Math.max);
    case "ReduceMin": return reduceT(x, axes, Infinity, Math.min);
    case "ReduceL1": return reduceT(x, axes, 0, (a, v) => a + Math.abs(v));
    case "ReduceL2": return reduceT(x, axes, 0, (a, v) => a + v * v, (a) => Math.sqrt(a));
    case "ReduceSumSquare": return reduceT(x, axes, 0, (a, v) => a + v * v);
    case "ReduceLogSumExp": return reduceT(x, axes, 0, (a, v) => a + Math.exp(v), (a) => Math.log(a));
    default: throw new Error(op);
  }
}

/** Sum over axes (ezkl Sum), then optionally multiply by 1/n the way ezkl does (scale shift or Mult + rebase). */
export function sumAxes(n: OpContext, x: number, axes: number[], mean: boolean): number {
  const g = n.g;
  const s = g.op({ Linear: { Sum: { axes } } }, g.scaleOf(x), [x], (v) => sum(v[0], axes), "Sum", n.name);
  if (!mean) return s;
  const count = axes.reduce((p, a) => p * g.dimsOf(x)[a], 1);
  return scaleBy(n, s, 1 / count);
}

/**
 * x * c for a scalar constant c: when 1/c is a power of two this is free (ezkl's Identity with a higher
 * out_scale: the same integers read at a finer scale); otherwise a Mult by c at param_scale, rebased.
 */
export function scaleBy(n: OpContext, x: number, c: number): number {
  const g = n.g;
  const log = Math.log2(1 / c);
  if (c > 0 && c < 1 && Number.isInteger(log)) {
    const out = g.scaleOf(x) + log;
    return g.op({ Linear: { Identity: { out_scale: out } } }, out, [x], (v) => map(v[0], (t) => t * c), "Identity", n.name);
  }
  const k = g.constant(tensor([1], [c]), g.paramScale, n.name);
  return g.op({ Linear: "Mult" }, g.scaleOf(x) + g.paramScale, [x, k], (v) => map(v[0], (t) => t * v[1].data[0]), "Mult", n.name);
}

export const reduce: OpLowering = {
  ops: ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceL1", "ReduceL2", "ReduceSumSquare"],
  fold(n) {
    const x = n.constant(0)!;
    const axes = reductionAxes(n, x.dims.length);
    const r = axes.length ? kernel(n.op, x, axes) : x;
    return reshape(r, reducedDims(x.dims, axes, n.int("keepdims", 1) === 1));
  },
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const dims = g.dimsOf(x);
    const axes = reductionAxes(n, dims.length);
    if (!axes.length) return n.ins[0]!;
    let y: number;
    switch (n.op) {
      case "ReduceSum": y = sumAxes(n, x, axes, false); break;
      case "ReduceMean": y = sumAxes(n, x, axes, true); break;
      case "ReduceMax": case "ReduceMin":
        y = g.op({ Hybrid: { [n.op]: { axes } } }, g.scaleOf(x), [x], (v) => kernel(n.op, v[0], axes), n.op, n.name);
        break;
      case "ReduceL1": {
        const a = g.op({ Linear: "Abs" }, g.scaleOf(x), [x], (v) => map(v[0], Math.abs), "Abs", n.name);
        y = sumAxes(n, a, axes, false);
        break;
      }
      case "ReduceSumSquare": case "ReduceL2": {
        const sq = g.op({ Linear: { Pow: 2 } }, 2 * g.scaleOf(x), [x], (v) => map(v[0], (t) => t * t), "Pow", n.name);
        y = sumAxes(n, sq, axes, false);
        if (n.op === "ReduceL2") y = g.op({ Hybrid: { Sqrt: { scale: 2 ** g.scaleOf(y) } } }, g.scaleOf(y), [y], (v) => map(v[0], Math.sqrt), "Sqrt", n.name);
        break;
      }
      default:
        throw n.unsupported();
    }
    const out = reducedDims(dims, axes, n.int("keepdims", 1) === 1);
    if (out.join() === g.dimsOf(y).join()) return nodeValue(y);
    return nodeValue(g.op({ Linear: { Reshape: out.length ? out : [1] } }, g.scaleOf(y), [y], (v) => reshape(v[0], out.length ? out : [1]), "Reshape", n.name));
  },
};
