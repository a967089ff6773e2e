// @light (no stack of processes: real HTTP servers or native EZKL children only)
/**
 * PROVER_BACKEND=native: native EZKL in child processes behind the prover's engine interface. Its proofs verify
 * with the WASM engine and the project's TypeScript verifier (and WASM proofs with it); a child killed mid-proof
 * or overrunning its timeout fails that task with ProvingError and is replaced; a missing Python package is a
 * clear error. Skips (with the install command) where the `ezkl` Python package is not installed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadBundle } from "../../compiler/bundle.js";
import { ensureDemoBundle } from "../../models/index.js";
import type { ModelArtifacts } from "../../workers/proofs/bundles.js";
import { EnginePool } from "../../workers/proofs/enginePool.js";
import { ProvingError } from "../../workers/proofs/errors.js";
import { dequantize } from "../../protocol/fixedPoint.js";
import { fromField } from "../../protocol/instances.js";
import { loadProverConfig } from "../../workers/config/prover.js";
import { startProvingEngine } from "../../workers/proofs/engines.js";
import { NativeEzklUnavailableError } from "../../workers/proofs/native/child.js";
import { ConfigError } from "../../workers/shared/errors.js";
import { NativePool } from "../../workers/proofs/native/pool.js";
import { parseEngineProof, proofInstances, rawProofBytes } from "../../workers/proofs/proofJson.js";
import { ProofVerifier } from "../../workers/verifier-node/backends.js";
import { NATIVE_PYTHON, nativeSkipReason } from "../helpers/native.js";

const skip = await nativeSkipReason();

async function demoArtifacts(name: string): Promise<ModelArtifacts> {
  const b = loadBundle((await ensureDemoBundle(name)).dir, { requirePk: true });
  return {
    dir: b.dir,
    manifestHash: b.manifestHash,
    compiled: b.read("compiled"),
    settings: b.read("settings"),
    srs: b.read("srs"),
    vk: b.read("vk"),
    pk: b.read("pk"),
    inputScale: b.manifest.input.scale,
    outputScale: b.manifest.output.scale,
  };
}

const INPUT = [146, -73, 76, 34].map(BigInt);
const floats = dequantize(INPUT, 7);

describe("native EZKL backend: missing Python package", () => {
  const dir = mkdtempSync(join(tmpdir(), "twinpath-native-missing-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to start with the install command when ezkl cannot be imported or Python is absent", async () => {
    // An interpreter that cannot see site-packages (python -S): `import ezkl` fails as on a machine without it.
    const noEzkl = join(dir, "python-without-ezkl");
    writeFileSync(noEzkl, `#!/bin/sh\nexec ${NATIVE_PYTHON} -S "$@"\n`);
    chmodSync(noEzkl, 0o755);
    for (const python of [noEzkl, join(dir, "no-such-python")]) {
      await assert.rejects(NativePool.start({ python, processes: 1 }), (e: unknown) => {
        assert.ok(e instanceof NativeEzklUnavailableError, String(e));
        assert.match(e.message, /pip install --require-hashes -r workers\/proofs\/native\/requirements\.txt/);
        assert.match(e.message, /PROVER_BACKEND=wasm/);
        return true;
      });
    }
  });
});

describe("PROVER_BACKEND configuration", () => {
  const base = { REDIS_URL: "redis://x:1", RPC_URL: "http://x:1", CHAIN_ID: "1", HUB_ADDRESS: `0x${"0".repeat(40)}`, MODEL_REGISTRY_ADDRESS: `0x${"0".repeat(40)}`, BUNDLE_DIRS: "/b", PROOF_STORE_DIR: "/p", PROVER_PRIVATE_KEY: `0x${"1".repeat(64)}` };

  it("defaults to the embedded WASM engine; accepts native; refuses anything else by name", () => {
    assert.equal(loadProverConfig(base).PROVER_BACKEND, "wasm");
    const c = loadProverConfig({ ...base, PROVER_BACKEND: "native", PROVER_PYTHON: "/opt/py/bin/python", PROVER_NATIVE_THREADS: "4" });
    assert.deepEqual([c.PROVER_BACKEND, c.PROVER_PYTHON, c.PROVER_NATIVE_THREADS], ["native", "/opt/py/bin/python", 4]);
    assert.throws(() => loadProverConfig({ ...base, PROVER_BACKEND: "gpu" }), (e: unknown) => e instanceof ConfigError && e.issues[0].variable === "PROVER_BACKEND" && /wasm or native/.test(e.message));
  });

  it("a native backend without the Python package is a configuration error naming PROVER_BACKEND and the install step", async () => {
    await assert.rejects(startProvingEngine({ backend: "native", parallel: 1, python: "/nonexistent/python3" }), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.issues[0].variable, "PROVER_BACKEND");
      assert.match(e.message, /pip install --require-hashes -r workers\/proofs\/native\/requirements\.txt/);
      return true;
    });
    const wasm = await startProvingEngine({ backend: "wasm", parallel: 1 });
    assert.equal(wasm.backend, "wasm");
    await wasm.close();
  });

  it("the prover process exits with code 78 before contacting the chain, naming PROVER_BACKEND", async () => {
    const dir = mkdtempSync(join(tmpdir(), "twinpath-prover-78-"));
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "workers/prover/main.ts"], {
        env: { PATH: process.env.PATH, ...base, BUNDLE_DIRS: dir, PROOF_STORE_DIR: dir, PROVER_BACKEND: "native", PROVER_PYTHON: join(dir, "no-python"), PROVER_NICE: "0" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      assert.equal(code, 78, stderr);
      assert.match(stderr, /PROVER_BACKEND: native: native EZKL is not available/);
      assert.match(stderr, /pip install --require-hashes -r workers\/proofs\/native\/requirements\.txt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("native EZKL backend (iris-mlp, iris-deep)", { skip, timeout: 300_000 }, () => {
  let mlp: ModelArtifacts;
  let deep: ModelArtifacts;
  let pool: NativePool;
  let wasm: EnginePool;

  before(async () => {
    [mlp, deep] = await Promise.all([demoArtifacts("iris-mlp"), demoArtifacts("iris-deep")]);
    pool = await NativePool.start({ python: NATIVE_PYTHON, processes: 2, threadsPerProcess: 1 });
    wasm = new EnginePool({ threads: 1 });
  });
  after(async () => {
    await pool?.close();
    await wasm?.close();
  });

  it("proves; the WASM engine and the TS verifier accept the proof, and reject it for another output", async () => {
    const r = await pool.prove(mlp.manifestHash, mlp, floats);
    assert.ok(r.proveMs > 0 && r.witnessMs > 0);
    assert.ok(r.keyLoadMs !== undefined && r.keyLoadMs > 0, "ezkl reports its proving-key load time");
    const p = parseEngineProof(r.proof);
    const instances = proofInstances(p);
    assert.deepEqual(instances.slice(0, 4).map(fromField), INPUT, "the proof's input instances are the request's input");
    assert.equal(p.transcript_type, "EVM");

    assert.equal((await wasm.verify(mlp.manifestHash, mlp, r.proof)).valid, true, "the WASM engine verifies the native proof JSON as is");
    const verdict = await new ProofVerifier("both", wasm).verify(mlp, rawProofBytes(p), instances);
    assert.equal(verdict.valid, true, JSON.stringify(verdict.checks));
    const other = [...instances];
    other[5] = other[5] + 1n;
    const wrong = await new ProofVerifier("both", pool).verify(mlp, rawProofBytes(p), other);
    assert.ok(wrong.checks.every((c) => !c.valid), "native engine and TS verifier reject the proof for another output");
  });

  it("verifies WASM proofs, and rejects a tampered one", async () => {
    const w = await wasm.prove(mlp.manifestHash, mlp, floats);
    assert.equal((await pool.verify(mlp.manifestHash, mlp, w.proof)).valid, true);
    const doc = parseEngineProof(w.proof);
    doc.proof[700] ^= 1;
    assert.equal((await pool.verify(mlp.manifestHash, mlp, new TextEncoder().encode(JSON.stringify(doc)))).valid, false);
  });

  it("proves two requests at once in two processes", async () => {
    const [a, b] = await Promise.all([pool.prove(deep.manifestHash, deep, floats), pool.prove(mlp.manifestHash, mlp, floats.map((x) => -x))]);
    assert.equal((await pool.verify(deep.manifestHash, deep, a.proof)).valid, true);
    assert.equal((await pool.verify(mlp.manifestHash, mlp, b.proof)).valid, true);
    assert.equal(new Set(pool.pids()).size, 2);
  });

  it("a child killed mid-proof fails that proof with ProvingError, is replaced, and the retry proves", async () => {
    const before = pool.pids();
    const restarts = pool.restarts;
    const proving = pool.prove(deep.manifestHash, deep, floats);
    await new Promise((r) => setTimeout(r, 150)); // witness done, proof under way (iris-deep proves in ~0.5-1 s)
    const [busy] = pool.busyPids();
    assert.ok(busy, "one child is proving");
    process.kill(busy, "SIGKILL");
    await assert.rejects(proving, (e: unknown) => e instanceof ProvingError && /SIGKILL/.test(e.message));
    const retry = await pool.prove(deep.manifestHash, deep, floats);
    assert.equal((await wasm.verify(deep.manifestHash, deep, retry.proof)).valid, true);
    assert.equal(pool.restarts, restarts + 1);
    assert.ok(!pool.pids().includes(busy) && pool.pids().length === 2, `a new child replaced ${busy} (before ${before}, now ${pool.pids()})`);
  });

  it("a proof overrunning the task timeout kills its child and fails; the pool keeps serving", async () => {
    const slow = await NativePool.start({ python: NATIVE_PYTHON, processes: 1, threadsPerProcess: 1, taskTimeoutMs: 30 });
    try {
      const pid = slow.pids()[0];
      await assert.rejects(slow.prove(deep.manifestHash, deep, floats), (e: unknown) => e instanceof ProvingError && /timed out after 30 ms/.test(e.message));
      const deadline = Date.now() + 30_000;
      while ((slow.pids()[0] ?? pid) === pid && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.notEqual(slow.pids()[0], pid, "the overrunning child was replaced");
      assert.equal(slow.restarts, 1);
    } finally {
      await slow.close();
    }
  });
});
