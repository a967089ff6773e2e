/** Transpose -> a sequence of ezkl MoveAxis (free: views); on constants it folds. */
import { nodeValue, type OpLowering } from "../context.js";
import { transpose as transposeKernel } from "../tensor.js";

export const transpose: OpLowering = {
  ops: ["Transpose"],
  fold: (n) => {
    const a = n.constant(0)!;
    return transposeKernel(a, n.ints("perm", a.dims.map((_, i) => a.dims.length - 1 - i)));
  },
  lower(n) {
    const g = n.g;
    let y = n.requireVariable(0);
    const rank = g.dimsOf(y).length;
    const perm = n.ints("perm", Array.from({ length: rank }, (_, i) => rank - 1 - i));
    // order[i] = original axis now at position i; move each wanted axis into place
    const order = Array.from({ length: rank }, (_, i) => i);
    for (let i = 0; i < rank; i++) {
      const p = order.indexOf(perm[i]);
      if (p === i) continue;
      const moved = order.splice(p, 1)[0];
      order.splice(i, 0, moved);
      const source = p, destination = i;
      const step = Array.from({ length: rank }, (_, j) => j);
      step.splice(destination, 0, step.splice(source, 1)[0]);
      y = g.op({ Linear: { MoveAxis: { source, destination } } }, g.scaleOf(y), [y], (v) => transposeKernel(v[0], step), "MoveAxis", n.name);
    }
    return nodeValue(y);
  },
};
