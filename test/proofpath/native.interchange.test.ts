// @light (no stack of processes: real HTTP servers or native EZKL children only)
/**
 * Native EZKL (Python `ezkl==21.0.0`) and the embedded engine (`@ezkljs/engine@21.0.0`) are one artifact format:
 * keys made natively from the project's compiled circuits and SRS equal the engine's byte for byte, witnesses are
 * the same bytes, a compiled circuit and settings made by EZKL itself decode and re-encode byte for byte with the
 * project's codec and prove with the engine, a natively generated SRS gives the engine's keys, and proofs have
 * one JSON format that every verifier accepts: native, the engine, the TS verifier and the Solidity verifier.
 * Skips (with the install command) where the `ezkl` Python package is not installed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { bytesToHex } from "viem";
import { decode, encode } from "../../compiler/bincode/codec.js";
import { loadBundle, type LoadedBundle } from "../../compiler/bundle.js";
import { GraphCircuit } from "../../compiler/circuit/schema.js";
import { genPk, genVk, genWitness, prove as engineProve, verify as engineVerify } from "../../compiler/engine/engine.js";
import { srsByteLength } from "../../compiler/srs/srs.js";
import { deployVerifierForBundle } from "../../halo2/solidity/forBundle.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { NativeChild } from "../../workers/proofs/native/child.js";
import { parseEngineProof, proofInstances, rawProofBytes } from "../../workers/proofs/proofJson.js";
import { ProofVerifier } from "../../workers/verifier-node/backends.js";
import { NATIVE_PYTHON, nativeSkipReason } from "../helpers/native.js";

const skip = await nativeSkipReason();
const MODELS = ["iris-mlp", "iris-deep", "iris-cnn"] as const;
const u8 = (p: string) => new Uint8Array(readFileSync(p));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** The one field where the two builds differ: the crate version each writes into a witness ("21.0.0" natively,
 *  "source - no compatibility guaranteed" in the WASM build). Nothing reads it back. */
const VERSION_FIELD = /,"version":"[^"]*"}$/;
function sameWitness(native: string, engine: string, what: string) {
  assert.match(native, /,"version":"21\.0\.0"}$/, `${what}: native witness version`);
  assert.equal(native.replace(VERSION_FIELD, "}"), engine.replace(VERSION_FIELD, "}"), `${what}: witness bytes (version field aside)`);
}

describe("native EZKL 21.0.0 and @ezkljs/engine 21.0.0 share every artifact format", { skip, timeout: 600_000 }, () => {
  let ezkl: NativeChild;
  const bundles = new Map<string, LoadedBundle>();
  const scratch = mkdtempSync(join(tmpdir(), "twinpath-interchange-"));
  const file = (b: LoadedBundle, key: "compiled" | "settings" | "srs" | "vk" | "pk" | "onnx") => join(b.dir, b.manifest.files[key]!.path);

  before(async () => {
    ezkl = await NativeChild.start({ python: NATIVE_PYTHON });
    for (const m of MODELS) bundles.set(m, loadBundle((await ensureDemoBundle(m)).dir, { requirePk: true }));
  });
  after(async () => {
    await ezkl?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const m of MODELS) {
    it(`${m}: native setup on the project's compiled circuit and SRS writes the bundle's vk and pk, byte for byte`, async () => {
      const b = bundles.get(m)!;
      const vk = join(scratch, `${m}.vk`);
      const pk = join(scratch, `${m}.pk`);
      const r = await ezkl.call<{ ok: boolean }>("setup", { compiled: file(b, "compiled"), srs: file(b, "srs"), vk, pk });
      assert.equal(r.ok, true);
      assert.ok(Buffer.from(u8(vk)).equals(Buffer.from(b.read("vk"))), "vk.key identical");
      assert.ok(Buffer.from(u8(pk)).equals(Buffer.from(b.read("pk")!)), "pk.key identical");
    });
  }

  it("native and engine witnesses of the same compiled circuit and input are the same bytes (but for the build's version string)", async () => {
    for (const m of MODELS) {
      const b = bundles.get(m)!;
      for (const x of exampleInputs(m, 3)) {
        const native = await ezkl.call<{ witness: string }>("genWitness", { compiled: file(b, "compiled"), input: [x] });
        sameWitness(native.witness, text(genWitness(b.read("compiled"), x).bytes), `${m} ${x}`);
      }
    }
  });

  it("a compiled circuit and settings made by EZKL itself: the project's codec re-encodes them byte for byte; the engine proves with them", async () => {
    const b = bundles.get("iris-mlp")!;
    const settings = join(scratch, "ezkl-settings.json");
    const compiled = join(scratch, "ezkl-model.compiled");
    // the bundle's own sizing (logrows, decomposition, scales): the same circuit, so the same keys from the bundle's SRS
    const ra = JSON.parse(text(b.read("settings"))).run_args;
    const runArgs = { input_visibility: "public", output_visibility: "public", param_visibility: "fixed", input_scale: ra.input_scale, param_scale: ra.param_scale, logrows: ra.logrows, decomp_base: ra.decomp_base, decomp_legs: ra.decomp_legs };
    assert.equal((await ezkl.call<{ ok: boolean }>("genSettings", { model: file(b, "onnx"), settings, runArgs })).ok, true);
    assert.equal((await ezkl.call<{ ok: boolean }>("compile", { model: file(b, "onnx"), compiled, settings })).ok, true);

    // Settings: the same JSON layout as the project writes (field order, compact), and the same fields.
    const theirs = readFileSync(settings, "utf8");
    assert.equal(JSON.stringify(JSON.parse(theirs)), theirs, "ezkl's settings.json is compact JSON, as the project writes it");
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === "object" && !Array.isArray(v) ? [k, ...keys(v).map((s) => `${k}.${s}`)] : [k]));
    assert.deepEqual(keys(JSON.parse(theirs)), keys(JSON.parse(text(b.read("settings")))), "the same settings fields in the same order");

    // Compiled circuit: the project's bincode schema reads EZKL's file and writes it back identically.
    const bytes = u8(compiled);
    const { value, consumed } = decode(GraphCircuit, bytes);
    assert.equal(consumed, bytes.length);
    assert.ok(Buffer.from(encode(GraphCircuit, value)).equals(Buffer.from(bytes)), "decode -> encode is the identity on EZKL's compiled circuit");

    // The engine and native EZKL agree on it: same witness bytes, same verifying key; an engine proof verifies natively.
    const x = exampleInputs("iris-mlp", 1)[0];
    const w = genWitness(bytes, x);
    sameWitness((await ezkl.call<{ witness: string }>("genWitness", { compiled, input: [x] })).witness, text(w.bytes), "EZKL's circuit");
    const srs = b.read("srs");
    const vk = join(scratch, "ezkl-model.vk");
    const pk = join(scratch, "ezkl-model.pk");
    await ezkl.call("setup", { compiled, srs: file(b, "srs"), vk, pk });
    const engineVk = genVk(bytes, srs, true);
    assert.ok(Buffer.from(engineVk).equals(Buffer.from(u8(vk))), "engine genVk == native setup vk");
    const proof = engineProve(w.bytes, genPk(engineVk, bytes, srs), bytes, srs);
    assert.equal((await ezkl.call<{ valid: boolean }>("verify", { proof: text(proof), settings, vk, srs: file(b, "srs") })).valid, true);
  });

  it("an SRS generated natively has the project's size and format: the engine makes the same keys from it", async () => {
    const b = bundles.get("iris-cnn")!;
    const k = JSON.parse(text(b.read("settings"))).run_args.logrows as number;
    const srs = join(scratch, `native-k${k}.srs`);
    await ezkl.call("genSrs", { srs, logrows: k });
    const bytes = u8(srs);
    assert.equal(bytes.length, srsByteLength(k));
    const vk = join(scratch, "native-srs.vk");
    await ezkl.call("setup", { compiled: file(b, "compiled"), srs, vk, pk: join(scratch, "native-srs.pk") });
    assert.ok(Buffer.from(genVk(b.read("compiled"), bytes, true)).equals(Buffer.from(u8(vk))));
    assert.ok(!Buffer.from(u8(vk)).equals(Buffer.from(b.read("vk"))), "another SRS gives another key (the SRS really was used)");
  });

  it("proofs: one JSON format; a native proof verifies with native EZKL, the engine, the TS verifier and the Solidity verifier", async () => {
    const b = bundles.get("iris-mlp")!;
    const x = exampleInputs("iris-mlp", 2)[1];
    const native = await ezkl.call<{ proof: string }>("prove", { compiled: file(b, "compiled"), pk: file(b, "pk"), srs: file(b, "srs"), input: [x] });
    const wasm = engineProve(genWitness(b.read("compiled"), x).bytes, b.read("pk")!, b.read("compiled"), b.read("srs"));
    const n = parseEngineProof(new TextEncoder().encode(native.proof));
    const e = parseEngineProof(wasm);
    assert.deepEqual(Object.keys(n), Object.keys(e), "same fields in the same order");
    assert.deepEqual(n.instances, e.instances, "same public instances");
    assert.equal(n.proof.length, e.proof.length, "same proof length");
    assert.equal(n.transcript_type, e.transcript_type);

    const proofPath = join(scratch, "native-proof.json");
    writeFileSync(proofPath, native.proof);
    assert.equal((await ezkl.call<{ valid: boolean }>("verify", { proof: native.proof, settings: file(b, "settings"), vk: file(b, "vk"), srs: file(b, "srs") })).valid, true, "native");
    assert.equal(engineVerify(new TextEncoder().encode(native.proof), b.read("vk"), b.read("settings"), b.read("srs")), true, "engine");
    const artifacts = { dir: b.dir, manifestHash: b.manifestHash, compiled: b.read("compiled"), settings: b.read("settings"), srs: b.read("srs"), vk: b.read("vk"), inputScale: 7, outputScale: 7 };
    const raw = rawProofBytes(n);
    const instances = proofInstances(n);
    const ts = await new ProofVerifier("ts", { verify: () => Promise.reject(new Error("not used")) }).verify(artifacts, raw, instances);
    assert.equal(ts.valid, true, JSON.stringify(ts.checks));

    const { viem } = await network.create();
    const [walletClient] = await viem.getWalletClients();
    const publicClient = await viem.getPublicClient();
    const deployed = await deployVerifierForBundle({ walletClient: walletClient as never, publicClient: publicClient as never }, b.dir);
    const adapter = await viem.getContractAt("EzklReusableHalo2Adapter", deployed.adapter);
    assert.equal(await adapter.read.verifyProof([bytesToHex(raw), instances]), true, "Solidity verifier accepts the native proof");
    const other = [...instances];
    other[instances.length - 1] += 1n;
    assert.equal(await adapter.read.verifyProof([bytesToHex(raw), other]), false, "and rejects it for another output");
  });
});
