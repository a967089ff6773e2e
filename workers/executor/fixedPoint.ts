import { QuantizeError, dequantize, quantize } from "../../protocol/fixedPoint.js";
import { BadInputError, InferenceError } from "../shared/errors.js";

/**
 * The executor's side of the fixed-point rule (protocol/fixedPoint.ts): job inputs arrive as decimal strings and
 * become float32 tensor values; model outputs become integers at the output scale. Only the error kinds are the
 * executor's: a bad input is the request's fault (BadInputError), a bad output the model's (InferenceError).
 */

/** Fixed-point ints (decimal strings or bigints) -> float32 values. Refuses values a float cannot carry. */
export function decodeFixedPoint(values: readonly (string | bigint)[], scale: number): Float32Array {
  const ints = values.map((raw, i) => {
    try {
      return typeof raw === "bigint" ? raw : BigInt(raw);
    } catch {
      throw new BadInputError(`input[${i}] is not an integer`, { metaMessages: [`  value: ${String(raw).slice(0, 80)}`] });
    }
  });
  try {
    return Float32Array.from(dequantize(ints, scale));
  } catch (err) {
    if (!(err instanceof QuantizeError)) throw err;
    throw new BadInputError(err.message.replace(/^value/, "input"), { cause: err });
  }
}

/** float values -> fixed-point ints at `scale` (the protocol's rounding). */
export function encodeFixedPoint(values: ArrayLike<number>, scale: number): bigint[] {
  try {
    return quantize(values, scale);
  } catch (err) {
    if (!(err instanceof QuantizeError)) throw err;
    throw new InferenceError(`model ${err.message.replace(/^input/, "output")}`, { cause: err });
  }
}
