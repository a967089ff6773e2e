/** Concat -> ezkl Concat (operands at a common scale; constant operands as Constant nodes at that scale). */
import { nodeValue, type OpLowering } from "../context.js";
import { concat as concatKernel } from "../tensor.js";
import { operand } from "./logic.js";

export const concat: OpLowering = {
  ops: ["Concat"],
  fold: (n) => concatKernel(n.constants(), n.int("axis", 0)),
  lower(n) {
    const g = n.g;
    const present = n.ins.map((_, i) => i).filter((i) => n.ins[i]);
    const vars = present.map((i) => n.variable(i)).filter((v): v is number => v !== undefined);
    const s = Math.max(...vars.map((v) => g.scaleOf(v)));
    const ins = present.map((i) => operand(n, i, s));
    let axis = n.int("axis", 0);
    if (axis < 0) axis += g.dimsOf(ins[0]).length;
    const h = g.homogenize({ Linear: { Concat: { axis } } }, ins, ins.map((_, i) => i));
    return nodeValue(g.op(h.opkind, h.scale, ins, (v) => concatKernel(v, axis), "Concat", n.name));
  },
};
