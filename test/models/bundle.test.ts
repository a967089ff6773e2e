import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { keccak256 } from "viem";
import { loadBundle, runOnnx } from "../../compiler/bundle.js";
import { genWitness, prove, verify } from "../../compiler/engine/engine.js";
import {
  BUILD_INPUTS_FILE, bundleProblem, cachedBundleDir, calibrationSamples, committedBundleDir, expectedBuildInputs, rebuildDemoBundle,
} from "../../models/bundle.js";
import { demoModelPath, ensureDemoBundle, exampleInputs, UnknownDemoModelError } from "../../models/index.js";
import { DEMO_MODEL_NAMES } from "../../models/specs.js";
import { batchBundleName, COMMITTED_BATCH_BUNDLES, committedBatchBundleDir, ensureBatchBundle } from "../../models/batchBundle.js";
import { trainDemoModel } from "../../models/train-demo.js";

const REBUILD_HINT = "rerun: node --import tsx models/build-demo-models.ts --force";
const tmpRoots: string[] = [];
const tmpCache = () => {
  const d = mkdtempSync(join(tmpdir(), "twinpath-models-"));
  tmpRoots.push(d);
  return d;
};
after(() => tmpRoots.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("committed demo bundles", () => {
  for (const name of DEMO_MODEL_NAMES) {
    it(`${name}: hashes check, inputs are current, circuit is small and faithful`, () => {
      const dir = committedBundleDir(name);
      const b = loadBundle(dir); // throws on any hash mismatch
      assert.equal(bundleProblem(dir, expectedBuildInputs(name), false), undefined, REBUILD_HINT);
      const m = b.manifest;
      assert.equal(m.name, name);
      assert.equal(m.files.onnx.keccak256, keccak256(readFileSync(demoModelPath(name))));
      assert.deepEqual(m.input.shape, [1, 4]);
      assert.deepEqual(m.output.shape, [1, 3]);
      assert.equal(m.paramVisibility, "Fixed");
      assert.ok(m.logrows <= 12, `logrows ${m.logrows}`);
      assert.equal(m.calibration.samples, 150);
      assert.equal(m.accuracy.argmaxAgreement, 1, "circuit and float model must classify all 150 rows alike");
      assert.ok(m.accuracy.maxAbsError < 0.25, `max abs error ${m.accuracy.maxAbsError}`);
      assert.equal(m.srsInfo.kind, "dev-insecure");
      assert.throws(() => loadBundle(dir, { requirePk: true }), /pk\.key.*missing/, "the proving key must not be committed");
    });
  }
});

describe("committed batch bundles", () => {
  for (const c of COMMITTED_BATCH_BUNDLES) {
    it(`${batchBundleName(c.name, c.batch)}: current, without its proving key; a fresh cache derives the key (no build)`, async () => {
      const committed = loadBundle(committedBatchBundleDir(c.name, c.batch)); // throws on any hash mismatch
      assert.equal(committed.manifest.batch, c.batch);
      assert.throws(() => loadBundle(committedBatchBundleDir(c.name, c.batch), { requirePk: true }), /pk\.key.*missing/, "the proving key must not be committed");
      const cacheDir = tmpCache();
      const first = await ensureBatchBundle(c.name, c.batch, { cacheDir, logrows: c.logrows });
      assert.equal(first.source, "committed", `the committed build inputs are stale; ${REBUILD_HINT}`);
      assert.equal(first.manifestHash, committed.manifestHash);
      loadBundle(first.dir, { requirePk: true }); // the derived key hashes to the manifest's
      assert.equal((await ensureBatchBundle(c.name, c.batch, { cacheDir, logrows: c.logrows })).source, "cache");
    });
  }
});

describe("ensureDemoBundle", () => {
  it("derives the proving key from the committed bundle, then serves the cache", async () => {
    const cacheDir = tmpCache();
    const first = await ensureDemoBundle("iris-mlp", { cacheDir });
    assert.equal(first.source, "committed");
    assert.equal(first.dir, cachedBundleDir("iris-mlp", cacheDir));
    const loaded = loadBundle(first.dir, { requirePk: true });
    assert.equal(loaded.manifestHash, first.manifestHash);
    assert.equal(first.manifestHash, loadBundle(committedBundleDir("iris-mlp")).manifestHash);

    const again = await ensureDemoBundle("iris-mlp", { cacheDir });
    assert.equal(again.source, "cache");
    assert.equal(again.manifestHash, first.manifestHash);

    // Concurrent callers share one preparation.
    const [a, b] = await Promise.all([ensureDemoBundle("iris-mlp", { cacheDir }), ensureDemoBundle("iris-mlp", { cacheDir })]);
    assert.equal(a.dir, b.dir);
  });

  it("replaces a tampered or stale cache", async () => {
    const cacheDir = tmpCache();
    const { dir } = await ensureDemoBundle("iris-cnn", { cacheDir });
    const vkPath = join(dir, "vk.key");
    const vk = readFileSync(vkPath);
    vk[vk.length - 1] ^= 1;
    writeFileSync(vkPath, vk);
    assert.match(bundleProblem(dir, expectedBuildInputs("iris-cnn"), true) ?? "", /vk\.key.*does not match the manifest/);
    const repaired = await ensureDemoBundle("iris-cnn", { cacheDir });
    assert.equal(repaired.source, "committed");
    loadBundle(repaired.dir, { requirePk: true });

    const inputsPath = join(dir, BUILD_INPUTS_FILE);
    const inputs = JSON.parse(readFileSync(inputsPath, "utf8"));
    writeFileSync(inputsPath, JSON.stringify({ ...inputs, onnxKeccak256: "0x" + "00".repeat(32) }));
    assert.match(bundleProblem(dir, expectedBuildInputs("iris-cnn"), true) ?? "", /stale \(onnxKeccak256 changed\)/);
    assert.equal((await ensureDemoBundle("iris-cnn", { cacheDir })).source, "committed");
  });

  it("rejects unknown models", async () => {
    await assert.rejects(ensureDemoBundle("iris-transformer"), UnknownDemoModelError);
  });

  it("gives a bundle that proves a test-set input, bound to the float model's answer", async () => {
    const { dir } = await ensureDemoBundle("iris-mlp", { cacheDir: tmpCache() });
    const b = loadBundle(dir, { requirePk: true });
    const x = exampleInputs("iris-mlp", 5)[4];
    const w = genWitness(b.read("compiled"), x);
    const got = w.outputs.map((v) => Number(v) / 2 ** b.manifest.output.scale);
    const [ref] = await runOnnx(b.read("onnx"), "input", [1, 4], [x]);
    got.forEach((g, i) => assert.ok(Math.abs(g - ref[i]) < 0.1, `output ${i}: circuit ${g} vs onnxruntime ${ref[i]}`));
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    assert.equal(argmax(got), trainDemoModel("iris-mlp").network.predict(x));
    const proof = prove(w.bytes, b.read("pk"), b.read("compiled"), b.read("srs"));
    assert.equal(verify(proof, b.read("vk"), b.read("settings"), b.read("srs")), true);
  });
});

describe("bundle reproducibility", () => {
  it("rebuilding iris-mlp from model.onnx gives the committed manifest byte for byte", async () => {
    const cacheDir = tmpCache();
    const r = await rebuildDemoBundle("iris-mlp", { cacheDir });
    assert.equal(r.inputs.calibrationSamples, calibrationSamples().length);
    const committed = readFileSync(join(committedBundleDir("iris-mlp"), "manifest.json"), "utf8");
    assert.equal(readFileSync(join(r.dir, "manifest.json"), "utf8"), committed, REBUILD_HINT);
  });
});
