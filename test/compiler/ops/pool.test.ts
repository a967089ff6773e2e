import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step } from "./harness.js";

describe("ops AveragePool, GlobalAveragePool, MaxPool", () => {
  it("MaxPool 2x2 stride 2 (sort + shuffle argument; proven in compile.test.ts)", async () => {
    const r = await checkOp({ onnx: singleOp({ op: "MaxPool", input: [1, 2, 4, 4], output: [1, 2, 2, 2], attributes: { kernel_shape: [2, 2], strides: [2, 2] } }), bound: step(), count: 4 });
    assert.ok(r.compiled.settingsValue.num_shuffles > 0);
  });
  it("AveragePool 3x3 stride 1 with count_include_pad padding", async () => {
    await checkOp({ onnx: singleOp({ op: "AveragePool", input: [1, 2, 4, 4], output: [1, 2, 4, 4], attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 } }), bound: 2 * step() });
  });
  it("GlobalAveragePool", async () => {
    await checkOp({ onnx: singleOp({ op: "GlobalAveragePool", input: [1, 3, 3, 3], output: [1, 3, 1, 1] }), bound: 2 * step() });
  });
});
