/**
 * EZKL bundles of the demo models.
 *
 * models/<name>/bundle/   committed: manifest.json, model.onnx, model.compiled, settings.json, kzg.srs,
 *                         vk.key and build-inputs.json (everything but the multi-MB proving key)
 * <cache>/bundles/<name>/ the same plus pk.key; <cache> defaults to <repo>/.twinpath (gitignored)
 *
 * Every artifact is deterministic (seeded dev SRS, deterministic keygen), so the proving key derived
 * on demand from the committed files hashes to the value the committed manifest records.
 * build-inputs.json fingerprints what the bundle was built from (ONNX bytes, calibration samples,
 * compile options, engine, bundle format); a bundle whose fingerprint differs is stale.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256 } from "viem";
import { BUNDLE_FORMAT, buildBundle, FILE_NAMES, loadBundle, type BuildResult, type LoadedBundle, type Manifest } from "../compiler/bundle.js";
import { ENGINE_ID, genPk } from "../compiler/engine/engine.js";
import { splitDigits } from "./data/digits.js";
import { splitIris } from "./data/iris.js";
import { DIGITS_SPEC } from "./digits.js";
import { DEMO_MODEL_NAMES } from "./specs.js";
import { jsonText, modelDir } from "./files.js";
import { demoModelSpec } from "./train-demo.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

export const BUILD_INPUTS_FILE = "build-inputs.json";

export class DemoBundleError extends Error {
  override name = "DemoBundleError";
}

export interface BuildInputs {
  model: string;
  bundleFormat: string;
  engine: string;
  onnxKeccak256: `0x${string}`;
  calibrationSamples: number;
  calibrationSamplesKeccak256: `0x${string}`;
  compile: { inputScale: number; paramScale?: number; minLogrows?: number; maxLogrows?: number; admit?: [number, number] };
  /** Seed of the (insecure, development-only) SRS. */
  devSrsSeed: string;
  /** A batch version (models/batchBundle.ts): its ONNX is the model's with the leading dimension set to `batch`. */
  batch?: number;
}

export interface DemoBundleOptions {
  /** Cache root; bundles go to <cacheDir>/bundles/<name>. Default <repo>/.twinpath. */
  cacheDir?: string;
  log?: (msg: string) => void;
}

export interface DemoBundle {
  /** Directory of a complete bundle (including pk.key), ready for loadBundle(dir, { requirePk: true }). */
  dir: string;
  manifest: Manifest;
  manifestHash: `0x${string}`;
  /** Where it came from: an up-to-date cache, the committed files plus a derived proving key, or a full rebuild. */
  source: "cache" | "committed" | "rebuilt";
}

/** Calibration inputs of every demo model: all 150 standardised Iris rows (training rows, then test rows). */
export function calibrationSamples(): number[][] {
  const { train, test } = splitIris();
  return [...train, ...test].map((r) => r.x);
}

/** How a committed model's bundle is built: its calibration inputs, compile options and labelled test rows. */
export interface Recipe {
  samples: () => number[][];
  compile: { inputScale: number; paramScale?: number; minLogrows?: number; maxLogrows?: number; admit?: [number, number] };
  /** held-back labelled rows: float and circuit accuracy go into the manifest */
  evaluation?: () => { name: string; inputs: number[][]; labels: number[] };
}

/** Every model with a committed bundle: the Iris demo models and the digits task. */
export const BUNDLED_MODEL_NAMES = [...DEMO_MODEL_NAMES, DIGITS_SPEC.name] as const;

/** How the committed bundle of `name` is built (its calibration samples and compile options). */
export function recipe(name: string): Recipe {
  if (name === DIGITS_SPEC.name) {
    return {
      samples: () => splitDigits(DIGITS_SPEC.splitSeed).train.slice(0, DIGITS_SPEC.calibrationRows).map((r) => r.x),
      compile: { ...DIGITS_SPEC.circuit },
      evaluation: () => {
        const { test } = splitDigits(DIGITS_SPEC.splitSeed);
        return { name: `UCI handwritten digits, held-back test split (seed ${DIGITS_SPEC.splitSeed})`, inputs: test.map((r) => r.x), labels: test.map((r) => r.y) };
      },
    };
  }
  return { samples: calibrationSamples, compile: { ...demoModelSpec(name).circuit } };
}

export const committedBundleDir = (name: string): string => join(modelDir(name), "bundle");
export const cachedBundleDir = (name: string, cacheDir = join(REPO_ROOT, ".twinpath")): string => join(cacheDir, "bundles", name);

/** What a bundle of `name` must be built from, given the current model.onnx and code. */
export function expectedBuildInputs(name: string): BuildInputs {
  const r = recipe(name);
  const onnxPath = join(modelDir(name), "model.onnx");
  if (!existsSync(onnxPath)) throw new DemoBundleError(`${onnxPath} is missing; run: node --import tsx models/build-demo-models.ts`);
  const samples = r.samples();
  return {
    model: name,
    bundleFormat: BUNDLE_FORMAT,
    engine: ENGINE_ID,
    onnxKeccak256: keccak256(readFileSync(onnxPath)),
    calibrationSamples: samples.length,
    calibrationSamplesKeccak256: keccak256(new TextEncoder().encode(JSON.stringify(samples))),
    compile: r.compile,
    devSrsSeed: `twinpath-demo:${name}`,
  };
}

function readBuildInputs(dir: string): BuildInputs | undefined {
  const p = join(dir, BUILD_INPUTS_FILE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as BuildInputs;
  } catch {
    return undefined;
  }
}

/** Why the bundle in `dir` cannot be used for `expected` (undefined when it can). */
export function bundleProblem(dir: string, expected: BuildInputs, requirePk: boolean): string | undefined {
  return checkBundle(dir, expected, requirePk).problem;
}

/** bundleProblem, with the hash-checked bundle when it is usable (so a caller need not hash its files again). */
function checkBundle(dir: string, expected: BuildInputs, requirePk: boolean): { problem: string; bundle?: undefined } | { problem?: undefined; bundle: LoadedBundle } {
  if (!existsSync(join(dir, "manifest.json"))) return { problem: "no bundle" };
  const found = readBuildInputs(dir);
  if (!found) return { problem: `no ${BUILD_INPUTS_FILE}` };
  if (jsonText(found) !== jsonText(expected)) {
    const diff = (Object.keys(expected) as (keyof BuildInputs)[]).filter((k) => JSON.stringify(found[k]) !== JSON.stringify(expected[k]));
    return { problem: `stale (${diff.join(", ") || "fields"} changed)` };
  }
  try {
    const b = loadBundle(dir, { requirePk });
    // (a batch version's ONNX is rewritten from the model's, which its build inputs name)
    if (expected.batch === undefined && b.manifest.files.onnx.keccak256 !== expected.onnxKeccak256) return { problem: "manifest names another ONNX file" };
    return { bundle: b };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** Move a finished temporary bundle into place, replacing an old one; tolerates a concurrent publisher. */
function publish(tmp: string, final: string, expected: BuildInputs): void {
  if (existsSync(final)) {
    const old = `${final}.old-${process.pid}-${Date.now()}`;
    try {
      renameSync(final, old);
      rmSync(old, { recursive: true, force: true });
    } catch {
      // Another process moved it first.
    }
  }
  try {
    renameSync(tmp, final);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Someone else published at the same time; accept theirs if it is good.
    const problem = bundleProblem(final, expected, true);
    if (problem) throw new DemoBundleError(`could not publish bundle to ${final}: ${(e as Error).message}; existing bundle: ${problem}`);
  }
}

const tmpDirFor = (final: string): string => `${final}.tmp-${process.pid}-${Date.now()}-${Math.floor(performance.now() * 1000) % 1e6}`;

/**
 * Copy a committed bundle (`src`, without pk.key) into `final` and derive its proving key; checks the key's hash
 * against the manifest. `label` names it in errors.
 */
export function deriveFromCommitted(src: string, final: string, expected: BuildInputs, label: string): void {
  const b: LoadedBundle = loadBundle(src);
  const tmp = tmpDirFor(final);
  mkdirSync(tmp, { recursive: true });
  try {
    for (const key of Object.keys(FILE_NAMES) as (keyof typeof FILE_NAMES)[]) {
      if (key !== "pk") writeFileSync(join(tmp, FILE_NAMES[key]), b.read(key));
    }
    cpSync(join(src, "manifest.json"), join(tmp, "manifest.json"));
    cpSync(join(src, BUILD_INPUTS_FILE), join(tmp, BUILD_INPUTS_FILE));
    const pk = genPk(b.read("vk"), b.read("compiled"), b.read("srs"));
    const want = b.manifest.files.pk;
    if (keccak256(pk) !== want.keccak256 || pk.length !== want.bytes) {
      throw new DemoBundleError(`${label}: derived proving key hashes to ${keccak256(pk)} (${pk.length} B), manifest says ${want.keccak256} (${want.bytes} B)`);
    }
    writeFileSync(join(tmp, FILE_NAMES.pk), pk);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  publish(tmp, final, expected);
}

export interface RebuildResult extends BuildResult {
  inputs: BuildInputs;
}

/** Compile, calibrate, key and test a demo model from scratch into the cache (tens of seconds). */
export async function rebuildDemoBundle(name: string, opts: DemoBundleOptions = {}): Promise<RebuildResult> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? join(REPO_ROOT, ".twinpath");
  const final = cachedBundleDir(name, cacheDir);
  const inputs = expectedBuildInputs(name);
  const result = await buildAndPublish(final, inputs, (tmp) => {
    const r = recipe(name);
    return buildBundle(join(modelDir(name), "model.onnx"), {
      out: tmp,
      name,
      samples: r.samples(),
      evaluation: r.evaluation?.(),
      inputScale: inputs.compile.inputScale,
      paramScale: inputs.compile.paramScale,
      minLogrows: inputs.compile.minLogrows,
      maxLogrows: inputs.compile.maxLogrows,
      admit: inputs.compile.admit,
      devSrsSeed: inputs.devSrsSeed,
      cacheDir: join(cacheDir, "srs"),
      log,
    });
  });
  return { ...result, dir: final, inputs };
}

/** Replace models/<name>/bundle with the cached bundle's files, minus the proving key. */
export function commitBundleFiles(name: string, opts: DemoBundleOptions = {}): string[] {
  return copyCommittable(cachedBundleDir(name, opts.cacheDir), committedBundleDir(name));
}

/** Replace `dst` with the bundle files of `src` that are committed (all but the proving key). */
export function copyCommittable(src: string, dst: string): string[] {
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  const files = [...Object.entries(FILE_NAMES).filter(([k]) => k !== "pk").map(([, f]) => f), "manifest.json", BUILD_INPUTS_FILE];
  for (const f of files) cpSync(join(src, f), join(dst, f));
  return files.map((f) => join(dst, f));
}

const sameFile = (a: string, b: string): boolean => readFileSync(a).equals(readFileSync(b));

const inFlight = new Map<string, Promise<DemoBundle>>();

/**
 * A complete, hash-checked bundle of demo model `name`, with its proving key. Uses the cache when it
 * is up to date; else derives the proving key from the committed bundle; else (committed bundle
 * missing or stale) rebuilds from model.onnx.
 */
export function ensureDemoBundle(name: string, opts: DemoBundleOptions = {}): Promise<DemoBundle> {
  recipe(name);
  const key = `${name}\0${opts.cacheDir ?? ""}`;
  let p = inFlight.get(key);
  if (!p) {
    p = ensureUncached(name, opts).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}

async function ensureUncached(name: string, opts: DemoBundleOptions): Promise<DemoBundle> {
  return ensureBundleIn({
    label: name,
    final: cachedBundleDir(name, opts.cacheDir),
    committedDir: committedBundleDir(name),
    expected: expectedBuildInputs(name),
    log: opts.log,
    rebuildHint: " (run models/build-demo-models.ts to refresh the committed bundle)",
    rebuild: async () => {
      await rebuildDemoBundle(name, opts);
    },
  });
}

/**
 * The one way a cached bundle is made usable: the cache when it is up to date (and, when a fresh committed bundle
 * exists, the same as it), else the committed bundle with its proving key derived, else `rebuild` (which publishes
 * into `final`).
 */
export async function ensureBundleIn(o: {
  label: string;
  final: string;
  committedDir: string;
  expected: BuildInputs;
  log?: (line: string) => void;
  rebuildHint?: string;
  rebuild: () => Promise<void>;
}): Promise<DemoBundle> {
  const log = o.log ?? (() => {});
  const { final, committedDir, expected } = o;
  const done = (source: DemoBundle["source"], checked?: LoadedBundle): DemoBundle => {
    const b = checked ?? loadBundle(final, { requirePk: true });
    return { dir: final, manifest: b.manifest, manifestHash: b.manifestHash, source };
  };
  const committed = bundleProblem(committedDir, expected, false);
  const cache = checkBundle(final, expected, true);
  let cached = cache.problem;
  // A fresh committed bundle is the reference: a cache built by other code (e.g. an older compiler) yields to it.
  if (!cached && !committed && !sameFile(join(final, "manifest.json"), join(committedDir, "manifest.json"))) {
    cached = "differs from the committed bundle";
  }
  // the cache check just hashed every file, the proving key included (megabytes of keccak in JS): not twice
  if (!cached) return done("cache", cache.bundle);
  if (!committed) {
    log(`${o.label}: cache ${cached}; deriving the proving key from the committed bundle`);
    deriveFromCommitted(committedDir, final, expected, o.label);
    return done("committed");
  }
  log(`${o.label}: cache ${cached}, committed bundle ${committed}; rebuilding${o.rebuildHint ?? ""}`);
  await o.rebuild();
  return done("rebuilt");
}

/** Builds a bundle into a temporary folder next to `final` with `build`, then publishes it there. */
export async function buildAndPublish<T>(final: string, expected: BuildInputs, build: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = tmpDirFor(final);
  let result: T;
  try {
    result = await build(tmp);
    writeFileSync(join(tmp, BUILD_INPUTS_FILE), jsonText(expected));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  publish(tmp, final, expected);
  return result;
}
