import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, toHex, zeroAddress } from "viem";

import { BundleManifestError } from "../../compiler/manifest.js";
import { loadBundleManifest, manifestToModelSpec, parseBundleManifest } from "../../compiler/registration.js";
import { VerificationMode } from "../../protocol/enums.js";
import { QuantizeError, dequantize, quantize } from "../../protocol/fixedPoint.js";

const h = (s: string) => keccak256(toHex(s));
const file = (name: string) => ({ path: name, keccak256: h(name), bytes: 10 });

function manifest(over: Record<string, unknown> = {}) {
  return {
    format: "twinpath-bundle/1",
    name: "iris-mlp",
    files: {
      onnx: file("model.onnx"),
      compiled: file("model.compiled"),
      settings: file("settings.json"),
      vk: file("vk.key"),
      pk: file("pk.key"),
      srs: file("kzg.srs"),
    },
    input: { shape: [1, 4], scale: 7 },
    output: { shape: [1, 3], scale: 8 },
    logrows: 12,
    admission: { lower: [-500, -400, -300, -200], upper: [500, 400, 300, 200], tolerance: 2, fastPath: "circuit-witness" },
    ...over,
  };
}
const bytesOf = (m: unknown) => new TextEncoder().encode(JSON.stringify(m, null, 2));

describe("manifestToModelSpec", () => {
  it("maps every manifest field to the registry spec and hashes the manifest bytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "twinpath-bundle-"));
    try {
      const bytes = bytesOf(manifest());
      await writeFile(join(dir, "manifest.json"), bytes);
      const loaded = await loadBundleManifest(dir);
      assert.equal(loaded.manifestHash, keccak256(bytes));
      assert.equal(loaded.dir, dir);
      const verifier = "0x00000000000000000000000000000000000000aa";
      const spec = manifestToModelSpec(loaded, { mode: "ZKML_ONCHAIN", verifier, price: 10n });
      assert.deepEqual(spec, {
        onnxHash: h("model.onnx"),
        settingsHash: h("settings.json"),
        circuitHash: h("model.compiled"),
        vkHash: h("vk.key"),
        manifestHash: keccak256(bytes),
        inputShape: [1, 4],
        outputShape: [1, 3],
        inputScale: 7,
        outputScale: 8,
        mode: VerificationMode.ZKML_ONCHAIN,
        verifier: getAddress(verifier),
        price: 10n,
        tolerance: 2n, // the bundle's
        inputLower: [-500n, -400n, -300n, -200n],
        inputUpper: [500n, 400n, 300n, 200n],
        batch: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects bad manifests naming the bad field", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [manifest({ format: "twinpath-bundle/2" }), /format/],
      [manifest({ input: { shape: [1, 0], scale: 7 } }), /input\.shape\.1/],
      [manifest({ input: { shape: [], scale: 7 } }), /input\.shape/],
      [manifest({ output: { shape: [4097], scale: 7 } }), /output\.shape: has more than 4096/],
      [manifest({ output: { shape: [1, 3], scale: 25 } }), /output\.scale/],
      [{ ...manifest(), files: { ...manifest().files, vk: undefined } }, /files\.vk/],
      [{ ...manifest(), files: { ...manifest().files, onnx: { ...file("x"), keccak256: "0x12" } } }, /files\.onnx\.keccak256/],
      [manifest({ admission: { lower: [0, 0], upper: [1, 1], tolerance: 0 } }), /admission\.lower: must have one bound per input element/],
      [manifest({ admission: { lower: [0, 2, 0, 0], upper: [1, 1, 1, 1], tolerance: 0 } }), /admission\.lower: has an element with lower > upper/],
      [manifest({ admission: { lower: [0.5], upper: [1], tolerance: 0 } }), /admission\.lower/],
      [manifest({ admission: { lower: [0], upper: [1], tolerance: -1 } }), /admission\.tolerance/],
    ];
    for (const [m, pattern] of cases) {
      assert.throws(() => parseBundleManifest(bytesOf(m)), (e: unknown) => e instanceof BundleManifestError && pattern.test(e.message));
    }
    assert.throws(() => parseBundleManifest(new TextEncoder().encode("{")), /not valid JSON/);
    await assert.rejects(loadBundleManifest("/nonexistent-bundle-dir"), /cannot read manifest\.json/);
  });

  it("takes the tolerance from the bundle: never typed by hand, never smaller, never a silent 0", () => {
    const loaded = parseBundleManifest(bytesOf(manifest()));
    assert.equal(manifestToModelSpec(loaded, { mode: "ZKML_ATTESTED", price: 0n }).tolerance, 2n);
    assert.equal(manifestToModelSpec(loaded, { mode: "ZKML_ATTESTED", price: 0n, tolerance: 5n }).tolerance, 5n);
    assert.throws(() => manifestToModelSpec(loaded, { mode: "ZKML_ATTESTED", price: 0n, tolerance: 1n }), /tolerance 1 is below the bundle's 2/);
    // a bundle without an admission (an older compiler) cannot be registered: the registry would not know its domain
    const old = parseBundleManifest(bytesOf({ ...manifest(), admission: undefined }));
    assert.throws(() => manifestToModelSpec(old, { mode: "ZKML_ATTESTED", price: 0n, tolerance: 0n }), /has no admission/);
  });

  it("checks the verifier against the mode", () => {
    const loaded = parseBundleManifest(bytesOf(manifest()));
    const v = "0x00000000000000000000000000000000000000aa" as const;
    assert.throws(() => manifestToModelSpec(loaded, { mode: "ZKML_ONCHAIN", price: 0n, tolerance: 0n }), /needs a verifier/);
    assert.throws(() => manifestToModelSpec(loaded, { mode: "OPTIMISTIC", verifier: zeroAddress, price: 0n, tolerance: 0n }), /needs a verifier/);
    assert.throws(() => manifestToModelSpec(loaded, { mode: "ZKML_ATTESTED", verifier: v, price: 0n, tolerance: 0n }), /takes no verifier/);
    assert.throws(() => manifestToModelSpec(loaded, { mode: "NOPE" as "OPTIMISTIC", verifier: v, price: 0n, tolerance: 0n }), /unknown verification mode/);
    assert.throws(() => manifestToModelSpec(loaded, { mode: "OPTIMISTIC", verifier: v, price: -1n, tolerance: 0n }), /price/);
    assert.equal(manifestToModelSpec(loaded, { mode: "ZKML_ATTESTED", price: 0n }).verifier, zeroAddress);
  });

  it("registers a batch version with its batch (one slot's shapes and domain), ZKML_ONCHAIN or ZKML_ATTESTED, never OPTIMISTIC", async () => {
    const loaded = parseBundleManifest(bytesOf(manifest({ batch: 16 })));
    const v = "0x00000000000000000000000000000000000000aa" as const;
    const spec = manifestToModelSpec(loaded, { mode: "ZKML_ONCHAIN", verifier: v, price: 0n });
    assert.equal(spec.batch, 16);
    assert.deepEqual(spec.inputShape, [1, 4]);
    const attested = manifestToModelSpec(loaded, { mode: "ZKML_ATTESTED", price: 0n });
    assert.equal(attested.batch, 16);
    // an OPTIMISTIC challenge is one request's proof: a batch version has none
    assert.throws(() => manifestToModelSpec(loaded, { mode: "OPTIMISTIC", verifier: v, price: 0n }), /batch-16 version: OPTIMISTIC challenges are per request/);
    for (const batch of [0, 65, 1.5]) assert.throws(() => parseBundleManifest(bytesOf(manifest({ batch }))), /batch/);
    const { viem } = await network.create();
    const registry = await viem.deployContract("ModelRegistry");
    const verifier = await viem.deployContract("ModelRegistry"); // any contract with code
    await registry.write.registerModel([{ ...spec, verifier: verifier.address }]);
    assert.equal((await registry.read.modelTerms([1n])).batch, 16);
    await registry.write.registerModel([attested]);
    assert.equal((await registry.read.modelTerms([2n])).batch, 16);
    await viem.assertions.revertWithCustomError(
      registry.write.registerModel([{ ...spec, verifier: verifier.address, mode: VerificationMode.OPTIMISTIC }]),
      registry,
      "ModelRegistryInvalidBatch",
    );
  });

  it("produces a spec the ModelRegistry accepts and stores unchanged", async () => {
    const { viem } = await network.create();
    const registry = await viem.deployContract("ModelRegistry");
    const verifier = await viem.deployContract("ModelRegistry"); // any contract with code
    const loaded = parseBundleManifest(bytesOf(manifest()));
    const spec = manifestToModelSpec(loaded, { mode: "OPTIMISTIC", verifier: verifier.address, price: 7n });
    await registry.write.registerModel([spec]);
    const m = await registry.read.getModel([1n]);
    assert.equal(m.spec.manifestHash, loaded.manifestHash);
    assert.equal(m.spec.onnxHash, spec.onnxHash);
    assert.equal(m.spec.vkHash, spec.vkHash);
    assert.equal(m.spec.outputScale, 8);
    assert.equal(m.inputLength, 4);
    assert.equal(m.spec.mode, VerificationMode.OPTIMISTIC);
    assert.deepEqual(m.spec.inputLower, spec.inputLower);
    assert.deepEqual(m.spec.inputUpper, spec.inputUpper);
  });
});

describe("quantize", () => {
  it("rounds x * 2^scale half away from zero, like EZKL", () => {
    assert.deepEqual(quantize([1, -1, 0.5, -0.5, 0.00390625, 5.1], 7), [128n, -128n, 64n, -64n, 1n, 653n]);
    // 0.5 ulp cases: 2.5 -> 3 and -2.5 -> -3 at scale 0.
    assert.deepEqual(quantize([2.5, -2.5, 0.4999], 0), [3n, -3n, 0n]);
    assert.deepEqual(dequantize([128n, -64n], 7), [1, -0.5]);
    assert.throws(() => quantize([Number.NaN], 7), QuantizeError);
    assert.throws(() => quantize([1e300], 7), /too large/);
    assert.throws(() => quantize([1], 60), /scale 60/);
  });
});
