/**
 * MatMul -> Einsum. A rank-2 right operand is shared by every batch of the left one; otherwise batch
 * dimensions broadcast (MultiBroadcastTo on a variable, expanded on a constant) and both operands may be
 * variables (attention: Q·Kᵀ, softmax·V). Constant operands are quantized at param_scale.
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { broadcastShape, einsum, expand, matmulBroadcast } from "../tensor.js";

const BATCH = "abcdefgh";

function operandAt(n: OpContext, i: number, dims: number[]): number {
  const g = n.g;
  const v = n.variable(i);
  if (v === undefined) return g.constant(expand(n.constant(i)!, dims), g.paramScale, n.name);
  if (g.dimsOf(v).join() === dims.join()) return v;
  const r = g.atRank(v, dims.length, n.name); // ezkl broadcasts left-aligned
  if (g.dimsOf(r).join() === dims.join()) return r;
  return g.op({ Linear: { MultiBroadcastTo: { shape: dims } } }, g.scaleOf(r), [r], (t) => expand(t[0], dims), "MultiBroadcastTo", n.name);
}

export const matMul: OpLowering = {
  ops: ["MatMul"],
  fold: (n) => matmulBroadcast(n.constant(0)!, n.constant(1)!),
  lower(n) {
    const g = n.g;
    const a0 = n.variable(0), bc = n.constant(1);
    const da = a0 !== undefined ? g.dimsOf(a0) : n.constant(0)!.dims;
    const db = bc ? bc.dims : g.dimsOf(n.requireVariable(1));
    const ra = da.length, rb = db.length;
    if (ra < 2 || rb < 2) throw n.unsupported(`operand ranks ${ra} and ${rb} (1-D operands)`);
    if (a0 !== undefined && bc && (rb === 2 || rb === ra)) {
      // the common case (weights): one constant operand at its own shape
      const b = g.constant(bc, g.paramScale, n.name);
      const batch = BATCH.slice(0, ra - 2);
      const eq = `${batch}ik,${rb === 2 ? "" : batch}kj->${batch}ij`;
      return nodeValue(g.op({ Linear: { Einsum: { equation: eq } } }, g.scaleOf(a0) + g.scaleOf(b), [a0, b], (v) => einsum(eq, v[0], v[1]), "Einsum", n.name));
    }
    const batchDims = broadcastShape(da.slice(0, -2), db.slice(0, -2), n.where);
    const a = operandAt(n, 0, [...batchDims, ...da.slice(-2)]);
    const b = operandAt(n, 1, [...batchDims, ...db.slice(-2)]);
    const batch = BATCH.slice(0, batchDims.length);
    const eq = `${batch}ik,${batch}kj->${batch}ij`;
    return nodeValue(g.op({ Linear: { Einsum: { equation: eq } } }, g.scaleOf(a) + g.scaleOf(b), [a, b], (v) => einsum(eq, v[0], v[1]), "Einsum", n.name));
  },
};
