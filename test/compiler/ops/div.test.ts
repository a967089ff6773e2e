import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, singleOp, step } from "./harness.js";

describe("op Div", () => {
  it("by a constant: x * (1/c)", async () => {
    const onnx = singleOp({ op: "Div", input: [1, 4], output: [1, 4], consts: [{ name: "c", dims: [4], data: [2, -4, 0.5, 3] }] });
    await checkOp({ onnx, bound: 4 * step(), inputRange: [-3, 3] });
  });
  it("by a tensor (Recip of the divisor, then a product), broadcasting a lower-rank divisor (Recip is proven in norms.test.ts)", async () => {
    const onnx = buildOnnxModel({
      name: "div", inputs: [{ name: "a", shape: [1, 2, 3] }, { name: "b", shape: [2, 1] }], outputs: [{ name: "y", shape: [1, 2, 3] }],
      nodes: [{ op: "Div", inputs: ["a", "b"], outputs: ["y"] }],
    });
    const r = await checkOp({ onnx, bound: 6 * step(), inputRange: [0.5, 2], count: 3 });
    assert.ok(r.compiled.lowered.nodes.some((n) => n.label === "Recip"));
  });
});
