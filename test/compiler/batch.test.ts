import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { batchInstances, batchOnnx, batchSamples } from "../../compiler/batch.js";
import { compileModel, type CompiledModel } from "../../compiler/compile.js";
import { feltHexToInt, genWitness } from "../../compiler/engine/engine.js";
import { CompileError } from "../../compiler/graph/lower.js";
import { readOnnxModel } from "../../compiler/onnx/read.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { calibrationSamples, committedBundleDir } from "../../models/bundle.js";
import { modelDir } from "../../models/files.js";
import { DEMO_MODEL_SPECS } from "../../models/specs.js";

const N = 16;
const onnx = new Uint8Array(readFileSync(join(modelDir("iris-mlp"), "model.onnx")));
const committed = new Uint8Array(readFileSync(join(committedBundleDir("iris-mlp"), "model.compiled")));
const scale = DEMO_MODEL_SPECS["iris-mlp"].circuit.inputScale;

describe("batch versions (compiler/batch.ts)", () => {
  let batched: CompiledModel;
  before(async () => {
    batched = await compileModel(batchOnnx(onnx, N), { inputScale: scale, samples: batchSamples(calibrationSamples().slice(0, 8), N), confirmWithProof: false, layout: false });
  });

  it("sets the leading dimension of the graph's input and output to N", () => {
    const g = readOnnxModel(batchOnnx(onnx, N));
    assert.deepEqual(g.inputs[0].shape, [N, 4]);
    assert.deepEqual(g.outputs[0].shape, [N, 3]);
    assert.deepEqual(batched.lowered.inputs[0].dims, [N, 4]);
    assert.equal(batchOnnx(onnx, 1), onnx);
  });

  it("a batch-N witness equals N batch-1 witnesses, inputs then outputs in slot order", () => {
    const rows = calibrationSamples().slice(40, 40 + N);
    const w = genWitness(batched.compiled, rows.flat());
    const single = rows.map((r) => genWitness(committed, r).outputs);
    assert.deepEqual(w.outputs, single.flat());
    // the witness's public tensors, flattened row-major: the proof's instances are these, inputs first
    const json = JSON.parse(new TextDecoder().decode(w.bytes));
    const ins: bigint[] = json.inputs.flat().map(feltHexToInt);
    const outs: bigint[] = json.outputs.flat().map(feltHexToInt);
    const q = rows.map((r) => quantize(r, scale));
    assert.deepEqual([...ins, ...outs], batchInstances(q, single));
    // a permuted batch permutes the outputs slot for slot (no cross-slot mixing)
    const swapped = genWitness(batched.compiled, [rows[1], rows[0], ...rows.slice(2)].flat()).outputs;
    assert.deepEqual(swapped, [single[1], single[0], ...single.slice(2)].flat());
  });

  it("refuses a batch outside [1, 64] and a leading dimension that is not a batch axis", () => {
    assert.throws(() => batchOnnx(onnx, 0), CompileError);
    assert.throws(() => batchOnnx(onnx, 65), CompileError);
    assert.throws(() => batchOnnx(batchOnnx(onnx, 2), 4), /leading dimension 2, expected 1 or symbolic/);
  });

  it("groups one-slot calibration samples into batch samples", () => {
    assert.deepEqual(batchSamples([[1], [2], [3]], 2), [[1, 2], [2, 3], [3, 1]]);
  });
});
