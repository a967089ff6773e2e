/**
 * What the fast path's answer costs, for each demo model, measured side by side in one run:
 *
 *  - float: onnxruntime-node on the decoded input, output encoded at the output scale (the executor before the
 *    sound-incentives rules). Its answer differs from the proven one (the circuit's fixed-point output), so the
 *    model needs a tolerance: the table shows the largest difference found over the corners and random points of
 *    the admitted input domain, a lower bound of any sound tolerance for a float executor.
 *  - circuit witness: the EZKL witness of the registered circuit (what the executor returns now). Equal to the
 *    proven output by construction: tolerance 0.
 *
 *   node --import tsx bench/executor.ts [points=200]
 *
 * Prints a table and writes bench/results/executor.json. Latencies are per inference, p50 over the points, on
 * this shared machine (compare within the run).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import fc from "fast-check";
import * as ort from "onnxruntime-node";

import { loadBundle } from "../compiler/bundle.js";
import type { Admission } from "../compiler/domain.js";
import { genWitness } from "../compiler/engine/engine.js";
import { committedBundleDir } from "../models/bundle.js";
import { DEMO_MODEL_NAMES } from "../models/specs.js";
import { quantize } from "../protocol/fixedPoint.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

const POINTS = Number(process.argv[2] ?? 200);
const SEED = 20261209;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows: Record<string, Record<string, number | string>> = {};
for (const name of DEMO_MODEL_NAMES) {
  const b = loadBundle(committedBundleDir(name));
  const m = b.manifest;
  const a = m.admission as Admission;
  const compiled = b.read("compiled");
  const session = await ort.InferenceSession.create(b.read("onnx"));
  const n = a.lower.length;
  const corners = Array.from({ length: 2 ** n }, (_, c) => a.lower.map((l, i) => ((c >> i) & 1 ? a.upper[i] : l)));
  const inside = fc.sample(fc.tuple(...a.lower.map((l, i) => fc.integer({ min: l, max: a.upper[i] }))), { numRuns: POINTS, seed: SEED });
  const points = [...corners, ...inside];
  const floatMs: number[] = [];
  const witnessMs: number[] = [];
  let maxDiff = 0;
  let differing = 0;
  for (const p of points) {
    const x = p.map((v) => v / 2 ** m.input.scale);
    let t = performance.now();
    const r = await session.run({ [m.input.name]: new ort.Tensor("float32", Float32Array.from(x), m.input.shape) });
    const fast = quantize(r[session.outputNames[0]].data as Float32Array, m.output.scale);
    floatMs.push(performance.now() - t);
    t = performance.now();
    const proven = genWitness(compiled, x).outputs;
    witnessMs.push(performance.now() - t);
    const d = Math.max(...fast.map((v, i) => Math.abs(Number(v - proven[i]))));
    if (d > 0) differing++;
    maxDiff = Math.max(maxDiff, d);
  }
  rows[name] = {
    points: points.length,
    "float p50 ms": Number(p50(floatMs).toFixed(3)),
    "witness p50 ms": Number(p50(witnessMs).toFixed(3)),
    "float: answers != proven": differing,
    "float: tolerance needed >=": maxDiff,
    "witness: tolerance": a.tolerance,
  };
}

console.log(`Fast-path answer per demo model: onnxruntime float vs the circuit's witness, over the admitted domain (${POINTS} random points + corners)`);
console.table(rows);
const out = join(REPO_ROOT, "bench", "results", "executor.json");
writeFileSync(out, `${JSON.stringify({ description: "bench/executor.ts: float executor vs circuit witness, per demo model", points: POINTS, seed: SEED, models: rows }, null, 2)}\n`);
console.log(`Wrote ${out}`);

