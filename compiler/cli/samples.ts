/** Calibration sample files: `[[...], ...]`, `{"input_data": [[...], ...]}` or `{"samples": [{"input": [...]}, ...]}`. */
import { readFileSync } from "node:fs";

export class SamplesError extends Error {
  override name = "SamplesError";
}

/** Flat input vectors (each sample's values in order; nested arrays are flattened). */
export function loadSamples(path: string): number[][] {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new SamplesError(`${path}: ${(e as Error).message}`);
  }
  const o = j as { input_data?: unknown; samples?: { input?: unknown }[] };
  const arr = Array.isArray(j) ? j : Array.isArray(o?.input_data) ? o.input_data : Array.isArray(o?.samples) ? o.samples.map((s) => s?.input) : undefined;
  if (!Array.isArray(arr) || arr.length === 0) throw new SamplesError(`${path}: expected a non-empty array of inputs, {"input_data": [...]} or {"samples": [{"input": [...]}]}`);
  return arr.map((x: unknown, i: number) => {
    const flat = [x].flat(Infinity as 1) as unknown[];
    if (flat.length === 0 || flat.some((v) => typeof v !== "number" || !Number.isFinite(v))) throw new SamplesError(`${path}: sample ${i} must be a non-empty array of finite numbers`);
    return flat as number[];
  });
}
