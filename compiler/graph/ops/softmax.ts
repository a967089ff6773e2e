/**
 * Softmax -> ezkl Softmax: x - max(x) (max = sort + shuffle) through an exp lookup at the input
 * scale, times a reciprocal at max(global, input) scale; the output scale is their sum.
 */
import { nodeValue, type OpLowering } from "../context.js";
import { size, softmax as softmaxKernel } from "../tensor.js";

export const softmax: OpLowering = {
  ops: ["Softmax"],
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const inDims = g.dimsOf(x);
    let axis = n.int("axis", g.opset >= 13 ? -1 : 1);
    if (axis < 0) axis += inDims.length;
    if (g.opset < 13 && axis !== inDims.length - 1)
      throw n.unsupported(`opset < 13 softmax flattens from axis ${axis}; only the last axis is supported`);
    const inScale = g.scaleOf(x);
    const outScale = Math.max(g.globalScale, inScale);
    const lk = g.useLookup({ Exp: { scale: 2 ** inScale, base: Math.fround(Math.E) } });
    const len = inDims[axis];
    const slices = size(inDims) / len;
    return nodeValue(g.op(
      { Hybrid: { Softmax: { input_scale: 2 ** inScale, output_scale: 2 ** outScale, axes: [axis] } } },
      inScale + outScale, [x], (v) => softmaxKernel(v[0], axis), "Softmax", n.name,
      // recip uses boolean masks
      { lookup: lk, rangeChecks: [[0, 1]], shuffle: len > 1 ? { cells: size(inDims), count: slices } : undefined },
    ));
  },
};
