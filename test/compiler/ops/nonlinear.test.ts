import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step } from "./harness.js";

describe("ops Sigmoid, Tanh (lookup tables)", () => {
  it("Sigmoid: lookup at the input scale; lays out, proves and verifies", async () => {
    const r = await checkOp({ onnx: singleOp({ op: "Sigmoid", input: [1, 6], output: [1, 6] }), bound: 2 * step(), inputRange: [-6, 6], prove: true });
    assert.deepEqual(r.compiled.settingsValue.required_lookups, [{ Sigmoid: { scale: 128 } }]);
  });
  it("Tanh", async () => {
    await checkOp({ onnx: singleOp({ op: "Tanh", input: [1, 6], output: [1, 6] }), bound: 2 * step(), inputRange: [-3, 3] });
  });
});
