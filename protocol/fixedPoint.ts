/**
 * The fixed-point encoding every Twinpath number crosses the chain in: a real value x at scale s is the integer
 * round_half_away_from_zero(f32(x) * 2^s). This is EZKL's rule (it reads inputs as float32 and quantises the
 * float32 value; weights likewise), so it is the rule the circuit's public instances follow and therefore the rule
 * the hub binds proofs with (contracts/libraries/Instances.sol): a value encoded any other way can differ by one
 * unit from the proven one, which the hub treats as a mismatch. test/protocol/fixedPoint.test.ts checks it against
 * the engine's witness on random values and against the hub's instances.
 */

/** A value that has no fixed-point encoding (not finite, beyond float32, a bad scale). */
export class QuantizeError extends RangeError {
  override name = "QuantizeError";
}

/** Scales a fixed-point value can take here: 2^scale must be exact and f32(x) * 2^scale must stay exact. */
export const MAX_FIXED_POINT_SCALE = 52;
/** |integer| below this converts to a float without loss. */
const SAFE = 2n ** 53n;

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < -MAX_FIXED_POINT_SCALE || scale > MAX_FIXED_POINT_SCALE) {
    throw new QuantizeError(`scale ${scale} is not an integer in -${MAX_FIXED_POINT_SCALE}..${MAX_FIXED_POINT_SCALE}`);
  }
}

/**
 * round_half_away_from_zero(f32(x) * 2^scale) as a float64 integer: the one rounding rule. Exact: a float32 times
 * a power of two is exact in float64, so only the final rounding happens. Non-finite in, non-finite out.
 */
export function roundFixedPoint(x: number, scale: number): number {
  const v = Math.fround(x) * 2 ** scale;
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** Real values -> fixed-point integers at `scale`. Throws QuantizeError naming the first value without one. */
export function quantize(values: ArrayLike<number>, scale: number): bigint[] {
  checkScale(scale);
  const out: bigint[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new QuantizeError(`input[${i}] = ${x} is not a finite number`);
    const q = roundFixedPoint(x, scale);
    if (!Number.isFinite(q)) throw new QuantizeError(`input[${i}] = ${x} is too large for a float32 at scale ${scale}`);
    out[i] = BigInt(q);
  }
  return out;
}

/** Fixed-point integers at `scale` -> real values (integer / 2^scale). Throws QuantizeError for an integer a
 * float cannot carry exactly (|v| >= 2^53). */
export function dequantize(values: readonly (bigint | number)[], scale: number): number[] {
  checkScale(scale);
  return values.map((raw, i) => {
    const v = BigInt(raw);
    if (v >= SAFE || v <= -SAFE) throw new QuantizeError(`value[${i}] = ${v} is out of range for a fixed-point value at scale ${scale}`);
    return Number(v) / 2 ** scale;
  });
}
