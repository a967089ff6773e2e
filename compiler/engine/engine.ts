/**
 * Thin typed wrapper over @ezkljs/engine@21.0.0 (single-threaded WASM, in-process).
 * Calls that can trap the WASM (`unreachable`) on under-sized settings should go through
 * isolated.ts instead.
 */
import { createRequire } from "node:module";
import { decode, FR_MODULUS } from "../bincode/codec.js";
import { GraphCircuit } from "../circuit/schema.js";

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
  /** fixed-point integers of the outputs (every output, concatenated) */
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

const inputSizes = new WeakMap<Uint8Array, number[]>();
/** Element counts of a compiled circuit's inputs (decoded once per buffer). */
export function circuitInputSizes(compiled: Uint8Array): number[] {
  let sizes = inputSizes.get(compiled);
  if (!sizes) {
    const { value } = decode(GraphCircuit, compiled, "GraphCircuit");
    const n: number = value.core.model.graph.inputs.length;
    sizes = (value.core.settings.model_instance_shapes as number[][]).slice(0, n).map((d) => d.reduce((a, b) => a * b, 1));
    inputSizes.set(compiled, sizes);
  }
  return sizes;
}

/**
 * Witness of a compiled circuit. `input` is the flat input vector (every model input concatenated, as
 * the hub stores it) or one array per model input; `outputs` is the flat output vector.
 */
export function genWitness(compiled: Uint8Array, input: readonly number[] | readonly (readonly number[])[]): Witness {
  let data: readonly (readonly number[])[];
  if (input.length > 0 && Array.isArray(input[0])) data = input as readonly (readonly number[])[];
  else {
    const flat = input as readonly number[];
    const sizes = circuitInputSizes(compiled);
    if (sizes.length === 1) data = [flat];
    else {
      let at = 0;
      data = sizes.map((n) => flat.slice(at, (at += n)));
      if (at !== flat.length) throw new RangeError(`the circuit takes ${at} input values (${sizes.join(" + ")}), got ${flat.length}`);
    }
  }
  const bytes = ezkl().genWitness(u8c(compiled), u8c(json({ input_data: data })));
  const w = JSON.parse(new TextDecoder().decode(bytes));
  return {
    bytes,
    outputs: (w.outputs as string[][]).flat().map(feltHexToInt),
    rescaledOutputs: ((w.pretty_elements?.rescaled_outputs ?? []) as string[][]).flat().map(Number),
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
