/**
 * Train a demo model and write its committed files (model.onnx, samples.json, dataset.json,
 * training.json) into models/<name>/. Only rewrites a file when its bytes change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { datasetFile, jsonText, modelDir, samplesFile, trainingFile } from "./files.js";
import { trainDemoModel, type TrainedDemoModel } from "./train-demo.js";

export class DemoModelAccuracyError extends Error {
  override name = "DemoModelAccuracyError";
}

export interface WrittenModelFiles {
  trained: TrainedDemoModel;
  dir: string;
  /** Files whose contents changed (or were created). */
  changed: string[];
}

function writeIfChanged(path: string, bytes: Uint8Array | string, changed: string[]): void {
  const next = typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes);
  if (existsSync(path) && Buffer.compare(readFileSync(path), next) === 0) return;
  writeFileSync(path, next);
  changed.push(path);
}

export function writeDemoModelFiles(name: string): WrittenModelFiles {
  const trained = trainDemoModel(name);
  if (trained.testAccuracy < trained.spec.minTestAccuracy) {
    throw new DemoModelAccuracyError(`${name}: test accuracy ${trained.testAccuracy} is below the required ${trained.spec.minTestAccuracy}`);
  }
  const dir = modelDir(name);
  mkdirSync(dir, { recursive: true });
  const changed: string[] = [];
  writeIfChanged(join(dir, "model.onnx"), trained.onnx, changed);
  writeIfChanged(join(dir, "samples.json"), jsonText(samplesFile(trained)), changed);
  writeIfChanged(join(dir, "dataset.json"), jsonText(datasetFile(trained)), changed);
  writeIfChanged(join(dir, "training.json"), jsonText(trainingFile(trained)), changed);
  return { trained, dir, changed };
}
