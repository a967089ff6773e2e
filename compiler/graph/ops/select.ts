/**
 * TopK -> ezkl TopK (sort + shuffle per slice; values only: the indices output is refused when used).
 * ArgMax / ArgMin -> ezkl ReduceArgMax / ReduceArgMin (index at scale 0, via a dynamic lookup + sort).
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { argExtreme, reshape, topk } from "../tensor.js";

const axisOf = (n: OpContext, rank: number, d: number) => {
  const a = n.int("axis", d);
  return a < 0 ? a + rank : a;
};

function kOf(n: OpContext): number {
  const t = n.constant(1);
  if (n.ins[1] && !t) throw n.unsupported("k must be a constant");
  return t ? t.data[0] : n.int("k", 1);
}

export const topK: OpLowering = {
  ops: ["TopK"],
  fold: (n) => [topk(n.constant(0)!, kOf(n), axisOf(n, n.constant(0)!.dims.length, -1), n.int("largest", 1) === 1)],
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const axis = axisOf(n, g.dimsOf(x).length, -1);
    const k = kOf(n), largest = n.int("largest", 1) === 1;
    return [nodeValue(g.op({ Hybrid: { TopK: { dim: axis, k, largest } } }, g.scaleOf(x), [x], (v) => topk(v[0], k, axis, largest), "TopK", n.name))];
  },
};

export const argMax: OpLowering = {
  ops: ["ArgMax", "ArgMin"],
  fold(n) {
    const x = n.constant(0)!;
    const axis = axisOf(n, x.dims.length, 0);
    const r = argExtreme(x, axis, n.op === "ArgMax");
    return n.int("keepdims", 1) ? r : reshape(r, x.dims.filter((_, i) => i !== axis));
  },
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const dims = g.dimsOf(x);
    const axis = axisOf(n, dims.length, 0);
    if (n.int("select_last_index", 0)) throw n.unsupported("select_last_index=1");
    const variant = n.op === "ArgMax" ? "ReduceArgMax" : "ReduceArgMin";
    let y = g.op({ Hybrid: { [variant]: { dim: axis } } }, 0, [x], (v) => argExtreme(v[0], axis, n.op === "ArgMax"), variant, n.name);
    if (!n.int("keepdims", 1)) {
      const out = dims.filter((_, i) => i !== axis);
      y = g.op({ Linear: { Reshape: out.length ? out : [1] } }, 0, [y], (v) => reshape(v[0], out.length ? out : [1]), "Reshape", n.name);
    }
    return nodeValue(y);
  },
};
