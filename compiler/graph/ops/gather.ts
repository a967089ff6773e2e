/** Gather on constants: folded at compile time (PyTorch view() patterns: Shape -> Gather). */
import type { OpLowering } from "../context.js";
import { gather as gatherKernel } from "../tensor.js";

export const gather: OpLowering = {
  ops: ["Gather"],
  fold: (n) => gatherKernel(n.constant(0)!, n.constant(1)!, n.int("axis", 0)),
};
