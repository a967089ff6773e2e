/** Expand -> ezkl MultiBroadcastTo; Tile -> Concat of copies along each repeated axis. */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { broadcastShape, concat, expand as expandKernel, type Tensor } from "../tensor.js";

function target(n: OpContext, dims: number[]): number[] {
  const t = n.constant(1);
  if (!t) throw n.unsupported("the shape must be a constant");
  return broadcastShape(dims, Array.from(t.data), n.where);
}

function repeats(n: OpContext): number[] {
  const t = n.constant(1);
  if (!t) throw n.unsupported("the repeats must be constants");
  return Array.from(t.data);
}

const tile = (x: Tensor, reps: number[]) => reps.reduce((acc, r, axis) => (r > 1 ? concat(new Array(r).fill(acc), axis) : acc), x);

export const expand: OpLowering = {
  ops: ["Expand"],
  fold: (n) => expandKernel(n.constant(0)!, target(n, n.constant(0)!.dims)),
  lower(n) {
    const g = n.g;
    const x0 = n.requireVariable(0);
    const shape = target(n, g.dimsOf(x0));
    if (shape.join() === g.dimsOf(x0).join()) return n.ins[0]!;
    // ezkl broadcasts left-aligned: give the input the target's rank first
    const x = g.atRank(x0, shape.length, n.name);
    return nodeValue(g.op({ Linear: { MultiBroadcastTo: { shape } } }, g.scaleOf(x), [x], (v) => expandKernel(v[0], shape), "MultiBroadcastTo", n.name));
  },
};

export const tileOp: OpLowering = {
  ops: ["Tile"],
  fold: (n) => tile(n.constant(0)!, repeats(n)),
  lower(n) {
    const g = n.g;
    let y = n.requireVariable(0);
    repeats(n).forEach((r, axis) => {
      if (r <= 1) return;
      const ins = new Array<number>(r).fill(y);
      y = g.op({ Linear: { Concat: { axis } } }, g.scaleOf(y), ins, (v) => concat(v, axis), "Concat", n.name);
    });
    return nodeValue(y);
  },
};
