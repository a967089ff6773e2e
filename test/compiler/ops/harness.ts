/**
 * The op test harness: compile a tiny ONNX model, run the circuit's witness with the engine on seeded
 * random inputs inside the calibrated range, and compare with onnxruntime-node. The error measured is
 * the manifest's accuracy figure (accuracyReport, the same function buildBundle records). Witness-only by
 * default (no layout search, no keys: milliseconds per case); `prove: true` also lays the circuit out,
 * keys it on the shared cached trial SRS and proves + verifies — used where an op adds a new kind of
 * constraint (lookup tables, shuffles, new layouts).
 */
import assert from "node:assert/strict";
import { accuracyReport, type AccuracyReport } from "../../../compiler/bundle.js";
import { compileModel, type CompiledModel } from "../../../compiler/compile.js";
import { size } from "../../../compiler/graph/tensor.js";
import { readOnnxModel } from "../../../compiler/onnx/read.js";
import { rng } from "../../../testkit/compiler/fixtures.js";

export { singleOp, weights, type SingleOpSpec } from "../../../testkit/compiler/singleOp.js";

export interface OpCase {
  /** ONNX bytes (the project's writer, or a committed file) */
  onnx: Uint8Array;
  /** uniform range of every input element (default [-1, 1]) */
  inputRange?: [number, number];
  /** number of random inputs (default 8) */
  count?: number;
  seed?: number;
  /** fixed-point scale of the inputs (default 7) */
  scale?: number;
  /** scale of the parameters (default: the input scale) */
  paramScale?: number;
  /** the largest |circuit - onnxruntime| accepted, in output units */
  bound: number;
  /** also lay out, key, prove and verify (default false) */
  prove?: boolean;
}

export interface OpResult {
  accuracy: AccuracyReport;
  compiled: CompiledModel;
  inputs: number[][];
}

/** Seeded uniform inputs in [lo, hi]. */
export function randomInputs(n: number, count: number, [lo, hi]: [number, number], seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: n }, () => lo + (hi - lo) * r()));
}

/** Compile the case, compare the witness with onnxruntime on random inputs, assert the bound. */
export async function checkOp(c: OpCase): Promise<OpResult> {
  const scale = c.scale ?? 7;
  // sized from the declared input shapes (a symbolic dimension is 1, as the compiler fixes it); integer
  // inputs take integers in the range
  const g = readOnnxModel(c.onnx);
  const range = c.inputRange ?? [-1, 1];
  const parts = g.inputs.map((inp, i) => {
    const n = size(inp.shape.map((d) => (typeof d === "number" && d > 0 ? d : 1)));
    const xs = randomInputs(n, c.count ?? 8, range, (c.seed ?? 1) + i);
    return [1, 10, 11].includes(inp.elemType) ? xs : xs.map((x) => x.map((v) => Math.min(Math.floor(range[1]), Math.floor(v))));
  });
  const inputs = parts[0].map((_, s) => parts.flatMap((p) => p[s]));
  const compiled = await compileModel(c.onnx, { inputScale: scale, paramScale: c.paramScale, samples: inputs, layout: c.prove === true });
  const m = compiled.lowered;
  const accuracy = await accuracyReport(c.onnx, compiled.compiled, m.outputs, inputs);
  assert.ok(accuracy.maxAbsError <= c.bound, `max |circuit - onnxruntime| = ${accuracy.maxAbsError} exceeds the bound ${c.bound}`);
  return { accuracy, compiled, inputs };
}

/** The circuit's output quantization step at scale s: the smallest error bound that can be asked for. */
export const step = (s = 7) => 2 ** -s;
