/**
 * Compiler benchmark: builds each demo model's bundle (compile + calibrate, SRS, keys, proof, verify,
 * accuracy) with the current compiler and — side by side, in the same run — with the baseline compiler
 * (the code before exact layout sizing, checked out into a temporary git worktree), and prints the
 * compile and build times with their ratio. Also the circuit's float vs circuit accuracy on the model's
 * held-back test set. Prints a table and writes bench/results/compiler.json.
 *
 *   node --import tsx bench/compiler.ts [model ...] [--no-baseline]
 *   COMPILER_BASELINE_REF=<git ref>   (default: the commit the exact-sizing work started from)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBundle, runOnnxFlat } from "../compiler/bundle.js";
import { genWitness } from "../compiler/engine/engine.js";
import { calibrationSamples } from "../models/bundle.js";
import { splitDigits } from "../models/data/digits.js";
import { DIGITS_SPEC } from "../models/digits.js";
import { demoModelSpec } from "../models/train-demo.js";
import { DEMO_MODEL_NAMES } from "../models/specs.js";

/** main before this work: genVk trials sized the layout (the figures issue 11 quotes: 15-75 s per model). */
const BASELINE_REF = process.env.COMPILER_BASELINE_REF ?? "9e7440c";
const ROOT = process.cwd();
const args = process.argv.slice(2);
const withBaseline = !args.includes("--no-baseline");
const names = args.filter((a) => !a.startsWith("--"));
const selected = names.length ? names : [...DEMO_MODEL_NAMES, DIGITS_SPEC.name];

/** Calibration samples and compile options of a committed model (the Iris demo models or the digits task). */
function recipe(name: string): { samples: number[][]; inputScale: number; paramScale?: number; minLogrows?: number; maxLogrows?: number; admit?: [number, number] } {
  if (name === DIGITS_SPEC.name) {
    const c = DIGITS_SPEC.circuit;
    return { samples: splitDigits(DIGITS_SPEC.splitSeed).train.slice(0, DIGITS_SPEC.calibrationRows).map((r) => r.x), inputScale: c.inputScale, paramScale: c.paramScale, maxLogrows: c.maxLogrows, admit: c.admit };
  }
  const spec = demoModelSpec(name);
  return { samples: calibrationSamples(), inputScale: spec.circuit.inputScale, minLogrows: spec.circuit.minLogrows };
}

interface Timing { compileMs: number; buildMs: number; logrows: number; proveMs: number; vkBytes: number; pkBytes: number }

/** The baseline compiler in a detached worktree sharing this checkout's node_modules. */
function baselineTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "twinpath-compiler-baseline-"));
  execFileSync("git", ["worktree", "add", "--detach", dir, BASELINE_REF], { cwd: ROOT, stdio: "ignore" });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** Build a demo model's bundle with the compiler found at `tree`, in a child process (its own engine and caches). */
function buildIn(tree: string, name: string, out: string): Timing | string {
  const r = recipe(name);
  const script = join(tree, ".bench-build.mts");
  writeFileSync(script, `
import { buildBundle } from "./compiler/bundle.ts";
const samples = JSON.parse(process.env.SAMPLES!);
const t0 = Date.now();
const r = await buildBundle("${join(ROOT, "models", name, "model.onnx")}", { out: "${out}", name: "${name}", samples, inputScale: ${r.inputScale}, paramScale: ${r.paramScale}, minLogrows: ${r.minLogrows ?? 6}, maxLogrows: ${r.maxLogrows}, admit: ${JSON.stringify(r.admit)}, devSrsSeed: "bench", cacheDir: "${join(out, "..", "srs-cache")}" });
console.log(JSON.stringify({ compileMs: r.timings.compileMs, buildMs: Date.now() - t0, logrows: r.manifest.logrows, proveMs: r.timings.proveMs, vkBytes: r.manifest.files.vk.bytes, pkBytes: r.manifest.files.pk.bytes }));
`);
  try {
    const stdout = execFileSync(process.execPath, ["--import", "tsx", script], { cwd: tree, encoding: "utf8", env: { ...process.env, SAMPLES: JSON.stringify(r.samples) }, maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "pipe"] });
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  } catch (e) {
    // the baseline cannot build every model (e.g. integer inputs): say why instead of a time
    const msg = String((e as { stderr?: string }).stderr ?? e).split("\n").find((l) => /Error/.test(l)) ?? String(e);
    return `baseline failed: ${msg.trim().slice(0, 160)}`;
  }
}

const argmax = (v: number[]) => v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0);

const work = mkdtempSync(join(tmpdir(), "twinpath-bench-compiler-"));
const baseline = withBaseline ? baselineTree() : undefined;
const rows = [];
try {
  for (const name of selected) {
    const r = recipe(name);
    const result = baseline ? buildIn(baseline, name, join(work, `${name}-baseline`)) : undefined;
    const before = typeof result === "object" ? result : undefined;
    const t0 = Date.now();
    const res = await buildBundle(join(ROOT, "models", name, "model.onnx"), {
      out: join(work, name), name, samples: r.samples, inputScale: r.inputScale, paramScale: r.paramScale, minLogrows: r.minLogrows, maxLogrows: r.maxLogrows, admit: r.admit,
      devSrsSeed: "bench", cacheDir: join(work, "srs-cache"),
    });
    const buildMs = Date.now() - t0;
    const man = res.manifest;
    // accuracy on the held-back test split (float model vs circuit)
    const dataset = JSON.parse(readFileSync(join(ROOT, "models", name, "dataset.json"), "utf8")).test as { x: number[]; y: number }[];
    const ref = await runOnnxFlat(new Uint8Array(readFileSync(join(ROOT, "models", name, "model.onnx"))), dataset.map((d) => d.x));
    const compiled = new Uint8Array(readFileSync(join(res.dir, man.files.compiled.path)));
    let floatOk = 0, circuitOk = 0;
    dataset.forEach((d, i) => {
      const got = genWitness(compiled, d.x).outputs.map((v) => Number(v) / 2 ** man.output.scale);
      if (argmax(ref[i]) === d.y) floatOk++;
      if (argmax(got) === d.y) circuitOk++;
    });
    rows.push({
      model: name,
      logrows: man.logrows,
      compileMs: res.timings.compileMs,
      baselineCompileMs: before?.compileMs ?? null,
      compileSpeedup: before ? Number((before.compileMs / res.timings.compileMs).toFixed(1)) : null,
      baselineNote: typeof result === "string" ? result : undefined,
      buildMs,
      baselineBuildMs: before?.buildMs ?? null,
      buildSpeedup: before ? Number((before.buildMs / buildMs).toFixed(2)) : null,
      baselineLogrows: before?.logrows ?? null,
      srsMs: res.timings.srsMs,
      vkMs: res.timings.vkMs,
      pkMs: res.timings.pkMs,
      proveMs: res.timings.proveMs,
      baselineProveMs: before?.proveMs ?? null,
      verifyMs: res.timings.verifyMs,
      vkBytes: man.files.vk.bytes,
      pkBytes: man.files.pk.bytes,
      testRows: dataset.length,
      floatAccuracy: floatOk / dataset.length,
      circuitAccuracy: circuitOk / dataset.length,
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
    });
    console.error(`done ${name}`);
  }
} finally {
  if (baseline) {
    execFileSync("git", ["worktree", "remove", "--force", baseline], { cwd: ROOT, stdio: "ignore" });
    rmSync(baseline, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
}

const fmt = (v: unknown) => (v === null ? "-" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));
const cols = ["model", "logrows", "compileMs", "baselineCompileMs", "compileSpeedup", "buildMs", "baselineBuildMs", "buildSpeedup", "proveMs", "baselineProveMs", "floatAccuracy", "circuitAccuracy"] as const;
console.log(cols.join("\t"));
for (const r of rows) console.log(cols.map((k) => fmt((r as Record<string, unknown>)[k])).join("\t"));
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const file = join(ROOT, "bench", "results", "compiler.json");
const previous = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
writeFileSync(
  file,
  JSON.stringify({
    ...previous,
    engine: "@ezkljs/engine@21.0.0",
    machine: "2-core VM shared with other jobs, single-threaded WASM",
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    srs: "dev-insecure (seeded)",
    baseline: withBaseline ? `git ${BASELINE_REF}: genVk trial search of the layout + a confirmation proof, then the bundle's own keys and proof (measured in the same run)` : null,
    note: "compileMs = compile + calibrate as each version reports it; buildMs = the whole build-model (compile, SRS, keys, proof, verify, accuracy on 150 rows); a run of some models keeps the other models' rows from earlier runs (each row has its own load average)",
    rows: [...((previous.rows ?? []) as { model: string }[]).filter((r) => !selected.includes(r.model)), ...rows],
  }, null, 2) + "\n",
);
