/**
 * Train one demo model from its spec on the seeded Iris split and export it to ONNX.
 * Pure and deterministic: same spec -> same float32 weights -> same ONNX bytes.
 */
import { splitIris, type IrisSplit } from "./data/iris.js";
import { exportOnnx } from "./onnx-export.js";
import { DEMO_MODEL_NAMES, DEMO_MODEL_SPECS, type DemoModelName, type DemoModelSpec } from "./specs.js";
import { FrozenNetwork, trainNetwork } from "./train/network.js";

export class UnknownDemoModelError extends Error {
  override name = "UnknownDemoModelError";
  constructor(readonly model: string) {
    super(`unknown demo model '${model}'; known: ${DEMO_MODEL_NAMES.join(", ")}`);
  }
}

export function demoModelSpec(name: string): DemoModelSpec {
  if (!(DEMO_MODEL_NAMES as readonly string[]).includes(name)) throw new UnknownDemoModelError(name);
  return DEMO_MODEL_SPECS[name as DemoModelName];
}

export interface TrainedDemoModel {
  spec: DemoModelSpec;
  split: IrisSplit;
  params: Float32Array[][];
  network: FrozenNetwork;
  trainAccuracy: number;
  testAccuracy: number;
  finalLoss: number;
  trainMs: number;
  onnx: Uint8Array;
}

export function trainDemoModel(name: string): TrainedDemoModel {
  const spec = demoModelSpec(name);
  const split = splitIris();
  const inputSize = spec.inputShape.reduce((a, b) => a * b, 1);
  const t0 = performance.now();
  const { params, finalLoss } = trainNetwork(spec.layers, inputSize, split.train, spec.train);
  const trainMs = performance.now() - t0;
  const network = new FrozenNetwork(spec.layers, inputSize, params);
  const onnx = exportOnnx({ name: spec.name, inputShape: spec.inputShape, outputShape: spec.outputShape, layers: spec.layers, params });
  return {
    spec,
    split,
    params,
    network,
    trainAccuracy: network.accuracy(split.train),
    testAccuracy: network.accuracy(split.test),
    finalLoss,
    trainMs,
    onnx,
  };
}
