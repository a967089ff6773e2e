/**
 * A LeNet-5-class CNN on a 28×28 input (conv–pool–conv–pool–fc–fc–fc), written with the project's ONNX writer and
 * seeded weights (He-scaled uniform), for the proof-path benchmark: the size class issue 11 asks the compiler to
 * lay out, and a native EZKL reference for it meanwhile.
 */
import { buildOnnxModel } from "../../compiler/onnx/write.js";

export const LENET_INPUT_SHAPE = [1, 1, 28, 28] as const;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function lenet5Onnx(seed = 5): Uint8Array {
  const r = rng(seed);
  const he = (n: number, fanIn: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * Math.sqrt(6 / fanIn));
  const bias = (n: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * 0.05);
  return buildOnnxModel({
    name: "lenet5",
    inputs: [{ name: "image", shape: [...LENET_INPUT_SHAPE] }],
    outputs: [{ name: "logits", shape: [1, 10] }],
    initializers: [
      { name: "K1", dims: [6, 1, 5, 5], data: he(150, 25) },
      { name: "b1", dims: [6], data: bias(6) },
      { name: "K2", dims: [16, 6, 5, 5], data: he(2400, 150) },
      { name: "b2", dims: [16], data: bias(16) },
      { name: "W3", dims: [120, 400], data: he(48000, 400) },
      { name: "b3", dims: [120], data: bias(120) },
      { name: "W4", dims: [84, 120], data: he(10080, 120) },
      { name: "b4", dims: [84], data: bias(84) },
      { name: "W5", dims: [10, 84], data: he(840, 84) },
      { name: "b5", dims: [10], data: bias(10) },
    ],
    nodes: [
      { op: "Conv", inputs: ["image", "K1", "b1"], outputs: ["c1"], attributes: { kernel_shape: [5, 5], pads: [2, 2, 2, 2], strides: [1, 1] } },
      { op: "Relu", inputs: ["c1"], outputs: ["r1"] },
      { op: "AveragePool", inputs: ["r1"], outputs: ["p1"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Conv", inputs: ["p1", "K2", "b2"], outputs: ["c2"], attributes: { kernel_shape: [5, 5], strides: [1, 1] } },
      { op: "Relu", inputs: ["c2"], outputs: ["r2"] },
      { op: "AveragePool", inputs: ["r2"], outputs: ["p2"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["p2"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "W3", "b3"], outputs: ["h3"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["h3"], outputs: ["r3"] },
      { op: "Gemm", inputs: ["r3", "W4", "b4"], outputs: ["h4"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["h4"], outputs: ["r4"] },
      { op: "Gemm", inputs: ["r4", "W5", "b5"], outputs: ["logits"], attributes: { transB: 1 } },
    ],
  });
}

/** `n` seeded 28×28 images in [0, 1] (blobs of ink on a blank background, like digits). */
export function lenetInputs(n: number, seed = 11): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const cx = 8 + r() * 12, cy = 8 + r() * 12, s = 3 + r() * 4;
    return Array.from({ length: 784 }, (_, i) => {
      const x = i % 28, y = Math.floor(i / 28);
      const d = Math.hypot(x - cx, y - cy);
      return Math.max(0, Math.min(1, 1.2 - Math.abs(d - s) / 1.5)) * (0.8 + 0.2 * r());
    });
  });
}
