// Evaluates constraint-system expressions at x from the opened query values. Expressions are compiled once
// (constants parsed, tree turned into closures) and cached per expression object.
import { add, mul, neg, parseHex } from "../field.js";
import type { Expr } from "../circuit/types.js";

export interface QueryValues {
  advice: bigint[];
  fixed: bigint[];
  instance: bigint[];
  challenges: bigint[];
}

type Compiled = (v: QueryValues) => bigint;

const compiledCache = new WeakMap<Expr, Compiled>();

function compile(e: Expr): Compiled {
  switch (e.t) {
    case "const": {
      const c = parseHex(e.v);
      return () => c;
    }
    case "fixed": {
      const q = e.query;
      return (v) => v.fixed[q];
    }
    case "advice": {
      const q = e.query;
      return (v) => v.advice[q];
    }
    case "instance": {
      const q = e.query;
      return (v) => v.instance[q];
    }
    case "challenge": {
      const i = e.index;
      return (v) => v.challenges[i];
    }
    case "neg": {
      const a = compile(e.a);
      return (v) => neg(a(v));
    }
    case "sum": {
      const a = compile(e.a);
      const b = compile(e.b);
      return (v) => add(a(v), b(v));
    }
    case "prod": {
      const a = compile(e.a);
      const b = compile(e.b);
      return (v) => mul(a(v), b(v));
    }
    case "scaled": {
      const a = compile(e.a);
      const s = parseHex(e.s);
      return (v) => mul(a(v), s);
    }
    case "selector":
      throw new Error("virtual selectors cannot be evaluated by a verifier");
  }
}

export function evaluateExpr(e: Expr, v: QueryValues): bigint {
  let f = compiledCache.get(e);
  if (!f) compiledCache.set(e, (f = compile(e)));
  const r = f(v);
  if (typeof r !== "bigint") throw new Error("expression refers to a query that was not opened");
  return r;
}
