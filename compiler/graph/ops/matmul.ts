/** MatMul -> Einsum (batch dimensions on the variable operand; a rank-2 right operand is shared). */
import { nodeValue, type OpLowering } from "../context.js";
import { einsum } from "../tensor.js";

export const matMul: OpLowering = {
  ops: ["MatMul"],
  lower(n) {
    const g = n.g;
    const a = n.variable(0);
    if (a === undefined) throw n.unsupported("the first operand must be the variable one");
    const bc = n.constant(1);
    const b = bc ? g.constant(bc, g.paramScale, n.name) : n.requireVariable(1);
    const ra = g.dimsOf(a).length, rb = g.dimsOf(b).length;
    if (ra < 2 || rb < 2 || (rb !== 2 && rb !== ra)) throw n.unsupported(`operand ranks ${ra} and ${rb}`);
    const batch = "abcdefgh".slice(0, ra - 2);
    const eq = `${batch}ik,${rb === 2 ? "" : batch}kj->${batch}ij`;
    return nodeValue(g.op({ Linear: { Einsum: { equation: eq } } }, g.scaleOf(a) + g.scaleOf(b), [a, b], (v) => einsum(eq, v[0], v[1]), "Einsum", n.name));
  },
};
