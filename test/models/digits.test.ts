import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256 } from "viem";
import { loadBundle } from "../../compiler/bundle.js";
import { runOnnxFlat } from "../../compiler/accuracy.js";
import { genWitness } from "../../compiler/engine/engine.js";
import { bundleProblem, committedBundleDir, expectedBuildInputs } from "../../models/bundle.js";
import { DIGITS_ROWS, loadDigits, splitDigits } from "../../models/data/digits.js";
import { DIGITS_SPEC, trainDigits } from "../../models/digits.js";
import { modelDir } from "../../models/files.js";

describe("digits task: data, training, bundle", () => {
  it("loads the 1,797 UCI images (64 pixels 0..16, digits 0..9) and splits them deterministically and stratified", () => {
    const rows = loadDigits();
    assert.equal(rows.length, DIGITS_ROWS);
    const a = splitDigits(11), b = splitDigits(11);
    assert.deepEqual(a.test.map((r) => r.x.join()), b.test.map((r) => r.x.join()));
    assert.equal(a.train.length + a.test.length, DIGITS_ROWS);
    for (let d = 0; d <= 9; d++) {
      const n = rows.filter((r) => r.y === d).length, t = a.test.filter((r) => r.y === d).length;
      assert.ok(Math.abs(t - 0.2 * n) <= 1, `digit ${d}: ${t} of ${n} held back`);
    }
  });

  it("training is reproducible: the same ONNX bytes as the committed model, test accuracy above the bar", () => {
    const t = trainDigits();
    assert.equal(keccak256(t.onnx), keccak256(readFileSync(join(modelDir("digits"), "model.onnx"))), "rerun: node --import tsx models/build-demo-models.ts digits --force");
    assert.ok(t.testAccuracy >= DIGITS_SPEC.minTestAccuracy, `test accuracy ${t.testAccuracy}`);
  });

  it("the committed bundle: int64 pixel input at scale 0, float and circuit accuracy on the held-back split in the manifest, witness = onnxruntime's class", async () => {
    const dir = committedBundleDir("digits");
    const b = loadBundle(dir);
    assert.equal(bundleProblem(dir, expectedBuildInputs("digits"), false), undefined);
    const m = b.manifest;
    assert.deepEqual(m.inputs, [{ name: "input", shape: [1, 1, 8, 8], scale: 0, visibility: "Public", datum: "Int" }]);
    assert.deepEqual(m.output.shape, [1, 10]);
    assert.equal(m.evaluation!.rows, splitDigits(DIGITS_SPEC.splitSeed).test.length);
    assert.ok(m.evaluation!.floatAccuracy >= DIGITS_SPEC.minTestAccuracy);
    assert.ok(m.evaluation!.circuitAccuracy >= m.evaluation!.floatAccuracy - 0.01, `circuit ${m.evaluation!.circuitAccuracy} vs float ${m.evaluation!.floatAccuracy}`);
    const test = splitDigits(DIGITS_SPEC.splitSeed).test.slice(0, 5);
    const ref = await runOnnxFlat(b.read("onnx"), test.map((r) => r.x));
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    test.forEach((r, i) => assert.equal(argmax(genWitness(b.read("compiled"), r.x).outputs.map(Number)), argmax(ref[i])));
  });

  it("admits every 4-bit image: manifest.admission is [0, 16] per pixel, and the circuit takes its extremes and random points", () => {
    const b = loadBundle(committedBundleDir("digits"));
    const a = b.manifest.admission!;
    assert.ok(a, "manifest.admission is missing: node --import tsx models/build-demo-models.ts digits --force");
    assert.deepEqual([new Set(a.lower), new Set(a.upper), a.tolerance], [new Set([0]), new Set([16]), 0]);
    // every held-back image is admitted (the hub would refuse nothing a user draws from the task)
    for (const r of splitDigits(DIGITS_SPEC.splitSeed).test) assert.ok(r.x.every((v) => v >= 0 && v <= 16));
    // witness generation range-checks every value: a synthesis error here means an admitted input cannot prove
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const points = [
      new Array(64).fill(0),
      new Array(64).fill(16),
      ...Array.from({ length: 6 }, () => Array.from({ length: 64 }, () => (rnd() < 0.5 ? 0 : 16))),
      ...Array.from({ length: 4 }, () => Array.from({ length: 64 }, () => Math.floor(rnd() * 17))),
    ];
    for (const x of points) assert.doesNotThrow(() => genWitness(b.read("compiled"), x), `input ${JSON.stringify(x)}`);
  });
});
