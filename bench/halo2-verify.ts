// Benchmark: the TS Halo2 verifier vs the engine's verify on the same proofs, side by side in one run.
// Usage: node --import tsx bench/halo2-verify.ts [iterations]   (needs /work/shared or ../shared vectors)
// Writes bench/results/halo2-verify.json.
import fs from "node:fs";
import path from "node:path";
import { verifyProofDetailed } from "../halo2/verify/verifier.js";
import { loadVector, SHARED } from "../testkit/halo2/vectors.js";
import { cachedEngineProof, engineVerify, type EngineKey } from "../testkit/halo2/engine.js";
import { bundleFiles, describeBundle } from "../halo2/circuit/describe.js";
import { readSrsVerifierParams, type SrsVerifierParams } from "../halo2/circuit/encoding.js";
import { instancesFromProofJson } from "../halo2/verify/instances.js";
import type { CircuitDescription } from "../halo2/circuit/types.js";
import { DEMO_MODEL_NAMES, ensureDemoBundle, exampleInputs } from "../models/index.js";
import { loadShuffleCircuit, SHUFFLE_CIRCUIT_NAMES } from "../testkit/halo2/shuffle-circuit.js";

const iterations = Number(process.argv[2] ?? 10);
if (!SHARED) {
  console.error("bench/halo2-verify: shared EZKL vectors are absent; nothing to measure");
  process.exit(1);
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}

function time(fn: () => boolean): { ms: number; ok: boolean } {
  const t = process.hrtime.bigint();
  const ok = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, ok };
}

interface Case {
  name: string;
  desc: CircuitDescription;
  proof: Uint8Array;
  instances: bigint[][];
  srs: SrsVerifierParams;
  key: EngineKey;
}

const cases: Case[] = [];
for (const name of ["fixture", "mlp"] as const) {
  const v = loadVector(name);
  cases.push({ name, desc: v.desc, proof: v.proof, instances: v.instances, srs: v.srs, key: { vk: v.vkBytes, settings: v.settings, srs: v.srsBytes, proofJsonTemplate: v.proofJson } });
}
// The project's demo bundles (proofs cached under .twinpath/halo2).
{
  for (const name of DEMO_MODEL_NAMES) {
    const { dir } = await ensureDemoBundle(name);
    const files = bundleFiles(dir);
    const read = (f: string) => new Uint8Array(fs.readFileSync(f));
    const desc = await describeBundle(dir);
    const vk = read(files.vk);
    const input = JSON.stringify({ input_data: [exampleInputs(name, 1)[0]] });
    const pj = cachedEngineProof(`${name}-${Buffer.from(vk.subarray(7, 15)).toString("hex")}`, read(files.compiled), read(files.srs), vk, input);
    cases.push({
      name,
      desc,
      proof: Uint8Array.from(pj.proof as number[]),
      instances: instancesFromProofJson(pj),
      srs: readSrsVerifierParams(read(files.srs)),
      key: { vk, settings: read(files.settings), srs: read(files.srs), proofJsonTemplate: pj },
    });
  }
}

// Circuits with EZKL shuffle arguments (MaxPool, Softmax) compiled by compiler/ (cached under .twinpath/halo2).
for (const name of SHUFFLE_CIRCUIT_NAMES) {
  const c = await loadShuffleCircuit({ name });
  cases.push({ name, desc: c.desc, proof: c.proof, instances: c.instances, srs: c.srs, key: c.engineKey });
}

const rows = [];
for (const c of cases) {
  const name = c.name;
  const v = { desc: c.desc, proof: c.proof, instances: c.instances, srs: c.srs };
  const key = c.key;
  const tsCold = time(() => verifyProofDetailed(v.desc, v.proof, v.instances, v.srs).ok);
  const engCold = time(() => engineVerify(key, v.proof, v.instances).ok);
  const ts: number[] = [];
  const eng: number[] = [];
  for (let i = 0; i < iterations; i++) {
    // Interleave so both see the same machine load.
    const a = time(() => verifyProofDetailed(v.desc, v.proof, v.instances, v.srs).ok);
    const b = time(() => engineVerify(key, v.proof, v.instances).ok);
    if (!a.ok || !b.ok) throw new Error(`${name}: a verifier rejected the valid proof (ts=${a.ok}, engine=${b.ok})`);
    ts.push(a.ms);
    eng.push(b.ms);
  }
  rows.push({
    circuit: name,
    k: v.desc.k,
    csDegree: v.desc.derived.csDegree,
    proofBytes: v.proof.length,
    gates: v.desc.cs.gates.length,
    lookups: v.desc.cs.lookups.length,
    permutationColumns: v.desc.cs.permutationColumns.length,
    tsColdMs: tsCold.ms,
    engineColdMs: engCold.ms,
    ts: stats(ts),
    engine: stats(eng),
  });
}

const fmt = (x: number) => x.toFixed(1).padStart(8);
console.log(`halo2 verify, ${iterations} iterations each (ms; cold = first call in the process)`);
console.log("circuit       k  proof B   TS median   TS min  engine median  engine min   TS cold  engine cold  TS/engine");
for (const r of rows) {
  console.log(
    `${r.circuit.padEnd(12)} ${String(r.k).padStart(2)} ${String(r.proofBytes).padStart(8)} ${fmt(r.ts.median)}    ${fmt(r.ts.min)} ${fmt(r.engine.median)}      ${fmt(r.engine.min)}  ${fmt(r.tsColdMs)}  ${fmt(r.engineColdMs)}    ${(r.ts.median / r.engine.median).toFixed(2)}`,
  );
}
const out = path.resolve("bench/results/halo2-verify.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, iterations, engine: "@ezkljs/engine@21.0.0 (WASM, single thread)", rows }, null, 2) + "\n",
);
console.log(`wrote ${path.relative(process.cwd(), out)}`);
