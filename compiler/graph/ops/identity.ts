/** Identity and Dropout (inference mode): the output is the input. */
import type { OpLowering } from "../context.js";

export const identity: OpLowering = {
  ops: ["Identity", "Dropout"],
  fold: (n) => n.constant(0)!,
  lower: (n) => n.ins[0]!,
};
