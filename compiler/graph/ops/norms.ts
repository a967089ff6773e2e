/**
 * LayerNormalization and InstanceNormalization as ezkl lowers the graphs exporters emit:
 *   mean = Sum(x)·(1/n); d = x - mean; var = MeanOfSquares(d); y = d · Rsqrt(var + eps) · gamma + beta
 * over the last axes from `axis` (LayerNorm) or the spatial axes (InstanceNorm, gamma/beta per channel).
 * An epsilon below one fixed-point unit at the variance's scale is raised to one unit: quantized to 0 (1e-5 at scale
 * 7), a row whose elements are all equal has variance 0 and its reciprocal square root cannot be proven (ezkl's
 * reciprocal of 0 overflows every range check), and nothing bounds the output for the admitted input domain.
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { binary, reduce, reshape, type Tensor } from "../tensor.js";
import { addConst, addSub, mul } from "./compose.js";
import { rsqrt } from "./math.js";
import { sumAxes } from "./reduce.js";

function axesOf(n: OpContext, rank: number): number[] {
  if (n.op === "InstanceNormalization") return Array.from({ length: rank - 2 }, (_, i) => i + 2);
  let axis = n.int("axis", -1);
  if (axis < 0) axis += rank;
  return Array.from({ length: rank - axis }, (_, i) => i + axis);
}

/** gamma/beta at x's rank: over the normalized (last) axes (LayerNorm) or per channel (InstanceNorm). */
function affineShape(n: OpContext, t: Tensor, dims: number[]): Tensor {
  if (n.op === "InstanceNormalization") return reshape(t, dims.map((d, i) => (i === 1 ? d : 1)));
  return reshape(t, [...new Array(dims.length - t.dims.length).fill(1), ...t.dims]);
}

function float(n: OpContext, x: Tensor, gamma: Tensor, beta: Tensor | undefined): Tensor {
  const axes = axesOf(n, x.dims.length);
  const eps = n.float("epsilon", 1e-5);
  const mean = reduce(x, axes, 0, (a, v) => a + v, (a, c) => a / c);
  const d = binary(x, mean, (a, b) => a - b, n.where);
  const v = reduce(d, axes, 0, (a, t) => a + t * t, (a, c) => a / c);
  let y = binary(d, v, (a, b) => a / Math.sqrt(b + eps), n.where);
  y = binary(y, affineShape(n, gamma, x.dims), (a, b) => a * b, n.where);
  return beta ? binary(y, affineShape(n, beta, x.dims), (a, b) => a + b, n.where) : y;
}

export const norms: OpLowering = {
  ops: ["LayerNormalization", "InstanceNormalization"],
  fold: (n) => float(n, n.constant(0)!, n.constant(1)!, n.constant(2)),
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const gamma = n.constant(1), beta = n.constant(2);
    if (!gamma || (n.ins[2] && !beta)) throw n.unsupported("scale and bias must be constants");
    const dims = g.dimsOf(x);
    const axes = axesOf(n, dims.length);
    const mean = sumAxes(n, x, axes, true);
    const d = addSub(g, x, mean, "Sub", n.name);
    const v = g.op({ Linear: { MeanOfSquares: { axes } } }, 2 * g.scaleOf(d), [d],
      (t) => reduce(t[0], axes, 0, (a, e) => a + e * e, (a, c) => a / c), "MeanOfSquares", n.name);
    const r = rsqrt(g, addConst(g, v, Math.max(n.float("epsilon", 1e-5), 2 ** -g.scaleOf(v)), n.name), n.name);
    let y = mul(g, d, r, n.name);
    const gq = g.constant(affineShape(n, gamma, dims), g.paramScale, n.name);
    y = g.op({ Linear: "Mult" }, g.scaleOf(y) + g.paramScale, [y, gq], (t) => binary(t[0], t[1], (a, b) => a * b, n.where), "Mult", n.name);
    if (beta) {
      const bq = g.constant(affineShape(n, beta, dims), g.scaleOf(y), n.name);
      y = g.op({ Linear: "Add" }, g.scaleOf(y), [y, bq], (t) => binary(t[0], t[1], (a, b) => a + b, n.where), "Add", n.name);
    }
    return nodeValue(y);
  },
};
