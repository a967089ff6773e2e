/**
 * Variadic elementwise ops: Max/Min -> a chain of ezkl's Hybrid Max/Min (operands at a common scale, a
 * constant at the variable's scale); Sum -> a chain of Add; Mean -> Sum, then x/n as ReduceMean does.
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import type { OpKind } from "../ir.js";
import { binary, map, type Tensor } from "../tensor.js";
import { operand } from "./logic.js";
import { scaleBy } from "./reduce.js";

const F: Record<string, (a: number, b: number) => number> = { Max: Math.max, Min: Math.min, Sum: (a, b) => a + b, Mean: (a, b) => a + b };

function chain(n: OpContext): number {
  const g = n.g;
  const vars = n.ins.map((_, i) => n.variable(i)).filter((v): v is number => v !== undefined);
  const s = Math.max(...vars.map((v) => g.scaleOf(v)));
  const f = F[n.op];
  const kind: OpKind = n.op === "Max" || n.op === "Min" ? { Hybrid: n.op } : { Linear: "Add" };
  let acc = operand(n, 0, s);
  for (let i = 1; i < n.ins.length; i++) {
    const b = operand(n, i, s);
    const h = g.homogenize(kind, [acc, b], [0, 1]);
    acc = g.op(h.opkind, h.scale, [acc, b], (v) => binary(v[0], v[1], f, n.where), n.op === "Max" || n.op === "Min" ? n.op : "Add", n.name);
  }
  return acc;
}

export const variadic: OpLowering = {
  ops: ["Max", "Min", "Sum", "Mean"],
  fold(n) {
    const ts = n.constants();
    let acc: Tensor = ts[0];
    for (const t of ts.slice(1)) acc = binary(acc, t, F[n.op], n.where);
    return n.op === "Mean" ? map(acc, (x) => x / ts.length) : acc;
  },
  lower(n) {
    const acc = chain(n);
    return nodeValue(n.op === "Mean" ? scaleBy(n, acc, 1 / n.ins.length) : acc);
  },
};
