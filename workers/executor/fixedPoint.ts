import { BadInputError, InferenceError } from "../shared/errors.js";

/**
 * Fixed-point values crossing the chain: int = round(x * 2^scale), rounding half away from zero, on the float32
 * value (as EZKL quantises). Decoding divides by 2^scale.
 */
const LIMIT = 2n ** 53n;

/** Fixed-point ints (decimal strings or bigints) -> float32 values. Refuses values a float cannot carry. */
export function decodeFixedPoint(values: readonly (string | bigint)[], scale: number): Float32Array {
  const out = new Float32Array(values.length);
  values.forEach((raw, i) => {
    let v: bigint;
    try {
      v = typeof raw === "bigint" ? raw : BigInt(raw);
    } catch {
      throw new BadInputError(`input[${i}] is not an integer`, { metaMessages: [`  value: ${String(raw).slice(0, 80)}`] });
    }
    if (v >= LIMIT || v <= -LIMIT) {
      throw new BadInputError(`input[${i}] is out of range for a fixed-point input at scale ${scale}`, { metaMessages: [`  value: ${v}`] });
    }
    out[i] = Number(v) / 2 ** scale;
  });
  return out;
}

/** float values -> fixed-point ints at `scale`, half away from zero. */
export function encodeFixedPoint(values: ArrayLike<number>, scale: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new InferenceError(`model output[${i}] is not finite (${x})`);
    const v = Math.fround(x) * 2 ** scale;
    out.push(BigInt(Math.sign(v) * Math.round(Math.abs(v))));
  }
  return out;
}
