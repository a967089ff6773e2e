/**
 * Comparisons and selection, as ezkl lowers them: Greater/Less/GreaterOrEqual/LessOrEqual/Equal ->
 * the Hybrid comparisons (0/1 at scale 0, both sides at a common scale); Not/And/Or/Xor -> the
 * boolean polynomial ops; Where -> Iff (branches at a common scale). A constant side is quantized at
 * the other side's scale.
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import type { OpKind } from "../ir.js";
import { binary, expand, reshape, tensor, type Tensor } from "../tensor.js";

const CMP: Record<string, [string, (a: number, b: number) => number]> = {
  Greater: ["Greater", (a, b) => +(a > b)],
  Less: ["Less", (a, b) => +(a < b)],
  GreaterOrEqual: ["GreaterEqual", (a, b) => +(a >= b)],
  LessOrEqual: ["LessEqual", (a, b) => +(a <= b)],
  Equal: ["Equals", (a, b) => +(a === b)],
};
const BOOL: Record<string, (a: number, b: number) => number> = {
  And: (a, b) => +(a !== 0 && b !== 0),
  Or: (a, b) => +(a !== 0 || b !== 0),
  Xor: (a, b) => +((a !== 0) !== (b !== 0)),
};

/** The largest rank among the node's inputs (pairwise operands are aligned to it). */
export const maxRank = (n: OpContext) =>
  Math.max(...n.ins.map((_, i) => (n.variable(i) !== undefined ? n.g.dimsOf(n.variable(i)!).length : n.constant(i)?.dims.length ?? 0)));

/**
 * Operand `i` as a circuit node at rank `rank` (ezkl broadcasts left-aligned, so ranks must agree): a
 * variable as is (leading 1s added by a free Reshape); a constant as a Constant node at `scale`.
 */
export function operand(n: OpContext, i: number, scale: number, rank = maxRank(n)): number {
  const v = n.variable(i);
  if (v !== undefined) return n.g.atRank(v, rank, n.name);
  const c = n.constant(i)!;
  const dims = c.dims.length ? c.dims : [1];
  return n.g.constant(reshape(c, [...new Array(Math.max(0, rank - dims.length)).fill(1), ...dims]), scale, n.name);
}

/** Two operands at a common scale: the variable's, or the larger of two variables' (Rescaled). */
export function pairAtCommonScale(n: OpContext, opkind: OpKind, i = 0, j = 1): { opkind: OpKind; a: number; b: number; scale: number } {
  const g = n.g;
  const va = n.variable(i), vb = n.variable(j);
  const s = va !== undefined && vb !== undefined ? Math.max(g.scaleOf(va), g.scaleOf(vb)) : g.scaleOf((va ?? vb)!);
  const a = operand(n, i, s), b = operand(n, j, s);
  const h = g.homogenize(opkind, [a, b], [0, 1]);
  return { opkind: h.opkind, a, b, scale: h.scale };
}

const pairKernel = (f: (a: number, b: number) => number, where: string) => (v: Tensor[]) => binary(v[0], v[1], f, where);

export const compare: OpLowering = {
  ops: Object.keys(CMP),
  fold: (n) => binary(n.constant(0)!, n.constant(1)!, CMP[n.op][1], n.where),
  lower(n) {
    const [variant, f] = CMP[n.op];
    const { opkind, a, b } = pairAtCommonScale(n, { Hybrid: variant });
    return nodeValue(n.g.op(opkind, 0, [a, b], pairKernel(f, n.where), variant, n.name));
  },
};

export const booleans: OpLowering = {
  ops: ["Not", "And", "Or", "Xor"],
  fold: (n) => (n.op === "Not" ? binary(n.constant(0)!, tensor([1], [0]), (a) => +(a === 0), n.where) : binary(n.constant(0)!, n.constant(1)!, BOOL[n.op], n.where)),
  lower(n) {
    const g = n.g;
    if (n.op === "Not") {
      const x = n.requireVariable(0);
      return nodeValue(g.op({ Linear: "Not" }, 0, [x], (v) => binary(v[0], tensor([1], [0]), (a) => +(a === 0), n.where), "Not", n.name));
    }
    const a = operand(n, 0, 0), b = operand(n, 1, 0);
    return nodeValue(g.op({ Linear: n.op }, 0, [a, b], pairKernel(BOOL[n.op], n.where), n.op, n.name));
  },
};

export const where: OpLowering = {
  ops: ["Where"],
  fold(n) {
    const [c, a, b] = [n.constant(0)!, n.constant(1)!, n.constant(2)!];
    const dims = binary(binary(c, a, () => 0, n.where), b, () => 0, n.where).dims;
    const [C, A, B] = [expand(c, dims), expand(a, dims), expand(b, dims)];
    return tensor(dims, C.data.map((x, i) => (x ? A.data[i] : B.data[i])));
  },
  lower(n) {
    const g = n.g;
    const va = n.variable(1), vb = n.variable(2);
    const s = va !== undefined && vb !== undefined ? Math.max(g.scaleOf(va), g.scaleOf(vb)) : va !== undefined ? g.scaleOf(va) : vb !== undefined ? g.scaleOf(vb) : g.paramScale;
    const cond = operand(n, 0, 0), a = operand(n, 1, s), b = operand(n, 2, s);
    const h = g.homogenize({ Linear: "Iff" }, [cond, a, b], [1, 2]);
    return nodeValue(g.op(h.opkind, h.scale, [cond, a, b], (v) => {
      const dims = binary(binary(v[0], v[1], () => 0, n.where), v[2], () => 0, n.where).dims;
      const [C, A, B] = [expand(v[0], dims), expand(v[1], dims), expand(v[2], dims)];
      return tensor(dims, C.data.map((x, i) => (x ? A.data[i] : B.data[i])));
    }, "Iff", n.name));
  },
};
