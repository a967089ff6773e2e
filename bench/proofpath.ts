/**
 * Proof-path benchmark, both prover backends side by side in one run.
 *
 * Per demo model, WASM (`@ezkljs/engine`, today's prover) and native EZKL (`ezkl==21.0.0`, PROVER_BACKEND=native),
 * each measured in a process of its own: engine start, proving-key deserialisation, witness, proof (native: split
 * into setup / layout / polynomial work from ezkl's log), peak memory, proofs per second with 1 and 2 provers (WASM:
 * threads; native: one process with its own 2-thread pool, and 2 processes × 1 thread), and the native/WASM ratios.
 * Then verify times (engine, native, TS verifier), re-execution and the HACA ratio; a LeNet-5-class CNN (28×28)
 * compiled by EZKL itself (the native reference while the project's compiler cannot lay it out; it is tried too);
 * and end to end on a local stack (iris-mlp): request → settlement and gas per settled request in each mode, with a
 * WASM prover and with a native one (2 threads | 2 processes).
 *
 *   node --import tsx bench/proofpath.ts [--only models,lenet,e2e] [--models iris-mlp,iris-deep,iris-cnn] [--proofs 6]
 *        [--requests 6] [--nodes 3] [--skip-e2e] [--lenet] [--lenet-scale 7] [--lenet-cols 2]
 *        [--lenet-sweep] [--lenet-no-proof] [--lenet-compiler-timeout 240] [--lenet-wasm-max-logrows 17]
 *
 * Sections: `models` (the demo models), `lenet`, `e2e`. By default `models` and `e2e` run (`--skip-e2e` drops e2e,
 * `--lenet` adds lenet); `--only` runs just the sections named. Either way the sections not run are kept from the
 * existing bench/results/proofpath.json, so one section can be refreshed alone; each section records its own date
 * and the machine's load while it ran (the 2 cores are shared).
 *
 * --lenet adds the LeNet-5-class model at one EZKL configuration: input and param scale (`--lenet-scale`), and
 * `num_inner_cols` (`--lenet-cols`, advice columns per block). EZKL 21 range-checks ReLU by decomposition (no lookup
 * table), so the row count does not depend on the scale: it is ~1M multiply-accumulate cells spread over
 * `num_inner_cols` columns (cols 2: 2^20 rows, a 4.2 GB proving key and ~10 GB to prove; cols 16: 2^17 rows but a
 * 14 GB proving key and ~16 GB for keygen alone, so EZKL's own calibration, scale 7 cols 2, is the default). Its accuracy
 * against onnxruntime (argmax agreement on 12 inputs) is measured at the chosen scale. Rows of other
 * configurations already in the JSON are kept. SRS and keys are cached in .twinpath/bench/. `--lenet-sweep` adds
 * circuit size and accuracy without keys at scales 1–7 (cols 16) and cols 2 and 8 (scale 7), a minute each;
 * `--lenet-no-proof` runs only the sweep (and the compiler probe), without keys or a proof.
 *
 * Native figures need the Python package (python3 -m pip install --require-hashes -r workers/proofs/native/requirements.txt;
 * PROVER_PYTHON picks the interpreter); without it the native columns say why they are missing.
 * Prints tables and writes bench/results/proofpath.json.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, freemem, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { loadBundle } from "../compiler/bundle.js";
import { genWitness } from "../compiler/engine/engine.js";
import { dequantize, quantize } from "../protocol/fixedPoint.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { ensureDemoBundle, exampleInputs, demoModelShapes } from "../models/index.js";
import type { ModelArtifacts } from "../workers/proofs/bundles.js";
import { EnginePool } from "../workers/proofs/enginePool.js";
import { NativeChild } from "../workers/proofs/native/child.js";
import { NativePool } from "../workers/proofs/native/pool.js";
import { engineProofJson, parseEngineProof, proofInstances, rawProofBytes } from "../workers/proofs/proofJson.js";
import { ProofVerifier } from "../workers/verifier-node/backends.js";
import { runProofPathDemo, type ProofPathDemoResult } from "../scripts/demo/proofpath.js";
import { LENET_INPUT_SHAPE, lenet5Onnx, lenetInputs } from "./lib/lenet5.js";
import type { ProbeArgs, ProbeResult } from "./lib/proveProbe.js";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "iris-mlp,iris-deep,iris-cnn" },
    proofs: { type: "string", default: "6" },
    requests: { type: "string", default: "6" },
    nodes: { type: "string", default: "3" },
    "skip-e2e": { type: "boolean", default: false },
    only: { type: "string" },
    lenet: { type: "boolean", default: false },
    "lenet-scale": { type: "string", default: "7" },
    "lenet-cols": { type: "string", default: "2" },
    "lenet-sweep": { type: "boolean", default: false },
    "lenet-no-proof": { type: "boolean", default: false },
    "lenet-compiler-timeout": { type: "string", default: "240" },
    "lenet-wasm-max-logrows": { type: "string", default: "17" },
  },
});
const MODELS = values.models!.split(",").map((m) => m.trim());
const SECTIONS = ["models", "lenet", "e2e"] as const;
type Section = (typeof SECTIONS)[number];
const only = values.only?.split(",").map((x) => x.trim());
const bad = only?.filter((x) => !(SECTIONS as readonly string[]).includes(x));
if (bad?.length) {
  process.stderr.write(`--only: unknown section(s) ${bad.join(", ")}; expected some of ${SECTIONS.join(", ")}\n`);
  process.exit(2);
}
const RUN = new Set<Section>((only as Section[] | undefined) ?? ["models", ...(values.lenet ? (["lenet"] as const) : []), ...(values["skip-e2e"] ? [] : (["e2e"] as const))]);
const LENET_SCALE = Number(values["lenet-scale"]);
const LENET_COLS = Number(values["lenet-cols"]);
if (!Number.isInteger(LENET_SCALE) || LENET_SCALE < 0 || LENET_SCALE > 16 || !Number.isInteger(LENET_COLS) || LENET_COLS < 1 || LENET_COLS > 64) {
  process.stderr.write(`--lenet-scale must be an integer in 0..16 and --lenet-cols in 1..64\n`);
  process.exit(2);
}
const PROOFS = Number(values.proofs);
const NODES = Number(values.nodes);
const CORES = availableParallelism();
const PYTHON = process.env.PROVER_PYTHON?.trim() || "python3";
const log = (m: string) => process.stderr.write(`${m}\n`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Number((a / b).toPrecision(3)) : null);

type ProbeOutcome = ProbeResult | { error: string };

/** The machine's load when a section ran: its cores are shared with other users, which slows every figure. */
interface MachineLoad {
  cpus: number;
  /** 1/5/15-minute load averages at the start of the section (and at its end where recorded) */
  loadAvg: number[];
  loadAvgEnd?: number[];
  memTotalGB: number;
  memFreeGB: number;
}
const machineLoad = (): MachineLoad => ({ cpus: cpus().length, loadAvg: loadavg().map(r1), memTotalGB: r1(totalmem() / 2 ** 30), memFreeGB: r1(freemem() / 2 ** 30) });
const ok = (p: ProbeOutcome | undefined): p is ProbeResult => !!p && !("error" in p);

/** Runs bench/lib/proveProbe.ts in its own process (own peak memory), killed after `timeoutMs`. */
function runProbe(args: ProbeArgs, timeoutMs = 1_800_000): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench", "lib", "proveProbe.ts"), JSON.stringify(args)], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      try {
        if (code === 0) return resolve(JSON.parse(last) as ProbeResult);
      } catch {
        /* fall through */
      }
      const why = signal === "SIGKILL" ? `killed after ${timeoutMs / 1000} s (or out of memory)` : `exit ${code ?? signal}`;
      const lines = err.trim().split("\n");
      const cause = lines.find((l) => /Error\b/.test(l)) ?? lines.slice(-3).join(" | ");
      resolve({ error: `${why}: ${cause.trim().slice(0, 400)}` });
    });
  });
}

async function nativeAvailable(): Promise<string | null> {
  try {
    const c = await NativeChild.start({ python: PYTHON, threads: 1 });
    await c.close();
    return null;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}

interface BackendRows {
  /** 1 prover: WASM one thread; native one process with a pool of CORES threads */
  one: ProbeOutcome;
  /** 2 provers: WASM two threads; native two processes × 1 thread */
  two: ProbeOutcome;
  /** native only: the stage split of a proof */
  stages?: ProbeOutcome;
}

interface ModelRow {
  model: string;
  /** when this row was measured and the machine's load then (rows of one run share it; --models refreshes rows) */
  measured?: { date: string; loadAvg: number[] };
  logrows: number;
  proofBytes: number;
  wasm: BackendRows;
  native: BackendRows | { error: string };
  ratios: {
    /** WASM proof time / native proof time (1 prover each): how many times faster native is */
    proveSpeedup: number | null;
    proofsPerSecond1: number | null;
    proofsPerSecond2: number | null;
    peakMemory: number | null;
  };
  verifyMs: { engine: number; native: number | null; ts: number };
  reexecMs: { onnxruntime: number; ezklWitness: number };
  haca: { nodes: number; reexecuteTotalMs: number; verifyTotalMs: number; ratioOnnx: number; ratioWitness: number };
}

async function benchModel(name: string, nativeMissing: string | null): Promise<ModelRow> {
  const bundle = await ensureDemoBundle(name);
  const b = loadBundle(bundle.dir, { requirePk: true });
  const files = { compiled: "compiled", settings: "settings", srs: "srs", vk: "vk", pk: "pk" } as const;
  const paths = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(b.dir, b.manifest.files[f]!.path)])) as ProbeArgs["files"];
  const artifacts: ModelArtifacts = {
    dir: bundle.dir,
    manifestHash: b.manifestHash,
    compiled: b.read("compiled"),
    settings: b.read("settings"),
    srs: b.read("srs"),
    vk: b.read("vk"),
    pk: b.read("pk"),
    inputScale: b.manifest.input.scale,
    outputScale: b.manifest.output.scale,
  };
  const inputs = exampleInputs(name, PROOFS).map((row) => dequantize(quantize(row, artifacts.inputScale), artifacts.inputScale));

  log(`  ${name}: WASM, 1 and 2 threads…`);
  const wasm: BackendRows = { one: await runProbe({ backend: "wasm", files: paths, inputs, provers: 1 }), two: await runProbe({ backend: "wasm", files: paths, inputs, provers: 2 }) };
  let native: ModelRow["native"];
  if (nativeMissing) native = { error: nativeMissing };
  else {
    log(`  ${name}: native, 1 process × ${CORES} threads, 2 processes × 1 thread, stages…`);
    native = {
      one: await runProbe({ backend: "native", files: paths, inputs, provers: 1, threadsPerProcess: CORES, python: PYTHON }),
      two: await runProbe({ backend: "native", files: paths, inputs, provers: 2, threadsPerProcess: 1, python: PYTHON }),
      stages: await runProbe({ backend: "native", files: paths, inputs: inputs.slice(0, 3), provers: 1, threadsPerProcess: CORES, stageDetail: true, python: PYTHON }),
    };
  }
  const sampleProbe = [wasm.one, wasm.two].find(ok);
  if (!sampleProbe) throw new Error(`${name}: WASM proving failed: ${JSON.stringify(wasm)}`);
  const p = parseEngineProof(new TextEncoder().encode(sampleProbe.proof));
  const sample = { proof: rawProofBytes(p), instances: proofInstances(p) };

  // Verification, median of 5 after a warm-up: the engine (WASM), native EZKL, the TS verifier.
  const verifyMs: ModelRow["verifyMs"] = { engine: 0, native: null, ts: 0 };
  const wasmPool = new EnginePool({ threads: 1 });
  const nativePool = nativeMissing ? null : await NativePool.start({ python: PYTHON, processes: 1, threadsPerProcess: CORES });
  try {
    const timed = async (v: ProofVerifier, what: string) => {
      if (!(await v.verify(artifacts, sample.proof, sample.instances)).valid) throw new Error(`${name}: ${what} rejected a fresh proof`);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await v.verify(artifacts, sample.proof, sample.instances)).checks[0].ms);
      return r1(median(times));
    };
    verifyMs.engine = await timed(new ProofVerifier("engine", wasmPool), "the engine");
    verifyMs.ts = await timed(new ProofVerifier("ts", wasmPool), "the TS verifier");
    if (nativePool) verifyMs.native = await timed(new ProofVerifier("engine", nativePool), "native EZKL");
    // every native proof must verify with the WASM engine too (one format)
    if (!("error" in native) && ok(native.one)) {
      const np = parseEngineProof(new TextEncoder().encode(native.one.proof));
      if (!(await wasmPool.verify(b.manifestHash, artifacts, engineProofJson(rawProofBytes(np), proofInstances(np)))).valid) throw new Error(`${name}: the engine rejected a native proof`);
    }
  } finally {
    await wasmPool.close();
    await nativePool?.close();
  }

  // Re-execution: onnxruntime (what an executor runs) and EZKL's witness (deterministic integer execution).
  const shapes = demoModelShapes(name);
  const session = await ort.InferenceSession.create(b.read("onnx"), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feed = (x: number[]) => ({
    [shapes.inputName]: shapes.inputType === "int64" ? new ort.Tensor("int64", BigInt64Array.from(x, (v) => BigInt(Math.round(v))), shapes.input) : new ort.Tensor("float32", Float32Array.from(x), shapes.input),
  });
  for (let i = 0; i < 20; i++) await session.run(feed(inputs[i % inputs.length]));
  const onnx: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await session.run(feed(inputs[i % inputs.length]));
    onnx.push(performance.now() - t0);
  }
  await session.release();
  const wit: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    genWitness(artifacts.compiled, inputs[i % inputs.length]);
    wit.push(performance.now() - t0);
  }
  const reexecMs = { onnxruntime: r3(median(onnx)), ezklWitness: r1(median(wit)) };
  const verifyTotal = NODES * verifyMs.engine;
  const n = "error" in native ? undefined : native;
  return {
    model: name,
    logrows: b.manifest.logrows,
    proofBytes: sample.proof.length,
    wasm,
    native,
    ratios: {
      proveSpeedup: ok(wasm.one) && ok(n?.one) ? ratio(wasm.one.proveMs, n.one.proveMs) : null,
      proofsPerSecond1: ok(wasm.one) && ok(n?.one) ? ratio(n.one.proofsPerSecond, wasm.one.proofsPerSecond) : null,
      proofsPerSecond2: ok(wasm.two) && ok(n?.two) ? ratio(n.two.proofsPerSecond, wasm.two.proofsPerSecond) : null,
      peakMemory: ok(wasm.one) && ok(n?.one) ? ratio(n.one.peakMemoryMB, wasm.one.peakMemoryMB) : null,
    },
    verifyMs,
    reexecMs,
    haca: {
      nodes: NODES,
      reexecuteTotalMs: r3(NODES * reexecMs.onnxruntime),
      verifyTotalMs: r1(verifyTotal),
      ratioOnnx: Number(((NODES * reexecMs.onnxruntime) / verifyTotal).toPrecision(3)),
      ratioWitness: Number(((NODES * reexecMs.ezklWitness) / verifyTotal).toPrecision(3)),
    },
  };
}

/** EZKL run args that size the LeNet circuit; the rest are EZKL's defaults. */
interface LenetConfig {
  inputScale: number;
  paramScale: number;
  numInnerCols: number;
  decompBase: number;
  decompLegs: number;
}
const lenetLabel = (c: LenetConfig) => `scale ${c.inputScale}/${c.paramScale}, cols ${c.numInnerCols}${c.decompBase === 16384 && c.decompLegs === 2 ? "" : `, decomp ${c.decompBase}^${c.decompLegs}`}`;

interface LenetRow {
  model: "lenet5-28x28";
  label: string;
  config: LenetConfig;
  date: string;
  machine: MachineLoad | { unrecorded: string };
  /** EZKL's own gen_settings + calibrate_settings ("resources", scales fixed to the config's) + compile_circuit */
  ezkl: { logrows: number; numRows: number; totalAssignments: number; calibrateMs: number; srsMs: number; setupMs: number; pkMB: number; note?: string } | { error: string };
  /** EZKL's witness (the circuit's integer execution, rescaled) against onnxruntime on the same float inputs */
  accuracy?: { inputs: number; argmaxAgree: number; maxAbsLogitError: number; meanAbsLogitError: number; logitRange: number } | { error: string };
  /** one process with a pool of CORES threads, one proof, with the stage split */
  native?: ProbeOutcome;
  wasm: ProbeOutcome | { skipped: string };
  /** the native proof time against issue 14's target (2 s) and EZKL's published anchor (~0.2 s, other hardware) */
  vs?: { targetMs: number; anchorMs: number; proveOverTarget: number | null; proveOverAnchor: number | null };
}
interface LenetSection {
  /** the project's compiler on the same ONNX (independent of the EZKL configuration) */
  compiler: { ok: true; logrows: number; ms: number } | { ok: false; error: string };
  rows: LenetRow[];
  /** --lenet-sweep: circuit size and accuracy per configuration, without keys or proofs */
  sweep?: LenetSweepRow[];
}

const lenetDir = (cfg: LenetConfig) =>
  join(REPO_ROOT, ".twinpath", "bench", `lenet5-${createHash("sha256").update(lenet5Onnx()).digest("hex").slice(0, 12)}-s${cfg.inputScale}p${cfg.paramScale}c${cfg.numInnerCols}d${cfg.decompBase}x${cfg.decompLegs}`);

/** EZKL's settings (gen_settings, then calibrate_settings at the config's scale) and compiled circuit, in `dir`. */
async function lenetCircuit(ezkl: NativeChild, dir: string, cfg: LenetConfig) {
  mkdirSync(dir, { recursive: true });
  const model = join(dir, "model.onnx");
  const settings = join(dir, "settings.json");
  writeFileSync(model, lenet5Onnx());
  writeFileSync(join(dir, "calibration.json"), JSON.stringify({ input_data: [lenetInputs(4).flat()] }));
  const runArgs = { input_visibility: "public", output_visibility: "public", param_visibility: "fixed", input_scale: cfg.inputScale, param_scale: cfg.paramScale, num_inner_cols: cfg.numInnerCols, decomp_base: cfg.decompBase, decomp_legs: cfg.decompLegs };
  await ezkl.call("genSettings", { model, settings, runArgs });
  // calibration keeps the chosen scale (EZKL's "resources" search would otherwise pick its own) and sizes logrows
  const cal = await ezkl.call<{ ms: number }>("calibrate", { data: join(dir, "calibration.json"), model, settings, target: "resources", scales: [cfg.inputScale], scaleRebaseMultiplier: [1] });
  await ezkl.call("compile", { model, compiled: join(dir, "model.compiled"), settings });
  return { calibrateMs: Math.round(cal.ms), s: JSON.parse(readFileSync(settings, "utf8")), compiled: join(dir, "model.compiled") };
}

interface LenetSweepRow {
  label: string;
  config: LenetConfig;
  logrows: number;
  numRows: number;
  totalAssignments: number;
  accuracy: NonNullable<LenetRow["accuracy"]>;
}

/** Circuit size and accuracy (no keys, no proof) at each scale and column count: what a lower precision buys. */
async function lenetSweep(scales: number[], cols: number[]): Promise<LenetSweepRow[]> {
  const rows: LenetSweepRow[] = [];
  for (const [scale, c] of [...scales.map((sc) => [sc, cols[0]]), ...cols.slice(1).map((cc) => [scales[scales.length - 1], cc])]) {
    const config: LenetConfig = { inputScale: scale, paramScale: scale, numInnerCols: c, decompBase: 16384, decompLegs: 2 };
    const ezkl = await NativeChild.start({ python: PYTHON });
    try {
      const { s, compiled } = await lenetCircuit(ezkl, lenetDir(config), config);
      const accuracy = await lenetAccuracy(compiled, scale);
      rows.push({ label: lenetLabel(config), config, logrows: s.run_args.logrows, numRows: s.num_rows, totalAssignments: s.total_assignments, accuracy });
      log(`  sweep ${lenetLabel(config)}: logrows ${s.run_args.logrows}, ${s.num_rows} rows, argmax ${"error" in accuracy ? accuracy.error : `${accuracy.argmaxAgree}/${accuracy.inputs}`}`);
    } finally {
      await ezkl.close();
    }
  }
  return rows;
}

/** EZKL's own artifacts for the LeNet-5-class model at one configuration, built once and cached by ONNX hash + config. */
async function lenetArtifacts(cfg: LenetConfig): Promise<{ dir: string; files: ProbeArgs["files"]; meta: Exclude<LenetRow["ezkl"], { error: string }> }> {
  const dir = lenetDir(cfg);
  const files = { compiled: join(dir, "model.compiled"), settings: join(dir, "settings.json"), srs: join(dir, "kzg.srs"), vk: join(dir, "vk.key"), pk: join(dir, "pk.key") };
  const metaPath = join(dir, "meta.json");
  if (existsSync(metaPath) && Object.values(files).every(existsSync)) return { dir, files, meta: JSON.parse(readFileSync(metaPath, "utf8")) };
  const ezkl = await NativeChild.start({ python: PYTHON });
  try {
    const { calibrateMs, s } = await lenetCircuit(ezkl, dir, cfg);
    log(`  lenet5 (${lenetLabel(cfg)}): EZKL calibrated logrows ${s.run_args.logrows}, ${s.num_rows} rows; generating an SRS and keys…`);
    const t0 = performance.now();
    await ezkl.call("genSrs", { srs: files.srs, logrows: s.run_args.logrows });
    const srsMs = Math.round(performance.now() - t0);
    const setup = await ezkl.call<{ ms: number }>("setup", { compiled: files.compiled, srs: files.srs, vk: files.vk, pk: files.pk });
    const meta = { logrows: s.run_args.logrows, numRows: s.num_rows, totalAssignments: s.total_assignments, calibrateMs, srsMs, setupMs: Math.round(setup.ms), pkMB: r1(statSync(files.pk).size / 2 ** 20) };
    writeFileSync(metaPath, JSON.stringify(meta));
    return { dir, files, meta };
  } finally {
    await ezkl.close();
  }
}

/** EZKL's witness outputs (rescaled to floats) against onnxruntime on the same inputs: 8 ink-blob images, 4 of noise. */
async function lenetAccuracy(compiled: string, scale: number): Promise<NonNullable<LenetRow["accuracy"]>> {
  let seed = 7;
  const noise = () => Array.from({ length: 784 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31));
  const inputs = [...lenetInputs(8, 21), noise(), noise(), noise(), noise()].map((x) => dequantize(quantize(x, scale), scale));
  const session = await ort.InferenceSession.create(lenet5Onnx(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const ezkl = await NativeChild.start({ python: PYTHON, threads: CORES });
  try {
    const argmax = (xs: ArrayLike<number>) => Array.from(xs).reduce((best, v, i, a) => (v > a[best] ? i : best), 0);
    let agree = 0, maxErr = 0, sumErr = 0, n = 0, lo = Infinity, hi = -Infinity;
    for (const x of inputs) {
      const ref = (await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", Float32Array.from(x), [...LENET_INPUT_SHAPE]) }))[session.outputNames[0]].data as Float32Array;
      const w = await ezkl.call<{ witness: string }>("genWitness", { compiled, input: [x] });
      const got = (JSON.parse(w.witness).pretty_elements.rescaled_outputs[0] as string[]).map(Number);
      if (got.length !== ref.length) throw new Error(`the witness has ${got.length} outputs, onnxruntime ${ref.length}`);
      if (argmax(got) === argmax(ref)) agree++;
      got.forEach((g, i) => {
        const e = Math.abs(g - ref[i]);
        maxErr = Math.max(maxErr, e);
        sumErr += e;
        n++;
        lo = Math.min(lo, ref[i]);
        hi = Math.max(hi, ref[i]);
      });
    }
    return { inputs: inputs.length, argmaxAgree: agree, maxAbsLogitError: r3(maxErr), meanAbsLogitError: r3(sumErr / n), logitRange: r3(hi - lo) };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    await session.release();
    await ezkl.close();
  }
}

/** The project's compiler on the LeNet ONNX, in a child process with a time limit. */
function tryCompiler(timeoutS: number): Promise<LenetSection["compiler"] | null> {
  if (timeoutS <= 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench", "lib", "compileProbe.ts")], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutS * 1000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") return resolve({ ok: false, error: `no result within ${timeoutS} s` });
      try {
        if (code === 0) return resolve(JSON.parse(out.trim().split("\n").pop()!));
      } catch {
        /* fall through */
      }
      resolve({ ok: false, error: `exit ${code}: ${err.trim().split("\n").pop() ?? ""}`.slice(0, 300) });
    });
  });
}

const LENET_TARGET_MS = 2000; // issue 14: a LeNet-class proof natively
const LENET_ANCHOR_MS = 200; // EZKL's published figure for a LeNet-5-class MNIST CNN at low precision (its hardware)

async function benchLenet(nativeMissing: string | null, cfg: LenetConfig): Promise<{ compiler: LenetSection["compiler"] | null; row: LenetRow }> {
  log(`LeNet-5 (28×28), ${lenetLabel(cfg)}…`);
  const machineBefore = machineLoad();
  const row: LenetRow = { model: "lenet5-28x28", label: lenetLabel(cfg), config: cfg, date: new Date().toISOString(), machine: machineBefore, ezkl: { error: nativeMissing ?? "" }, wasm: { skipped: "" } };
  const compiler = await tryCompiler(Number(values["lenet-compiler-timeout"]));
  log(`  project compiler: ${!compiler ? "not attempted" : compiler.ok ? `logrows ${compiler.logrows}` : compiler.error}`);
  if (nativeMissing) {
    row.wasm = { skipped: "needs EZKL's own artifacts (native EZKL)" };
    return { compiler, row };
  }
  const { files, meta } = await lenetArtifacts(cfg);
  row.ezkl = meta;
  log("  accuracy against onnxruntime (12 inputs)…");
  row.accuracy = await lenetAccuracy(files.compiled, cfg.inputScale);
  const inputs = lenetInputs(1, 21).map((x) => dequantize(quantize(x, cfg.inputScale), cfg.inputScale));
  log(`  native: 1 process × ${CORES} threads, one proof (no warm-up) with its stage split…`);
  row.native = await runProbe({ backend: "native", files, inputs, provers: 1, threadsPerProcess: CORES, stageDetail: true, python: PYTHON, warmup: false, taskTimeoutMs: 7_200_000 }, 7_200_000);
  const proveMs = ok(row.native) ? row.native.proveMs : undefined;
  row.vs = { targetMs: LENET_TARGET_MS, anchorMs: LENET_ANCHOR_MS, proveOverTarget: ratio(proveMs, LENET_TARGET_MS), proveOverAnchor: ratio(proveMs, LENET_ANCHOR_MS) };
  const maxK = Number(values["lenet-wasm-max-logrows"]);
  if (meta.logrows > maxK) row.wasm = { skipped: `logrows ${meta.logrows} > --lenet-wasm-max-logrows ${maxK} (proving key ${meta.pkMB} MB; the engine has one thread and a 4 GiB WASM address space)` };
  else {
    log("  WASM (EZKL's artifacts, 1 thread)…");
    row.wasm = await runProbe({ backend: "wasm", files, inputs, provers: 1, warmup: false, taskTimeoutMs: 7_200_000 }, 7_200_000);
  }
  row.machine = { ...machineBefore, loadAvgEnd: loadavg().map(r1) };
  return { compiler, row };
}

interface ModeRow {
  mode: string;
  backend: "wasm" | "native";
  settled: number;
  requests: number;
  fastPathP50Ms: number | null;
  settlementP50Ms: number | null;
  settlementP95Ms: number | null;
  gasPerSettledRequest: number | null;
  gasByStep: Record<string, number> | null;
  note?: string;
}

async function benchModes(nativeMissing: string | null): Promise<ModeRow[]> {
  const rows: ModeRow[] = [];
  for (const backend of nativeMissing ? (["wasm"] as const) : (["wasm", "native"] as const)) {
    for (const mode of ["attested", "onchain", "optimistic"] as const) {
      const r: ProofPathDemoResult = await runProofPathDemo({
        mode,
        requests: Number(values.requests),
        model: "iris-mlp",
        proverThreads: 2,
        proverBackend: backend,
        verifiers: NODES,
        challengeWindow: 15,
        log: (l) => process.stderr.write(`  [${mode}, ${backend}] ${l}\n`),
      });
      rows.push({
        mode: r.mode,
        backend,
        settled: r.settled,
        requests: r.requests,
        fastPathP50Ms: r.fastPathMs.p50,
        settlementP50Ms: r.settlementMs.p50,
        settlementP95Ms: r.settlementMs.p95,
        gasPerSettledRequest: r.gasPerSettledRequest.mean,
        gasByStep: r.gasPerSettledRequest.byStep,
        note: mode === "optimistic" ? "settlement time is dominated by the 15 s challenge window" : undefined,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------

const RESULTS = join(REPO_ROOT, "bench", "results", "proofpath.json");
const previous = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Record<string, unknown>) : {};

/** The LeNet section of an older file (one row at EZKL's scale-7 calibration, no config) in today's shape. */
function previousLenet(): LenetSection | null {
  const old = previous.lenet as (Partial<LenetSection> & Partial<LenetRow>) | null | undefined;
  if (!old) return null;
  if (Array.isArray(old.rows)) return old as LenetSection;
  const { compiler, ...row } = old as LenetRow & { compiler: LenetSection["compiler"] };
  const config: LenetConfig = { inputScale: 7, paramScale: 7, numInnerCols: 2, decompBase: 16384, decompLegs: 2 };
  const proveMs = ok(row.native) ? row.native.proveMs : undefined;
  return {
    compiler,
    rows: [{ ...row, label: lenetLabel(config), config, date: String(previous.date), machine: { unrecorded: "load not recorded (a shared, loaded machine)" }, vs: { targetMs: LENET_TARGET_MS, anchorMs: LENET_ANCHOR_MS, proveOverTarget: ratio(proveMs, LENET_TARGET_MS), proveOverAnchor: ratio(proveMs, LENET_ANCHOR_MS) } }],
  };
}

const nativeMissing = await nativeAvailable();
if (nativeMissing) log(`native EZKL unavailable, native columns skipped: ${nativeMissing}`);
log(`sections: ${[...RUN].join(", ")} (the others are kept from ${RESULTS.slice(REPO_ROOT.length + 1)})`);
const sections = { ...((previous.sections as Record<string, unknown>) ?? {}) } as Record<Section, unknown>;

let models = (previous.models as ModelRow[] | undefined) ?? [];
if (RUN.has("models")) {
  const machine = machineLoad();
  // a model benchmarked again replaces its row in place; rows of models not named in --models are kept
  for (const m of MODELS) {
    log(`benchmarking ${m}…`);
    const row = { ...(await benchModel(m, nativeMissing)), measured: { date: new Date().toISOString(), loadAvg: machine.loadAvg } };
    const at = models.findIndex((r) => r.model === m);
    models = at < 0 ? [...models, row] : models.map((r, i) => (i === at ? row : r));
  }
  sections.models = { date: new Date().toISOString(), machine: { ...machine, loadAvgEnd: loadavg().map(r1) }, proofsPerRun: PROOFS };
}

let lenet = previousLenet();
if (RUN.has("lenet")) {
  const cfg: LenetConfig = { inputScale: LENET_SCALE, paramScale: LENET_SCALE, numInnerCols: LENET_COLS, decompBase: 16384, decompLegs: 2 };
  const machine = machineLoad();
  const sweep = values["lenet-sweep"] && !nativeMissing ? await lenetSweep([1, 2, 4, 5, 6, 7], [16, 2, 8]) : lenet?.sweep;
  let rows = lenet?.rows ?? [];
  let compiler: LenetSection["compiler"] | null = null;
  if (!values["lenet-no-proof"]) {
    const r = await benchLenet(nativeMissing, cfg);
    compiler = r.compiler;
    rows = [r.row, ...rows.filter((x) => x.label !== r.row.label)];
  }
  lenet = { compiler: compiler ?? lenet?.compiler ?? { ok: false, error: "not attempted" }, rows, ...(sweep ? { sweep } : {}) };
  sections.lenet = { date: new Date().toISOString(), machine: { ...machine, loadAvgEnd: loadavg().map(r1) }, ...(values["lenet-no-proof"] ? { refreshed: "sweep only" } : {}) };
}

let modes = (previous.modes as ModeRow[] | undefined) ?? [];
if (RUN.has("e2e")) {
  const machine = machineLoad();
  modes = await benchModes(nativeMissing);
  sections.e2e = { date: new Date().toISOString(), machine: { ...machine, loadAvgEnd: loadavg().map(r1) }, model: "iris-mlp", requests: Number(values.requests), verifiers: NODES };
}

const pad = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
function table(head: string[], body: (string | number)[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  console.log(pad(head, widths));
  for (const b of body) console.log(pad(b, widths));
  console.log("");
}
const f0 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? "-" : String(Math.round(x)));
const f2 = (x: number | null | undefined) => (x === null || x === undefined ? "-" : x.toFixed(2));
const stageCell = (p: ProbeOutcome | undefined) => (ok(p) && p.stages ? `${f0(p.stages.setupMs)}/${f0(p.stages.layoutMs)}/${f0(p.stages.polyMs)}` : "-");
function backendRow(model: string, k: number, backend: string, r: BackendRows | { error: string }) {
  if ("error" in r) return [model, k, backend, `unavailable: ${r.error.slice(0, 60)}`, "", "", "", "", "", "", ""];
  const one = r.one;
  if (!ok(one)) return [model, k, backend, `failed: ${one.error.slice(0, 60)}`, "", "", "", "", "", "", ""];
  return [model, k, backend, f0(one.engineStartMs), f0(one.keyLoadMs), f0(one.witnessMs), f0(one.proveMs), stageCell(r.stages), f0(one.peakMemoryMB), f2(one.proofsPerSecond), ok(r.two) ? f2(r.two.proofsPerSecond) : `failed`];
}

if (RUN.has("models")) {
  console.log(`proving, ${PROOFS} proofs per run (medians; 1 prover = WASM 1 thread | native 1 process × ${CORES} threads; 2 provers = 2 threads | 2 processes × 1 thread)`);
  table(
    ["model", "k", "backend", "start ms", "key load ms", "witness ms", "prove ms", "setup/layout/poly ms", "peak MB", "proofs/s 1", "proofs/s 2"],
    models.flatMap((m) => [backendRow(m.model, m.logrows, "wasm", m.wasm), backendRow(m.model, m.logrows, "native", m.native)]),
  );
  console.log("native vs WASM (same run)");
  table(
    ["model", "prove speedup", "proofs/s ×, 1 prover", "proofs/s ×, 2 provers", "peak memory ×", "verify ms engine/native/ts"],
    models.map((m) => [m.model, m.ratios.proveSpeedup ?? "-", m.ratios.proofsPerSecond1 ?? "-", m.ratios.proofsPerSecond2 ?? "-", m.ratios.peakMemory ?? "-", `${m.verifyMs.engine}/${m.verifyMs.native ?? "-"}/${m.verifyMs.ts}`]),
  );
  console.log("re-execution and the HACA ratio");
  table(
    ["model", "proof B", "onnx ms", "witness ms", `HACA ${NODES}x re-exec/verify`],
    models.map((m) => [m.model, m.proofBytes, m.reexecMs.onnxruntime, m.reexecMs.ezklWitness, `${m.haca.ratioOnnx} (witness ${m.haca.ratioWitness})`]),
  );
}
if (lenet && (RUN.has("lenet") || values.lenet)) {
  console.log("LeNet-5-class CNN, 28×28 input (EZKL's own settings and circuit; every configuration in the JSON)");
  console.log(`  project compiler: ${lenet.compiler.ok ? `logrows ${lenet.compiler.logrows} in ${lenet.compiler.ms} ms` : lenet.compiler.error}`);
  const loadCell = (m: LenetRow["machine"]) => ("loadAvg" in m ? m.loadAvg[0] : "?");
  table(
    ["config", "k", "rows", "pk MB", "keys s", "argmax ok", "max |err|", "native prove s", "peak MB", "× 2 s target", "× 0.2 s anchor", "load", "date"],
    lenet.rows.map((r) => {
      const e = "error" in r.ezkl ? null : r.ezkl;
      const a = r.accuracy && !("error" in r.accuracy) ? r.accuracy : null;
      const n = ok(r.native) ? r.native : null;
      return [r.label, e?.logrows ?? "-", e?.numRows ?? "-", e?.pkMB ?? "-", e ? f0(e.setupMs / 1000) : "-", a ? `${a.argmaxAgree}/${a.inputs}` : "-", a?.maxAbsLogitError ?? "-", n ? (n.proveMs / 1000).toFixed(1) : "-", n ? f0(n.peakMemoryMB) : "-", r.vs?.proveOverTarget ?? "-", r.vs?.proveOverAnchor ?? "-", loadCell(r.machine), r.date.slice(0, 10)];
    }),
  );
  if (lenet.sweep) {
    console.log("  sweep (circuit and accuracy only, no keys): EZKL 21 range-checks ReLU, so the rows do not depend on the scale");
    table(
      ["config", "k", "rows", "assignments", "argmax ok", "max |err|"],
      lenet.sweep.map((r) => [r.label, r.logrows, r.numRows, r.totalAssignments, "error" in r.accuracy ? r.accuracy.error.slice(0, 40) : `${r.accuracy.argmaxAgree}/${r.accuracy.inputs}`, "error" in r.accuracy ? "-" : r.accuracy.maxAbsLogitError]),
    );
  }
  for (const r of lenet.rows) {
    if (r.native && !ok(r.native)) console.log(`  ${r.label}: native failed: ${r.native.error}`);
    if ("skipped" in r.wasm) console.log(`  ${r.label}: WASM skipped: ${r.wasm.skipped}`);
    else if (ok(r.wasm)) console.log(`  ${r.label}: WASM prove ${f0(r.wasm.proveMs)} ms, peak ${f0(r.wasm.peakMemoryMB)} MB`);
  }
  console.log("");
}
if (RUN.has("e2e") && modes.length) {
  table(
    ["mode", "prover", "settled", "fast p50 ms", "settle p50/p95 s", "gas/settled request"],
    modes.map((m) => [m.mode, `${m.backend} ×2`, `${m.settled}/${m.requests}`, m.fastPathP50Ms ?? "-", m.settlementP50Ms === null ? "-" : `${(m.settlementP50Ms / 1000).toFixed(1)}/${((m.settlementP95Ms ?? 0) / 1000).toFixed(1)}`, m.gasPerSettledRequest ?? "pending"]),
  );
}

const strip = (p: ProbeOutcome | undefined) => (ok(p) ? { ...p, proof: undefined } : p);
const stripRows = (r: BackendRows | { error: string }) => ("error" in r ? r : { one: strip(r.one), two: strip(r.two), stages: strip(r.stages) });
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  ezkl: { wasm: "@ezkljs/engine@21.0.0", native: nativeMissing ? `unavailable: ${nativeMissing}` : "ezkl==21.0.0 (Python)" },
  /** when each section was last measured and the machine's load meanwhile */
  sections,
  proofsPerRun: RUN.has("models") ? PROOFS : previous.proofsPerRun,
  models: models.map((m) => ({ ...m, wasm: stripRows(m.wasm), native: stripRows(m.native) })),
  lenet: lenet && { ...lenet, rows: lenet.rows.map((r) => ({ ...r, native: strip(r.native), wasm: "skipped" in r.wasm ? r.wasm : strip(r.wasm) })) },
  modes,
};
mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(RESULTS, JSON.stringify(out, null, 2) + "\n");
console.log(`wrote bench/results/proofpath.json (${[...RUN].join(", ")} refreshed)`);
process.exit(0);
