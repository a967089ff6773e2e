import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { demoDataset, demoModelPath, demoModelShapes, demoSamples, exampleInputs, isDemoModelName, UnknownDemoModelError } from "../../models/index.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

describe("models/index.ts API", () => {
  it("points at committed ONNX files with the advertised shapes", () => {
    for (const name of ["iris-mlp", "iris-deep", "iris-cnn"]) {
      assert.ok(existsSync(demoModelPath(name)));
      assert.ok(demoModelPath(name).endsWith(`models/${name}/model.onnx`));
      assert.deepEqual(demoModelShapes(name), { input: [1, 4], output: [1, 3], inputName: "input", outputName: "logits", inputType: "float32" });
    }
    // the digits task takes int64 pixels (its graph casts them)
    assert.deepEqual(demoModelShapes("digits"), { input: [1, 1, 8, 8], output: [1, 10], inputName: "input", outputName: "logits", inputType: "int64" });
  });

  it("returns example inputs from the standardised test set, cycling past 30", () => {
    const rows = demoDataset("iris-mlp").test;
    assert.equal(rows.length, 30);
    const xs = exampleInputs("iris-mlp", 32);
    assert.equal(xs.length, 32);
    assert.deepEqual(xs[0], rows[0].x);
    assert.deepEqual(xs[31], rows[1].x);
    for (const x of xs) assert.equal(x.length, 4);
    assert.deepEqual(exampleInputs("iris-mlp", 0), []);
    // Returned arrays are copies: mutating one must not change the next call.
    xs[0][0] = 99;
    assert.notEqual(exampleInputs("iris-mlp", 1)[0][0], 99);
    assert.deepEqual(demoSamples("iris-mlp").samples[0].input, rows[0].x);
  });

  it("rejects unknown names and bad counts", () => {
    assert.throws(() => demoModelPath("iris-gpt"), UnknownDemoModelError);
    assert.throws(() => demoModelShapes("nope"), /unknown demo model 'nope'/);
    assert.throws(() => exampleInputs("iris-mlp", -1), RangeError);
    assert.throws(() => exampleInputs("iris-mlp", 1.5), RangeError);
    assert.equal(isDemoModelName("iris-deep"), true);
    assert.equal(isDemoModelName("iris"), false);
  });
});

describe("models/build-demo-models.ts CLI", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "models/build-demo-models.ts", ...args], { cwd: REPO_ROOT, encoding: "utf8" });

  it("refuses unknown model names and flags before touching any file", () => {
    const bad = run("iris-gpt", "--no-bundle");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown demo model 'iris-gpt'; known: iris-mlp, iris-deep, iris-cnn/);
    const flag = run("--fast");
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /unknown flag --fast/);
  });
});
