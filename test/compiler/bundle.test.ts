import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256 } from "viem";
import { loadBundle, manifestHash, verifyBundle, BundleError, type Manifest } from "../../compiler/bundle.js";
import { quantize as quantizeInput, dequantize as dequantizeOutput } from "../../protocol/fixedPoint.js";
import { downsizeSrs, generateDevSrs, srsK, SrsError } from "../../compiler/srs/srs.js";
import { ezkl } from "../../compiler/engine/engine.js";
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { SHARED_ABSENT, sharedPath } from "../../testkit/shared.js";
import { runCli } from "../../testkit/cli.js";

const KZG_FIXTURE = sharedPath("fixtures/ezkl-v21/kzg");
const srsValid = (b: Uint8Array) => ezkl().srsValidation(new Uint8ClampedArray(b)) === true;

function tinyMlp() {
  return buildOnnxModel({
    name: "tiny", inputs: [{ name: "x", shape: [1, 3] }], outputs: [{ name: "y", shape: [1, 2] }],
    initializers: [
      { name: "W1", dims: [4, 3], data: [0.5, -0.25, 0.75, -0.6, 0.3, 0.1, 0.2, 0.9, -0.4, 0.05, -0.7, 0.33] },
      { name: "b1", dims: [4], data: [0.1, -0.2, 0.05, 0.3] },
      { name: "W2", dims: [2, 4], data: [0.4, -0.3, 0.8, 0.15, -0.5, 0.6, 0.2, -0.1] },
      { name: "b2", dims: [2], data: [0.02, -0.07] },
    ],
    nodes: [
      { op: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["h"], outputs: ["r"] },
      { op: "Gemm", inputs: ["r", "W2", "b2"], outputs: ["y"], attributes: { transB: 1 } },
    ],
  });
}

describe("SRS", () => {
  it("dev SRS is accepted by the engine and downsizing equals direct generation", async () => {
    const s8 = await generateDevSrs(8, { seed: "srs-test" });
    assert.equal(srsK(s8), 8);
    assert.ok(srsValid(s8));
    const d6 = await downsizeSrs(s8, 6, keccak256(s8));
    assert.ok(srsValid(d6));
    assert.deepEqual(d6, await generateDevSrs(6, { seed: "srs-test" }));
    await assert.rejects(downsizeSrs(s8, 6, "0x" + "00".repeat(32)), /SRS hash mismatch/);
    await assert.rejects(downsizeSrs(s8, 9), /smaller than the required logrows 9/);
    assert.throws(() => srsK(s8.subarray(0, 1000)), SrsError);
  });

  it("downsizes the ezkl fixture SRS (ceremony format)", { skip: !existsSync(KZG_FIXTURE) && SHARED_ABSENT }, async () => {
    const src = new Uint8Array(readFileSync(KZG_FIXTURE));
    const k = srsK(src);
    const d = await downsizeSrs(src, k - 1);
    assert.equal(srsK(d), k - 1);
    assert.ok(srsValid(d));
  });
});

describe("model bundle", () => {
  let dir: string;
  let res: { dir: string; manifest: Manifest; manifestHash: string };
  const bin = join(process.cwd(), "bin", "twinpath.mjs");
  let ceremony: Uint8Array;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "twinpath-bundle-"));
    writeFileSync(join(dir, "tiny.onnx"), tinyMlp());
    writeFileSync(join(dir, "samples.json"), JSON.stringify({ samples: [[0.3, -1.2, 0.8], [1, 0.5, -0.5], [-0.2, 0.1, 0.9]].map((input) => ({ input })) }));
    // build through the CLI (package bin), which calls buildBundle
    // a "ceremony" SRS larger than needed (here a seeded dev file), downsized by the build with a hash check
    ceremony = await generateDevSrs(9, { seed: "ceremony-stand-in" });
    writeFileSync(join(dir, "ceremony.srs"), ceremony);
    const r = spawnSync(process.execPath, [bin, "build-model", join(dir, "tiny.onnx"), "--out", join(dir, "b"), "--name", "tiny", "--calibration", join(dir, "samples.json"), "--srs", join(dir, "ceremony.srs"), "--srs-keccak256", keccak256(ceremony), "--json"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /INSECURE/);
    const out = JSON.parse(r.stdout);
    const b = loadBundle(out.dir);
    res = { dir: out.dir, manifest: b.manifest, manifestHash: out.manifestHash };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a manifest with hashes, shapes, scales, visibilities and an accuracy report", () => {
    const m = res.manifest;
    assert.equal(m.format, "twinpath-bundle/1");
    assert.equal(m.engine, "@ezkljs/engine@21.0.0");
    assert.deepEqual(m.input, { name: "x", shape: [1, 3], scale: 7, visibility: "Public" });
    assert.deepEqual(m.output, { name: "y", shape: [1, 2], scale: 7, visibility: "Public" });
    assert.equal(m.paramVisibility, "Fixed");
    assert.equal(m.compressSelectors, true);
    assert.deepEqual(m.srsInfo, { kind: "ceremony", k: m.logrows, sourceK: 9, sourceKeccak256: keccak256(ceremony) });
    for (const [key, e] of Object.entries(m.files)) {
      const b = readFileSync(join(res.dir, e.path));
      assert.equal(keccak256(b), e.keccak256, key);
      assert.equal(b.length, e.bytes, key);
    }
    assert.ok(m.accuracy.maxAbsError < 0.05 && m.accuracy.argmaxAgreement === 1);
    assert.equal(manifestHash(m), keccak256(readFileSync(join(res.dir, "manifest.json"))));
  });

  it("the bundle SRS is the ceremony SRS downsized to exactly logrows", async () => {
    const srs = new Uint8Array(readFileSync(join(res.dir, "kzg.srs")));
    assert.equal(srsK(srs), res.manifest.logrows);
    assert.deepEqual(srs, await generateDevSrs(res.manifest.logrows, { seed: "ceremony-stand-in" }));
    // the CLI in this process (testkit/cli.ts): a spawn of the bin costs ~2 s of CPU; the bin's own exit codes are
    // checked in "verify-bundle (CLI)" below
    const bad = await runCli(["build-model", join(dir, "tiny.onnx"), "--out", join(dir, "b2"), "--srs", join(dir, "ceremony.srs"), "--srs-keccak256", "0x" + "11".repeat(32)]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /SRS hash mismatch/);
  });

  it("loadBundle validates hashes and names the mismatching file", () => {
    const b = loadBundle(res.dir);
    assert.equal(b.manifestHash, res.manifestHash);
    const copy = join(dir, "tampered");
    cpSync(res.dir, copy, { recursive: true });
    const vk = readFileSync(join(copy, "vk.key"));
    vk[vk.length - 1] ^= 1;
    writeFileSync(join(copy, "vk.key"), vk);
    assert.throws(() => loadBundle(copy), (e: Error) => e instanceof BundleError && /'vk.key'/.test(e.message));
    assert.equal(verifyBundle(copy).ok, false);
    // a bundle shipped without its (large) proving key still loads and verifies: pk is regenerated
    const noPk = join(dir, "no-pk");
    cpSync(res.dir, noPk, { recursive: true });
    rmSync(join(noPk, "pk.key"));
    assert.throws(() => loadBundle(noPk, { requirePk: true }), /'pk.key' \(pk\) is missing/);
    assert.throws(() => loadBundle(noPk).read("pk"), BundleError);
    assert.equal(verifyBundle(noPk).ok, true);
    const bad = join(dir, "bad-manifest");
    cpSync(res.dir, bad, { recursive: true });
    writeFileSync(join(bad, "manifest.json"), JSON.stringify({ ...res.manifest, logrows: "ten" }));
    assert.throws(() => loadBundle(bad), /invalid manifest at 'logrows'/);
  });

  it("verify-bundle (CLI) re-checks hashes and does a prove/verify round trip", () => {
    const r = spawnSync(process.execPath, [bin, "verify-bundle", res.dir], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok {3}prove\/verify round trip/);
    assert.match(r.stdout, /bundle OK/);
    const bad = spawnSync(process.execPath, [bin, "build-model", "x.onnx"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--out/);
  });

  it("model build: --help explains every option; bad option values are usage errors", async () => {
    const help = await runCli(["model", "build", "--help"]);
    assert.equal(help.status, 0);
    for (const opt of ["--out", "--calibration", "--input-range", "--scale", "--param-scale", "--logrows", "--max-logrows", "--srs", "--srs-keccak256", "--dev-srs-seed", "--name", "--no-pk", "--json", "--quiet"])
      assert.match(help.stdout, new RegExp(`${opt}\\b[^\\n]*\\n?[^\\n]*\\w`), opt);
    for (const [args, msg] of [[["--scale", "7.5"], /--scale.*integer/], [["--input-range", "3,1"], /LO < HI/], [["--logrows", "8", "--max-logrows", "9"], /cannot be used with/]] as const) {
      const u = await runCli(["model", "build", join(dir, "tiny.onnx"), "--out", join(dir, "u"), ...args]);
      assert.equal(u.status, 2, u.stderr);
      assert.match(u.stderr, msg);
    }
  });

  it("uses a small ceremony SRS as is when the circuit fits it (logrows sized to the SRS); says exactly why, before any key generation, when it does not", async () => {
    const k6 = await generateDevSrs(6, { seed: "small-ceremony" });
    writeFileSync(join(dir, "k6.srs"), k6);
    // (also the default output: a short summary on stdout, progress on stderr)
    const r = await runCli(["model", "build", join(dir, "tiny.onnx"), "--out", join(dir, "k6"), "--srs", join(dir, "k6.srs"), "--input-range", "-2,2", "--no-pk"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^built tiny in /);
    assert.match(r.stdout, /accuracy +max \|circuit - onnxruntime\|/);
    assert.match(r.stdout, /ceremony SRS k=6/);
    assert.ok(r.stdout.split("\n").length < 15, "a summary, not a dump");
    assert.match(r.stderr, /\[ *\d+\.\d s\] .*logrows/, "progress lines on stderr");
    assert.ok(!existsSync(join(dir, "k6", "pk.key")));
    assert.deepEqual(loadBundle(join(dir, "k6")).manifest.srsInfo, { kind: "ceremony", k: 6, sourceK: 6, sourceKeccak256: keccak256(k6) });
    // 70 public values do not fit a 2^6-row instance column
    const wide = buildOnnxModel({
      name: "wide", inputs: [{ name: "x", shape: [1, 40] }], outputs: [{ name: "y", shape: [1, 30] }],
      initializers: [{ name: "W", dims: [30, 40], data: new Float32Array(1200).fill(0.01) }],
      nodes: [{ op: "Gemm", inputs: ["x", "W"], outputs: ["y"], attributes: { transB: 1 } }],
    });
    writeFileSync(join(dir, "wide.onnx"), wide);
    const t0 = Date.now();
    const bad = await runCli(["model", "build", join(dir, "wide.onnx"), "--out", join(dir, "wide"), "--srs", join(dir, "k6.srs")]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /SRS \(k=6, 2\^6 rows\) is too small for this circuit: the circuit has 70 public values .* needs logrows >= 7/);
    assert.doesNotMatch(bad.stderr, /generating keys/);
    assert.ok(Date.now() - t0 < 60_000);
  });

  it("quantizes inputs like ezkl and dequantizes outputs", () => {
    assert.deepEqual(quantizeInput([0.3, -1.2, 0.8, 2.5 / 128, -2.5 / 128], 7), [38n, -154n, 102n, 3n, -3n]);
    assert.deepEqual(dequantizeOutput([89n, -101n], 7), [89 / 128, -101 / 128]);
    assert.throws(() => quantizeInput([NaN], 7), RangeError);
  });
});
