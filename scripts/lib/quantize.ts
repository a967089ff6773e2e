/**
 * Fixed-point conversion used on chain: value = round(x * 2^scale), half away from zero (Rust's f64::round, as
 * EZKL quantizes). The hub and the proofs see these integers; the scale comes from the model's registration.
 */
export class QuantizeError extends Error {
  override name = "QuantizeError";
}

export function quantize(values: readonly number[], scale: number): bigint[] {
  if (!Number.isInteger(scale) || scale < 0 || scale > 52) throw new QuantizeError(`scale ${scale} is not an integer in 0..52`);
  const factor = 2 ** scale;
  return values.map((x, i) => {
    if (!Number.isFinite(x)) throw new QuantizeError(`input[${i}] = ${x} is not a finite number`);
    const scaled = Math.abs(x) * factor;
    if (scaled > Number.MAX_SAFE_INTEGER) throw new QuantizeError(`input[${i}] = ${x} is too large at scale ${scale}`);
    const q = BigInt(Math.round(scaled));
    return x < 0 ? -q : q;
  });
}

export function dequantize(values: readonly bigint[], scale: number): number[] {
  const factor = 2 ** scale;
  return values.map((v) => Number(v) / factor);
}
