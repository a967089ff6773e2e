/** The models whose layout counts are checked against native ezkl's own count (ezkl-counts.json). */
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { lookupMlp } from "./fixtures.js";
import { singleOp, weights } from "./singleOp.js";

const w = (seed: number, name: string, dims: number[], amp = 0.5) => ({ name, dims, data: weights(seed, dims.reduce((a, b) => a * b, 1), amp) });
/** ezkl (tract) needs explicit strides and pads on Conv/pools */
const sp = (k: number[], s = [1, 1]) => ({ kernel_shape: k, strides: s, pads: [0, 0, 0, 0] });

/** LeNet-5 shape: conv(6,5x5)-relu-maxpool-conv(16,5x5)-relu-maxpool-fc120-relu-fc84-relu-fc10 on 1x28x28 */
export function lenet5(seed = 5): Uint8Array {
  const fan = (n: number) => Math.sqrt(3 / n);
  return buildOnnxModel({
    name: "lenet5", inputs: [{ name: "x", shape: [1, 1, 28, 28] }], outputs: [{ name: "y", shape: [1, 10] }],
    initializers: [
      w(seed, "K1", [6, 1, 5, 5], fan(25)), w(seed + 1, "b1", [6], fan(25)),
      w(seed + 2, "K2", [16, 6, 5, 5], fan(150)), w(seed + 3, "b2", [16], fan(150)),
      w(seed + 4, "W3", [120, 256], fan(256)), w(seed + 5, "b3", [120], fan(256)),
      w(seed + 6, "W4", [84, 120], fan(120)), w(seed + 7, "b4", [84], fan(120)),
      w(seed + 8, "W5", [10, 84], fan(84)), w(seed + 9, "b5", [10], fan(84)),
    ],
    nodes: [
      { op: "Conv", inputs: ["x", "K1", "b1"], outputs: ["c1"], attributes: sp([5, 5]) },
      { op: "Relu", inputs: ["c1"], outputs: ["r1"] },
      { op: "MaxPool", inputs: ["r1"], outputs: ["p1"], attributes: sp([2, 2], [2, 2]) },
      { op: "Conv", inputs: ["p1", "K2", "b2"], outputs: ["c2"], attributes: sp([5, 5]) },
      { op: "Relu", inputs: ["c2"], outputs: ["r2"] },
      { op: "MaxPool", inputs: ["r2"], outputs: ["p2"], attributes: sp([2, 2], [2, 2]) },
      { op: "Flatten", inputs: ["p2"], outputs: ["f"] },
      { op: "Gemm", inputs: ["f", "W3", "b3"], outputs: ["g3"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["g3"], outputs: ["r3"] },
      { op: "Gemm", inputs: ["r3", "W4", "b4"], outputs: ["g4"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["g4"], outputs: ["r4"] },
      { op: "Gemm", inputs: ["r4", "W5", "b5"], outputs: ["y"], attributes: { transB: 1 } },
    ],
  });
}

export const CENSUS_MODELS: Record<string, () => Uint8Array> = {
  gemm: () => singleOp({ op: "Gemm", input: [1, 6], output: [1, 4], attributes: { transB: 1 }, consts: [w(3, "W", [4, 6]), w(4, "b", [4])] }),
  matmul: () => singleOp({ op: "MatMul", input: [1, 6], output: [1, 4], consts: [w(3, "W", [6, 4])] }),
  addConst: () => singleOp({ op: "Add", input: [1, 6], output: [1, 6], consts: [w(3, "c", [6])] }),
  mulConst: () => singleOp({ op: "Mul", input: [1, 6], output: [1, 6], consts: [w(3, "c", [6])] }),
  divConst: () => singleOp({ op: "Div", input: [1, 6], output: [1, 6], consts: [{ name: "c", dims: [1], data: [3] }] }),
  relu: () => singleOp({ op: "Relu", input: [1, 10], output: [1, 10] }),
  leakyRelu: () => singleOp({ op: "LeakyRelu", input: [1, 10], output: [1, 10], attributes: { alpha: 0.2 } }),
  sigmoid: () => singleOp({ op: "Sigmoid", input: [1, 6], output: [1, 6] }),
  softmax: () => singleOp({ op: "Softmax", input: [1, 6], output: [1, 6], attributes: { axis: -1 } }),
  conv: () => singleOp({ op: "Conv", input: [1, 1, 8, 8], output: [1, 2, 4, 4], attributes: sp([5, 5]), consts: [w(1, "K", [2, 1, 5, 5]), w(2, "b", [2])] }),
  maxPool: () => singleOp({ op: "MaxPool", input: [1, 1, 4, 4], output: [1, 1, 2, 2], attributes: sp([2, 2], [2, 2]) }),
  averagePool: () => singleOp({ op: "AveragePool", input: [1, 2, 4, 4], output: [1, 2, 2, 2], attributes: sp([2, 2], [2, 2]) }),
  lookupMlp: () => lookupMlp(),
  lenet5: () => lenet5(),
  // ops added for issue 11, each as one node (graphs ezkl/tract lower the same way)
  reduceSum: () => singleOp({ op: "ReduceSum", input: [1, 3, 4], output: [1, 1, 4], consts: [{ name: "ax", dims: [1], int64: [1] }] }),
  reduceMean: () => singleOp({ op: "ReduceMean", input: [1, 3, 4], output: [1, 3, 1], attributes: { axes: [2], keepdims: 1 } }),
  reduceMax: () => singleOp({ op: "ReduceMax", input: [1, 3, 4], output: [1, 3], attributes: { axes: [2], keepdims: 0 } }),
  reduceL2: () => singleOp({ op: "ReduceL2", input: [1, 3, 4], output: [1, 3], attributes: { axes: [2], keepdims: 0 } }),
  layerNorm: () => singleOp({ op: "LayerNormalization", input: [1, 3, 4], output: [1, 3, 4], attributes: { axis: -1, epsilon: 1e-5 }, consts: [{ name: "g", dims: [4], data: [1, 0.5, 2, 1] }, { name: "b", dims: [4], data: [0, 0.1, 0, -0.1] }], opset: 17 }),
  sqrt: () => singleOp({ op: "Sqrt", input: [1, 4], output: [1, 4] }),
  reciprocal: () => singleOp({ op: "Reciprocal", input: [1, 4], output: [1, 4] }),
  pow2: () => singleOp({ op: "Pow", input: [1, 4], output: [1, 4], consts: [{ name: "e", dims: [], data: [2] }] }),
  erf: () => singleOp({ op: "Erf", input: [1, 4], output: [1, 4] }),
  abs: () => singleOp({ op: "Abs", input: [1, 4], output: [1, 4] }),
  neg: () => singleOp({ op: "Neg", input: [1, 4], output: [1, 4] }),
  softsign: () => singleOp({ op: "Softsign", input: [1, 4], output: [1, 4] }),
  hardSigmoid: () => singleOp({ op: "HardSigmoid", input: [1, 4], output: [1, 4] }),
  clip: () => singleOp({ op: "Clip", input: [1, 4], output: [1, 4], consts: [{ name: "lo", dims: [], data: [-0.5] }, { name: "hi", dims: [], data: [0.5] }] }),
  prelu: () => singleOp({ op: "PRelu", input: [1, 4], output: [1, 4], consts: [{ name: "s", dims: [4], data: [0.1, 0.2, 0.3, 0.25] }] }),
  elu: () => singleOp({ op: "Elu", input: [1, 4], output: [1, 4] }),
  where: () => buildOnnxModel({ name: "wh", inputs: [{ name: "a", shape: [1, 4] }, { name: "b", shape: [1, 4] }], outputs: [{ name: "y", shape: [1, 4] }], nodes: [{ op: "Greater", inputs: ["a", "b"], outputs: ["c"] }, { op: "Where", inputs: ["c", "a", "b"], outputs: ["y"] }] }),
  max: () => buildOnnxModel({ name: "mx", inputs: [{ name: "a", shape: [1, 4] }, { name: "b", shape: [1, 4] }], outputs: [{ name: "y", shape: [1, 4] }], nodes: [{ op: "Max", inputs: ["a", "b"], outputs: ["y"] }] }),
  divTensor: () => buildOnnxModel({ name: "dv", inputs: [{ name: "a", shape: [1, 4] }, { name: "b", shape: [1, 4] }], outputs: [{ name: "y", shape: [1, 4] }], nodes: [{ op: "Div", inputs: ["a", "b"], outputs: ["y"] }] }),
  concat: () => buildOnnxModel({ name: "cc", inputs: [{ name: "a", shape: [1, 2] }, { name: "b", shape: [1, 3] }], outputs: [{ name: "y", shape: [1, 5] }], nodes: [{ op: "Concat", inputs: ["a", "b"], outputs: ["y"], attributes: { axis: 1 } }] }),
  slice: () => singleOp({ op: "Slice", input: [1, 6], output: [1, 3], consts: [{ name: "st", dims: [1], int64: [1] }, { name: "en", dims: [1], int64: [4] }, { name: "ax", dims: [1], int64: [1] }] }),
  pad: () => singleOp({ op: "Pad", input: [1, 4], output: [1, 7], consts: [{ name: "p", dims: [4], int64: [0, 1, 0, 2] }] }),
  gatherConst: () => singleOp({ op: "Gather", input: [1, 5], output: [1, 2], attributes: { axis: 1 }, consts: [{ name: "i", dims: [2], int64: [3, 0] }] }),
  transpose: () => singleOp({ op: "Transpose", input: [1, 2, 3], output: [1, 3, 2], attributes: { perm: [0, 2, 1] } }),
  expand: () => singleOp({ op: "Expand", input: [1, 3], output: [2, 3], consts: [{ name: "s", dims: [2], int64: [2, 3] }] }),
  matmulVars: () => buildOnnxModel({ name: "mm", inputs: [{ name: "a", shape: [2, 3, 4] }, { name: "b", shape: [2, 4, 5] }], outputs: [{ name: "y", shape: [2, 3, 5] }], nodes: [{ op: "MatMul", inputs: ["a", "b"], outputs: ["y"] }] }),
  convTranspose: () => singleOp({ op: "ConvTranspose", input: [1, 1, 3, 3], output: [1, 2, 5, 5], attributes: { kernel_shape: [3, 3], strides: [1, 1], pads: [0, 0, 0, 0] }, consts: [w(2, "K", [1, 2, 3, 3]), w(3, "b", [2])] }),
  conv1d: () => singleOp({ op: "Conv", input: [1, 2, 8], output: [1, 3, 6], attributes: { kernel_shape: [3], strides: [1], pads: [0, 0] }, consts: [w(3, "K", [3, 2, 3]), w(4, "b", [3])] }),
  resize: () => singleOp({ op: "Resize", input: [1, 1, 2, 2], output: [1, 1, 4, 4], attributes: { mode: "nearest" }, consts: ["", { name: "sc", dims: [4], data: [1, 1, 2, 2] }] }),
  topK: () => buildOnnxModel({ name: "tk", inputs: [{ name: "x", shape: [1, 5] }], outputs: [{ name: "v", shape: [1, 2] }], initializers: [{ name: "k", dims: [1], int64: [2] }], nodes: [{ op: "TopK", inputs: ["x", "k"], outputs: ["v", "i"], attributes: { axis: 1 } }] }),
  argMax: () => buildOnnxModel({ name: "am", inputs: [{ name: "x", shape: [1, 5] }], outputs: [{ name: "y", shape: [1, 1], elemType: 7 }], nodes: [{ op: "ArgMax", inputs: ["x"], outputs: ["y"], attributes: { axis: 1 } }] }),
};
