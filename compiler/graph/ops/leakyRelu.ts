/** LeakyRelu -> ezkl LeakyReLU{ slope, param_scale }: the slope is a constant at param_scale, so scales add. */
import { nodeValue, quantize, type OpLowering } from "../context.js";
import { map } from "../tensor.js";

export const leakyRelu: OpLowering = {
  ops: ["LeakyRelu"],
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const alpha = Math.fround(n.float("alpha", 0.01));
    const slope = quantize(alpha, g.paramScale) / 2 ** g.paramScale;
    const out = alpha === 0 ? g.scaleOf(x) : g.scaleOf(x) + g.paramScale;
    return nodeValue(g.op({ Linear: { LeakyReLU: { slope: alpha, scale: g.paramScale } } }, out, [x], (v) => map(v[0], (t) => (t >= 0 ? t : t * slope)), "LeakyReLU", n.name,
      // boolean_identity on the sign mask range-checks (0, 1)
      alpha === 0 ? {} : { rangeChecks: [[0, 1]] }));
  },
};
