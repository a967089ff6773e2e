import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { viewModel } from "../../../testkit/compiler/fixtures.js";
import { checkOp, singleOp, step } from "./harness.js";

const i64 = (name: string, v: number[], dims = [v.length]) => ({ name, dims, int64: v });

describe("shape ops on variables (free views) and folded at compile time", () => {
  it("x.view(N, -1) and a transposed weight: Shape, Gather, Unsqueeze, Concat, Cast, Transpose folded", async () => {
    await checkOp({ onnx: viewModel(), bound: 6 * step() });
  });
  it("Concat of two inputs and a constant; Slice with negative and clamped bounds and a step; Split", async () => {
    await checkOp({
      onnx: buildOnnxModel({
        name: "concat", inputs: [{ name: "a", shape: [1, 2] }, { name: "b", shape: [1, 3] }], outputs: [{ name: "y", shape: [1, 7] }],
        initializers: [{ name: "c", dims: [1, 2], data: [0.25, -0.5] }],
        nodes: [{ op: "Concat", inputs: ["a", "c", "b"], outputs: ["y"], attributes: { axis: -1 } }],
      }), bound: step(),
    });
    await checkOp({ onnx: singleOp({ op: "Slice", input: [2, 8], output: [2, 3], consts: [i64("st", [-7]), i64("en", [100]), i64("ax", [1]), i64("sp", [3])] }), bound: step() });
    await checkOp({
      onnx: buildOnnxModel({
        name: "split", inputs: [{ name: "x", shape: [1, 6] }], outputs: [{ name: "p", shape: [1, 2] }, { name: "q", shape: [1, 4] }],
        initializers: [i64("s", [2, 4])], nodes: [{ op: "Split", inputs: ["x", "s"], outputs: ["p", "q"], attributes: { axis: 1 } }],
      }), bound: step(),
    });
  });
  it("Pad with zeros; Transpose (a permutation of rank 4); Expand; Tile", async () => {
    await checkOp({ onnx: singleOp({ op: "Pad", input: [1, 2, 3], output: [1, 4, 6], consts: [i64("p", [0, 1, 2, 0, 1, 1])] }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "Transpose", input: [1, 2, 3, 4], output: [1, 4, 2, 3], attributes: { perm: [0, 3, 1, 2] } }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "Expand", input: [3, 1], output: [2, 3, 4], consts: [i64("s", [2, 1, 4])] }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "Tile", input: [1, 3], output: [2, 6], consts: [i64("r", [2, 2])] }), bound: step() });
  });
  it("Gather with constant indices (incl. a scalar index) and GatherElements", async () => {
    await checkOp({ onnx: singleOp({ op: "Gather", input: [2, 5], output: [2, 3], attributes: { axis: 1 }, consts: [i64("i", [4, 0, -1])] }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "Gather", input: [3, 4], output: [4], attributes: { axis: 0 }, consts: [i64("i", [1], [])] }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "GatherElements", input: [2, 3], output: [2, 2], attributes: { axis: 1 }, consts: [i64("i", [0, 2, 1, 1], [2, 2])] }), bound: step() });
  });
  it("Gather with variable indices into an embedding table (dynamic lookup); proves and verifies", async () => {
    const onnx = buildOnnxModel({
      name: "embedding", inputs: [{ name: "ids", shape: [1, 3], elemType: 7 }], outputs: [{ name: "y", shape: [1, 3, 4] }],
      initializers: [{ name: "E", dims: [6, 4], data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)) }],
      nodes: [{ op: "Gather", inputs: ["E", "ids"], outputs: ["y"], attributes: { axis: 0 } }],
    });
    await checkOp({ onnx, bound: step(), inputRange: [0, 5], prove: true, count: 3 });
  });
});
