import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { keccak256 } from "viem";
import { decodeFixedPoint, encodeFixedPoint } from "../../workers/executor/fixedPoint.js";
import { CircuitCache, WitnessGroups, runCircuit, runGroup } from "../../workers/executor/circuits.js";
import { InferenceError } from "../../workers/shared/errors.js";
import { LocalModelStore, putModel } from "../../workers/model-store/localStore.js";
import { BadInputError, ModelHashMismatchError, UnknownModelError } from "../../workers/shared/errors.js";
import { demoModelPath, exampleInputs } from "../../models/index.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { committedBundleDir } from "../../models/bundle.js";
import { genWitness } from "../../compiler/engine/engine.js";
import { batchOnnx } from "../../compiler/batch.js";
import { compileModel } from "../../compiler/compile.js";

describe("fixed point", () => {
  it("encodes like the project's quantize (half away from zero) on float32 values", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { maxLength: 16 }), fc.integer({ min: 0, max: 16 }), (xs, scale) => {
        const f32 = xs.map(Math.fround);
        assert.deepEqual(encodeFixedPoint(f32, scale), quantize(f32, scale));
      }),
    );
    assert.deepEqual(encodeFixedPoint([0.5 / 128, -0.5 / 128, 1.5 / 128, -2.5 / 128], 7), [1n, -1n, 2n, -3n]);
  });

  it("decodes ints at a scale back to floats and refuses values a float cannot carry", () => {
    assert.deepEqual([...decodeFixedPoint(["128", "-64", "1"], 7)], [1, -0.5, 0.0078125]);
    assert.throws(() => decodeFixedPoint([(2n ** 60n).toString()], 7), BadInputError);
    assert.throws(() => decodeFixedPoint(["1.5"], 7), (e: Error) => e instanceof BadInputError && /input\[0\] is not an integer/.test(e.message));
  });
});

describe("local model store", () => {
  const dir = mkdtempSync(join(tmpdir(), "tp-store-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = new Uint8Array(readFileSync(demoModelPath("iris-mlp")));
  const hash = keccak256(bytes);

  it("loads a content-addressed model file, and a compiled circuit whose forward pass is the executor's answer", async () => {
    await putModel(dir, bytes);
    const store = new LocalModelStore(dir);
    const loaded = await store.load(hash);
    assert.equal(loaded.bytes.length, bytes.length);
    const compiled = new Uint8Array(readFileSync(join(committedBundleDir("iris-mlp"), "model.compiled")));
    const circuitHash = await putModel(dir, compiled, "compiled");
    const circuits = new CircuitCache(store, 2);
    const c = await circuits.get(circuitHash);
    assert.equal(await circuits.get(circuitHash), c, "circuits are cached");
    const x = exampleInputs("iris-mlp", 1)[0].map((v) => Math.round(v * 128) / 128);
    const out = runCircuit(c, Float32Array.from(x));
    assert.equal(out.length, 3);
    // exactly the outputs the prover's witness (and so the proof) carries
    assert.deepEqual(out, genWitness(compiled, x).outputs);
    await assert.rejects(circuits.get(keccak256(new TextEncoder().encode("no such circuit"))), UnknownModelError);
  });

  it("answers a batch version's request from slot 0 of its circuit, as a batch proof of it would", async () => {
    const onnx = new Uint8Array(readFileSync(demoModelPath("iris-mlp")));
    const batched = await compileModel(batchOnnx(onnx, 4), { inputScale: 7, confirmWithProof: false, layout: false });
    const single = new Uint8Array(readFileSync(join(committedBundleDir("iris-mlp"), "model.compiled")));
    for (const x of exampleInputs("iris-mlp", 3)) {
      const q = x.map((v) => Math.round(v * 128) / 128);
      assert.deepEqual(runCircuit(batched.compiled, q, 4), runCircuit(single, q));
    }
  });

  it("a batch version's requests that arrive together share one witness, each with its own slot's output; a bad one fails alone", async () => {
    const onnx = new Uint8Array(readFileSync(demoModelPath("iris-mlp")));
    const batched = await compileModel(batchOnnx(onnx, 4), { inputScale: 7, confirmWithProof: false, layout: false });
    const single = new Uint8Array(readFileSync(join(committedBundleDir("iris-mlp"), "model.compiled")));
    let shared = 0;
    const groups = new WitnessGroups((c, inputs, slots) => (shared++, runGroup(c, inputs, slots)));
    const xs = exampleInputs("iris-mlp", 6).map((x) => x.map((v) => Math.round(v * 128) / 128));
    const outs = await Promise.all(xs.map((x) => groups.run(batched.compiled, x, 4)));
    assert.equal(shared, 2, "six requests in two witnesses of four slots");
    for (const [k, x] of xs.entries()) assert.deepEqual(outs[k], runCircuit(single, x), `request ${k}: the batch-1 circuit's output`);
    // An input the circuit cannot take sinks the shared witness: each request runs alone, only the bad one fails.
    const mixed = await Promise.allSettled([groups.run(batched.compiled, xs[0], 4), groups.run(batched.compiled, [1, 2, 3], 4), groups.run(batched.compiled, xs[1], 4)]);
    assert.deepEqual(mixed[0], { status: "fulfilled", value: outs[0] });
    assert.ok(mixed[1].status === "rejected" && mixed[1].reason instanceof InferenceError, "the bad request fails with the engine's error");
    assert.deepEqual(mixed[2], { status: "fulfilled", value: outs[1] });
  });

  it("finds a compiled circuit through a bundle manifest", async () => {
    const store = new LocalModelStore(committedBundleDir("iris-deep"));
    const manifest = JSON.parse(readFileSync(join(committedBundleDir("iris-deep"), "manifest.json"), "utf8"));
    const c = await store.loadCircuit(manifest.files.compiled.keccak256);
    assert.equal(keccak256(c.bytes), manifest.files.compiled.keccak256);
  });

  it("finds a model through a bundle manifest and refuses a corrupt file with both hashes in the reason", async () => {
    const bundle = join(dir, "bundles", "iris");
    mkdirSync(bundle, { recursive: true });
    const corrupt = Uint8Array.from(bytes);
    corrupt[corrupt.length - 5] ^= 0xff;
    writeFileSync(join(bundle, "network.onnx"), corrupt);
    const claimed = keccak256(new TextEncoder().encode("another model"));
    // A bundle manifest (compiler/manifest.ts format) whose ONNX entry claims a hash the file does not have.
    const entry = (path: string) => ({ path, keccak256: keccak256(new TextEncoder().encode(path)), bytes: 1 });
    const files = { onnx: { path: "network.onnx", keccak256: claimed, bytes: corrupt.length }, compiled: entry("model.compiled"), settings: entry("settings.json"), vk: entry("vk.key") };
    const manifest = { format: "twinpath-bundle/1", name: "iris", files, input: { shape: [1, 4], scale: 7 }, output: { shape: [1, 3], scale: 7 } };
    writeFileSync(join(bundle, "manifest.json"), JSON.stringify(manifest));
    const store = new LocalModelStore(dir);
    await assert.rejects(store.load(claimed), (err: Error) => {
      assert.ok(err instanceof ModelHashMismatchError);
      assert.match(err.message, /does not match its registered hash/);
      assert.ok(err.message.includes(claimed) && err.message.includes(keccak256(corrupt)));
      return true;
    });
  });

  it("refuses a content-addressed file whose bytes changed", async () => {
    const d2 = mkdtempSync(join(tmpdir(), "tp-store2-"));
    try {
      const h = await putModel(d2, bytes);
      const tampered = Uint8Array.from(bytes);
      tampered[10] ^= 1;
      writeFileSync(join(d2, `${h.toLowerCase()}.onnx`), tampered);
      await assert.rejects(new LocalModelStore(d2).load(h), ModelHashMismatchError);
      const compiled = new Uint8Array(readFileSync(join(committedBundleDir("iris-mlp"), "model.compiled")));
      const c = await putModel(d2, compiled, "compiled");
      writeFileSync(join(d2, `${c.toLowerCase()}.compiled`), compiled.slice(1));
      await assert.rejects(new CircuitCache(new LocalModelStore(d2)).get(c), ModelHashMismatchError);
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it("reports an unknown hash as UnknownModelError naming the store", async () => {
    const missing = keccak256(new TextEncoder().encode("nothing"));
    await assert.rejects(new LocalModelStore(dir).load(missing), (e: Error) => e instanceof UnknownModelError && e.message.includes(missing) && e.message.includes(dir));
  });
});
