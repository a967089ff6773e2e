/**
 * Cast. To a float type the value is unchanged (ezkl: Identity). To an integer or bool type, a value
 * that is already integral (scale 0: integer inputs, indices) is unchanged too; casting a fractional
 * value to an integer is not lowered (it needs truncation toward zero). On constants it folds.
 */
import type { OpLowering } from "../context.js";
import { map } from "../tensor.js";

const FLOAT_TYPES = new Set([1, 10, 11, 16]);
const BOOL = 9;

export const cast: OpLowering = {
  ops: ["Cast"],
  fold: (n) => {
    const x = n.constant(0)!;
    const to = n.int("to", 1);
    if (FLOAT_TYPES.has(to)) return x;
    return map(x, to === BOOL ? (v) => (v !== 0 ? 1 : 0) : Math.trunc);
  },
  lower(n) {
    const x = n.requireVariable(0);
    const to = n.int("to", 1);
    if (FLOAT_TYPES.has(to) || n.g.scaleOf(x) === 0) return n.ins[0]!;
    throw n.unsupported(`casting a fractional value (scale ${n.g.scaleOf(x)}) to ONNX type ${to} (truncation) is not supported`);
  },
};
