/** ONNX bytes -> calibrated ezkl compiled circuit + settings (no keys). */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { calibrate, OverflowError, type Calibration } from "./calibrate.js";
import { encodeCircuit } from "./circuit/build.js";
import { CompileError, lowerGraph, type LoweredModel } from "./graph/lower.js";
import { size } from "./graph/tensor.js";
import { readOnnxModel } from "./onnx/read.js";
import { generateDevSrs, srsByteLength } from "./srs/srs.js";

export interface CompileOptions {
  /** fixed-point scale (exponent of 2) of the input; default 7 */
  inputScale?: number;
  /** scale of the weights; default = inputScale */
  paramScale?: number;
  /** calibration inputs, each a flat array of the input's values; default: 8 pseudo-random inputs in [-1, 1] */
  samples?: number[][];
  decompBase?: number;
  numInnerCols?: number;
  minLogrows?: number;
  maxLogrows?: number;
  maxLegs?: number;
  log?: (msg: string) => void;
  /** confirm the calibrated size with a real prove + verify (default true) */
  confirmWithProof?: boolean;
  /** cache dir for trial SRS files (default <package root>/.twinpath/srs, gitignored) */
  cacheDir?: string;
}

export interface CompiledModel {
  lowered: LoweredModel;
  compiled: Uint8Array;
  settings: Uint8Array;
  /* eslint-disable-next-line @typescript-eslint/no-explicit-any */
  settingsValue: any;
  calibration: Calibration;
  samples: number[][];
  compileMs: number;
}

/** Deterministic pseudo-random samples (mulberry32), so default calibration is reproducible. */
export function defaultSamples(n: number, count = 8, seed = 1): number[][] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length: n }, () => rnd() * 2 - 1));
}

const DEFAULT_CACHE = join(REPO_ROOT, ".twinpath", "srs");

const trialSrsMemo = new Map<number, Promise<Uint8Array>>();
/** Dev SRS used only for sizing trials (seeded, cached on disk). */
export function trialSrs(cacheDir: string) {
  return (k: number): Promise<Uint8Array> => {
    let p = trialSrsMemo.get(k);
    if (!p) {
      p = (async () => {
        const f = join(cacheDir, `dev-trial-k${k}.srs`);
        if (existsSync(f)) {
          const cached = new Uint8Array(readFileSync(f));
          if (cached.length === srsByteLength(k)) return cached;
        }
        const s = await generateDevSrs(k, { seed: "calibration-trials" });
        mkdirSync(cacheDir, { recursive: true });
        // atomic: concurrent builds never read a half-written file
        const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
        writeFileSync(tmp, s);
        renameSync(tmp, f);
        return s;
      })();
      trialSrsMemo.set(k, p);
    }
    return p;
  };
}

export async function compileModel(onnx: Uint8Array, opts: CompileOptions = {}): Promise<CompiledModel> {
  const t0 = Date.now();
  const inputScale = opts.inputScale ?? 7;
  const intIn = (v: number | undefined, name: string, lo: number, hi: number) => {
    if (v !== undefined && (!Number.isInteger(v) || v < lo || v > hi)) throw new CompileError(`option ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  };
  intIn(inputScale, "inputScale", 0, 20);
  intIn(opts.paramScale, "paramScale", 0, 20);
  intIn(opts.decompBase, "decompBase", 2, 1 << 16);
  intIn(opts.numInnerCols, "numInnerCols", 1, 16);
  intIn(opts.minLogrows, "minLogrows", 4, 24);
  intIn(opts.maxLogrows, "maxLogrows", 4, 24);
  intIn(opts.maxLegs, "maxLegs", 1, 8);
  opts.samples?.forEach((x, i) => {
    if (!Array.isArray(x) || x.some((v) => typeof v !== "number" || !Number.isFinite(v))) throw new CompileError(`calibration sample ${i} must be an array of finite numbers`);
  });
  const graph = readOnnxModel(onnx);
  const calOpts = {
    decompBase: opts.decompBase ?? 128,
    numInnerCols: opts.numInnerCols ?? 2,
    minLogrows: opts.minLogrows ?? 6,
    maxLogrows: opts.maxLogrows ?? 17,
    maxLegs: opts.maxLegs ?? 4,
    trialSrs: trialSrs(opts.cacheDir ?? DEFAULT_CACHE),
    log: opts.log ?? (() => {}),
    confirmWithProof: opts.confirmWithProof,
  };
  // Scale choice: the requested scale, or by default the highest scale <= 7 whose values fit the
  // fixed-point range on the samples (overflow is detected before any engine trial, so retrying is cheap).
  const scales = opts.inputScale !== undefined ? [inputScale] : [7, 6, 5, 4, 3, 2, 1, 0];
  let lowered: LoweredModel | undefined;
  let samples: number[][] = [];
  let calibration: Calibration | undefined;
  for (const sc of scales) {
    lowered = lowerGraph(graph, { inputScale: sc, paramScale: opts.paramScale ?? sc });
    samples = opts.samples?.length ? opts.samples : defaultSamples(size(lowered.inputDims));
    try {
      calibration = await calibrate(lowered, { ...calOpts, samples });
      break;
    } catch (e) {
      if (!(e instanceof OverflowError) || sc === scales[scales.length - 1]) throw e;
      calOpts.log(`scale ${sc} overflows (${e.message.split(":")[0]}); trying scale ${sc - 1}`);
    }
  }
  if (!lowered || !calibration) throw new CompileError("no scale could be calibrated");
  const { compiled, settings, settingsValue } = encodeCircuit(lowered, calibration.sizing);
  return { lowered, compiled, settings, settingsValue, calibration, samples, compileMs: Date.now() - t0 };
}
