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
 *   node --import tsx bench/proofpath.ts [--models iris-mlp,iris-deep,iris-cnn] [--proofs 6] [--requests 6] [--nodes 3]
 *        [--skip-e2e] [--lenet] [--lenet-compiler-timeout 240] [--lenet-wasm-max-logrows 17]
 *
 * --lenet adds the LeNet-5-class model. It is heavy on this hardware: EZKL calibrates it to 2^20 rows (scale 7,
 * fixed weights), so its SRS and keys take tens of minutes the first time (cached in .twinpath/bench/), its proving
 * key is ~4 GB and a proof needs ~10 GB of memory, so it runs one native prover only.
 *
 * Native figures need the Python package (python3 -m pip install --require-hashes -r workers/proofs/native/requirements.txt;
 * PROVER_PYTHON picks the interpreter); without it the native columns say why they are missing.
 * Prints tables and writes bench/results/proofpath.json.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
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
import { lenet5Onnx, lenetInputs } from "./lib/lenet5.js";
import type { ProbeArgs, ProbeResult } from "./lib/proveProbe.js";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "iris-mlp,iris-deep,iris-cnn" },
    proofs: { type: "string", default: "6" },
    requests: { type: "string", default: "6" },
    nodes: { type: "string", default: "3" },
    "skip-e2e": { type: "boolean", default: false },
    lenet: { type: "boolean", default: false },
    "lenet-compiler-timeout": { type: "string", default: "240" },
    "lenet-wasm-max-logrows": { type: "string", default: "17" },
  },
});
const MODELS = values.models!.split(",").map((m) => m.trim());
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
  const feed = (x: number[]) => ({ [shapes.inputName]: new ort.Tensor("float32", Float32Array.from(x), shapes.input) });
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

interface LenetRow {
  model: "lenet5-28x28";
  /** EZKL's own gen_settings + calibrate_settings ("resources") + compile_circuit, at input/param scale 7 */
  ezkl: { logrows: number; numRows: number; totalAssignments: number; calibrateMs: number; srsMs: number; setupMs: number; pkMB: number } | { error: string };
  /** one process with a pool of CORES threads, one proof, with the stage split */
  native?: ProbeOutcome;
  wasm: ProbeOutcome | { skipped: string };
  /** the project's compiler on the same ONNX */
  compiler: { ok: true; logrows: number; ms: number } | { ok: false; error: string };
}

/** EZKL's own artifacts for the LeNet-5-class model, built once and cached by the ONNX hash. */
async function lenetArtifacts(): Promise<{ dir: string; files: ProbeArgs["files"]; meta: Exclude<LenetRow["ezkl"], { error: string }> }> {
  const onnx = lenet5Onnx();
  const dir = join(REPO_ROOT, ".twinpath", "bench", `lenet5-${createHash("sha256").update(onnx).digest("hex").slice(0, 12)}`);
  const files = { compiled: join(dir, "model.compiled"), settings: join(dir, "settings.json"), srs: join(dir, "kzg.srs"), vk: join(dir, "vk.key"), pk: join(dir, "pk.key") };
  const metaPath = join(dir, "meta.json");
  if (existsSync(metaPath) && Object.values(files).every(existsSync)) return { dir, files, meta: JSON.parse(readFileSync(metaPath, "utf8")) };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.onnx"), onnx);
  writeFileSync(join(dir, "calibration.json"), JSON.stringify({ input_data: [lenetInputs(4).flat()] }));
  const ezkl = await NativeChild.start({ python: PYTHON });
  try {
    const model = join(dir, "model.onnx");
    await ezkl.call("genSettings", { model, settings: files.settings, runArgs: { input_visibility: "public", output_visibility: "public", param_visibility: "fixed", input_scale: 7, param_scale: 7 } });
    const cal = await ezkl.call<{ ms: number }>("calibrate", { data: join(dir, "calibration.json"), model, settings: files.settings, target: "resources", scales: [7], scaleRebaseMultiplier: [1] });
    await ezkl.call("compile", { model, compiled: files.compiled, settings: files.settings });
    const s = JSON.parse(readFileSync(files.settings, "utf8"));
    log(`  lenet5: EZKL calibrated logrows ${s.run_args.logrows}, ${s.num_rows} rows; generating an SRS and keys…`);
    const t0 = performance.now();
    await ezkl.call("genSrs", { srs: files.srs, logrows: s.run_args.logrows });
    const srsMs = Math.round(performance.now() - t0);
    const setup = await ezkl.call<{ ms: number }>("setup", { compiled: files.compiled, srs: files.srs, vk: files.vk, pk: files.pk });
    const meta = { logrows: s.run_args.logrows, numRows: s.num_rows, totalAssignments: s.total_assignments, calibrateMs: Math.round(cal.ms), srsMs, setupMs: Math.round(setup.ms), pkMB: r1(statSync(files.pk).size / 2 ** 20) };
    writeFileSync(metaPath, JSON.stringify(meta));
    return { dir, files, meta };
  } finally {
    await ezkl.close();
  }
}

/** The project's compiler on the LeNet ONNX, in a child process with a time limit. */
function tryCompiler(timeoutS: number): Promise<LenetRow["compiler"]> {
  if (timeoutS <= 0) return Promise.resolve({ ok: false, error: "not attempted (--lenet-compiler-timeout 0)" });
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

async function benchLenet(nativeMissing: string | null): Promise<LenetRow> {
  log("LeNet-5 (28×28)…");
  const row: LenetRow = { model: "lenet5-28x28", ezkl: { error: nativeMissing ?? "" }, wasm: { skipped: "" }, compiler: { ok: false, error: "" } };
  row.compiler = await tryCompiler(Number(values["lenet-compiler-timeout"]));
  log(`  project compiler: ${row.compiler.ok ? `logrows ${row.compiler.logrows}` : row.compiler.error}`);
  if (nativeMissing) {
    row.wasm = { skipped: "needs EZKL's own artifacts (native EZKL)" };
    return row;
  }
  const { files, meta } = await lenetArtifacts();
  row.ezkl = meta;
  const inputs = lenetInputs(1, 21).map((x) => dequantize(quantize(x, 7), 7));
  log(`  native: 1 process × ${CORES} threads, one proof (no warm-up) with its stage split (a second process would need another ~10 GB)…`);
  row.native = await runProbe({ backend: "native", files, inputs, provers: 1, threadsPerProcess: CORES, stageDetail: true, python: PYTHON, warmup: false, taskTimeoutMs: 7_200_000 }, 7_200_000);
  const maxK = Number(values["lenet-wasm-max-logrows"]);
  if (meta.logrows > maxK) row.wasm = { skipped: `logrows ${meta.logrows} > ${maxK}: a ${meta.pkMB} MB proving key does not fit the engine's 4 GiB WASM address space (raise --lenet-wasm-max-logrows to try)` };
  else {
    log("  WASM (EZKL's artifacts, 1 thread)…");
    row.wasm = await runProbe({ backend: "wasm", files, inputs, provers: 1, warmup: false, taskTimeoutMs: 7_200_000 }, 7_200_000);
  }
  return row;
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

const nativeMissing = await nativeAvailable();
if (nativeMissing) log(`native EZKL unavailable, native columns skipped: ${nativeMissing}`);
const models: ModelRow[] = [];
for (const m of MODELS) {
  log(`benchmarking ${m}…`);
  models.push(await benchModel(m, nativeMissing));
}
const lenet = values.lenet ? await benchLenet(nativeMissing) : null;
const modes = values["skip-e2e"] ? [] : await benchModes(nativeMissing);

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
if (lenet) {
  console.log("LeNet-5-class CNN, 28×28 input (EZKL's own settings and circuit; the project's compiler tried on the same ONNX)");
  const e = lenet.ezkl;
  console.log(`  EZKL: ${"error" in e ? `unavailable: ${e.error}` : `logrows ${e.logrows}, ${e.numRows} rows, ${e.totalAssignments} assignments, pk ${e.pkMB} MB; calibrate ${e.calibrateMs} ms, SRS ${e.srsMs} ms, keys ${e.setupMs} ms`}`);
  console.log(`  project compiler: ${lenet.compiler.ok ? `logrows ${lenet.compiler.logrows} in ${lenet.compiler.ms} ms` : lenet.compiler.error}`);
  const n = lenet.native;
  console.log(`  native 1 process × ${CORES} threads: ${!n ? "-" : ok(n) ? `key load ${f0(n.keyLoadMs)} ms, witness ${f0(n.witnessMs)} ms, prove ${f0(n.proveMs)} ms (setup/layout/poly ${stageCell(n)}), peak ${f0(n.peakMemoryMB)} MB` : `failed: ${n.error}`}`);
  console.log(`  WASM: ${"skipped" in lenet.wasm ? `skipped: ${lenet.wasm.skipped}` : ok(lenet.wasm) ? `prove ${f0(lenet.wasm.proveMs)} ms, peak ${f0(lenet.wasm.peakMemoryMB)} MB` : `failed: ${lenet.wasm.error}`}`);
  console.log("");
}
if (modes.length) {
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
  proofsPerRun: PROOFS,
  models: models.map((m) => ({ ...m, wasm: stripRows(m.wasm), native: stripRows(m.native) })),
  lenet: lenet && { ...lenet, native: strip(lenet.native), wasm: "skipped" in lenet.wasm ? lenet.wasm : strip(lenet.wasm) },
  modes,
};
mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(REPO_ROOT, "bench", "results", "proofpath.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`wrote bench/results/proofpath.json`);
process.exit(0);
