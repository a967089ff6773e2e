/** Cast on constants: values are kept as numbers, so folding is the identity. */
import type { OpLowering } from "../context.js";

export const cast: OpLowering = {
  ops: ["Cast"],
  fold: (n) => n.constant(0)!,
};
