import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step, weights } from "./harness.js";

describe("op Gemm", () => {
  it("transB=1 with bias: Einsum + Add, rebased to the input scale (proven end to end in compile.test.ts)", async () => {
    const onnx = singleOp({
      op: "Gemm", input: [1, 6], output: [1, 4], attributes: { transB: 1 },
      consts: [{ name: "W", dims: [4, 6], data: weights(1, 24, 0.5) }, { name: "b", dims: [4], data: weights(2, 4, 0.3) }],
    });
    // 6 products of two 1/128-step values, each rounded, then one rebase rounding: a few steps
    const r = await checkOp({ onnx, bound: 6 * step() });
    assert.deepEqual(r.compiled.lowered.nodes.map((n) => n.label).filter((l) => l !== "Constant"), ["Input", "RebaseScale(Einsum)", "Add"]);
  });

  it("transB=0, alpha and beta scale the weights and the bias", async () => {
    const onnx = singleOp({
      op: "Gemm", input: [1, 5], output: [1, 3], attributes: { alpha: 0.5, beta: 2 },
      consts: [{ name: "W", dims: [5, 3], data: weights(3, 15) }, { name: "b", dims: [1, 3], data: weights(4, 3, 0.2) }],
    });
    await checkOp({ onnx, bound: 6 * step(), inputRange: [-2, 2] });
  });

  it("without bias", async () => {
    const onnx = singleOp({ op: "Gemm", input: [1, 3], output: [1, 2], attributes: { transB: 1 }, consts: [{ name: "W", dims: [2, 3], data: weights(5, 6) }] });
    await checkOp({ onnx, bound: 4 * step() });
  });

  it("transA=1 is refused with the node name", async () => {
    const onnx = singleOp({ op: "Gemm", input: [3, 1], output: [1, 2], attributes: { transA: 1 }, consts: [{ name: "W", dims: [3, 2], data: weights(6, 6) }] });
    await assert.rejects(checkOp({ onnx, bound: 1 }), /the_gemm.*transA=1/);
  });
});
