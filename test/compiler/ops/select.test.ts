// @tier slow  (compiles and proves many circuits: its own process, not the ops group)
import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, singleOp, step } from "./harness.js";

describe("TopK, ArgMax, ArgMin", () => {
  it("TopK values along the last axis (largest and smallest)", async () => {
    for (const largest of [1, 0])
      await checkOp({
        onnx: buildOnnxModel({
          name: "topk", inputs: [{ name: "x", shape: [2, 6] }], outputs: [{ name: "v", shape: [2, 3] }],
          initializers: [{ name: "k", dims: [1], int64: [3] }], nodes: [{ op: "TopK", inputs: ["x", "k"], outputs: ["v", "i"], attributes: { axis: -1, largest } }],
        }), bound: step(), inputRange: [-2, 2],
      });
  });
  it("ArgMax (keepdims) and ArgMin (keepdims=0), as int64 indices; ArgMax proves and verifies", async () => {
    const model = (op: string, keepdims: number, out: number[]) => buildOnnxModel({
      name: op, inputs: [{ name: "x", shape: [2, 5] }], outputs: [{ name: "y", shape: out, elemType: 7 }],
      nodes: [{ op, inputs: ["x"], outputs: ["y"], attributes: { axis: 1, keepdims } }],
    });
    await checkOp({ onnx: model("ArgMax", 1, [2, 1]), bound: 0, inputRange: [-2, 2], prove: true, count: 3 });
    await checkOp({ onnx: model("ArgMin", 0, [2]), bound: 0, inputRange: [-2, 2] });
  });
  it("the indices output of TopK is refused when it is used", async () => {
    const onnx = buildOnnxModel({
      name: "topk-i", inputs: [{ name: "x", shape: [1, 4] }], outputs: [{ name: "i", shape: [1, 2], elemType: 7 }],
      initializers: [{ name: "k", dims: [1], int64: [2] }], nodes: [{ op: "TopK", inputs: ["x", "k"], outputs: ["v", "i"], name: "tk" }],
    });
    const { rejects } = await import("node:assert/strict");
    await rejects(checkOp({ onnx, bound: 1 }), /'i'/);
  });
  void singleOp;
});
