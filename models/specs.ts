/**
 * The demo models: architecture, training hyper-parameters and seeds. Changing anything here changes
 * the trained weights and therefore the ONNX bytes and every hash derived from them.
 */
import type { LayerSpec } from "./train/layers.js";
import type { TrainOptions } from "./train/network.js";

export const DEMO_MODEL_NAMES = ["iris-mlp", "iris-deep", "iris-cnn"] as const;
export type DemoModelName = (typeof DEMO_MODEL_NAMES)[number];

export interface DemoModelSpec {
  name: DemoModelName;
  description: string;
  /** ONNX input shape. Every demo model takes one standardised Iris row. */
  inputShape: number[];
  /** ONNX output shape: the 3 class logits. */
  outputShape: number[];
  layers: LayerSpec[];
  train: TrainOptions;
  /** Test accuracy the trained float model must reach (checked by the build and the tests). */
  minTestAccuracy: number;
  /** Circuit compile options: fixed-point scale (2^-scale step) and the smallest logrows to try. */
  circuit: { inputScale: number; minLogrows: number };
}

const common = { inputShape: [1, 4], outputShape: [1, 3] };

export const DEMO_MODEL_SPECS: Record<DemoModelName, DemoModelSpec> = {
  "iris-mlp": {
    name: "iris-mlp",
    description: "MLP 4 -> 8 (ReLU) -> 3 logits: Gemm, Relu, Gemm",
    ...common,
    layers: [
      { kind: "dense", inputs: 4, outputs: 8 },
      { kind: "relu" },
      { kind: "dense", inputs: 8, outputs: 3 },
    ],
    train: { seed: 1, epochs: 200, batchSize: 16, learningRate: 0.01, weightDecay: 1e-3 },
    minTestAccuracy: 0.9,
    circuit: { inputScale: 7, minLogrows: 8 },
  },
  "iris-deep": {
    name: "iris-deep",
    description: "MLP 4 -> 8 (Sigmoid, a lookup in the circuit) -> 8 (ReLU) -> 3 logits: Gemm, Sigmoid, Gemm, Relu, Gemm",
    ...common,
    layers: [
      { kind: "dense", inputs: 4, outputs: 8 },
      { kind: "sigmoid" },
      { kind: "dense", inputs: 8, outputs: 8 },
      { kind: "relu" },
      { kind: "dense", inputs: 8, outputs: 3 },
    ],
    train: { seed: 2, epochs: 300, batchSize: 16, learningRate: 0.01, weightDecay: 1e-3 },
    minTestAccuracy: 0.9,
    // Scale 6 halves the Sigmoid lookup table (inputs reach about +-6.3, +-800 at scale 7 before the
    // compiler's 2x margin), which keeps the circuit at logrows 10 instead of 12 (prove ~6 s vs ~16 s).
    circuit: { inputScale: 6, minLogrows: 10 },
  },
  "iris-cnn": {
    name: "iris-cnn",
    description:
      "Toy CNN: the 4 features as a 1x2x2 'image' (row 0 sepal length/width, row 1 petal length/width); " +
      "Conv 1->4 channels with a 1x2 kernel shared by both rows, ReLU, Flatten (8), Gemm -> 3 logits. " +
      "It exists to exercise Conv in the circuit compiler, not because Iris needs a CNN.",
    ...common,
    layers: [
      { kind: "conv2d", inShape: [1, 2, 2], outChannels: 4, kernel: [1, 2], pads: [0, 0, 0, 0] },
      { kind: "relu" },
      { kind: "dense", inputs: 8, outputs: 3 },
    ],
    train: { seed: 3, epochs: 300, batchSize: 16, learningRate: 0.01, weightDecay: 1e-3 },
    minTestAccuracy: 0.85,
    circuit: { inputScale: 7, minLogrows: 8 },
  },
};
