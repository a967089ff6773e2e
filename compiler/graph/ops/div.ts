/**
 * Div. By a constant: x · (1/c), the reciprocal quantized at param_scale (Mult adds the scales, rebased).
 * By a tensor: ezkl's Recip of the divisor (output at max(global, input) scale) times the dividend.
 */
import { nodeValue, type OpLowering } from "../context.js";
import { binary, expand, map } from "../tensor.js";
import { mul } from "./compose.js";
import { maxRank, operand } from "./logic.js";
import { recip } from "./math.js";

export const div: OpLowering = {
  ops: ["Div"],
  fold: (n) => binary(n.constant(0)!, n.constant(1)!, (x, y) => x / y, n.where),
  lower(n) {
    const g = n.g;
    const a = n.variable(0), d = n.constant(1);
    if (a !== undefined && d) {
      const r = map(d, (x) => 1 / x);
      const cq = g.constant(expand(r, g.dimsOf(a)), g.paramScale, n.name);
      return nodeValue(g.op({ Linear: "Mult" }, g.scaleOf(a) + g.paramScale, [a, cq], (v) => binary(v[0], v[1], (x, y) => x * y, n.where), "Mult", n.name));
    }
    const b = n.variable(1);
    if (b === undefined) throw n.unsupported("a constant divided by a constant is folded; this node has no divisor");
    const rank = maxRank(n);
    const r = g.atRank(recip(g, b, n.name), rank, n.name);
    const num = operand(n, 0, g.paramScale, rank);
    return nodeValue(mul(g, num, r, n.name));
  },
};
