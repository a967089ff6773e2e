/** Div by a constant: x / c -> x · (1/c), the reciprocal quantized at param_scale (Mult adds the scales). */
import { nodeValue, type OpLowering } from "../context.js";
import { binary, expand, map } from "../tensor.js";

export const div: OpLowering = {
  ops: ["Div"],
  fold: (n) => binary(n.constant(0)!, n.constant(1)!, (x, y) => x / y, n.where),
  lower(n) {
    const g = n.g;
    const a = n.variable(0), d = n.constant(1);
    if (a === undefined || !d) throw n.unsupported("only division by a constant is supported");
    const recip = map(d, (x) => 1 / x);
    const cq = g.constant(expand(recip, g.dimsOf(a)), g.paramScale, n.name);
    return nodeValue(g.op({ Linear: "Mult" }, g.scaleOf(a) + g.paramScale, [a, cq], (v) => binary(v[0], v[1], (x, y) => x * y, n.where), "Mult", n.name));
  },
};
