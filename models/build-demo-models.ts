/**
 * Rebuild the demo models reproducibly: train each one on the seeded Iris split, write its ONNX and
 * JSON side files into models/<name>/, then compile and bundle it with the EZKL compiler.
 *
 *   node --import tsx models/build-demo-models.ts [name ...] [--no-bundle]
 */
import { relative } from "node:path";
import { REPO_ROOT } from "./files.js";
import { writeDemoModelFiles } from "./build.js";
import { DEMO_MODEL_NAMES } from "./specs.js";
import { demoModelSpec } from "./train-demo.js";

const args = process.argv.slice(2);
const noBundle = args.includes("--no-bundle");
const names = args.filter((a) => !a.startsWith("--"));
for (const n of names) demoModelSpec(n); // fail fast on a bad name
const selected = names.length > 0 ? names : [...DEMO_MODEL_NAMES];

for (const name of selected) {
  const { trained, changed } = writeDemoModelFiles(name);
  console.log(
    `${name}: train acc ${(trained.trainAccuracy * 100).toFixed(1)}%, test acc ${(trained.testAccuracy * 100).toFixed(1)}% ` +
      `(${trained.split.train.length}/${trained.split.test.length} rows), trained in ${trained.trainMs.toFixed(0)} ms, ` +
      `onnx ${trained.onnx.length} B` +
      (changed.length ? `; wrote ${changed.map((p) => relative(REPO_ROOT, p)).join(", ")}` : "; files unchanged"),
  );
}
if (noBundle) process.exit(0);
