/** Gemm: Y = alpha·A·B(ᵀ) + beta·C -> Einsum (+ Add of the constant bias at the product's scale). */
import { nodeValue, type OpLowering } from "../context.js";
import { binary, einsum, expand, map } from "../tensor.js";

export const gemm: OpLowering = {
  ops: ["Gemm"],
  lower(n) {
    const g = n.g;
    const a = n.variable(0);
    if (a === undefined) throw n.unsupported("input A must be the variable operand");
    if (n.int("transA", 0)) throw n.unsupported("transA=1 is not supported");
    const alpha = n.float("alpha", 1), beta = n.float("beta", 1);
    const transB = n.int("transB", 0) === 1;
    const bc = n.constant(1);
    let b: number;
    if (bc) b = g.constant(alpha === 1 ? bc : map(bc, (x) => x * alpha), g.paramScale, n.name);
    else {
      if (alpha !== 1) throw n.unsupported("alpha != 1 with a variable B");
      b = n.requireVariable(1);
    }
    const eq = transB ? "mk,nk->mn" : "mk,kn->mn";
    const e = g.op({ Linear: { Einsum: { equation: eq } } }, g.scaleOf(a) + g.scaleOf(b), [a, b], (v) => einsum(eq, v[0], v[1]), "Einsum", n.name);
    const cc = n.constant(2);
    if (n.ins[2] && !cc) throw n.unsupported("bias C must be a constant");
    if (!cc) return nodeValue(e);
    const bias = expand(beta === 1 ? cc : map(cc, (x) => x * beta), g.dimsOf(e));
    const bq = g.constant(bias, g.scaleOf(e), n.name);
    return nodeValue(g.op({ Linear: "Add" }, g.scaleOf(e), [e, bq], (v) => binary(v[0], v[1], (x, y) => x + y, n.where), "Add", n.name));
  },
};
