// @tier slow  (compiles and proves many circuits: its own process, not the ops group)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
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

  it("two variables with broadcast batch dimensions, and a constant on the left", async () => {
    const vv = buildOnnxModel({
      name: "mm", inputs: [{ name: "a", shape: [2, 3, 4] }, { name: "b", shape: [1, 4, 5] }], outputs: [{ name: "y", shape: [2, 3, 5] }],
      nodes: [{ op: "MatMul", inputs: ["a", "b"], outputs: ["y"] }],
    });
    await checkOp({ onnx: vv, bound: 6 * step() });
    await checkOp({ onnx: singleOp({ op: "MatMul", input: [4, 2], output: [3, 2], consts: [{ name: "M", dims: [3, 4], data: weights(3, 12) }], xLast: true }), bound: 4 * step() });
  });

  it("a single-head self-attention block: softmax(Q·Kᵀ/√d)·V with Q, K, V projections; proves and verifies", async () => {
    const d = 4, s = 3;
    const onnx = buildOnnxModel({
      name: "attention", inputs: [{ name: "x", shape: [1, s, d] }], outputs: [{ name: "y", shape: [1, s, d] }],
      initializers: [
        { name: "Wq", dims: [d, d], data: weights(11, 16, 0.6) }, { name: "Wk", dims: [d, d], data: weights(12, 16, 0.6) }, { name: "Wv", dims: [d, d], data: weights(13, 16, 0.6) },
        { name: "scale", dims: [], data: [Math.sqrt(d)] },
      ],
      nodes: [
        { op: "MatMul", inputs: ["x", "Wq"], outputs: ["q"] },
        { op: "MatMul", inputs: ["x", "Wk"], outputs: ["k"] },
        { op: "MatMul", inputs: ["x", "Wv"], outputs: ["v"] },
        { op: "Transpose", inputs: ["k"], outputs: ["kt"], attributes: { perm: [0, 2, 1] } },
        { op: "MatMul", inputs: ["q", "kt"], outputs: ["qk"] },
        { op: "Div", inputs: ["qk", "scale"], outputs: ["qks"] },
        { op: "Softmax", inputs: ["qks"], outputs: ["p"], attributes: { axis: -1 } },
        { op: "MatMul", inputs: ["p", "v"], outputs: ["y"] },
      ],
    });
    await checkOp({ onnx, bound: 8 * step(), prove: true, count: 3 });
  });

  it("multi-head attention as exporters emit it (Reshape/Transpose into heads, batched MatMul per head, merge)", async () => {
    const h = 2, dh = 2, d = h * dh, s = 3;
    const shape = (name: string, v: number[]) => ({ name, dims: [v.length], int64: v });
    const onnx = buildOnnxModel({
      name: "mha", inputs: [{ name: "x", shape: [1, s, d] }], outputs: [{ name: "y", shape: [1, s, d] }],
      initializers: [
        { name: "Wq", dims: [d, d], data: weights(21, 16, 0.6) }, { name: "Wk", dims: [d, d], data: weights(22, 16, 0.6) },
        { name: "Wv", dims: [d, d], data: weights(23, 16, 0.6) }, { name: "Wo", dims: [d, d], data: weights(24, 16, 0.6) },
        shape("heads", [1, s, h, dh]), shape("merged", [1, s, d]), { name: "scale", dims: [], data: [Math.sqrt(dh)] },
      ],
      nodes: [
        ...["q", "k", "v"].flatMap((t) => [
          { op: "MatMul", inputs: ["x", `W${t}`], outputs: [`${t}0`] },
          { op: "Reshape", inputs: [`${t}0`, "heads"], outputs: [`${t}1`] },
          { op: "Transpose", inputs: [`${t}1`], outputs: [t], attributes: { perm: t === "k" ? [0, 2, 3, 1] : [0, 2, 1, 3] } },
        ]),
        { op: "MatMul", inputs: ["q", "k"], outputs: ["qk"] },
        { op: "Div", inputs: ["qk", "scale"], outputs: ["qks"] },
        { op: "Softmax", inputs: ["qks"], outputs: ["p"], attributes: { axis: -1 } },
        { op: "MatMul", inputs: ["p", "v"], outputs: ["o"] },
        { op: "Transpose", inputs: ["o"], outputs: ["ot"], attributes: { perm: [0, 2, 1, 3] } },
        { op: "Reshape", inputs: ["ot", "merged"], outputs: ["om"] },
        { op: "MatMul", inputs: ["om", "Wo"], outputs: ["y"] },
      ],
    });
    await checkOp({ onnx, bound: 10 * step() });
  });
});
