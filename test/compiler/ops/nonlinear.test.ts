import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step } from "./harness.js";

describe("lookup-table functions", () => {
  it("Sigmoid: lookup at the input scale (lookups are proven in compile.test.ts)", async () => {
    const r = await checkOp({ onnx: singleOp({ op: "Sigmoid", input: [1, 6], output: [1, 6] }), bound: 2 * step(), inputRange: [-6, 6] });
    assert.deepEqual(r.compiled.settingsValue.required_lookups, [{ Sigmoid: { scale: 128 } }]);
  });
  it("Tanh, Erf, HardSwish", async () => {
    await checkOp({ onnx: singleOp({ op: "Tanh", input: [1, 6], output: [1, 6] }), bound: 2 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: singleOp({ op: "Erf", input: [1, 6], output: [1, 6] }), bound: 2 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: singleOp({ op: "HardSwish", input: [1, 6], output: [1, 6], opset: 14 }), bound: 2 * step(), inputRange: [-4, 4] });
  });
  it("Exp and Log (Ln); trigonometric and hyperbolic functions", async () => {
    await checkOp({ onnx: singleOp({ op: "Exp", input: [1, 6], output: [1, 6] }), bound: 0.03, inputRange: [-2, 2] });
    await checkOp({ onnx: singleOp({ op: "Log", input: [1, 6], output: [1, 6] }), bound: 2 * step(), inputRange: [0.25, 4] });
    for (const [op, lo, hi] of [["Sin", -3, 3], ["Cos", -3, 3], ["Atan", -3, 3], ["Sinh", -1, 1], ["Cosh", -1, 1], ["Asinh", -2, 2]] as const)
      await checkOp({ onnx: singleOp({ op, input: [1, 5], output: [1, 5] }), bound: 2 * step(), inputRange: [lo, hi] });
  });
});
