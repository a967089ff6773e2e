/**
 * Serving a model to the dev stack's workers: one folder of complete bundles is the executors' MODEL_STORE_DIR and
 * the provers' and verification nodes' BUNDLE_DIRS. Both look a registered model up by its hashes when a job needs
 * it (workers/model-store/localStore.ts rescans on a miss, workers/proofs/bundles.ts lists the folder per model), so
 * a bundle copied in while the stack runs is used by the next request, without a restart.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadBundle } from "../../compiler/bundle.js";

/**
 * Copies the bundle in `dir` (checked file by file against its manifest; with its proving key) into `bundlesDir`
 * as `<name>-<manifest hash prefix>` and returns that folder. A copy already there is kept.
 */
export function serveBundle(dir: string, bundlesDir: string): string {
  const b = loadBundle(dir, { requirePk: true });
  const target = join(bundlesDir, `${b.manifest.name.replace(/[^A-Za-z0-9._-]/g, "_")}-${b.manifestHash.slice(2, 10)}`);
  if (existsSync(join(target, "manifest.json"))) return target;
  mkdirSync(bundlesDir, { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const entry of Object.values(b.manifest.files)) {
    mkdirSync(dirname(join(tmp, entry.path)), { recursive: true });
    cpSync(join(dir, entry.path), join(tmp, entry.path));
  }
  cpSync(join(dir, "manifest.json"), join(tmp, "manifest.json"));
  renameSync(tmp, target);
  return target;
}
