import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, step } from "./harness.js";

describe("ops Identity, Dropout, Constant", () => {
  it("pass the value through; a Constant node feeds an Add", async () => {
    const onnx = buildOnnxModel({
      name: "id", inputs: [{ name: "x", shape: [1, 3] }], outputs: [{ name: "y", shape: [1, 3] }],
      nodes: [
        { op: "Identity", inputs: ["x"], outputs: ["a"] },
        { op: "Dropout", inputs: ["a"], outputs: ["b"] },
        { op: "Constant", inputs: [], outputs: ["k"], attributes: { value: { type: "tensor", dims: [3], data: [0.25, -1, 2] } } },
        { op: "Add", inputs: ["b", "k"], outputs: ["y"] },
      ],
    });
    await checkOp({ onnx, bound: step() });
  });
});
