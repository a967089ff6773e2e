/**
 * Rebuild the demo models reproducibly: train each one on the seeded Iris split, write its ONNX and
 * JSON side files into models/<name>/, then compile, calibrate, key and test its EZKL bundle into
 * .twinpath/bundles/<name>/ and copy everything but the proving key to models/<name>/bundle/.
 *
 *   node --import tsx models/build-demo-models.ts [name ...] [--no-bundle] [--force]
 *
 * Without --force a bundle whose build inputs (ONNX hash, calibration samples, options, engine) are
 * unchanged is not rebuilt. The committed batch versions (models/batchBundle.ts COMMITTED_BATCH_BUNDLES, e.g.
 * models/iris-mlp/bundle-b2/) are refreshed the same way.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { BUILD_INPUTS_FILE, BUNDLED_MODEL_NAMES, bundleProblem, cachedBundleDir, commitBundleFiles, committedBundleDir, expectedBuildInputs, rebuildDemoBundle } from "./bundle.js";
import { batchBundleName, commitBatchBundleFiles, COMMITTED_BATCH_BUNDLES, committedBatchBundleDir, ensureBatchBundle } from "./batchBundle.js";
import { writeDemoModelFiles } from "./build.js";
import { DIGITS_SPEC, writeDigitsFiles } from "./digits.js";
import { demoModelSpec } from "./train-demo.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const names = args.filter((a) => !a.startsWith("--"));
try {
  for (const f of flags) if (!["--no-bundle", "--force"].includes(f)) throw new Error(`unknown flag ${f}; use --no-bundle or --force`);
  for (const n of names) if (n !== DIGITS_SPEC.name) demoModelSpec(n); // fail fast on a bad name
} catch (e) {
  console.error(`build-demo-models: ${(e as Error).message}`);
  process.exit(2);
}
const selected = names.length > 0 ? names : [...BUNDLED_MODEL_NAMES];
const rel = (p: string) => relative(REPO_ROOT, p);
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

for (const name of selected) {
  if (name === DIGITS_SPEC.name) {
    const { trained, changed } = writeDigitsFiles();
    console.log(
      `${name}: train acc ${(trained.trainAccuracy * 100).toFixed(1)}%, test acc ${(trained.testAccuracy * 100).toFixed(1)}% ` +
        `(${trained.split.train.length}/${trained.split.test.length} rows), trained in ${trained.trainMs.toFixed(0)} ms, onnx ${trained.onnx.length} B` +
        (changed.length ? `; wrote ${changed.map(rel).join(", ")}` : "; files unchanged"),
    );
    continue;
  }
  const { trained, changed } = writeDemoModelFiles(name);
  console.log(
    `${name}: train acc ${(trained.trainAccuracy * 100).toFixed(1)}%, test acc ${(trained.testAccuracy * 100).toFixed(1)}% ` +
      `(${trained.split.train.length}/${trained.split.test.length} rows), trained in ${trained.trainMs.toFixed(0)} ms, ` +
      `onnx ${trained.onnx.length} B` +
      (changed.length ? `; wrote ${changed.map(rel).join(", ")}` : "; files unchanged"),
  );
}

if (!flags.has("--no-bundle")) {
  for (const name of selected) {
    const expected = expectedBuildInputs(name);
    const problem = bundleProblem(committedBundleDir(name), expected, false);
    if (!problem && !flags.has("--force")) {
      console.log(`${name}: committed bundle is up to date (${rel(committedBundleDir(name))})`);
      continue;
    }
    console.log(`${name}: building bundle (${problem ?? "forced"})`);
    const t0 = Date.now();
    const r = await rebuildDemoBundle(name, { log: (m) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`) });
    commitBundleFiles(name);
    const m = r.manifest;
    const f = m.files;
    console.log(
      `${name}: logrows ${m.logrows}, scale ${m.input.scale}, ops ${m.ops.circuit.join(" ")}\n` +
        `  timings: compile+calibrate ${r.timings.compileMs} ms, srs ${r.timings.srsMs} ms, vk ${r.timings.vkMs} ms, pk ${r.timings.pkMs} ms, ` +
        `prove ${r.timings.proveMs} ms, verify ${r.timings.verifyMs} ms, total ${Date.now() - t0} ms\n` +
        `  sizes: compiled ${kb(f.compiled.bytes)}, settings ${kb(f.settings.bytes)}, srs ${kb(f.srs.bytes)}, vk ${kb(f.vk.bytes)}, pk ${kb(f.pk.bytes)} (not committed)\n` +
        `  circuit vs onnxruntime on ${m.accuracy.samples} rows: max |err| ${m.accuracy.maxAbsError.toFixed(4)}, mean ${m.accuracy.meanAbsError.toFixed(4)}, ` +
        `argmax agreement ${(m.accuracy.argmaxAgreement * 100).toFixed(1)}%\n` +
        (m.evaluation ? `  ${m.evaluation.dataset} (${m.evaluation.rows} rows): float ${(m.evaluation.floatAccuracy * 100).toFixed(1)}%, circuit ${(m.evaluation.circuitAccuracy * 100).toFixed(1)}%\n` : "") +
        `  manifest ${r.manifestHash}\n  wrote ${rel(committedBundleDir(name))}/ and ${rel(cachedBundleDir(name))}/`,
    );
  }
  for (const c of COMMITTED_BATCH_BUNDLES) {
    if (!selected.includes(c.name)) continue;
    const label = batchBundleName(c.name, c.batch);
    if (flags.has("--force")) for (const d of [committedBatchBundleDir(c.name, c.batch), cachedBundleDir(label)]) rmSync(d, { recursive: true, force: true });
    const t0 = Date.now();
    // the cache or the committed bundle when its build inputs are current, else rebuilt; committed unless it is the same
    const r = await ensureBatchBundle(c.name, c.batch, { logrows: c.logrows, log: (m) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`) });
    const inputsOf = (dir: string) => (existsSync(join(dir, BUILD_INPUTS_FILE)) ? readFileSync(join(dir, BUILD_INPUTS_FILE), "utf8") : "");
    const committed = committedBatchBundleDir(c.name, c.batch);
    const current = existsSync(join(committed, "manifest.json")) && inputsOf(committed) === inputsOf(r.dir);
    if (!current) commitBatchBundleFiles(c.name, c.batch);
    console.log(`${label}: ${current ? "committed bundle is up to date" : `${r.source} (logrows ${r.manifest.logrows}, manifest ${r.manifestHash}), wrote`} ${rel(committed)}`);
  }
}
