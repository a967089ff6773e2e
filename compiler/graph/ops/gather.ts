/**
 * Gather. Constant indices -> ezkl Gather with the indices baked in (free: a view). Variable indices
 * (integer inputs, e.g. token ids into an embedding table) -> ezkl's dynamic Gather: a dynamic lookup of
 * each (position, value) in the table. GatherElements the same way. A scalar index drops the axis.
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { gather as gatherKernel, gatherElements as gatherElementsKernel, reshape, type Tensor } from "../tensor.js";

const usizeTensor = (t: Tensor, len: number) => ({
  inner: Array.from(t.data, (v) => (v < 0 ? v + len : v)),
  dims: t.dims.length ? t.dims : [1],
  scale: null,
  visibility: null,
});

function axisOf(n: OpContext, rank: number): number {
  const a = n.int("axis", 0);
  return a < 0 ? a + rank : a;
}

export const gather: OpLowering = {
  ops: ["Gather"],
  fold: (n) => gatherKernel(n.constant(0)!, n.constant(1)!, n.int("axis", 0)),
  lower(n) {
    const g = n.g;
    const dataVar = n.variable(0);
    const rank = dataVar !== undefined ? g.dimsOf(dataVar).length : n.constant(0)!.dims.length;
    const axis = axisOf(n, rank);
    const idxC = n.constant(1);
    if (dataVar !== undefined && idxC) {
      const len = g.dimsOf(dataVar)[axis];
      if (Array.from(idxC.data).some((v) => v < -len || v >= len)) throw n.error(`index out of range for axis ${axis} of size ${len}`);
      const scalar = idxC.dims.length === 0;
      const idx = scalar ? reshape(idxC, [1]) : idxC;
      let y = g.op({ Hybrid: { Gather: { dim: axis, constant_idx: usizeTensor(idx, len) } } }, g.scaleOf(dataVar), [dataVar], (v) => gatherKernel(v[0], idx, axis), "Gather", n.name);
      if (scalar) {
        const dims = g.dimsOf(y).filter((_, i) => i !== axis);
        y = g.op({ Linear: { Reshape: dims.length ? dims : [1] } }, g.scaleOf(y), [y], (v) => reshape(v[0], dims.length ? dims : [1]), "Reshape", n.name);
      }
      return nodeValue(y);
    }
    const idxVar = n.requireVariable(1);
    if (g.scaleOf(idxVar) !== 0) throw n.unsupported("variable indices must be integers (an integer input or a Cast of one)");
    const data = dataVar ?? g.constant(n.constant(0)!, g.paramScale, n.name);
    return nodeValue(g.op({ Hybrid: { Gather: { dim: axis, constant_idx: null } } }, g.scaleOf(data), [data, idxVar], (v) => gatherKernel(v[0], v[1], axis), "Gather", n.name));
  },
};

export const gatherElements: OpLowering = {
  ops: ["GatherElements"],
  fold: (n) => gatherElementsKernel(n.constant(0)!, n.constant(1)!, axisOf(n, n.constant(0)!.dims.length)),
  lower(n) {
    const g = n.g;
    const dataVar = n.variable(0);
    const rank = dataVar !== undefined ? g.dimsOf(dataVar).length : n.constant(0)!.dims.length;
    const axis = axisOf(n, rank);
    const idxC = n.constant(1);
    if (dataVar !== undefined && idxC) {
      const len = g.dimsOf(dataVar)[axis];
      return nodeValue(g.op({ Linear: { GatherElements: { dim: axis, constant_idx: usizeTensor(idxC, len) } } }, g.scaleOf(dataVar), [dataVar], (v) => gatherElementsKernel(v[0], idxC, axis), "GatherElements", n.name));
    }
    const idxVar = n.requireVariable(1);
    if (g.scaleOf(idxVar) !== 0) throw n.unsupported("variable indices must be integers");
    const data = dataVar ?? g.constant(n.constant(0)!, g.paramScale, n.name);
    return nodeValue(g.op({ Linear: { GatherElements: { dim: axis, constant_idx: null } } }, g.scaleOf(data), [data, idxVar], (v) => gatherElementsKernel(v[0], v[1], axis), "GatherElements", n.name));
  },
};
