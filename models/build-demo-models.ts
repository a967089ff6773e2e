/**
 * Rebuild the demo models reproducibly: train each one on the seeded Iris split, write its ONNX and
 * JSON side files into models/<name>/, then compile, calibrate, key and test its EZKL bundle into
 * .twinpath/bundles/<name>/ and copy everything but the proving key to models/<name>/bundle/.
 *
 *   node --import tsx models/build-demo-models.ts [name ...] [--no-bundle] [--force]
 *
 * Without --force a bundle whose build inputs (ONNX hash, calibration samples, options, engine) are
 * unchanged is not rebuilt.
 */
import { relative } from "node:path";
import { bundleProblem, cachedBundleDir, commitBundleFiles, committedBundleDir, expectedBuildInputs, rebuildDemoBundle } from "./bundle.js";
import { writeDemoModelFiles } from "./build.js";
import { DEMO_MODEL_NAMES } from "./specs.js";
import { demoModelSpec } from "./train-demo.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const names = args.filter((a) => !a.startsWith("--"));
try {
  for (const f of flags) if (!["--no-bundle", "--force"].includes(f)) throw new Error(`unknown flag ${f}; use --no-bundle or --force`);
  for (const n of names) demoModelSpec(n); // fail fast on a bad name
} catch (e) {
  console.error(`build-demo-models: ${(e as Error).message}`);
  process.exit(2);
}
const selected = names.length > 0 ? names : [...DEMO_MODEL_NAMES];
const rel = (p: string) => relative(REPO_ROOT, p);
const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

for (const name of selected) {
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
        `  manifest ${r.manifestHash}\n  wrote ${rel(committedBundleDir(name))}/ and ${rel(cachedBundleDir(name))}/`,
    );
  }
}
