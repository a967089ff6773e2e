import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step } from "./harness.js";

const ax = (v: number[]) => ({ name: "ax", dims: [v.length], int64: v });

describe("reductions", () => {
  it("ReduceSum (axes input, keepdims) and ReduceSum over every axis", async () => {
    await checkOp({ onnx: singleOp({ op: "ReduceSum", input: [1, 3, 4], output: [1, 1, 4], consts: [ax([1])] }), bound: 3 * step() });
    await checkOp({ onnx: singleOp({ op: "ReduceSum", input: [2, 3], output: [1, 1] }), bound: 6 * step() });
  });
  it("ReduceMean: a power-of-two count is a free scale shift; otherwise x·(1/n) rebased", async () => {
    const a = await checkOp({ onnx: singleOp({ op: "ReduceMean", input: [1, 3, 4], output: [1, 3, 1], attributes: { axes: [2] } }), bound: 2 * step() });
    assert.deepEqual(a.compiled.lowered.nodes.map((n) => n.label).filter((l) => l !== "Constant"), ["Input", "Sum", "Identity"]);
    await checkOp({ onnx: singleOp({ op: "ReduceMean", input: [1, 3, 5], output: [1, 3], attributes: { axes: [-1], keepdims: 0 }, opset: 13 }), bound: 3 * step() });
  });
  it("ReduceMax / ReduceMin (sort + shuffle per slice, as MaxPool)", async () => {
    await checkOp({ onnx: singleOp({ op: "ReduceMax", input: [1, 3, 4], output: [1, 3], attributes: { axes: [2], keepdims: 0 } }), bound: step(), count: 4 });
    await checkOp({ onnx: singleOp({ op: "ReduceMin", input: [2, 4], output: [1, 4], attributes: { axes: [0] } }), bound: step() });
  });
  it("ReduceL1, ReduceL2, ReduceSumSquare", async () => {
    await checkOp({ onnx: singleOp({ op: "ReduceL1", input: [1, 3, 4], output: [1, 3], attributes: { axes: [2], keepdims: 0 } }), bound: 4 * step() });
    await checkOp({ onnx: singleOp({ op: "ReduceL2", input: [1, 3, 4], output: [1, 3], attributes: { axes: [2], keepdims: 0 } }), bound: 4 * step() });
    await checkOp({ onnx: singleOp({ op: "ReduceSumSquare", input: [1, 3, 4], output: [1, 3], attributes: { axes: [2], keepdims: 0 } }), bound: 6 * step() });
  });
});
