/**
 * Activations lowered as the small graphs ezkl (tract) or the exporters produce:
 *   Gelu        0.5·x·(1 + erf(x/√2))            (approximate="tanh": 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))))
 *   Softplus    ln(1 + e^x)                       Softsign  x / (1 + |x|)          Mish  x·tanh(softplus(x))
 *   HardSigmoid max(0, min(1, αx + β))            Elu       x < 0 ? α(e^x - 1) : x
 *   Selu        γ·(x < 0 ? α(e^x - 1) : x)        Celu      max(0,x) + min(0, α(e^(x/α) - 1))
 *   PRelu       x < 0 ? slope·x : x (a scalar slope is ezkl's LeakyReLU)
 *   Clip        min(max(x, lo), hi) (Relu when lo = 0 and no hi)
 * Lookups (Exp, Ln, Erf, Tanh) are at the input's scale; products are rebased.
 */
import { nodeValue, quantize, type OpContext, type OpLowering } from "../context.js";
import { binary, map, tensor, type Tensor } from "../tensor.js";
import { addConst, addSub, minMaxConst, mul, mulConst, negativeMask, relu, select } from "./compose.js";
import { LOOKUPS, erf, lookupOpFor } from "./nonlinear.js";
import { recip, powInt } from "./math.js";

const softplus = (t: number) => Math.log(1 + Math.exp(t));
const FLOAT: Record<string, (n: OpContext) => (t: number) => number> = {
  Gelu: (n) => (n.string("approximate", "none") === "tanh"
    ? (t) => 0.5 * t * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (t + 0.044715 * t ** 3)))
    : (t) => 0.5 * t * (1 + erf(t / Math.SQRT2))),
  Softplus: () => softplus,
  Softsign: () => (t) => t / (1 + Math.abs(t)),
  Mish: () => (t) => t * Math.tanh(softplus(t)),
  HardSigmoid: (n) => { const a = n.float("alpha", 0.2), b = n.float("beta", 0.5); return (t) => Math.max(0, Math.min(1, a * t + b)); },
  Elu: (n) => { const a = n.float("alpha", 1); return (t) => (t < 0 ? a * (Math.exp(t) - 1) : t); },
  Selu: (n) => { const a = n.float("alpha", 1.67326319217681884765625), y = n.float("gamma", 1.05070102214813232421875); return (t) => y * (t < 0 ? a * (Math.exp(t) - 1) : t); },
  Celu: (n) => { const a = n.float("alpha", 1); return (t) => Math.max(0, t) + Math.min(0, a * (Math.exp(t / a) - 1)); },
};

function lk(n: OpContext, op: keyof typeof LOOKUPS, x: number): number {
  return n.g.lookup(x, lookupOpFor(op, n.g.scaleOf(x)), LOOKUPS[op][1], op, n.name);
}

function lowerActivation(n: OpContext): number {
  const g = n.g;
  const x = n.requireVariable(0);
  switch (n.op) {
    case "Gelu": {
      let inner: number;
      if (n.string("approximate", "none") === "tanh") {
        const cube = powInt(g, x, 3, n.name);
        const u = addSub(g, x, mulConst(n, cube, 0.044715), "Add", n.name);
        inner = lk(n, "Tanh", mulConst(n, u, Math.sqrt(2 / Math.PI)));
      } else inner = lk(n, "Erf", mulConst(n, x, Math.SQRT1_2));
      return mulConst(n, mul(g, x, addConst(g, inner, 1, n.name), n.name), 0.5);
    }
    case "Softplus":
      return lk(n, "Log", addConst(g, lk(n, "Exp", x), 1, n.name));
    case "Softsign": {
      const a = g.op({ Linear: "Abs" }, g.scaleOf(x), [x], (v) => map(v[0], Math.abs), "Abs", n.name);
      return mul(g, x, recip(g, addConst(g, a, 1, n.name), n.name), n.name);
    }
    case "Mish":
      return mul(g, x, lk(n, "Tanh", lk(n, "Log", addConst(g, lk(n, "Exp", x), 1, n.name))), n.name);
    case "HardSigmoid": {
      const lin = addConst(g, mulConst(n, x, n.float("alpha", 0.2)), n.float("beta", 0.5), n.name);
      return relu(g, minMaxConst(g, lin, 1, "Min", n.name), n.name);
    }
    case "Elu": case "Selu": {
      const alpha = n.float("alpha", n.op === "Selu" ? 1.67326319217681884765625 : 1);
      const neg = mulConst(n, addConst(g, lk(n, "Exp", x), -1, n.name), alpha);
      const y = select(g, negativeMask(g, x, n.name), neg, x, n.name);
      return n.op === "Selu" ? mulConst(n, y, n.float("gamma", 1.05070102214813232421875)) : y;
    }
    case "Celu": {
      const alpha = n.float("alpha", 1);
      const e = addConst(g, lk(n, "Exp", mulConst(n, x, 1 / alpha)), -1, n.name);
      return addSub(g, relu(g, x, n.name), minMaxConst(g, mulConst(n, e, alpha), 0, "Min", n.name), "Add", n.name);
    }
    default:
      throw n.unsupported();
  }
}

export const activations: OpLowering = {
  ops: Object.keys(FLOAT),
  fold: (n) => map(n.constant(0)!, FLOAT[n.op](n)),
  lower: (n) => nodeValue(lowerActivation(n)),
};

export const prelu: OpLowering = {
  ops: ["PRelu"],
  fold: (n) => binary(n.constant(0)!, n.constant(1)!, (t, s) => (t < 0 ? s * t : t), n.where),
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const slope = n.constant(1);
    if (!slope) throw n.unsupported("the slope must be a constant");
    if (slope.data.length === 1 || slope.data.every((v) => v === slope.data[0])) {
      // one slope: ezkl's LeakyReLU (slope at param_scale)
      const alpha = Math.fround(slope.data[0]);
      const q = quantize(alpha, g.paramScale) / 2 ** g.paramScale;
      return nodeValue(g.op({ Linear: { LeakyReLU: { slope: alpha, scale: g.paramScale } } }, alpha === 0 ? g.scaleOf(x) : g.scaleOf(x) + g.paramScale, [x],
        (v) => map(v[0], (t) => (t >= 0 ? t : t * q)), "LeakyReLU", n.name));
    }
    const dims = g.dimsOf(x);
    const k = g.constant(binary(tensor(dims), slope, (_, s) => s, n.where), g.paramScale, n.name);
    const scaled = g.op({ Linear: "Mult" }, g.scaleOf(x) + g.paramScale, [x, k], (v) => binary(v[0], v[1], (a, b) => a * b, n.where), "Mult", n.name);
    return nodeValue(select(g, negativeMask(g, x, n.name), scaled, x, n.name));
  },
};

/** Clip bounds: inputs 1 and 2 (opset >= 11) or the min/max attributes. */
function bounds(n: OpContext): [number | undefined, number | undefined] {
  const c = (i: number): number | undefined => {
    if (!n.ins[i]) return undefined;
    const t = n.constant(i);
    if (!t) throw n.unsupported("the bounds must be constants");
    return t.data[0];
  };
  if (n.ins.length > 1) return [c(1), c(2)];
  return [n.has("min") ? n.float("min", -Infinity) : undefined, n.has("max") ? n.float("max", Infinity) : undefined];
}

export const clip: OpLowering = {
  ops: ["Clip"],
  fold(n) {
    const [lo, hi] = bounds(n);
    return map(n.constant(0)!, (t) => Math.min(hi ?? Infinity, Math.max(lo ?? -Infinity, t)));
  },
  lower(n) {
    const g = n.g;
    let y = n.requireVariable(0);
    const [lo, hi] = bounds(n);
    if (lo === 0) y = relu(g, y, n.name);
    else if (lo !== undefined) y = minMaxConst(g, y, lo, "Max", n.name);
    if (hi !== undefined) y = minMaxConst(g, y, hi, "Min", n.name);
    return nodeValue(y);
  },
};

export type { Tensor };
