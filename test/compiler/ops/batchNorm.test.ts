import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, singleOp, step, weights } from "./harness.js";

const stats = (c: number) => [
  { name: "gamma", dims: [c], data: Float32Array.from({ length: c }, (_, i) => 0.8 + 0.1 * i) },
  { name: "beta", dims: [c], data: weights(1, c, 0.2) },
  { name: "mean", dims: [c], data: weights(2, c, 0.3) },
  { name: "var", dims: [c], data: Float32Array.from({ length: c }, (_, i) => 0.5 + 0.2 * i) },
];

describe("op BatchNormalization", () => {
  it("standalone: per-channel Mult + Add", async () => {
    const r = await checkOp({ onnx: singleOp({ op: "BatchNormalization", input: [1, 3, 2, 2], output: [1, 3, 2, 2], consts: stats(3) }), bound: 3 * step() });
    assert.ok(r.compiled.lowered.nodes.some((n) => n.label === "RebaseScale(Mult)"));
  });
  it("after a Conv: folded into the kernel and bias (no Mult node)", async () => {
    const onnx = buildOnnxModel({
      name: "conv-bn", inputs: [{ name: "x", shape: [1, 1, 4, 4] }], outputs: [{ name: "y", shape: [1, 3, 4, 4] }],
      initializers: [{ name: "K", dims: [3, 1, 3, 3], data: weights(3, 27, 0.4) }, ...stats(3)],
      nodes: [
        { op: "Conv", inputs: ["x", "K"], outputs: ["c"], attributes: { pads: [1, 1, 1, 1] } },
        { op: "BatchNormalization", inputs: ["c", "gamma", "beta", "mean", "var"], outputs: ["y"] },
      ],
    });
    const r = await checkOp({ onnx, bound: 6 * step() });
    assert.ok(!r.compiled.lowered.nodes.some((n) => n.label.includes("Mult")));
  });
});
