// Models as exporters emit them: several inputs and outputs, integer inputs, constant subgraphs, identity
// models, and errors that list every unsupported op (control flow named with its remedy).
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, loadBundle, verifyBundle } from "../../compiler/bundle.js";
import { compileModel } from "../../compiler/compile.js";
import { UnsupportedOpError } from "../../compiler/graph/errors.js";
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { checkOp, step, weights } from "./ops/harness.js";

const tmp = mkdtempSync(join(tmpdir(), "twinpath-models-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** y1 = Relu(a·W + b), y2 = a ⊙ c, from inputs a [1,3] and c [1,3] */
const twoInTwoOut = () =>
  buildOnnxModel({
    name: "two-two",
    inputs: [{ name: "a", shape: [1, 3] }, { name: "c", shape: [1, 3] }],
    outputs: [{ name: "y1", shape: [1, 2] }, { name: "y2", shape: [1, 3] }],
    initializers: [{ name: "W", dims: [2, 3], data: weights(1, 6) }],
    nodes: [
      { op: "Add", inputs: ["a", "c"], outputs: ["s"] },
      { op: "Gemm", inputs: ["s", "W"], outputs: ["g"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["g"], outputs: ["y1"] },
      { op: "Mul", inputs: ["a", "c"], outputs: ["y2"] },
    ],
  });

describe("models with several inputs and outputs", () => {
  it("witness = onnxruntime on the concatenated vectors; the bundle's manifest lists each tensor and the hub's concatenated view", async () => {
    const onnx = twoInTwoOut();
    const r = await checkOp({ onnx, bound: 4 * step() });
    assert.deepEqual(r.compiled.lowered.inputs.map((i) => [i.name, i.dims]), [["a", [1, 3]], ["c", [1, 3]]]);
    assert.deepEqual(r.compiled.lowered.outputs.map((o) => [o.name, o.dims]), [["y1", [1, 2]], ["y2", [1, 3]]]);
    assert.deepEqual(r.compiled.settingsValue.model_instance_shapes, [[1, 3], [1, 3], [1, 2], [1, 3]]);

    const b = await buildBundle(onnx, { out: join(tmp, "two-two"), samples: r.inputs, devSrsSeed: "models-test" });
    const m = loadBundle(b.dir).manifest;
    assert.deepEqual(m.inputs.map((i) => [i.name, i.shape, i.scale]), [["a", [1, 3], 7], ["c", [1, 3], 7]]);
    assert.deepEqual(m.outputs.map((o) => [o.name, o.shape]), [["y1", [1, 2]], ["y2", [1, 3]]]);
    assert.deepEqual([m.input.shape, m.output.shape], [[6], [5]]);
    assert.equal(m.exampleInput.length, 6);
    assert.ok(m.accuracy.maxAbsError <= 4 * step());
    assert.equal(verifyBundle(b.dir).ok, true);
  });
});

describe("integer inputs", () => {
  it("an int64 input is exact at scale 0; Cast to float passes it on; witness = onnxruntime", async () => {
    const onnx = buildOnnxModel({
      name: "int-in",
      inputs: [{ name: "ids", shape: [1, 4], elemType: 7 }],
      outputs: [{ name: "y", shape: [1, 4] }],
      initializers: [{ name: "k", dims: [4], data: [0.5, -1.25, 2, 0.75] }],
      nodes: [
        { op: "Cast", inputs: ["ids"], outputs: ["f"], attributes: { to: 1 } },
        { op: "Mul", inputs: ["f", "k"], outputs: ["y"] },
      ],
    });
    const r = await checkOp({ onnx, bound: step(), inputRange: [0, 20], count: 4 });
    assert.deepEqual(r.compiled.lowered.inputs[0], { name: "ids", idx: 0, dims: [1, 4], scale: 0, datum: "Int" });
    assert.deepEqual(r.compiled.settingsValue.input_types, ["Int"]);
    assert.ok(r.inputs.flat().every(Number.isInteger));
  });
});

describe("identity models and constant subgraphs", () => {
  it("a model whose output is its input compiles, proves and verifies (as EZKL accepts it)", async () => {
    const onnx = buildOnnxModel({ name: "id", inputs: [{ name: "x", shape: [1, 5] }], outputs: [{ name: "x", shape: [1, 5] }], nodes: [] });
    const r = await checkOp({ onnx, bound: step(), prove: true, count: 3 });
    assert.equal(r.compiled.lowered.outputs[0].idx, r.compiled.lowered.inputs[0].idx);
  });

  it("weights computed from constants (Transpose, Mul, Add, Reshape, Concat, Sigmoid of initializers) are folded at compile time", async () => {
    const onnx = buildOnnxModel({
      name: "folded",
      inputs: [{ name: "x", shape: [1, 3] }],
      outputs: [{ name: "y", shape: [1, 4] }],
      initializers: [
        { name: "W0", dims: [3, 2], data: weights(2, 6) },
        { name: "W1", dims: [3, 2], data: weights(3, 6) },
        { name: "half", dims: [], data: [0.5] },
        { name: "shape", dims: [2], int64: [4, 3] },
      ],
      nodes: [
        { op: "Concat", inputs: ["W0", "W1"], outputs: ["Wc"], attributes: { axis: 1 } },
        { op: "Transpose", inputs: ["Wc"], outputs: ["Wt"], attributes: { perm: [1, 0] } },
        { op: "Sigmoid", inputs: ["Wt"], outputs: ["Ws"] },
        { op: "Mul", inputs: ["Ws", "half"], outputs: ["Wm"] },
        { op: "Add", inputs: ["Wm", "Wt"], outputs: ["Wa"] },
        { op: "Reshape", inputs: ["Wa", "shape"], outputs: ["W"] },
        { op: "Gemm", inputs: ["x", "W"], outputs: ["y"], attributes: { transB: 1 } },
      ],
    });
    const r = await checkOp({ onnx, bound: 4 * step() });
    assert.deepEqual(r.compiled.lowered.nodes.filter((n) => n.label !== "Constant").map((n) => n.label), ["Input", "RebaseScale(Einsum)"]);
  });
});

describe("errors that help", () => {
  it("lists every unsupported op with its nodes at once, and names control flow with the remedy", async () => {
    const branch = (name: string) => ({ type: "graph" as const, name, nodes: [{ op: "Identity", inputs: ["x"], outputs: [`${name}_out`] }], outputs: [{ name: `${name}_out`, shape: [1, 2] }] });
    const onnx = buildOnnxModel({
      name: "many",
      inputs: [{ name: "x", shape: [1, 2] }],
      outputs: [{ name: "y", shape: [1, 2] }],
      nodes: [
        { op: "Hardmax", inputs: ["x"], outputs: ["a"], name: "hardmax_1" },
        { op: "LpNormalization", inputs: ["a"], outputs: ["b"], name: "lp_1" },
        { op: "LpNormalization", inputs: ["b"], outputs: ["c"], name: "lp_2" },
        { op: "Greater", inputs: ["c", "x"], outputs: ["cond"], name: "gt" },
        { op: "If", inputs: ["cond"], outputs: ["y"], name: "vad_if", attributes: { then_branch: branch("then"), else_branch: branch("else") } },
      ],
    });
    await assert.rejects(compileModel(onnx), (e: Error) => {
      assert.ok(e instanceof UnsupportedOpError);
      for (const part of ["'Hardmax' at node 'hardmax_1'", "'LpNormalization' at nodes 'lp_1', 'lp_2'", "'If' at node 'vad_if' (control flow", "without data-dependent branches or loops", "Supported ops: Gemm"])
        assert.ok(e.message.includes(part), `${part} in: ${e.message}`);
      return true;
    });
  });
});
