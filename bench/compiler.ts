/**
 * Compiler benchmark: per model, compile (incl. calibration), SRS, keygen, prove, verify times,
 * proving key size, logrows, and accuracy (float ONNX vs circuit) on the model's dataset.
 * Models: models/<name>/model.onnx (demo models, with samples.json / dataset.json) if present,
 * else the compiler's own test models. Prints a table and writes bench/results/compiler.json.
 *   node --import tsx bench/compiler.ts [name ...]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { buildBundle, runOnnx } from "../compiler/bundle.js";
import { genWitness } from "../compiler/engine/engine.js";
import { defaultSamples } from "../compiler/compile.js";
import { lookupMlp, mixedMlp, smallCnn } from "../testkit/compiler/fixtures.js";

interface BenchModel { name: string; onnx: Uint8Array; samples?: number[][]; dataset?: { x: number[]; y: number }[] }

function models(filter: string[]): BenchModel[] {
  const out: BenchModel[] = [];
  const dir = join(process.cwd(), "models");
  if (existsSync(dir))
    for (const name of readdirSync(dir)) {
      const f = join(dir, name, "model.onnx");
      if (!existsSync(f)) continue;
      const s = join(dir, name, "samples.json"), d = join(dir, name, "dataset.json");
      out.push({
        name,
        onnx: new Uint8Array(readFileSync(f)),
        samples: existsSync(s) ? JSON.parse(readFileSync(s, "utf8")).samples.map((x: { input: number[] }) => x.input) : undefined,
        dataset: existsSync(d) ? JSON.parse(readFileSync(d, "utf8")).test : undefined,
      });
    }
  if (out.length === 0)
    out.push({ name: "test-mixed-mlp", onnx: mixedMlp() }, { name: "test-lookup-mlp", onnx: lookupMlp() }, { name: "test-cnn", onnx: smallCnn(3, { channels: 1, size: 4 }) });
  return filter.length ? out.filter((m) => filter.includes(m.name)) : out;
}

const argmax = (v: number[]) => v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);

const rows = [];
for (const m of models(process.argv.slice(2))) {
  const out = join(process.cwd(), ".twinpath", "bench", m.name);
  mkdirSync(out, { recursive: true });
  const res = await buildBundle(m.onnx, { out, name: m.name, samples: m.samples, devSrsSeed: "bench" });
  const man = res.manifest;
  const compiled = new Uint8Array(readFileSync(join(out, man.files.compiled.path)));
  // accuracy on the dataset (or calibration-like random inputs)
  const data = m.dataset ?? defaultSamples(man.input.shape.reduce((a, b) => a * b, 1), 16, 99).map((x) => ({ x, y: -1 }));
  const ref = await runOnnx(m.onnx, man.input.name, man.input.shape, data.map((d) => d.x));
  let maxErr = 0, agree = 0, floatCorrect = 0, circuitCorrect = 0;
  data.forEach((d, i) => {
    const got = genWitness(compiled, d.x).outputs.map((v) => Number(v) / 2 ** man.output.scale);
    got.forEach((g, j) => (maxErr = Math.max(maxErr, Math.abs(g - ref[i][j]))));
    if (argmax(got) === argmax(ref[i])) agree++;
    if (argmax(ref[i]) === d.y) floatCorrect++;
    if (argmax(got) === d.y) circuitCorrect++;
  });
  const labelled = m.dataset !== undefined;
  rows.push({
    model: m.name,
    logrows: man.logrows,
    compileMs: res.timings.compileMs,
    srsMs: res.timings.srsMs,
    vkMs: res.timings.vkMs,
    pkMs: res.timings.pkMs,
    proveMs: res.timings.proveMs,
    verifyMs: res.timings.verifyMs,
    pkBytes: man.files.pk.bytes,
    vkBytes: man.files.vk.bytes,
    datasetSize: data.length,
    maxAbsErrorVsFloat: maxErr,
    argmaxAgreement: agree / data.length,
    floatAccuracy: labelled ? floatCorrect / data.length : null,
    circuitAccuracy: labelled ? circuitCorrect / data.length : null,
  });
  console.error(`done ${m.name}`);
}

const fmt = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v));
const keys = Object.keys(rows[0] ?? {});
console.log(keys.join("\t"));
for (const r of rows) console.log(keys.map((k) => fmt((r as Record<string, unknown>)[k])).join("\t"));
mkdirSync(join(process.cwd(), "bench", "results"), { recursive: true });
writeFileSync(
  join(process.cwd(), "bench", "results", "compiler.json"),
  JSON.stringify({
    engine: "@ezkljs/engine@21.0.0",
    machine: "2-core VM shared with other jobs, single-threaded WASM",
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    srs: "dev-insecure (seeded)",
    rows,
  }, null, 2) + "\n",
);
