/** Concat on constants: folded at compile time (shape arithmetic). */
import type { OpLowering } from "../context.js";
import { concat as concatKernel } from "../tensor.js";

export const concat: OpLowering = {
  ops: ["Concat"],
  fold: (n) => concatKernel(n.constants(), n.int("axis", 0)),
};
