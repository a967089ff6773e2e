/** Transpose on constants: folded at compile time (transposed weights). */
import type { OpLowering } from "../context.js";
import { transpose as transposeKernel } from "../tensor.js";

export const transpose: OpLowering = {
  ops: ["Transpose"],
  fold: (n) => {
    const a = n.constant(0)!;
    return transposeKernel(a, n.ints("perm", a.dims.map((_, i) => a.dims.length - 1 - i)));
  },
};
