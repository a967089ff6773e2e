/** ONNX bytes -> calibrated ezkl compiled circuit + settings (no keys). */
import { join } from "node:path";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { calibrate, OverflowError, type Calibration } from "./calibrate.js";
import { encodeCircuit } from "./circuit/build.js";
import { boxCover } from "./domain.js";
import { CompileError, inputLength, lowerGraph, type LoweredModel } from "./graph/lower.js";
import { size } from "./graph/tensor.js";
import { readOnnxModel } from "./onnx/read.js";
import { devSrs } from "./srs/srs.js";

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
  /** keep the circuit within the WASM engine's memory (default true); false sizes it for a native prover */
  memoryLimit?: boolean;
  /** range of the default random calibration inputs (without `samples`): floats uniform in it, integers inside it */
  inputRange?: [number, number];
  /**
   * the range every input element must be admitted in (floats, e.g. [0, 16] for 4-bit pixels): the fixed-point range
   * is sized so that every input in the box proves (interval bound propagation, compiler/domain.ts), and the bundle's
   * admitted domain is this box instead of the calibration samples' box
   */
  admit?: [number, number];
  /** size the layout (default true); false: settings for witness generation only */
  layout?: boolean;
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

/**
 * Default calibration inputs when none are given: seeded uniform values in `range` (default [-1, 1])
 * for float inputs, integers in that range (default 0..9) for integer inputs, 0/1 for booleans; one
 * flat vector per sample (all inputs concatenated).
 */
export function defaultInputs(m: Pick<LoweredModel, "inputs">, count = 8, seed = 1, range?: [number, number]): number[][] {
  const flat = defaultSamples(m.inputs.reduce((n, i) => n + size(i.dims), 0), count, seed).map((x) => x.map((v) => (v + 1) / 2)); // [0, 1)
  return flat.map((x) => {
    let at = 0;
    return m.inputs.flatMap((io) => {
      const u = x.slice(at, (at += size(io.dims)));
      if (io.datum === "Bool") return u.map((v) => (v < 0.5 ? 0 : 1));
      if (io.datum === "Int") {
        const [lo, hi] = range ? [Math.ceil(range[0]), Math.floor(range[1])] : [0, 9];
        return u.map((v) => lo + Math.min(hi - lo, Math.floor(v * (hi - lo + 1))));
      }
      const [lo, hi] = range ?? [-1, 1];
      return u.map((v) => lo + v * (hi - lo));
    });
  });
}

const DEFAULT_CACHE = join(REPO_ROOT, ".twinpath", "srs");

/** Dev SRS used only for sizing trials (seeded, cached on disk). */
export const trialSrs = (cacheDir: string) => (k: number): Promise<Uint8Array> => devSrs(k, "calibration-trials", cacheDir);

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
    decompBase: opts.decompBase,
    numInnerCols: opts.numInnerCols ?? 2,
    minLogrows: opts.minLogrows ?? 6,
    maxLogrows: opts.maxLogrows ?? 17,
    maxLegs: opts.maxLegs ?? 4,
    trialSrs: trialSrs(opts.cacheDir ?? DEFAULT_CACHE),
    log: opts.log ?? (() => {}),
    confirmWithProof: opts.confirmWithProof,
    layout: opts.layout,
    memoryLimit: opts.memoryLimit,
  };
  // Scale choice: the requested scale, or by default the highest scale <= 7 whose values fit the
  // fixed-point range on the samples (overflow is detected before any engine trial, so retrying is cheap).
  const scales = opts.inputScale !== undefined ? [inputScale] : [7, 6, 5, 4, 3, 2, 1, 0];
  let lowered: LoweredModel | undefined;
  let samples: number[][] = [];
  let calibration: Calibration | undefined;
  for (const sc of scales) {
    lowered = lowerGraph(graph, { inputScale: sc, paramScale: opts.paramScale ?? sc });
    samples = opts.samples?.length ? opts.samples : defaultInputs(lowered, 8, 1, opts.inputRange);
    try {
      const box = opts.admit ? [new Array(inputLength(lowered)).fill(opts.admit[0]), new Array(inputLength(lowered)).fill(opts.admit[1])] : undefined;
      const cover = box ? boxCover(lowered, box[0], box[1]) : undefined;
      calibration = await calibrate(lowered, { ...calOpts, samples, coverMagnitude: cover?.magnitude, coverLookup: cover?.lookupRange ?? undefined });
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
