/**
 * Add, Sub, Mul. Two variables: Add/Sub at a common scale (the lower one multiplied up: ezkl Rescaled),
 * Mul adds scales. A variable and a constant: the constant is broadcast to the variable's shape and
 * quantized at the variable's scale (Add/Sub) or at param_scale (Mul).
 */
import { nodeValue, type OpLowering } from "../context.js";
import { binary, expand, tensor, type Tensor } from "../tensor.js";

const FN: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
};

export const arithmetic: OpLowering = {
  ops: ["Add", "Sub", "Mul"],
  fold: (n) => binary(n.constant(0)!, n.constant(1)!, FN[n.op], n.where),
  lower(n) {
    const g = n.g;
    const kind = n.op;
    const f = FN[kind];
    const a0 = n.variable(0), b0 = n.variable(1);
    const label = kind === "Mul" ? "Mult" : kind;
    const linear = { Linear: label };
    const kernel = (v: Tensor[]) => binary(v[0], v[1], f, n.where);
    if (a0 !== undefined && b0 !== undefined) {
      // operands of different ranks are aligned first (ezkl broadcasts left-aligned)
      const rank = Math.max(g.dimsOf(a0).length, g.dimsOf(b0).length);
      const a = g.atRank(a0, rank, n.name), b = g.atRank(b0, rank, n.name);
      const sa = g.scaleOf(a), sb = g.scaleOf(b);
      // different shapes broadcast (ezkl's pairwise layout expands both operands)
      try {
        binary(tensor(g.dimsOf(a)), tensor(g.dimsOf(b)), () => 0, n.where);
      } catch (e) {
        throw n.unsupported((e as Error).message);
      }
      if (kind === "Mul") return nodeValue(g.op(linear, sa + sb, [a, b], kernel, "Mult", n.name));
      if (sa !== sb) {
        const s = Math.max(sa, sb);
        const inner = { Rescaled: { inner: linear, scale: [[0, 2 ** (s - sa)], [1, 2 ** (s - sb)]] } };
        return nodeValue(g.op(inner, s, [a, b], kernel, `Rescaled(${kind})`, n.name));
      }
      return nodeValue(g.op(linear, sa, [a, b], kernel, kind, n.name));
    }
    const x = (a0 ?? b0)!;
    const c = (n.constant(0) ?? n.constant(1))!;
    const outDims = g.dimsOf(x);
    let full: Tensor;
    try {
      const bdims = binary(tensor(outDims), tensor(c.dims), () => 0, n.where).dims;
      if (bdims.join() !== outDims.join()) throw new Error(`the constant would broadcast the variable [${outDims}] to [${bdims}]`);
      full = expand(c, outDims);
    } catch (e) {
      throw n.unsupported((e as Error).message);
    }
    const cs = kind === "Mul" ? g.paramScale : g.scaleOf(x);
    const cq = g.constant(full, cs, n.name);
    const order = a0 !== undefined ? [x, cq] : [cq, x];
    const outScale = kind === "Mul" ? g.scaleOf(x) + cs : g.scaleOf(x);
    return nodeValue(g.op(linear, outScale, order, kernel, label, n.name));
  },
};
