import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step, weights } from "./harness.js";

describe("op MatMul", () => {
  it("rank-2 by a constant matrix", async () => {
    const onnx = singleOp({ op: "MatMul", input: [2, 4], output: [2, 3], consts: [{ name: "M", dims: [4, 3], data: weights(1, 12) }] });
    await checkOp({ onnx, bound: 4 * step() });
  });

  it("batch dimensions on the variable, a shared rank-2 constant", async () => {
    const onnx = singleOp({ op: "MatMul", input: [2, 3, 4], output: [2, 3, 2], consts: [{ name: "M", dims: [4, 2], data: weights(2, 8) }] });
    const r = await checkOp({ onnx, bound: 4 * step() });
    const einsum = r.compiled.lowered.nodes.find((n) => n.label === "RebaseScale(Einsum)")!;
    assert.deepEqual(einsum.opkind, { RebaseScale: { inner: { Linear: { Einsum: { equation: "aik,kj->aij" } } }, rebase_op: { Div: { denom: 128 } }, target_scale: 7, original_scale: 14, multiplier: 128 } });
  });
});
