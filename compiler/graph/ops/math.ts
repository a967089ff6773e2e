/**
 * Elementwise arithmetic beyond the four operations, lowered as ezkl does: Pow by an integer constant
 * -> Pow(n) (scales multiply, rebased), by 0.5 / -1 / -0.5 -> Sqrt / Recip / Rsqrt, by another constant
 * -> a Pow lookup; a constant base -> an Exp lookup with that base. Sqrt -> Sqrt; Reciprocal -> Recip
 * (output at max(global, input) scale); Abs, Neg, Sign -> the polynomial ops.
 */
import { nodeValue, type LoweringContext, type OpContext, type OpLowering } from "../context.js";
import { binary, map } from "../tensor.js";

export const recip = (g: LoweringContext, x: number, source: string): number => {
  const inS = g.scaleOf(x), outS = Math.max(g.globalScale, inS);
  return g.op({ Hybrid: { Recip: { input_scale: 2 ** inS, output_scale: 2 ** outS } } }, outS, [x], (v) => map(v[0], (t) => 1 / t), "Recip", source);
};

export const sqrt = (g: LoweringContext, x: number, source: string): number =>
  g.op({ Hybrid: { Sqrt: { scale: 2 ** g.scaleOf(x) } } }, g.scaleOf(x), [x], (v) => map(v[0], Math.sqrt), "Sqrt", source);

export const rsqrt = (g: LoweringContext, x: number, source: string): number => {
  const inS = g.scaleOf(x), outS = Math.max(g.globalScale, inS);
  return g.op({ Hybrid: { Rsqrt: { input_scale: 2 ** inS, output_scale: 2 ** outS } } }, outS, [x], (v) => map(v[0], (t) => 1 / Math.sqrt(t)), "Rsqrt", source);
};

export const powInt = (g: LoweringContext, x: number, e: number, source: string): number =>
  g.op({ Linear: { Pow: e } }, e * g.scaleOf(x), [x], (v) => map(v[0], (t) => t ** e), "Pow", source);

function pow(n: OpContext): number {
  const g = n.g;
  const base = n.variable(0);
  const ec = n.constant(1);
  if (base !== undefined && ec) {
    if (ec.data.length !== 1) throw n.unsupported("the exponent must be a scalar constant");
    const e = ec.data[0];
    if (e === 1) return base;
    if (e === 0.5) return sqrt(g, base, n.name);
    if (e === -1) return recip(g, base, n.name);
    if (e === -0.5) return rsqrt(g, base, n.name);
    if (Number.isInteger(e) && e >= 2) return powInt(g, base, e, n.name);
    const lk = { Pow: { scale: 2 ** g.scaleOf(base), a: Math.fround(e) } };
    return g.lookup(base, lk, (t) => t ** e, "Pow", n.name);
  }
  const bc = n.constant(0), ex = n.variable(1);
  if (bc && ex !== undefined) {
    if (bc.data.length !== 1 || bc.data[0] <= 0) throw n.unsupported("a constant base must be a positive scalar");
    const b = bc.data[0];
    return g.lookup(ex, { Exp: { scale: 2 ** g.scaleOf(ex), base: Math.fround(b) } }, (t) => b ** t, "Exp", n.name);
  }
  throw n.unsupported("a variable raised to a variable power");
}

export const math: OpLowering = {
  ops: ["Pow", "Sqrt", "Reciprocal", "Abs", "Neg", "Sign"],
  fold(n) {
    const x = n.constant(0)!;
    switch (n.op) {
      case "Pow": return binary(x, n.constant(1)!, (a, b) => a ** b, n.where);
      case "Sqrt": return map(x, Math.sqrt);
      case "Reciprocal": return map(x, (t) => 1 / t);
      case "Abs": return map(x, Math.abs);
      case "Neg": return map(x, (t) => -t);
      default: return map(x, Math.sign);
    }
  },
  lower(n) {
    const g = n.g;
    if (n.op === "Pow") return nodeValue(pow(n));
    const x = n.requireVariable(0);
    switch (n.op) {
      case "Sqrt": return nodeValue(sqrt(g, x, n.name));
      case "Reciprocal": return nodeValue(recip(g, x, n.name));
      case "Abs": return nodeValue(g.op({ Linear: "Abs" }, g.scaleOf(x), [x], (v) => map(v[0], Math.abs), "Abs", n.name));
      case "Neg": return nodeValue(g.op({ Linear: "Neg" }, g.scaleOf(x), [x], (v) => map(v[0], (t) => -t), "Neg", n.name));
      default: return nodeValue(g.op({ Linear: "Sign" }, 0, [x], (v) => map(v[0], Math.sign), "Sign", n.name));
    }
  },
};
