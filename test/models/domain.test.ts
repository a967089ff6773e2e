/**
 * The admitted input domain of each demo model (manifest.admission, compiler/domain.ts): the engine lays out every
 * corner of the domain with each lookup input inside the circuit's lookup range (what a proof of that input
 * needs), the two extreme corners and random points inside it prove and verify with the real engine (two worker
 * threads), and the proof's outputs are the witness's (what the executor returns), so the registered tolerance of 0
 * holds. The interval analysis behind the domain contains every simulated value, and it refuses boxes the circuit
 * cannot take. (test/proofpath/domain.e2e.test.ts takes four corners per model through the chain.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";

import fc from "fast-check";

import { loadBundle } from "../../compiler/bundle.js";
import { boundModel, deriveAdmission, domainProblem, type Admission } from "../../compiler/domain.js";
import { feltHexToInt, genWitness } from "../../compiler/engine/engine.js";
import { lowerGraph, simulate } from "../../compiler/graph/lower.js";
import { readOnnxModel } from "../../compiler/onnx/read.js";
import { calibrationSamples, committedBundleDir } from "../../models/bundle.js";
import { DEMO_MODEL_NAMES } from "../../models/specs.js";
import { ensureDemoBundle } from "../../models/index.js";

const SEED = 20261208;
const RANDOM_POINTS = 2;

function load(name: string) {
  const dir = committedBundleDir(name);
  const b = loadBundle(dir);
  const settings = JSON.parse(new TextDecoder().decode(b.read("settings")));
  const ra = settings.run_args;
  const lowered = lowerGraph(readOnnxModel(b.read("onnx")), { inputScale: b.manifest.input.scale, paramScale: ra.param_scale });
  const ranges = { decompBase: ra.decomp_base, decompLegs: ra.decomp_legs, lookupRange: ra.lookup_range as [number, number] };
  return { dir, b, lowered, ranges, admission: b.manifest.admission as Admission, scale: b.manifest.input.scale };
}

/** Every corner of the box, then `random` integer points drawn uniformly inside it (seeded). */
function pointsOf(a: Admission, random: number, seed: number): number[][] {
  const n = a.lower.length;
  const corners = Array.from({ length: 2 ** n }, (_, c) => a.lower.map((l, i) => ((c >> i) & 1 ? a.upper[i] : l)));
  const inside = fc.sample(
    fc.tuple(...a.lower.map((l, i) => fc.integer({ min: l, max: a.upper[i] }))),
    { numRuns: random, seed },
  );
  return [...corners, ...inside];
}

/** Proves `inputs` (floats) in a worker thread against the bundle's files (`dir` holds the proving key too). */
function proveAll(dir: string, inputs: number[][]): Promise<{ ok: boolean; error?: string; witnessOutputs?: string[]; instances?: string[] }[]> {
  const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./domain-prover.mjs", import.meta.url), {
      workerData: { compiled: read("model.compiled"), srs: read("kzg.srs"), vk: read("vk.key"), pk: read("pk.key"), settings: read("settings.json"), inputs },
    });
    w.once("message", (m) => {
      void w.terminate();
      resolve(m);
    });
    w.once("error", reject);
  });
}

describe("admitted input domain of the demo models", () => {
  for (const name of DEMO_MODEL_NAMES) {
    it(`${name}: recorded in the manifest, reproducible, tolerance 0 with the circuit's own output`, () => {
      const { lowered, ranges, admission } = load(name);
      assert.ok(admission, "manifest.admission is missing: rebuild the bundle (models/build-demo-models.ts)");
      assert.deepEqual(admission, deriveAdmission(lowered, ranges, calibrationSamples()));
      assert.equal(admission.tolerance, 0);
      assert.equal(admission.fastPath, "circuit-witness");
      assert.equal(domainProblem(lowered, ranges, admission.lower, admission.upper), undefined);
      // the domain holds every calibration sample when the circuit allows it (widening >= 1)
      if (admission.widening >= 1) {
        for (const x of calibrationSamples()) {
          x.forEach((v, i) => {
            const q = Math.round(v * 2 ** lowered.inputScale);
            assert.ok(q >= admission.lower[i] && q <= admission.upper[i], `sample value ${q} outside [${admission.lower[i]}, ${admission.upper[i]}]`);
          });
        }
      }
    });

    it(`${name}: the interval analysis contains every simulated value inside the domain`, () => {
      const { lowered, admission, scale } = load(name);
      const s = 2 ** scale;
      const bounds = boundModel(lowered, admission.lower.map((v) => v / s), admission.upper.map((v) => v / s));
      for (const x of pointsOf(admission, 200, SEED)) {
        const values = simulate(lowered, x.map((v) => v / s));
        for (const [idx, { lo, hi }] of bounds) {
          values.get(idx)!.data.forEach((v, i) => assert.ok(v >= lo.data[i] - 1e-9 && v <= hi.data[i] + 1e-9, `node ${idx}[${i}] = ${v} outside [${lo.data[i]}, ${hi.data[i]}]`));
        }
      }
    });
  }

  it("every corner of each demo model's domain is laid out with its lookups inside the circuit's range", () => {
    for (const name of DEMO_MODEL_NAMES) {
      const { b, admission, scale, ranges } = load(name);
      const [lo, hi] = ranges.lookupRange;
      for (const corner of pointsOf(admission, 0, SEED)) {
        const w = genWitness(b.read("compiled"), corner.map((v) => v / 2 ** scale));
        assert.ok(w.minLookupInputs >= lo && w.maxLookupInputs <= hi, `${name}: corner ${corner.join(",")} looks up [${w.minLookupInputs}, ${w.maxLookupInputs}], outside the range [${lo}, ${hi}]`);
      }
    }
  });

  it("the extreme corners and random points of each demo model's domain prove and verify, with the witness's outputs", { timeout: 900_000 }, async () => {
    // the demo bundles with their proving keys (derived once, hash-checked and cached: the e2e tests use them too)
    const dirs = new Map(await Promise.all(DEMO_MODEL_NAMES.map(async (name) => [name, (await ensureDemoBundle(name)).dir] as const)));
    const jobs = DEMO_MODEL_NAMES.map((name) => {
      const { admission, scale } = load(name);
      const dir = dirs.get(name)!;
      // all lower bounds, all upper bounds, then random points inside
      const points = [[...admission.lower], [...admission.upper], ...pointsOf(admission, RANDOM_POINTS, SEED).slice(2 ** admission.lower.length)];
      return { name, dir, points, floats: points.map((p) => p.map((v) => v / 2 ** scale)) };
    });
    // two engines at a time (the machine has two cores)
    const results = new Map<string, Awaited<ReturnType<typeof proveAll>>>();
    const queue = [...jobs];
    await Promise.all(
      [0, 1].map(async () => {
        for (let job = queue.shift(); job; job = queue.shift()) results.set(job.name, await proveAll(job.dir, job.floats));
      }),
    );
    for (const job of jobs) {
      const got = results.get(job.name)!;
      assert.equal(got.length, job.points.length);
      got.forEach((r, k) => {
        assert.ok(r.ok, `${job.name}: input ${JSON.stringify(job.points[k])} (fixed point) did not prove: ${r.error ?? "verify false"}`);
        // the proof's public inputs are the admitted integers, its outputs the witness outputs
        const inst = r.instances!.map(feltHexToInt);
        assert.deepEqual(inst.slice(0, job.points[k].length), job.points[k].map(BigInt));
        assert.deepEqual(inst.slice(job.points[k].length), r.witnessOutputs!.map(feltHexToInt));
      });
    }
  });

  it("the analysis refuses a box the circuit cannot take, and such a box's corner indeed fails", () => {
    const { b, lowered, ranges, admission } = load("iris-mlp");
    const wide = { lower: admission.lower.map((v) => v * 8), upper: admission.upper.map((v) => v * 8) };
    assert.match(domainProblem(lowered, ranges, wide.lower, wide.upper) ?? "", /may reach/);
    const corner = wide.upper.map((v) => v / 2 ** lowered.inputScale);
    assert.throws(() => genWitness(b.read("compiled"), corner), /synthesis error/i);
  });
});
