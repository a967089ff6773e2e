/** Fixed-point helpers for executors/provers: float <-> the circuit's integers at a given scale. */

/** round_half_away_from_zero(x * 2^scale), as ezkl quantizes inputs. */
export function quantizeInput(values: number[], scale: number): bigint[] {
  return values.map((x) => {
    if (!Number.isFinite(x)) throw new RangeError(`cannot quantize non-finite value ${x}`);
    const v = x * 2 ** scale;
    return BigInt(Math.sign(v) * Math.round(Math.abs(v)));
  });
}

/** integer / 2^scale */
export function dequantizeOutput(values: (bigint | number)[], scale: number): number[] {
  return values.map((v) => Number(v) / 2 ** scale);
}
