// A decision tree as tree converters (Hummingbird's GEMM strategy) emit it as a tensor graph:
// T = (x·A < thresholds), leaf = (T·C == D), y = leaf·E.
import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, step } from "./harness.js";

// depth-2 tree over 3 features: node0: x0 < 0.2; node1 (left of 0): x1 < -0.3; node2 (right of 0): x2 < 0.5
const A = [1, 0, 0, 0, 1, 0, 0, 0, 1]; // [features=3, internal nodes=3]: node i reads feature i
const thresholds = [0.2, -0.3, 0.5];
// C[i, leaf] = 1 if the leaf is under node i's true branch, -1 under its false branch, 0 otherwise; leaves: LL, LR, RL, RR
const C = [1, 1, -1, -1, 1, -1, 0, 0, 0, 0, 1, -1];
const D = [2, 1, 1, 0]; // the number of 1s per leaf column
const E = [0.5, -1, 1.25, 0.75, 0, 1, -0.5, 0.25]; // leaf -> 2 class scores

function tree(ensemble = 1) {
  return buildOnnxModel({
    name: "tree-gemm", inputs: [{ name: "x", shape: [1, 3] }], outputs: [{ name: "y", shape: [1, 2] }],
    initializers: [
      { name: "A", dims: [3, 3], data: A }, { name: "B", dims: [3], data: thresholds },
      { name: "C", dims: [3, 4], data: C }, { name: "D", dims: [4], data: D },
      { name: "E", dims: [4, 2], data: E.map((v) => v * ensemble) },
    ],
    nodes: [
      { op: "MatMul", inputs: ["x", "A"], outputs: ["xa"] },
      { op: "Less", inputs: ["xa", "B"], outputs: ["t"] },
      { op: "Cast", inputs: ["t"], outputs: ["tf"], attributes: { to: 1 } },
      { op: "MatMul", inputs: ["tf", "C"], outputs: ["tc"] },
      { op: "Equal", inputs: ["tc", "D"], outputs: ["leaf"] },
      { op: "Cast", inputs: ["leaf"], outputs: ["lf"], attributes: { to: 1 } },
      { op: "MatMul", inputs: ["lf", "E"], outputs: ["y"] },
    ],
  });
}

describe("tree ensembles as tensor graphs", () => {
  it("a GEMM-strategy decision tree gives onnxruntime's leaf values exactly (comparisons are proven in logic.test.ts)", async () => {
    await checkOp({ onnx: tree(), bound: step(), inputRange: [-1, 1], count: 8 });
  });
});
