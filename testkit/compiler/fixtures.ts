/** ONNX test models built with the project's own writer. */
import { buildOnnxModel, type NodeSpec, type InitializerSpec } from "../../compiler/onnx/write.js";

export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = (r: () => number, n: number, amp = 1) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * amp);

/** Gemm(transB)+Relu -> MatMul -> Add/Sub/Mul const -> LeakyRelu -> Reshape/Identity -> Gemm(transB=0) */
export function mixedMlp(seed = 1, tweak?: (inits: InitializerSpec[]) => void): Uint8Array {
  const r = rng(seed);
  const inits: InitializerSpec[] = [
    { name: "W1", dims: [6, 4], data: rand(r, 24, 0.6) },
    { name: "b1", dims: [6], data: rand(r, 6, 0.3) },
    { name: "M", dims: [6, 5], data: rand(r, 30, 0.5) },
    { name: "c", dims: [5], data: rand(r, 5, 0.2) },
    { name: "d", dims: [1, 5], data: rand(r, 5, 0.2) },
    { name: "e", dims: [5], data: Float32Array.from([0.5, 1.5, -0.75, 1, 0.25]) },
    { name: "shape", dims: [2], int64: [1, -1] },
    { name: "W3", dims: [5, 3], data: rand(r, 15, 0.6) },
    { name: "b3", dims: [3], data: rand(r, 3, 0.2) },
  ];
  tweak?.(inits);
  const nodes: NodeSpec[] = [
    { op: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h1"], attributes: { transB: 1 } },
    { op: "Relu", inputs: ["h1"], outputs: ["r1"] },
    { op: "MatMul", inputs: ["r1", "M"], outputs: ["h2"] },
    { op: "Add", inputs: ["h2", "c"], outputs: ["h3"] },
    { op: "Sub", inputs: ["h3", "d"], outputs: ["h4"] },
    { op: "Mul", inputs: ["h4", "e"], outputs: ["h5"] },
    { op: "LeakyRelu", inputs: ["h5"], outputs: ["h6"], attributes: { alpha: 0.125 } },
    { op: "Reshape", inputs: ["h6", "shape"], outputs: ["h7"] },
    { op: "Identity", inputs: ["h7"], outputs: ["h8"] },
    { op: "Gemm", inputs: ["h8", "W3", "b3"], outputs: ["y"], attributes: { alpha: 1, beta: 1 } },
  ];
  return buildOnnxModel({ name: "mixed-mlp", inputs: [{ name: "x", shape: ["batch", 4] }], outputs: [{ name: "y", shape: ["batch", 3] }], initializers: inits, nodes });
}

/** Gemm -> Sigmoid -> Gemm -> Tanh (two lookups) */
export function lookupMlp(seed = 2): Uint8Array {
  const r = rng(seed);
  return buildOnnxModel({
    name: "lookup-mlp",
    inputs: [{ name: "x", shape: [1, 3] }],
    outputs: [{ name: "y", shape: [1, 2] }],
    initializers: [
      { name: "W1", dims: [4, 3], data: rand(r, 12, 0.8) },
      { name: "b1", dims: [4], data: rand(r, 4, 0.3) },
      { name: "W2", dims: [2, 4], data: rand(r, 8, 0.8) },
      { name: "b2", dims: [2], data: rand(r, 2, 0.3) },
    ],
    nodes: [
      { op: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h"], attributes: { transB: 1 } },
      { op: "Sigmoid", inputs: ["h"], outputs: ["s"] },
      { op: "Gemm", inputs: ["s", "W2", "b2"], outputs: ["g"], attributes: { transB: 1 } },
      { op: "Tanh", inputs: ["g"], outputs: ["y"] },
    ],
  });
}

/** Conv(pad 1) -> BatchNorm (folded) -> Relu -> AveragePool -> Flatten -> Gemm */
export function smallCnn(seed = 3, opts: { channels?: number; size?: number } = {}): Uint8Array {
  const r = rng(seed);
  const C = opts.channels ?? 2, S = opts.size ?? 6; // S even
  const flat = C * (S / 2) * (S / 2);
  return buildOnnxModel({
    name: "small-cnn",
    inputs: [{ name: "img", shape: [1, 1, S, S] }],
    outputs: [{ name: "logits", shape: [1, 3] }],
    initializers: [
      { name: "K", dims: [C, 1, 3, 3], data: rand(r, C * 9, 0.5) },
      { name: "kb", dims: [C], data: rand(r, C, 0.2) },
      { name: "gamma", dims: [C], data: Float32Array.from({ length: C }, () => 0.8 + r() * 0.4) },
      { name: "beta", dims: [C], data: rand(r, C, 0.1) },
      { name: "mean", dims: [C], data: rand(r, C, 0.1) },
      { name: "var", dims: [C], data: Float32Array.from({ length: C }, () => 0.5 + r()) },
      { name: "W", dims: [3, flat], data: rand(r, 3 * flat, 0.5) },
      { name: "b", dims: [3], data: rand(r, 3, 0.2) },
    ],
    nodes: [
      { op: "Conv", inputs: ["img", "K", "kb"], outputs: ["c"], attributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] } },
      { op: "BatchNormalization", inputs: ["c", "gamma", "beta", "mean", "var"], outputs: ["bn"], attributes: { epsilon: 1e-5 } },
      { op: "Relu", inputs: ["bn"], outputs: ["r"] },
      { op: "AveragePool", inputs: ["r"], outputs: ["p1"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["p1"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "W", "b"], outputs: ["logits"], attributes: { transB: 1 } },
    ],
  });
}

/** A random MLP: widths from the seed, Relu between layers. */
export function randomMlp(seed: number): { bytes: Uint8Array; inputSize: number } {
  const r = rng(seed);
  const layers = 1 + Math.floor(r() * 3);
  const widths = [2 + Math.floor(r() * 6)];
  for (let i = 0; i < layers; i++) widths.push(1 + Math.floor(r() * 6));
  const inits: InitializerSpec[] = [];
  const nodes: NodeSpec[] = [];
  let cur = "x";
  for (let i = 0; i < layers; i++) {
    inits.push({ name: `W${i}`, dims: [widths[i + 1], widths[i]], data: rand(r, widths[i] * widths[i + 1], 0.7) });
    inits.push({ name: `b${i}`, dims: [widths[i + 1]], data: rand(r, widths[i + 1], 0.3) });
    const out = i === layers - 1 ? "y" : `h${i}`;
    nodes.push({ op: "Gemm", inputs: [cur, `W${i}`, `b${i}`], outputs: [i === layers - 1 ? out : `${out}_pre`], attributes: { transB: 1 } });
    if (i < layers - 1) nodes.push({ op: "Relu", inputs: [`${out}_pre`], outputs: [out] });
    cur = out;
  }
  return {
    bytes: buildOnnxModel({ name: `rand-${seed}`, inputs: [{ name: "x", shape: [1, widths[0]] }], outputs: [{ name: "y", shape: [1, widths[layers]] }], initializers: inits, nodes }),
    inputSize: widths[0],
  };
}

/** The remaining ops: Conv(no bias), standalone BatchNormalization, GlobalAveragePool, Squeeze, Dropout,
 *  Constant, Div by constant, var*var Mul, var+var Add, Unsqueeze, Flatten. */
export function restOps(seed = 5, S = 4): Uint8Array {
  const r = rng(seed);
  return buildOnnxModel({
    name: "rest-ops",
    opset: 13,
    inputs: [{ name: "x", shape: [1, 1, S, S] }],
    outputs: [{ name: "y", shape: [1, 2] }],
    initializers: [
      { name: "K", dims: [2, 1, 3, 3], data: rand(r, 18, 0.5) },
      { name: "gamma", dims: [2], data: [1.1, 0.9] },
      { name: "beta", dims: [2], data: [0.05, -0.1] },
      { name: "mean", dims: [2], data: [0.2, 0.1] },
      { name: "var", dims: [2], data: [0.8, 1.3] },
      { name: "sq_axes", dims: [2], int64: [2, 3] },
      { name: "unsq_axes", dims: [1], int64: [0] },
    ],
    nodes: [
      { op: "Conv", inputs: ["x", "K"], outputs: ["c"], attributes: { pads: [1, 1, 1, 1] } },
      { op: "Relu", inputs: ["c"], outputs: ["r"] },
      { op: "BatchNormalization", inputs: ["r", "gamma", "beta", "mean", "var"], outputs: ["bn"] },
      { op: "GlobalAveragePool", inputs: ["bn"], outputs: ["g"] },
      { op: "Squeeze", inputs: ["g", "sq_axes"], outputs: ["s"] },
      { op: "Dropout", inputs: ["s"], outputs: ["d"] },
      { op: "Constant", inputs: [], outputs: ["k"], attributes: { value: { type: "tensor", dims: [2], data: [0.5, 2] } } },
      { op: "Div", inputs: ["d", "k"], outputs: ["dv"] },
      { op: "Mul", inputs: ["dv", "dv"], outputs: ["sq"] },
      { op: "Add", inputs: ["sq", "dv"], outputs: ["a"] },
      { op: "Unsqueeze", inputs: ["a", "unsq_axes"], outputs: ["u"] },
      { op: "Flatten", inputs: ["u"], outputs: ["y"], attributes: { axis: 2 } },
    ],
  });
}

/** Conv -> MaxPool (shuffle argument) -> Flatten -> Gemm -> Softmax (exp lookup + shuffle + recip) */
export function poolSoftmax(seed = 6): Uint8Array {
  const r = rng(seed);
  return buildOnnxModel({
    name: "pool-softmax",
    inputs: [{ name: "x", shape: [1, 1, 4, 4] }],
    outputs: [{ name: "y", shape: [1, 3] }],
    initializers: [
      { name: "K", dims: [2, 1, 3, 3], data: rand(r, 18, 0.5) },
      { name: "W", dims: [3, 8], data: rand(r, 24, 0.8) },
      { name: "b", dims: [3], data: rand(r, 3, 0.2) },
    ],
    nodes: [
      { op: "Conv", inputs: ["x", "K"], outputs: ["c"], attributes: { pads: [1, 1, 1, 1] } },
      { op: "MaxPool", inputs: ["c"], outputs: ["p"], attributes: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: "Flatten", inputs: ["p"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "W", "b"], outputs: ["g"], attributes: { transB: 1 } },
      { op: "Softmax", inputs: ["g"], outputs: ["y"], attributes: { axis: 1 } },
    ],
  });
}

/** PyTorch-style x.view(x.size(0), -1) (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and a
 *  transposed weight (Transpose of an initializer), all folded at compile time. */
export function viewModel(seed = 7): Uint8Array {
  const r = rng(seed);
  return buildOnnxModel({
    name: "view",
    inputs: [{ name: "x", shape: ["N", 2, 2, 2] }],
    outputs: [{ name: "y", shape: ["N", 3] }],
    initializers: [
      { name: "i0", dims: [], int64: [0] },
      { name: "ax0", dims: [1], int64: [0] },
      { name: "m1", dims: [1], int64: [-1] },
      { name: "Wt", dims: [8, 3], data: rand(r, 24, 0.6) },
    ],
    nodes: [
      { op: "Relu", inputs: ["x"], outputs: ["r"] },
      { op: "Shape", inputs: ["r"], outputs: ["s"] },
      { op: "Gather", inputs: ["s", "i0"], outputs: ["b"], attributes: { axis: 0 } },
      { op: "Unsqueeze", inputs: ["b", "ax0"], outputs: ["bu"] },
      { op: "Concat", inputs: ["bu", "m1"], outputs: ["shp"], attributes: { axis: 0 } },
      { op: "Reshape", inputs: ["r", "shp"], outputs: ["f"] },
      { op: "Cast", inputs: ["Wt"], outputs: ["Wc"], attributes: { to: 1 } },
      { op: "Transpose", inputs: ["Wc"], outputs: ["W"], attributes: { perm: [1, 0] } },
      { op: "Gemm", inputs: ["f", "W"], outputs: ["y"], attributes: { transB: 1 } },
    ],
  });
}
