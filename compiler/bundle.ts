/**
 * Model bundles: a directory with the ONNX file, compiled circuit, settings, SRS, proving and
 * verifying keys, and manifest.json (keccak256 of every file, shapes, scales, visibilities,
 * logrows, op list, accuracy report, SRS provenance). See the README section "Bring your own model".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256 } from "viem";
import { decode } from "./bincode/codec.js";
import { GraphCircuit } from "./circuit/schema.js";
import { CalibrationError } from "./calibrate.js";
import { compileModel, type CompiledModel, type CompileOptions } from "./compile.js";
import { accuracyReport, evaluate, type AccuracyReport } from "./accuracy.js";
import { declaredAdmission, deriveAdmission, DomainError, type Admission } from "./domain.js";
import { ENGINE_ID, genPk, genWitness, prove, verify } from "./engine/engine.js";
import type { IoInfo } from "./graph/ir.js";
import { keyAndProve } from "./keys.js";
import { size } from "./graph/tensor.js";
import { readOnnxModel } from "./onnx/read.js";
import { batchOnnx, batchSamples, checkBatch } from "./batch.js";
import { devSrs, downsizeSrs, srsK, SrsError } from "./srs/srs.js";
import { BUNDLE_FORMAT, BundleError, FILE_NAMES, readManifest, type BundleFileKey } from "./manifest.js";

export { BUNDLE_FORMAT, BundleError, BundleManifestError, FILE_NAMES, type BundleFileKey } from "./manifest.js";

export interface FileEntry { path: string; keccak256: `0x${string}`; bytes: number }
export interface TensorInfo {
  name: string;
  shape: number[];
  scale: number;
  visibility: "Public";
  /** integer and boolean inputs are exact at scale 0; absent = float */
  datum?: "Int" | "Bool";
}
// the float reference and accuracy report moved to accuracy.ts; re-exported for existing callers
export { runOnnx, runOnnxFlat, accuracyReport, type AccuracyReport } from "./accuracy.js";
export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  name: string;
  engine: string;
  files: Record<BundleFileKey, FileEntry>;
  /** the hub's input vector: the model's only input, or every input concatenated (shape [total]) */
  input: TensorInfo;
  /** the hub's output vector: the model's only output, or every output concatenated */
  output: TensorInfo;
  /** each model input in ONNX order, with its own shape and scale (the input vector is their concatenation) */
  inputs: TensorInfo[];
  /** each model output in ONNX order */
  outputs: TensorInfo[];
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
  /** classification accuracy on labelled held-back rows, float model (onnxruntime) and circuit (witness) */
  evaluation?: { dataset: string; rows: number; floatAccuracy: number; circuitAccuracy: number };
  srsInfo:
    | { kind: "dev-insecure"; k: number; warning: string; seeded: boolean }
    | { kind: "ceremony"; k: number; sourceK: number; sourceKeccak256: `0x${string}` };
  /** an input (floats) used for the build's prove/verify round trip */
  exampleInput: number[];
  /** what the registry admits: the input domain in which every input proves, and the tolerance (compiler/domain.ts) */
  admission?: Admission;
  /**
   * slots per proof (absent = 1). A batch-N bundle's circuit takes N requests: `input`/`output` (and `admission`) are
   * one slot's (the hub's per-request vectors), `inputs`/`outputs` the circuit's tensors with the leading dimension N,
   * and `exampleInput` is N slots' inputs. Instances: every slot's input in slot order, then every slot's output
   * (compiler/batch.ts).
   */
  batch?: number;
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
  /** labelled held-back rows (flat inputs, class labels): the float and circuit accuracy go into the manifest */
  evaluation?: { name: string; inputs: number[][]; labels: number[] };
  /**
   * build a batch version: the ONNX's leading dimension set to N (compiler/batch.ts), one proof for N requests.
   * `samples` are then one slot's inputs (grouped N to a batch sample). Single-input, single-output models only.
   */
  batch?: number;
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

/** The hub's vector view of several tensors: their concatenation (the first tensor's scale; each tensor's own in inputs/outputs). */
function concatenated(ts: TensorInfo[]): TensorInfo {
  if (ts.length === 1) return ts[0];
  return { name: ts.map((t) => t.name).join("+"), shape: [ts.reduce((n, t) => n + size(t.shape), 0)], scale: ts[0].scale, visibility: "Public" };
}

/**
 * The admitted input domain, or none when the interval analysis has no rule for one of the circuit's ops: such a
 * bundle builds, proves and verifies, but the registry refuses it (it cannot say which inputs are safe to accept).
 */
function admissionOf(c: CompiledModel, log: (msg: string) => void, admit?: [number, number]): { admission?: Admission } {
  // a declared range is a requirement: a build that cannot admit it fails
  if (admit) return { admission: declaredAdmission(c.lowered, c.calibration.sizing, admit) };
  try {
    return { admission: deriveAdmission(c.lowered, c.calibration.sizing, c.samples) };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    log(`no admitted input domain (the bundle cannot be registered): ${e.message}`);
    return {};
  }
}

/** One slot's view of a batch-N manifest: the hub's per-request vectors and the domain every slot admits. */
function perSlot(m: Manifest, n: number): Pick<Manifest, "input" | "output" | "admission" | "batch"> {
  const slot = (t: TensorInfo): TensorInfo => ({ ...t, shape: [1, ...t.shape.slice(1)] });
  const k = size(m.input.shape) / n;
  let admission = m.admission;
  if (admission) {
    // an input is admitted in a slot if it lies in every slot's box (the boxes differ only through calibration), so
    // any N admitted inputs lie in the batch circuit's box, which provably proves
    const lower = Array.from({ length: k }, (_, i) => Math.max(...Array.from({ length: n }, (__, j) => admission!.lower[j * k + i])));
    const upper = Array.from({ length: k }, (_, i) => Math.min(...Array.from({ length: n }, (__, j) => admission!.upper[j * k + i])));
    // padded slots carry zeros (the hub's padding rule): zero must prove in every slot
    if (lower.some((l, i) => l > 0 || upper[i] < 0)) throw new BundleError("batch: the admitted input domain excludes 0, the value of a padded slot");
    admission = { ...admission, lower, upper };
  }
  return { input: slot(m.input), output: slot(m.output), ...(admission ? { admission } : {}), batch: n };
}

export async function buildBundle(onnxOrPath: string | Uint8Array, opts: BuildBundleOptions): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const source = typeof onnxOrPath === "string" ? new Uint8Array(readFileSync(onnxOrPath)) : onnxOrPath;
  const batch = opts.batch ?? 1;
  checkBatch(batch);
  if (batch > 1) {
    const g = readOnnxModel(source);
    // with several inputs EZKL lays out input 1 for every slot, then input 2, ...: a slot's values would not be contiguous
    if (g.inputs.length !== 1 || g.outputs.length !== 1) throw new BundleError(`batch: only single-input, single-output models can be batched (this one has ${g.inputs.length} inputs, ${g.outputs.length} outputs)`);
    if (opts.evaluation) throw new BundleError("batch: evaluation rows are measured on the batch-1 version; build that one with evaluation");
  }
  const onnx = batchOnnx(source, batch);
  if (batch > 1 && opts.samples) opts = { ...opts, samples: batchSamples(opts.samples, batch) };
  // check a ceremony SRS before the (slow) compile: readable, well-formed, expected hash
  const ceremony = opts.srs === undefined ? undefined : typeof opts.srs === "string" ? new Uint8Array(readFileSync(opts.srs)) : opts.srs;
  const ceremonyHash = ceremony ? keccak256(ceremony) : undefined;
  if (ceremony) {
    srsK(ceremony);
    if (opts.srsKeccak256 && ceremonyHash !== opts.srsKeccak256.toLowerCase())
      throw new SrsError(`SRS hash mismatch: file keccak256 ${ceremonyHash}, expected ${opts.srsKeccak256}`);
  }
  const sourceK = ceremony ? srsK(ceremony) : undefined;
  // with a ceremony SRS the layout is sized to fit it (more columns at fewer rows) when it can be
  let compiled0: CompiledModel;
  try {
    compiled0 = await compileModel(onnx, { ...opts, confirmWithProof: false, maxLogrows: sourceK !== undefined ? Math.min(sourceK, opts.maxLogrows ?? sourceK) : opts.maxLogrows });
  } catch (e) {
    // say plainly when the ceremony SRS is what rules the circuit out
    if (sourceK !== undefined && e instanceof CalibrationError) throw new SrsError(`the SRS (k=${sourceK}, 2^${sourceK} rows) is too small for this circuit: ${e.message}`);
    throw e;
  }
  log(`compiled: ${compiled0.lowered.nodes.length} circuit nodes, logrows ${compiled0.calibration.sizing.logrows}`);

  let srsMs = 0;
  const srsFor = async (k: number): Promise<Uint8Array> => {
    const t1 = Date.now();
    try {
      if (ceremony) {
        log(k === sourceK ? `using the ceremony SRS (k=${k})` : `downsizing the ceremony SRS k=${sourceK} -> k=${k}`);
        return await downsizeSrs(ceremony, k);
      }
      log(`INSECURE development SRS k=${k}${opts.devSrsSeed !== undefined ? " (seeded, cached)" : ""}`);
      return await devSrs(k, opts.devSrsSeed, opts.cacheDir);
    } finally {
      srsMs += Date.now() - t1;
    }
  };
  // keys, and the build's prove/verify round trip, which also confirms the layout fits
  // the keys and proof run in a worker while this thread measures the accuracy (the witnesses do not
  // depend on the layout's size, so the first sizing's circuit gives the same outputs)
  const keying = keyAndProve(compiled0, srsFor, compiled0.samples[0], log);
  await new Promise((r) => setImmediate(r)); // let the worker start before the synchronous witnesses
  const accuracyP = accuracyReport(onnx, compiled0.compiled, compiled0.lowered.outputs, compiled0.samples);
  const [keyed, accuracy] = await Promise.all([keying, accuracyP]);
  const c = keyed.model;
  const k = c.calibration.sizing.logrows;
  const { srs, vk, pk } = keyed;
  const srsInfo: Manifest["srsInfo"] = ceremony
    ? { kind: "ceremony", k, sourceK: sourceK!, sourceKeccak256: ceremonyHash! }
    : { kind: "dev-insecure", k, seeded: opts.devSrsSeed !== undefined, warning: "INSECURE development SRS: its generator knew tau, so proofs can be forged. Use a ceremony SRS (--srs) for production." };
  const { vkMs, pkMs, proveMs, verifyMs } = keyed.timings;
  const example = c.samples[0];

  const m = c.lowered;
  log(`keys and proof ok (vk ${keyed.timings.vkMs} ms, pk ${keyed.timings.pkMs} ms, prove ${keyed.timings.proveMs} ms); accuracy measured on ${c.samples.length} samples`);
  const info = (io: IoInfo): TensorInfo => ({ name: io.name, shape: io.dims, scale: io.scale, visibility: "Public", ...(io.datum === "F32" ? {} : { datum: io.datum }) });
  const inputs = m.inputs.map(info), outputs = m.outputs.map(info);
  const files: Record<BundleFileKey, Uint8Array> = { onnx, compiled: c.compiled, settings: c.settings, srs, vk, pk };
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    name: opts.name ?? (readOnnxModel(onnx).name || "model"),
    engine: ENGINE_ID,
    files: Object.fromEntries(Object.entries(FILE_NAMES).map(([key, p]) => [key, entry(p, files[key as BundleFileKey])])) as Manifest["files"],
    input: concatenated(inputs),
    output: concatenated(outputs),
    inputs,
    outputs,
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
    ...(opts.evaluation ? { evaluation: await evaluate(onnx, c.compiled, m.outputs, opts.evaluation) } : {}),
    srsInfo,
    exampleInput: example,
    ...admissionOf(c, log, opts.admit),
  };
  if (batch > 1) Object.assign(manifest, perSlot(manifest, batch));
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
  if (size(m.input.shape) * (m.batch ?? 1) !== m.exampleInput.length) checks.push({ name: "example input shape", ok: false, detail: "exampleInput length != input shape" });
  return { ok: checks.every((c) => c.ok), checks };
}
