/**
 * Model bundles: a directory with the ONNX file, compiled circuit, settings, SRS, proving and
 * verifying keys, and manifest.json (keccak256 of every file, shapes, scales, visibilities,
 * logrows, op list, accuracy report, SRS provenance). See the README section "Bring your own model".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { keccak256 } from "viem";
import { decode } from "./bincode/codec.js";
import { GraphCircuit } from "./circuit/schema.js";
import { compileModel, type CompileOptions } from "./compile.js";
import { deriveAdmission, type Admission } from "./domain.js";
import { ENGINE_ID, genPk, genVk, genWitness, prove, verify } from "./engine/engine.js";
import { size } from "./graph/tensor.js";
import { readOnnxModel } from "./onnx/read.js";
import { downsizeSrs, generateDevSrs, srsK, SrsError } from "./srs/srs.js";
import { BUNDLE_FORMAT, BundleError, FILE_NAMES, readManifest, type BundleFileKey } from "./manifest.js";

export { BUNDLE_FORMAT, BundleError, BundleManifestError, FILE_NAMES, type BundleFileKey } from "./manifest.js";

export interface FileEntry { path: string; keccak256: `0x${string}`; bytes: number }
export interface TensorInfo { name: string; shape: number[]; scale: number; visibility: "Public" }
export interface AccuracyReport {
  samples: number;
  /** max |circuit output - onnxruntime float output| over all samples and outputs */
  maxAbsError: number;
  meanAbsError: number;
  /** fraction of samples whose argmax over the output agrees (classification models) */
  argmaxAgreement: number;
  /** quantization step of the output (2^-scale) */
  outputStep: number;
}
export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  name: string;
  engine: string;
  files: Record<BundleFileKey, FileEntry>;
  input: TensorInfo;
  output: TensorInfo;
  logrows: number;
  paramVisibility: "Fixed";
  compressSelectors: true;
  ops: { onnx: string[]; circuit: string[] };
  calibration: {
    samples: number;
    decompBase: number;
    decompLegs: number;
    lookupRange: [number, number];
    totalAssignments: number;
    maxAbsFixedPoint: number;
    worstNode: string;
  };
  accuracy: AccuracyReport;
  srsInfo:
    | { kind: "dev-insecure"; k: number; warning: string; seeded: boolean }
    | { kind: "ceremony"; k: number; sourceK: number; sourceKeccak256: `0x${string}` };
  /** an input (floats) used for the build's prove/verify round trip */
  exampleInput: number[];
  /** what the registry admits: the input domain in which every input proves, and the tolerance (compiler/domain.ts) */
  admission?: Admission;
}

export interface BuildBundleOptions extends CompileOptions {
  out: string;
  name?: string;
  /** ceremony SRS (path or bytes), of size >= logrows; downsized to exactly logrows */
  srs?: string | Uint8Array;
  /** expected keccak256 of the ceremony SRS file */
  srsKeccak256?: string;
  /** seed for a reproducible dev SRS (insecure either way); default: random tau */
  devSrsSeed?: string;
  /** also write pk.key into the bundle (default true) */
  writePk?: boolean;
}

export interface BuildResult {
  dir: string;
  manifest: Manifest;
  manifestHash: `0x${string}`;
  timings: { compileMs: number; srsMs: number; vkMs: number; pkMs: number; proveMs: number; verifyMs: number };
}

/** The exact bytes written as manifest.json. */
export const serializeManifest = (m: Manifest): Uint8Array => new TextEncoder().encode(JSON.stringify(m, null, 2) + "\n");
/** keccak256 of manifest.json's canonical bytes (as written by buildBundle). */
export const manifestHash = (m: Manifest): `0x${string}` => keccak256(serializeManifest(m));

const entry = (path: string, b: Uint8Array): FileEntry => ({ path, keccak256: keccak256(b), bytes: b.length });

/** Float reference outputs from onnxruntime-node. */
export async function runOnnx(onnx: Uint8Array, inputName: string, dims: number[], inputs: number[][]): Promise<number[][]> {
  const s = await ort.InferenceSession.create(onnx);
  const out: number[][] = [];
  for (const x of inputs) {
    const r = await s.run({ [inputName]: new ort.Tensor("float32", Float32Array.from(x), dims) });
    out.push(Array.from(r[s.outputNames[0]].data as Float32Array));
  }
  return out;
}

const argmax = (v: number[]) => v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);

export async function accuracyReport(onnx: Uint8Array, compiled: Uint8Array, inputName: string, dims: number[], outScale: number, inputs: number[][]): Promise<AccuracyReport> {
  const ref = await runOnnx(onnx, inputName, dims, inputs);
  let max = 0, sum = 0, cnt = 0, agree = 0;
  inputs.forEach((x, i) => {
    const got = genWitness(compiled, x).outputs.map((v) => Number(v) / 2 ** outScale);
    got.forEach((g, j) => {
      const e = Math.abs(g - ref[i][j]);
      max = Math.max(max, e);
      sum += e;
      cnt++;
    });
    if (argmax(got) === argmax(ref[i])) agree++;
  });
  return { samples: inputs.length, maxAbsError: max, meanAbsError: cnt ? sum / cnt : 0, argmaxAgreement: inputs.length ? agree / inputs.length : 1, outputStep: 2 ** -outScale };
}

export async function buildBundle(onnxOrPath: string | Uint8Array, opts: BuildBundleOptions): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const onnx = typeof onnxOrPath === "string" ? new Uint8Array(readFileSync(onnxOrPath)) : onnxOrPath;
  // check a ceremony SRS before the (slow) compile: readable, well-formed, expected hash
  const ceremony = opts.srs === undefined ? undefined : typeof opts.srs === "string" ? new Uint8Array(readFileSync(opts.srs)) : opts.srs;
  const ceremonyHash = ceremony ? keccak256(ceremony) : undefined;
  if (ceremony) {
    srsK(ceremony);
    if (opts.srsKeccak256 && ceremonyHash !== opts.srsKeccak256.toLowerCase())
      throw new SrsError(`SRS hash mismatch: file keccak256 ${ceremonyHash}, expected ${opts.srsKeccak256}`);
  }
  const c = await compileModel(onnx, opts);
  const k = c.calibration.sizing.logrows;

  const t1 = Date.now();
  let srs: Uint8Array;
  let srsInfo: Manifest["srsInfo"];
  if (ceremony) {
    const sourceK = srsK(ceremony);
    log(`downsizing ceremony SRS k=${sourceK} -> k=${k}`);
    srs = await downsizeSrs(ceremony, k);
    srsInfo = { kind: "ceremony", k, sourceK, sourceKeccak256: ceremonyHash! };
  } else {
    log(`generating INSECURE dev SRS k=${k}`);
    srs = await generateDevSrs(k, { seed: opts.devSrsSeed });
    srsInfo = { kind: "dev-insecure", k, seeded: opts.devSrsSeed !== undefined, warning: "INSECURE development SRS: its generator knew tau, so proofs can be forged. Use a ceremony SRS (--srs) for production." };
  }
  const srsMs = Date.now() - t1;

  let t = Date.now();
  const vk = genVk(c.compiled, srs, true);
  const vkMs = Date.now() - t;
  t = Date.now();
  const pk = genPk(vk, c.compiled, srs);
  const pkMs = Date.now() - t;
  const example = c.samples[0];
  const w = genWitness(c.compiled, example);
  t = Date.now();
  const proof = prove(w.bytes, pk, c.compiled, srs);
  const proveMs = Date.now() - t;
  t = Date.now();
  const ok = verify(proof, vk, c.settings, srs);
  const verifyMs = Date.now() - t;
  if (!ok) throw new BundleError("the built circuit's prove/verify round trip failed");

  const m = c.lowered;
  const accuracy = await accuracyReport(onnx, c.compiled, m.inputName, m.inputDims, m.outputScale, c.samples);
  const files: Record<BundleFileKey, Uint8Array> = { onnx, compiled: c.compiled, settings: c.settings, srs, vk, pk };
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    name: opts.name ?? (readOnnxModel(onnx).name || "model"),
    engine: ENGINE_ID,
    files: Object.fromEntries(Object.entries(FILE_NAMES).map(([key, p]) => [key, entry(p, files[key as BundleFileKey])])) as Manifest["files"],
    input: { name: m.inputName, shape: m.inputDims, scale: m.inputScale, visibility: "Public" },
    output: { name: m.outputName, shape: m.outputDims, scale: m.outputScale, visibility: "Public" },
    logrows: k,
    paramVisibility: "Fixed",
    compressSelectors: true,
    ops: { onnx: m.onnxOps, circuit: [...new Set(m.nodes.map((n) => n.label))] },
    calibration: {
      samples: c.samples.length,
      decompBase: c.calibration.sizing.decompBase,
      decompLegs: c.calibration.sizing.decompLegs,
      lookupRange: c.calibration.sizing.lookupRange,
      totalAssignments: c.calibration.sizing.totalAssignments,
      maxAbsFixedPoint: c.calibration.maxAbsFixedPoint,
      worstNode: c.calibration.worstNode,
    },
    accuracy,
    srsInfo,
    exampleInput: example,
    admission: deriveAdmission(c.lowered, c.calibration.sizing, c.samples),
  };
  mkdirSync(opts.out, { recursive: true });
  for (const [key, p] of Object.entries(FILE_NAMES)) {
    if (key === "pk" && opts.writePk === false) continue;
    writeFileSync(join(opts.out, p), files[key as BundleFileKey]);
  }
  writeFileSync(join(opts.out, "manifest.json"), serializeManifest(manifest));
  return { dir: opts.out, manifest, manifestHash: manifestHash(manifest), timings: { compileMs: c.compileMs, srsMs, vkMs, pkMs, proveMs, verifyMs } };
}

export interface LoadedBundle {
  dir: string;
  manifest: Manifest;
  manifestHash: `0x${string}`;
  /** read a bundle file (hash already validated) */
  read(key: BundleFileKey): Uint8Array;
}

/** Load a bundle and validate every file's keccak256; throws BundleError naming the bad file. */
export function loadBundle(dir: string, opts: { requirePk?: boolean } = {}): LoadedBundle {
  const mpath = join(dir, "manifest.json");
  if (!existsSync(mpath)) throw new BundleError(`${dir}: no manifest.json (not a model bundle)`);
  // compiler/manifest.ts checks every field this module and its callers read (paths stay inside the bundle).
  const read = readManifest(dir, { complete: true });
  const manifest = read.manifest as Manifest;
  const cache = new Map<BundleFileKey, Uint8Array>();
  for (const key of Object.keys(FILE_NAMES) as BundleFileKey[]) {
    const e = manifest.files?.[key];
    if (!e) throw new BundleError(`${mpath}: files.${key} is missing`);
    const p = join(dir, e.path);
    if (!existsSync(p)) {
      if (key === "pk" && !opts.requirePk) continue;
      throw new BundleError(`bundle file '${e.path}' (${key}) is missing`);
    }
    const b = new Uint8Array(readFileSync(p));
    const h = keccak256(b);
    if (h !== e.keccak256 || b.length !== e.bytes)
      throw new BundleError(`bundle file '${e.path}' (${key}) does not match the manifest: keccak256 ${h} (${b.length} bytes), expected ${e.keccak256} (${e.bytes} bytes)`);
    cache.set(key, b);
  }
  return {
    dir,
    manifest,
    manifestHash: read.manifestHash,
    read(key) {
      const b = cache.get(key);
      if (!b) throw new BundleError(`bundle file ${FILE_NAMES[key]} (${key}) is not present`);
      return b;
    },
  };
}

export interface VerifyBundleResult { ok: boolean; checks: { name: string; ok: boolean; detail?: string }[] }

/** Re-check a bundle: hashes, consistency of compiled/settings/SRS/manifest, prove/verify round trip, tampered proof rejected. */
export function verifyBundle(dir: string): VerifyBundleResult {
  const checks: VerifyBundleResult["checks"] = [];
  const check = (name: string, f: () => string | void) => {
    try {
      const d = f();
      checks.push({ name, ok: true, detail: d || undefined });
    } catch (e) {
      checks.push({ name, ok: false, detail: (e as Error).message });
    }
  };
  let b: LoadedBundle | undefined;
  check("hashes", () => { b = loadBundle(dir); return `${Object.keys(FILE_NAMES).length} files`; });
  if (!b) return { ok: false, checks };
  const bundle = b;
  const m = bundle.manifest;
  check("compiled circuit matches settings", () => {
    const { value } = decode(GraphCircuit, bundle.read("compiled"));
    const s = JSON.parse(new TextDecoder().decode(bundle.read("settings")));
    if (JSON.stringify(value.core.settings) !== JSON.stringify(s)) throw new Error("settings.json differs from the settings inside model.compiled");
    if (s.run_args.logrows !== m.logrows) throw new Error(`settings logrows ${s.run_args.logrows} != manifest ${m.logrows}`);
    if (s.run_args.param_visibility !== "Fixed") throw new Error(`param_visibility is ${JSON.stringify(s.run_args.param_visibility)}, expected Fixed`);
    if (s.run_args.input_visibility !== "Public" || s.run_args.output_visibility !== "Public") throw new Error("input/output must be Public");
  });
  check("SRS size equals logrows", () => {
    const k = srsK(bundle.read("srs"));
    if (k !== m.logrows) throw new Error(`SRS k=${k}, logrows ${m.logrows}`);
  });
  check("prove/verify round trip", () => {
    const compiled = bundle.read("compiled"), srs = bundle.read("srs"), vk = bundle.read("vk"), settings = bundle.read("settings");
    let pk: Uint8Array;
    try { pk = bundle.read("pk"); } catch { pk = genPk(vk, compiled, srs); }
    const w = genWitness(compiled, m.exampleInput);
    const proof = prove(w.bytes, pk, compiled, srs);
    if (!verify(proof, vk, settings, srs)) throw new Error("proof did not verify");
    const p = JSON.parse(new TextDecoder().decode(proof));
    p.proof[40] = (p.proof[40] + 1) % 256;
    if (verify(new TextEncoder().encode(JSON.stringify(p)), vk, settings, srs)) throw new Error("a tampered proof verified");
    return `outputs ${w.outputs.map((v) => Number(v) / 2 ** m.output.scale).join(",")}`;
  });
  if (size(m.input.shape) !== m.exampleInput.length) checks.push({ name: "example input shape", ok: false, detail: "exampleInput length != input shape" });
  return { ok: checks.every((c) => c.ok), checks };
}
