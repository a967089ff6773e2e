/**
 * Proof-path building blocks without a chain: instance binding, the content-addressed store and its HTTP endpoint,
 * bundle resolution against registry hashes, configuration errors, and the engine thread pool with both verifier
 * backends on real iris-mlp proofs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, cpSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import { keccak256, zeroAddress, type Hex } from "viem";
import { ensureDemoBundle } from "../../models/index.js";
import { loadBundle } from "../../compiler/bundle.js";
import { BundleIndex, checkAgainstRegistry, type ModelArtifacts } from "../../workers/proofs/bundles.js";
import { EnginePool } from "../../workers/proofs/enginePool.js";
import { BundleMismatchError, BundleNotFoundError, ProofHashMismatchError } from "../../workers/proofs/errors.js";
import { FIELD_MODULUS, InstanceRangeError, buildInstances, fromField, instancesHash, maxAbsDiff } from "../../protocol/instances.js";
import type { ProofModel } from "../../workers/proofs/models.js";
import { engineProofJson, fromLeHex, parseEngineProof, proofInstances, rawProofBytes, toLeHex } from "../../workers/proofs/proofJson.js";
import { startProofServer } from "../../workers/proofs/server.js";
import { ProofStore } from "../../workers/proofs/store.js";
import { ProofVerifier, settingsInstanceCount } from "../../workers/verifier-node/backends.js";
import { loadProverConfig } from "../../workers/config/prover.js";
import { loadVerifierNodeConfig } from "../../workers/config/verifierNode.js";
import { ConfigError } from "../../workers/shared/errors.js";

describe("instances", () => {
  it("encodes input ‖ output as field elements, negatives as r - |v|", () => {
    const inst = buildInstances([38n, -154n], [89n, -101n]);
    assert.deepEqual(inst, [38n, FIELD_MODULUS - 154n, 89n, FIELD_MODULUS - 101n]);
    assert.deepEqual(inst.map(fromField), [38n, -154n, 89n, -101n]);
    assert.throws(() => buildInstances([2n ** 127n], []), InstanceRangeError);
    assert.throws(() => buildInstances([], [-(2n ** 127n)]), InstanceRangeError);
  });
  it("round-trips the engine's little-endian hex", () => {
    for (const v of [0n, 1n, 38n, FIELD_MODULUS - 1n]) assert.equal(fromLeHex(toLeHex(v)), v);
    assert.equal(toLeHex(38n), "26" + "0".repeat(62));
  });
  it("hashes like abi.encode(uint256[]) and measures differences", () => {
    assert.equal(instancesHash([]), keccak256("0x00000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000"));
    assert.equal(maxAbsDiff([1n, -5n], [3n, 4n]), 9);
    assert.equal(maxAbsDiff([1n], [1n, 2n]), Infinity);
  });
});

describe("proof store and GET /proofs/<hash>", () => {
  const dir = mkdtempSync(join(tmpdir(), "twinpath-store-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stores by keccak256, serves the bytes, refuses corrupt files and bad hashes", async () => {
    const store = new ProofStore(dir);
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    const hash = await store.put(bytes);
    assert.equal(hash, keccak256(bytes));
    assert.deepEqual(await store.get(hash), bytes);
    assert.equal(await store.get(keccak256("0x99")), null);

    const server = await startProofServer({ port: 0, registry: new Registry(), store, check: () => null });
    try {
      const ok = await fetch(`${server.url}/proofs/${hash}`);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("access-control-allow-origin"), "*", "a dApp page may fetch it to verify offline");
      assert.deepEqual(new Uint8Array(await ok.arrayBuffer()), bytes);
      assert.equal((await fetch(`${server.url}/proofs/${keccak256("0x99")}`)).status, 404);
      assert.equal((await fetch(`${server.url}/proofs/0x1234`)).status, 400);
      assert.equal((await fetch(`${server.url}/health`)).status, 200);

      // a corrupted file is never served
      const [file] = readdirSync(dir).filter((f) => f.endsWith(".proof"));
      writeFileSync(join(dir, file), Uint8Array.from([9, 9, 9]));
      await assert.rejects(store.get(hash), ProofHashMismatchError);
      assert.equal((await fetch(`${server.url}/proofs/${hash}`)).status, 500);
    } finally {
      await server.close();
    }
  });
});

describe("configuration", () => {
  it("names every bad variable of the prover and verifier node", () => {
    assert.throws(
      () => loadProverConfig({ REDIS_URL: "redis://x:1", RPC_URL: "http://x:1", CHAIN_ID: "1", HUB_ADDRESS: zeroAddress, MODEL_REGISTRY_ADDRESS: "0x12", PROVER_PRIVATE_KEY: "0xabc", BUNDLE_DIRS: "/b", PROOF_STORE_DIR: "/p", PROVER_THREADS: "0" }),
      (e: unknown) => e instanceof ConfigError && ["MODEL_REGISTRY_ADDRESS", "PROVER_PRIVATE_KEY", "PROVER_THREADS"].every((v) => e.issues.some((i) => i.variable === v)),
    );
    assert.throws(
      () => loadVerifierNodeConfig({ REDIS_URL: "redis://x:1", RPC_URL: "http://x:1", CHAIN_ID: "1", HUB_ADDRESS: zeroAddress, MODEL_REGISTRY_ADDRESS: zeroAddress, VERIFIER_PRIVATE_KEY: `0x${"11".repeat(32)}`, BUNDLE_DIRS: "/b", VERIFIER_BACKEND: "rust" }),
      (e: unknown) => e instanceof ConfigError && e.issues.length === 1 && e.issues[0].variable === "VERIFIER_BACKEND",
    );
    const c = loadProverConfig({ REDIS_URL: "redis://x:1", RPC_URL: "http://x:1", CHAIN_ID: "1", HUB_ADDRESS: zeroAddress, MODEL_REGISTRY_ADDRESS: zeroAddress, PROVER_PRIVATE_KEY: `0x${"11".repeat(32)}`, BUNDLE_DIRS: "/a, /b", PROOF_STORE_DIR: "/p", PROVER_THREADS: "2" });
    assert.deepEqual(c.BUNDLE_DIRS, ["/a", "/b"]);
    assert.equal(c.PROVER_CONCURRENCY, 2, "concurrency follows the thread count by default");
  });
});

describe("bundles, engine threads and verifier backends (iris-mlp)", { timeout: 240_000 }, () => {
  let dir: string;
  let model: ProofModel;
  let artifacts: ModelArtifacts;
  let pool: EnginePool;
  const scratch = mkdtempSync(join(tmpdir(), "twinpath-bundles-test-"));

  before(async () => {
    dir = (await ensureDemoBundle("iris-mlp")).dir;
    const b = loadBundle(dir, { requirePk: true });
    const f = b.manifest.files;
    model = {
      modelId: 1n,
      onnxHash: f.onnx.keccak256,
      settingsHash: f.settings.keccak256,
      circuitHash: f.compiled.keccak256,
      vkHash: f.vk.keccak256,
      manifestHash: b.manifestHash,
      inputLength: 4,
      outputLength: 3,
      inputScale: b.manifest.input.scale,
      outputScale: b.manifest.output.scale,
      mode: 1,
      verifier: zeroAddress,
      tolerance: 13n,
    };
    pool = new EnginePool({ threads: 2 });
  });
  after(async () => {
    await pool?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("resolves the registered bundle and refuses one whose hashes differ from the registry", async () => {
    artifacts = await new BundleIndex([join(dir, "..")], { requirePk: true }).resolve(model);
    assert.equal(artifacts.manifestHash, model.manifestHash);
    assert.ok(artifacts.pk && artifacts.pk.length > 0);
    const b = loadBundle(dir, { requirePk: true });
    assert.throws(() => checkAgainstRegistry(b, { ...model, vkHash: keccak256("0x01") }, true), (e: unknown) => e instanceof BundleMismatchError && /vkHash/.test(e.message));
    assert.throws(() => checkAgainstRegistry(b, { ...model, outputScale: 8 }, true), BundleMismatchError);
    await assert.rejects(new BundleIndex([scratch], { requirePk: true }).resolve({ ...model, manifestHash: keccak256("0x02") as Hex }), BundleNotFoundError);
    // a bundle whose file was altered is skipped (loadBundle checks every file against the manifest)
    const copy = join(scratch, "altered");
    cpSync(dir, copy, { recursive: true });
    writeFileSync(join(copy, "vk.key"), Uint8Array.from([1, 2, 3]));
    await assert.rejects(new BundleIndex([scratch], { requirePk: true }).resolve(model), BundleNotFoundError);
  });

  it("proves in worker threads; engine and TS verifiers accept it and reject tampering and other instances", async () => {
    const input = [146, -73, 76, 34].map(BigInt);
    const floats = input.map((v) => Number(v) / 128);
    // two proofs at once on two threads
    const [a, b] = await Promise.all([pool.prove(artifacts.manifestHash, artifacts, floats), pool.prove(artifacts.manifestHash, artifacts, floats.map((x) => -x))]);
    const p = parseEngineProof(a.proof);
    const instances = proofInstances(p);
    assert.equal(instances.length, settingsInstanceCount(artifacts.settings));
    assert.deepEqual(instances.slice(0, 4).map(fromField), input, "the proof's input instances are the request's input");
    const proof = rawProofBytes(p);
    assert.ok(parseEngineProof(b.proof).proof.length > 0);

    const both = new ProofVerifier("both", pool);
    const ok = await both.verify(artifacts, proof, instances);
    assert.equal(ok.valid, true, JSON.stringify(ok.checks));
    assert.deepEqual(ok.checks.map((c) => c.backend), ["engine", "ts"]);

    const tampered = proof.slice();
    tampered[700] ^= 1;
    const bad = await both.verify(artifacts, tampered, instances);
    assert.equal(bad.valid, false);
    assert.ok(bad.checks.every((c) => !c.valid), "both backends reject a tampered proof");

    const otherOutput = [...instances];
    otherOutput[5] = (otherOutput[5] + 1n) % FIELD_MODULUS;
    const wrong = await both.verify(artifacts, proof, otherOutput);
    assert.ok(wrong.checks.every((c) => !c.valid), "both backends reject the proof for another output");
    assert.equal((await new ProofVerifier("engine", pool).verify(artifacts, proof, instances)).valid, true);

    // the engine JSON rebuilt around raw bytes is what the engine verifies
    assert.equal((await pool.verify(artifacts.manifestHash, artifacts, engineProofJson(proof, instances))).valid, true);
  });
});

describe("configuration: one key per pm2 instance", () => {
  const base = { REDIS_URL: "redis://x:1", RPC_URL: "http://x:1", CHAIN_ID: "1", HUB_ADDRESS: zeroAddress, MODEL_REGISTRY_ADDRESS: zeroAddress, BUNDLE_DIRS: "/b" };
  const k = (n: number) => `0x${String(n).repeat(64)}`;
  it("gives instance i the i-th key and refuses an instance without one", () => {
    assert.equal(loadVerifierNodeConfig({ ...base, VERIFIER_PRIVATE_KEY: `${k(1)},${k(2)}`, NODE_APP_INSTANCE: "1" }).VERIFIER_PRIVATE_KEY, k(2));
    assert.equal(loadVerifierNodeConfig({ ...base, VERIFIER_PRIVATE_KEY: k(3) }).VERIFIER_PRIVATE_KEY, k(3));
    assert.throws(
      () => loadProverConfig({ ...base, PROOF_STORE_DIR: "/p", PROVER_PRIVATE_KEY: k(1), NODE_APP_INSTANCE: "2" }),
      (e: unknown) => e instanceof ConfigError && e.issues[0].variable === "PROVER_PRIVATE_KEY" && !e.message.includes(k(1)),
    );
  });
});
