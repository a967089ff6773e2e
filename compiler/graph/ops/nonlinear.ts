/**
 * Elementwise functions evaluated by lookup tables (ezkl Nonlinear ops) at the input's scale, output at
 * the same scale: Sigmoid, Tanh, Exp, Log (Ln), Erf, HardSwish and the trigonometric/hyperbolic family.
 */
import { nodeValue, type OpLowering } from "../context.js";
import { map, sigmoid } from "../tensor.js";

/** Abramowitz-Stegun 7.1.26 is too coarse for a reference; this is erf to ~1e-7 (W. J. Cody's rational form via erfc). */
export function erf(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : -y;
}

/** ONNX op -> [ezkl LookupOp variant, float function]. */
export const LOOKUPS: Record<string, [string, (x: number) => number]> = {
  Sigmoid: ["Sigmoid", sigmoid],
  Tanh: ["Tanh", Math.tanh],
  Exp: ["Exp", Math.exp],
  Log: ["Ln", Math.log],
  Erf: ["Erf", erf],
  HardSwish: ["HardSwish", (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6],
  Sin: ["Sin", Math.sin],
  Cos: ["Cos", Math.cos],
  Tan: ["Tan", Math.tan],
  Asin: ["ASin", Math.asin],
  Acos: ["ACos", Math.acos],
  Atan: ["ATan", Math.atan],
  Sinh: ["Sinh", Math.sinh],
  Cosh: ["Cosh", Math.cosh],
  Asinh: ["ASinh", Math.asinh],
  Acosh: ["ACosh", Math.acosh],
  Atanh: ["ATanh", Math.atanh],
};

/** The ezkl LookupOp for an ONNX function at an input scale (Exp carries its base). */
export const lookupOpFor = (op: string, scale: number) =>
  op === "Exp" ? { Exp: { scale: 2 ** scale, base: Math.fround(Math.E) } } : { [LOOKUPS[op][0]]: { scale: 2 ** scale } };

export const nonlinear: OpLowering = {
  ops: Object.keys(LOOKUPS),
  fold: (n) => map(n.constant(0)!, LOOKUPS[n.op][1]),
  lower(n) {
    const x = n.requireVariable(0);
    return nodeValue(n.g.lookup(x, lookupOpFor(n.op, n.g.scaleOf(x)), LOOKUPS[n.op][1], n.op, n.name));
  },
};
