/**
 * Public API of the demo models, for the workers, the demo and the proof path.
 *
 *   demoModelPath("iris-mlp")          -> absolute path of models/iris-mlp/model.onnx
 *   demoModelShapes("iris-mlp")        -> { input: [1, 4], output: [1, 3], inputName, outputName }
 *   exampleInputs("iris-mlp", 3)       -> three standardised test rows (float32-exact number[])
 *   ensureDemoBundle("iris-mlp")       -> { dir, manifest, manifestHash, source } of the EZKL bundle
 *                                         (with pk.key; built or completed if missing or stale)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_MODEL_NAMES, ensureDemoBundle as ensureBundle, type DemoBundle, type DemoBundleOptions } from "./bundle.js";
import type { DatasetFile, SamplesFile } from "./files.js";
import { modelDir } from "./files.js";
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from "./onnx-export.js";
import { DEMO_MODEL_NAMES, type DemoModelName } from "./specs.js";
import { demoModelSpec, UnknownDemoModelError } from "./train-demo.js";
import { DIGITS_SPEC } from "./digits.js";

/** A model the demo can serve: the Iris demo models and the digits task (each has a committed bundle and dataset). */
function servedModel(name: string): void {
  if (!(BUNDLED_MODEL_NAMES as readonly string[]).includes(name)) throw new UnknownDemoModelError(name);
}

export { DEMO_MODEL_NAMES, type DemoModelName } from "./specs.js";
export { UnknownDemoModelError } from "./train-demo.js";
export type { DatasetFile, SamplesFile, TrainingFile } from "./files.js";
export type { DemoBundle, DemoBundleOptions } from "./bundle.js";

export class DemoModelFileMissingError extends Error {
  override name = "DemoModelFileMissingError";
  constructor(readonly path: string) {
    super(`demo model file ${path} is missing; rebuild with: node --import tsx models/build-demo-models.ts`);
  }
}

export interface DemoModelShapes {
  /** ONNX input shape, e.g. [1, 4]. */
  input: number[];
  /** ONNX output shape, e.g. [1, 3] (class logits). */
  output: number[];
  inputName: string;
  outputName: string;
  /** ONNX element type of the input: the Iris models take float32 rows, the digits model int64 pixels. */
  inputType: "float32" | "int64";
}

function existing(path: string): string {
  if (!existsSync(path)) throw new DemoModelFileMissingError(path);
  return path;
}

/** Absolute path of the committed ONNX file of a demo model. */
export function demoModelPath(name: DemoModelName | string): string {
  servedModel(name);
  return existing(join(modelDir(name), "model.onnx"));
}

/** Input/output shapes and tensor names of a demo model's ONNX graph. */
export function demoModelShapes(name: DemoModelName | string): DemoModelShapes {
  servedModel(name);
  if (name === DIGITS_SPEC.name) {
    return { input: [...DIGITS_SPEC.inputShape], output: [...DIGITS_SPEC.outputShape], inputName: ONNX_INPUT_NAME, outputName: ONNX_OUTPUT_NAME, inputType: "int64" };
  }
  const spec = demoModelSpec(name);
  return { input: [...spec.inputShape], output: [...spec.outputShape], inputName: ONNX_INPUT_NAME, outputName: ONNX_OUTPUT_NAME, inputType: "float32" };
}

/** The held-back test set with labels, as committed in dataset.json (Iris: 30 standardised rows; digits: 359 images). */
export function demoDataset(name: DemoModelName | string): DatasetFile {
  servedModel(name);
  return JSON.parse(readFileSync(existing(join(modelDir(name), "dataset.json")), "utf8")) as DatasetFile;
}

/** The calibration samples file (a few standardised test rows with raw cm values and labels). */
export function demoSamples(name: DemoModelName | string): SamplesFile {
  demoModelSpec(name);
  return JSON.parse(readFileSync(existing(join(modelDir(name), "samples.json")), "utf8")) as SamplesFile;
}

/**
 * `n` example inputs for a demo model: standardised Iris test rows, each a flat float32-exact array
 * of the model's input size. Cycles through the 30-row test set when n > 30.
 */
export function exampleInputs(name: DemoModelName | string, n: number): number[][] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`exampleInputs: n must be a non-negative integer, got ${n}`);
  const rows = demoDataset(name).test;
  return Array.from({ length: n }, (_, i) => rows[i % rows.length].x.slice());
}

/**
 * A complete, hash-checked EZKL bundle of a demo model, including its proving key, in the gitignored
 * cache (<repo>/.twinpath/bundles/<name>). Cheap when the cache is fresh; otherwise derives the
 * proving key from the committed bundle (~1-5 s) or, if that is missing or stale, rebuilds
 * (tens of seconds).
 */
export async function ensureDemoBundle(name: DemoModelName | string, opts: DemoBundleOptions = {}): Promise<DemoBundle> {
  servedModel(name);
  return ensureBundle(name, opts);
}

/** True when `name` is one of the demo models. */
export function isDemoModelName(name: string): name is DemoModelName {
  return (DEMO_MODEL_NAMES as readonly string[]).includes(name);
}

