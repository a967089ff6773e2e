/**
 * Thin typed wrapper over @ezkljs/engine@21.0.0 (single-threaded WASM, in-process).
 * Calls that can trap the WASM (`unreachable`) on under-sized settings should go through
 * isolated.ts instead.
 */
import { createRequire } from "node:module";
import { FR_MODULUS } from "../bincode/codec.js";

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
let engine: any;
export function ezkl(): any {
  engine ??= require("@ezkljs/engine");
  return engine;
}

export const ENGINE_ID = "@ezkljs/engine@21.0.0";

const u8c = (b: Uint8Array) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

export interface Witness {
  bytes: Uint8Array;
  /** fixed-point integers of the outputs (first output) */
  outputs: bigint[];
  /** outputs dequantized by the engine */
  rescaledOutputs: number[];
  maxLookupInputs: number;
  minLookupInputs: number;
  maxRangeSize: number;
}

/** LE hex field element -> signed integer (values above r/2 are negative). */
export function feltHexToInt(hex: string): bigint {
  let v = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return v > FR_MODULUS / 2n ? v - FR_MODULUS : v;
}

export function genWitness(compiled: Uint8Array, input: number[]): Witness {
  const bytes = ezkl().genWitness(u8c(compiled), u8c(json({ input_data: [input] })));
  const w = JSON.parse(new TextDecoder().decode(bytes));
  return {
    bytes,
    outputs: (w.outputs[0] as string[]).map(feltHexToInt),
    rescaledOutputs: (w.pretty_elements?.rescaled_outputs?.[0] ?? []).map(Number),
    maxLookupInputs: Number(w.max_lookup_inputs),
    minLookupInputs: Number(w.min_lookup_inputs),
    maxRangeSize: Number(w.max_range_size),
  };
}

export const genVk = (compiled: Uint8Array, srs: Uint8Array, compressSelectors = true): Uint8Array =>
  ezkl().genVk(u8c(compiled), u8c(srs), compressSelectors);
export const genPk = (vk: Uint8Array, compiled: Uint8Array, srs: Uint8Array): Uint8Array =>
  ezkl().genPk(u8c(vk), u8c(compiled), u8c(srs));
export const prove = (witness: Uint8Array, pk: Uint8Array, compiled: Uint8Array, srs: Uint8Array): Uint8Array =>
  ezkl().prove(u8c(witness), u8c(pk), u8c(compiled), u8c(srs));

/** verify() returns false or throws on a bad proof; both count as "not verified". */
export function verify(proof: Uint8Array, vk: Uint8Array, settings: Uint8Array, srs: Uint8Array): boolean {
  try {
    return ezkl().verify(u8c(proof), u8c(vk), u8c(settings), u8c(srs)) === true;
  } catch {
    return false;
  }
}

export const compiledCircuitValidation = (compiled: Uint8Array): boolean => ezkl().compiledCircuitValidation(u8c(compiled));
