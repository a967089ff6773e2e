import { describe, it } from "node:test";
import { checkOp, singleOp, step } from "./harness.js";

describe("ops Flatten, Reshape, Squeeze, Unsqueeze", () => {
  it("Flatten (axis 2)", async () => {
    await checkOp({ onnx: singleOp({ op: "Flatten", input: [1, 2, 3, 2], output: [2, 6], attributes: { axis: 2 } }), bound: step() });
  });
  it("Reshape with 0 and -1", async () => {
    await checkOp({ onnx: singleOp({ op: "Reshape", input: [1, 2, 6], output: [1, 3, 4], consts: [{ name: "s", dims: [3], int64: [0, 3, -1] }] }), bound: step() });
  });
  it("Squeeze (axes input, opset 13) and Unsqueeze (axes attribute, opset 11)", async () => {
    await checkOp({ onnx: singleOp({ op: "Squeeze", input: [1, 3, 1, 2], output: [3, 2], consts: [{ name: "a", dims: [2], int64: [0, -2] }] }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "Unsqueeze", input: [3, 2], output: [3, 1, 2, 1], attributes: { axes: [1, -1] }, opset: 11 }), bound: step() });
  });
});
