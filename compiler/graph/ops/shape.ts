/** Shape: shapes are static, so it is a constant even on a variable. */
import { constValue, type OpLowering } from "../context.js";
import { tensor } from "../tensor.js";

export const shape: OpLowering = {
  ops: ["Shape"],
  fold: (n) => {
    const dims = n.constant(0)!.dims;
    return tensor([dims.length], dims);
  },
  lower: (n) => {
    const dims = n.g.dimsOf(n.requireVariable(0));
    return constValue(tensor([dims.length], dims));
  },
};
