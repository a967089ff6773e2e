// @tier slow  (compiles and proves many circuits: its own process, not the ops group)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step, weights } from "./harness.js";

describe("ops Conv, ConvTranspose, Resize", () => {
  it("Conv 3x3, pads 1, bias (proven end to end in compile.test.ts)", async () => {
    const onnx = singleOp({
      op: "Conv", input: [1, 2, 5, 5], output: [1, 3, 5, 5], attributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] },
      consts: [{ name: "K", dims: [3, 2, 3, 3], data: weights(1, 54, 0.4) }, { name: "b", dims: [3], data: weights(2, 3, 0.2) }],
    });
    const r = await checkOp({ onnx, bound: 8 * step(), count: 4 });
    assert.ok(r.compiled.lowered.nodes.some((n) => n.label === "RebaseScale(Conv)"));
  });
  it("Conv strides 2, auto_pad SAME_UPPER, groups 2, no bias", async () => {
    const onnx = singleOp({
      op: "Conv", input: [1, 4, 6, 6], output: [1, 4, 3, 3], attributes: { strides: [2, 2], auto_pad: "SAME_UPPER", group: 2, kernel_shape: [3, 3] },
      consts: [{ name: "K", dims: [4, 2, 3, 3], data: weights(3, 72, 0.4) }],
    });
    await checkOp({ onnx, bound: 8 * step(), count: 4 });
  });
  it("1-D convolution (pads, stride 2, bias)", async () => {
    const onnx = singleOp({ op: "Conv", input: [1, 2, 9], output: [1, 3, 5], attributes: { kernel_shape: [3], strides: [2], pads: [1, 1] },
      consts: [{ name: "K", dims: [3, 2, 3], data: weights(4, 18, 0.5) }, { name: "b", dims: [3], data: weights(5, 3, 0.2) }] });
    await checkOp({ onnx, bound: 6 * step() });
  });
  it("ConvTranspose (stride 2, pads, output_padding, bias); proves and verifies", async () => {
    const onnx = singleOp({ op: "ConvTranspose", input: [1, 2, 3, 3], output: [1, 3, 6, 6], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
      consts: [{ name: "K", dims: [2, 3, 3, 3], data: weights(6, 54, 0.4) }, { name: "b", dims: [3], data: weights(7, 3, 0.2) }] });
    await checkOp({ onnx, bound: 6 * step(), prove: true, count: 3 });
  });
  it("Resize and Upsample, nearest, integer factors", async () => {
    await checkOp({ onnx: singleOp({ op: "Resize", input: [1, 2, 2, 3], output: [1, 2, 4, 6], attributes: { mode: "nearest" }, consts: ["", { name: "sc", dims: [4], data: [1, 1, 2, 2] }] }), bound: step() });
    await checkOp({ onnx: singleOp({ op: "Upsample", input: [1, 1, 2, 2], output: [1, 1, 6, 4], attributes: { mode: "nearest" }, consts: [{ name: "sc", dims: [4], data: [1, 1, 3, 2] }], opset: 9 }), bound: step() });
  });
  it("dilations are refused with the node name", async () => {
    const onnx = singleOp({ op: "Conv", input: [1, 1, 5, 5], output: [1, 1, 1, 1], attributes: { dilations: [2, 2] }, consts: [{ name: "K", dims: [1, 1, 3, 3], data: weights(4, 9) }] });
    await assert.rejects(checkOp({ onnx, bound: 1 }), /the_conv.*dilations/);
  });
});
