// Evaluates constraint-system expressions at x from the opened query values.
import { add, mul, neg, parseHex } from "../field.js";
import type { Expr } from "../circuit/types.js";

export interface QueryValues {
  advice: bigint[];
  fixed: bigint[];
  instance: bigint[];
  challenges: bigint[];
}

export function evaluateExpr(e: Expr, v: QueryValues): bigint {
  switch (e.t) {
    case "const":
      return parseHex(e.v);
    case "fixed":
      return v.fixed[e.query];
    case "advice":
      return v.advice[e.query];
    case "instance":
      return v.instance[e.query];
    case "challenge":
      return v.challenges[e.index];
    case "neg":
      return neg(evaluateExpr(e.a, v));
    case "sum":
      return add(evaluateExpr(e.a, v), evaluateExpr(e.b, v));
    case "prod":
      return mul(evaluateExpr(e.a, v), evaluateExpr(e.b, v));
    case "scaled":
      return mul(evaluateExpr(e.a, v), parseHex(e.s));
    case "selector":
      throw new Error("virtual selectors cannot be evaluated by a verifier");
  }
}
