/**
 * The digits task: a small CNN for the 8x8 UCI handwritten digits, trained reproducibly in TypeScript
 * (seeded split, init and batches). The pixels (integers 0..16) are the model's int64 input: the
 * circuit takes them exactly at scale 0, so the convolution's output is already at the weights' scale
 * and needs no rescaling division (the costliest step of a layer in the circuit).
 *   input int64 [1,1,8,8] -> Cast -> Conv 8x3x3 stride 2 pad 1 -> Relu -> Flatten (128) -> Gemm 10
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DIGITS_SOURCE, splitDigits, type DigitsSplit } from "./data/digits.js";
import { jsonText, modelDir, sha256Hex } from "./files.js";
import { exportOnnx } from "./onnx-export.js";
import type { LayerSpec } from "./train/layers.js";
import { FrozenNetwork, trainNetwork, type TrainOptions } from "./train/network.js";

export const DIGITS_SPEC = {
  name: "digits",
  description: "Handwritten digits (8x8 UCI): int64 pixels -> Cast -> Conv 8x3x3 stride 2 pad 1 -> Relu -> Flatten -> Gemm 10",
  inputShape: [1, 1, 8, 8],
  /** ONNX INT64: the pixels are integers */
  inputElemType: 7,
  outputShape: [1, 10],
  layers: [
    { kind: "conv2d", inShape: [1, 8, 8], outChannels: 8, kernel: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] },
    { kind: "relu" },
    { kind: "dense", inputs: 128, outputs: 10 },
  ] as LayerSpec[],
  train: { seed: 7, epochs: 30, batchSize: 32, learningRate: 0.004, weightDecay: 1e-3 } satisfies TrainOptions,
  splitSeed: 11,
  minTestAccuracy: 0.93,
  /** calibration rows for the circuit (the first training rows) */
  calibrationRows: 64,
  // every 4-bit pixel image is admitted (not only the calibration rows' box): the circuit's range covers it. At
  // scale 5 the interval bound over that box fits two base-128 legs (at scale 7 it needed three), and 2^11 rows x 2
  // blocks proves about twice as fast as 2^11 x 3 (scale 7) or 2^12 x 1, with the same test accuracy
  circuit: { inputScale: 5, paramScale: 5, maxLogrows: 11, admit: [0, 16] as [number, number] },
};

export interface TrainedDigits {
  split: DigitsSplit;
  params: Float32Array[][];
  network: FrozenNetwork;
  trainAccuracy: number;
  testAccuracy: number;
  finalLoss: number;
  trainMs: number;
  onnx: Uint8Array;
}

export function trainDigits(): TrainedDigits {
  const s = DIGITS_SPEC;
  const split = splitDigits(s.splitSeed);
  const t0 = performance.now();
  const { params, finalLoss } = trainNetwork(s.layers, 64, split.train, s.train);
  const trainMs = performance.now() - t0;
  const network = new FrozenNetwork(s.layers, 64, params);
  const onnx = exportOnnx({ name: s.name, inputShape: s.inputShape, outputShape: s.outputShape, layers: s.layers, params, inputElemType: s.inputElemType });
  return { split, params, network, trainAccuracy: network.accuracy(split.train), testAccuracy: network.accuracy(split.test), finalLoss, trainMs, onnx };
}

/** Train the digits model and write models/digits/{model.onnx, dataset.json, training.json} (only changed files). */
export function writeDigitsFiles(): { trained: TrainedDigits; changed: string[] } {
  const trained = trainDigits();
  if (trained.testAccuracy < DIGITS_SPEC.minTestAccuracy)
    throw new Error(`digits: test accuracy ${trained.testAccuracy} is below the required ${DIGITS_SPEC.minTestAccuracy}`);
  const dir = modelDir(DIGITS_SPEC.name);
  mkdirSync(dir, { recursive: true });
  const changed: string[] = [];
  const write = (f: string, bytes: Uint8Array | string) => {
    const path = join(dir, f);
    const next = Buffer.from(bytes);
    if (existsSync(path) && Buffer.compare(readFileSync(path), next) === 0) return;
    writeFileSync(path, next);
    changed.push(path);
  };
  write("model.onnx", trained.onnx);
  write("dataset.json", jsonText({
    source: DIGITS_SOURCE,
    splitSeed: trained.split.seed,
    classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    input: "64 pixels, row-major 8x8, integers 0..16 (the model's int64 input)",
    test: trained.split.test.map((r) => ({ x: r.x, y: r.y })),
  }));
  write("training.json", jsonText({
    model: DIGITS_SPEC.name,
    description: DIGITS_SPEC.description,
    onnxSha256: sha256Hex(trained.onnx),
    onnxBytes: trained.onnx.length,
    inputShape: DIGITS_SPEC.inputShape,
    outputShape: DIGITS_SPEC.outputShape,
    layers: DIGITS_SPEC.layers,
    train: DIGITS_SPEC.train,
    trainRows: trained.split.train.length,
    testRows: trained.split.test.length,
    trainAccuracy: trained.trainAccuracy,
    testAccuracy: trained.testAccuracy,
    finalLoss: trained.finalLoss,
  }));
  return { trained, changed };
}
