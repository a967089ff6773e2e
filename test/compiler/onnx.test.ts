import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { OnnxError, readOnnxModel } from "../../compiler/onnx/read.js";
import { SHARED_ABSENT, sharedPath } from "../../testkit/shared.js";

const FIXTURE = sharedPath("fixtures/ezkl-v21/network.onnx");

function mlpBytes() {
  return buildOnnxModel({
    name: "t",
    inputs: [{ name: "x", shape: [1, 3] }],
    outputs: [{ name: "y", shape: [1, 2] }],
    initializers: [
      { name: "W", dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: "b", dims: [2], data: [0.5, -100] },
      { name: "shape", dims: [2], int64: [1, -1] },
    ],
    nodes: [
      { op: "Gemm", inputs: ["x", "W", "b"], outputs: ["h"], attributes: { transB: 1, alpha: 1, beta: 1 } },
      { op: "LeakyRelu", inputs: ["h"], outputs: ["r"], attributes: { alpha: 0.5 } },
      { op: "Reshape", inputs: ["r", "shape"], outputs: ["y"] },
    ],
  });
}

describe("ONNX reader/writer", () => {
  it("decodes the ezkl fixture network.onnx", { skip: !existsSync(FIXTURE) && SHARED_ABSENT }, () => {
    const g = readOnnxModel(readFileSync(FIXTURE));
    assert.equal(g.opset, 10);
    assert.deepEqual(g.nodes.map((n) => n.op), ["Gemm", "Relu"]);
    assert.deepEqual(g.inputs[0].shape, ["batch_size", 3]);
    const w = g.initializers.get("dense.weight")!;
    assert.deepEqual(w.dims, [4, 3]);
    assert.ok(Math.abs(w.data[1] - -0.507) < 1e-3);
    assert.equal(g.nodes[0].attributes.transB, 1);
    assert.equal(g.nodes[0].attributes.alpha, 1);
  });

  it("writes a model that onnxruntime-node runs with the expected numbers", async () => {
    const bytes = mlpBytes();
    const s = await ort.InferenceSession.create(bytes);
    const r = await s.run({ x: new ort.Tensor("float32", Float32Array.from([1, -1, 2]), [1, 3]) });
    // h = [1-2+6+0.5, 4-5+12-100] = [5.5, -89]; leaky(0.5) -> [5.5, -44.5]
    assert.deepEqual(Array.from(r.y.data as Float32Array), [5.5, -44.5]);
    assert.deepEqual(r.y.dims, [1, 2]);
  });

  it("round-trips attributes, initializers and shapes through the reader", () => {
    const g = readOnnxModel(mlpBytes());
    assert.equal(g.opset, 13);
    assert.deepEqual(g.nodes.map((n) => n.op), ["Gemm", "LeakyRelu", "Reshape"]);
    assert.equal(g.nodes[1].attributes.alpha, 0.5);
    assert.deepEqual(g.initializers.get("shape")!.ints, [1, -1]);
    assert.deepEqual(Array.from(g.initializers.get("b")!.data), [0.5, -100]);
    assert.deepEqual(g.outputs[0].shape, [1, 2]);
  });

  it("is deterministic", () => {
    assert.deepEqual(mlpBytes(), mlpBytes());
  });

  it("rejects truncated, empty and non-ONNX bytes with OnnxError", () => {
    const bytes = mlpBytes();
    assert.throws(() => readOnnxModel(bytes.subarray(0, bytes.length - 7)), OnnxError);
    assert.throws(() => readOnnxModel(new Uint8Array()), /empty/);
    assert.throws(() => readOnnxModel(new TextEncoder().encode("hello world, not onnx")), OnnxError);
  });
});
