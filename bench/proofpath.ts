/**
 * Proof-path benchmark. Per demo model: proof time with 1 and 2 proving threads (EnginePool), off-chain verify
 * time (engine and the TS verifier), re-execution time (onnxruntime, and EZKL's integer witness), and the HACA ratio:
 * N verification nodes re-executing the model vs N nodes verifying one proof. Then end to end on a local stack
 * (iris-mlp): time from request to settlement and gas per settled request in each mode.
 *
 *   node --import tsx bench/proofpath.ts [--models iris-mlp,iris-deep,iris-cnn] [--proofs 4] [--requests 6] [--nodes 3] [--skip-e2e]
 *
 * Prints a table and writes bench/results/proofpath.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
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
import { parseEngineProof, proofInstances, rawProofBytes } from "../workers/proofs/proofJson.js";
import { ProofVerifier } from "../workers/verifier-node/backends.js";
import { runProofPathDemo, type ProofPathDemoResult } from "../scripts/demo/proofpath.js";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "iris-mlp,iris-deep,iris-cnn" },
    proofs: { type: "string", default: "4" },
    requests: { type: "string", default: "6" },
    nodes: { type: "string", default: "3" },
    "skip-e2e": { type: "boolean", default: false },
  },
});
const MODELS = values.models!.split(",").map((m) => m.trim());
const PROOFS = Number(values.proofs);
const NODES = Number(values.nodes);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

interface ModelRow {
  model: string;
  logrows: number;
  proofBytes: number;
  prove: { threads: number; proofs: number; wallMs: number; perProofMs: number; proofsPerSecond: number }[];
  verifyMs: { engine: number; ts: number };
  reexecMs: { onnxruntime: number; ezklWitness: number };
  haca: {
    nodes: number;
    /** N nodes each re-running the model (onnxruntime) */
    reexecuteTotalMs: number;
    /** N nodes each verifying the one proof (engine) */
    verifyTotalMs: number;
    /** reexecuteTotalMs / verifyTotalMs: > 1 means verifying is cheaper than re-executing */
    ratioOnnx: number;
    /** the same with deterministic integer re-execution (EZKL witness), what agreement between nodes would need */
    ratioWitness: number;
  };
}

async function benchModel(name: string): Promise<ModelRow> {
  const bundle = await ensureDemoBundle(name);
  const b = loadBundle(bundle.dir, { requirePk: true });
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

  // Proving throughput with 1 and 2 threads (a warm-up proof first loads the artifacts into each thread).
  const prove: ModelRow["prove"] = [];
  let sample: { proof: Uint8Array; instances: bigint[] } | undefined;
  for (const threads of [1, 2]) {
    const pool = new EnginePool({ threads });
    try {
      await Promise.all(Array.from({ length: threads }, () => pool.prove(b.manifestHash, artifacts, inputs[0])));
      const t0 = performance.now();
      const results = await Promise.all(inputs.map((x) => pool.prove(b.manifestHash, artifacts, x)));
      const wallMs = performance.now() - t0;
      const p = parseEngineProof(results[0].proof);
      sample ??= { proof: rawProofBytes(p), instances: proofInstances(p) };
      prove.push({ threads, proofs: inputs.length, wallMs: Math.round(wallMs), perProofMs: Math.round(median(results.map((r) => r.witnessMs + r.proveMs))), proofsPerSecond: r3((inputs.length * 1000) / wallMs) });
    } finally {
      await pool.close();
    }
  }

  // Verification, each backend, median of 5 after a warm-up.
  const pool = new EnginePool({ threads: 1 });
  const verifyMs = { engine: 0, ts: 0 };
  try {
    for (const backend of ["engine", "ts"] as const) {
      const v = new ProofVerifier(backend, pool);
      const warm = await v.verify(artifacts, sample!.proof, sample!.instances);
      if (!warm.valid) throw new Error(`${name}: ${backend} rejected a fresh proof`);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await v.verify(artifacts, sample!.proof, sample!.instances)).checks[0].ms);
      verifyMs[backend] = r1(median(times));
    }
  } finally {
    await pool.close();
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
  return {
    model: name,
    logrows: b.manifest.logrows,
    proofBytes: sample!.proof.length,
    prove,
    verifyMs,
    reexecMs,
    haca: {
      nodes: NODES,
      reexecuteTotalMs: r3(NODES * reexecMs.onnxruntime),
      verifyTotalMs: r1(verifyTotal),
      ratioOnnx: Number((NODES * reexecMs.onnxruntime / verifyTotal).toPrecision(3)),
      ratioWitness: Number((NODES * reexecMs.ezklWitness / verifyTotal).toPrecision(3)),
    },
  };
}

interface ModeRow {
  mode: string;
  settled: number;
  requests: number;
  fastPathP50Ms: number | null;
  settlementP50Ms: number | null;
  settlementP95Ms: number | null;
  gasPerSettledRequest: number | null;
  gasByStep: Record<string, number> | null;
  note?: string;
}

async function benchModes(): Promise<ModeRow[]> {
  const rows: ModeRow[] = [];
  for (const mode of ["attested", "onchain", "optimistic"] as const) {
    const r: ProofPathDemoResult = await runProofPathDemo({
      mode,
      requests: Number(values.requests),
      model: "iris-mlp",
      proverThreads: 2,
      verifiers: NODES,
      challengeWindow: 15,
      log: (l) => process.stderr.write(`  [${mode}] ${l}\n`),
    });
    rows.push({
      mode: r.mode,
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
  return rows;
}

const models: ModelRow[] = [];
for (const m of MODELS) {
  process.stderr.write(`benchmarking ${m}…\n`);
  models.push(await benchModel(m));
}
const modes = values["skip-e2e"] ? [] : await benchModes();

const pad = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
const head = ["model", "k", "proof B", "prove 1t ms", "2t proofs/s (1t)", "verify engine/ts ms", "onnx ms", "witness ms", `HACA ${NODES}x re-exec/verify`];
const body = models.map((m) => [
  m.model,
  m.logrows,
  m.proofBytes,
  m.prove[0].perProofMs,
  `${m.prove[1].proofsPerSecond} (${m.prove[0].proofsPerSecond})`,
  `${m.verifyMs.engine}/${m.verifyMs.ts}`,
  m.reexecMs.onnxruntime,
  m.reexecMs.ezklWitness,
  `${m.haca.ratioOnnx} (witness ${m.haca.ratioWitness})`,
]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
console.log(pad(head, widths));
for (const b of body) console.log(pad(b, widths));
if (modes.length) {
  console.log("");
  const mh = ["mode", "settled", "fast p50 ms", "settle p50/p95 s", "gas/settled request"];
  const mb = modes.map((m) => [m.mode, `${m.settled}/${m.requests}`, m.fastPathP50Ms ?? "-", m.settlementP50Ms === null ? "-" : `${(m.settlementP50Ms / 1000).toFixed(1)}/${((m.settlementP95Ms ?? 0) / 1000).toFixed(1)}`, m.gasPerSettledRequest ?? "pending"]);
  const mw = mh.map((h, i) => Math.max(h.length, ...mb.map((b) => String(b[i]).length)));
  console.log(pad(mh, mw));
  for (const b of mb) console.log(pad(b, mw));
}

const out = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, proofsPerRun: PROOFS, models, modes };
mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(REPO_ROOT, "bench", "results", "proofpath.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`\nwrote bench/results/proofpath.json`);
process.exit(0);
