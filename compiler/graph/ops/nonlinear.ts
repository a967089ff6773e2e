/** Sigmoid, Tanh -> ezkl lookup tables at the input's scale (output at the same scale). */
import { nodeValue, type OpLowering } from "../context.js";
import { map, sigmoid } from "../tensor.js";

const FN: Record<string, (x: number) => number> = { Sigmoid: sigmoid, Tanh: Math.tanh };

export const nonlinear: OpLowering = {
  ops: ["Sigmoid", "Tanh"],
  fold: (n) => map(n.constant(0)!, FN[n.op]),
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const lk = g.useLookup({ [n.op]: { scale: 2 ** g.scaleOf(x) } });
    const fn = FN[n.op];
    return nodeValue(g.op({ Nonlinear: lk }, g.scaleOf(x), [x], (v) => map(v[0], fn), n.op, n.name, { lookup: lk }));
  },
};
