/** Constant: a compile-time tensor (the `value` attribute). */
import { fromOnnx, type OpLowering } from "../context.js";

export const constant: OpLowering = {
  ops: ["Constant"],
  fold(n) {
    const t = n.tensorAttr("value");
    if (!t) throw n.unsupported("only the 'value' tensor attribute is supported");
    return fromOnnx(t);
  },
};
