/**
 * BatchNormalization not folded into its producer (see passes/foldBatchNorm.ts):
 * y = x · k + (beta - mean · k) per channel (axis 1), k = gamma / sqrt(var + eps).
 */
import { nodeValue, type OpLowering } from "../context.js";
import { binary, expand, tensor } from "../tensor.js";

export const batchNorm: OpLowering = {
  ops: ["BatchNormalization"],
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const [gamma, beta, mean, variance] = [n.constant(1), n.constant(2), n.constant(3), n.constant(4)];
    if (!gamma || !beta || !mean || !variance) throw n.unsupported("statistics must be constants");
    const eps = n.float("epsilon", 1e-5);
    const inDims = g.dimsOf(x);
    const cshape = inDims.map((d, i) => (i === 1 ? d : 1));
    const k = tensor(cshape, Array.from(gamma.data, (gv, c) => gv / Math.sqrt(variance.data[c] + eps)));
    const sh = tensor(cshape, Array.from(beta.data, (bv, c) => bv - mean.data[c] * k.data[c]));
    const kq = g.constant(expand(k, inDims), g.paramScale, n.name);
    const m = g.op({ Linear: "Mult" }, g.scaleOf(x) + g.paramScale, [x, kq], (v) => binary(v[0], v[1], (p, q) => p * q, n.where), "Mult", n.name);
    const sq = g.constant(expand(sh, inDims), g.scaleOf(m), n.name);
    return nodeValue(g.op({ Linear: "Add" }, g.scaleOf(m), [m, sq], (v) => binary(v[0], v[1], (p, q) => p + q, n.where), "Add", n.name));
  },
};
