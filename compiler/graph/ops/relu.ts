/** Relu -> ezkl LeakyReLU{ slope 0 } (same scale). */
import { nodeValue, type OpLowering } from "../context.js";
import { map } from "../tensor.js";

const relu0 = (x: number) => Math.max(0, x);

export const relu: OpLowering = {
  ops: ["Relu"],
  fold: (n) => map(n.constant(0)!, relu0),
  lower(n) {
    const x = n.requireVariable(0);
    return nodeValue(n.g.op({ Linear: { LeakyReLU: { slope: 0, scale: 1 } } }, n.g.scaleOf(x), [x], (v) => map(v[0], relu0), "ReLU", n.name));
  },
};
