import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, singleOp, step, weights } from "./harness.js";

describe("ops Add, Sub, Mul", () => {
  for (const op of ["Add", "Sub", "Mul"]) {
    it(`${op} with a broadcast constant (both operand orders)`, async () => {
      const c = { name: "c", dims: [1, 3], data: weights(op.length, 3, 1.5) };
      await checkOp({ onnx: singleOp({ op, input: [2, 3], output: [2, 3], consts: [c] }), bound: 2 * step(), inputRange: [-2, 2] });
      await checkOp({ onnx: singleOp({ op, input: [2, 3], output: [2, 3], consts: [c], xLast: true }), bound: 2 * step(), inputRange: [-2, 2] });
    });
  }

  it("two variable operands, including operands at different scales (Rescaled)", async () => {
    // input scale 5, param scale 7: s = x*x (scale 10, rebased to the global 7), so x + s adds scales 5 and 7
    const onnx = buildOnnxModel({
      name: "vv", inputs: [{ name: "x", shape: [1, 4] }], outputs: [{ name: "y", shape: [1, 4] }],
      nodes: [
        { op: "Mul", inputs: ["x", "x"], outputs: ["s"] },
        { op: "Add", inputs: ["x", "s"], outputs: ["a"] },
        { op: "Sub", inputs: ["a", "s"], outputs: ["y"] },
      ],
    });
    const r = await checkOp({ onnx, bound: 2 * step(5), scale: 5, paramScale: 7 });
    assert.deepEqual(r.compiled.lowered.nodes.map((n) => n.label), ["Input", "RebaseScale(Mult)", "Rescaled(Add)", "Sub"]);
    assert.ok(r.compiled.lowered.nodes.some((n) => n.label.startsWith("Rescaled(Add)")));
  });

  it("a constant that would broadcast the variable to a larger shape is refused", async () => {
    const onnx = singleOp({ op: "Add", input: [1, 3], output: [2, 3], consts: [{ name: "c", dims: [2, 3], data: weights(9, 6) }] });
    await assert.rejects(checkOp({ onnx, bound: 1 }), /would broadcast the variable/);
  });
});
