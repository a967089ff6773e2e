/**
 * Batch versions of the demo models (compiler/batch.ts): the committed model's ONNX, calibration samples and compile
 * options, with its leading dimension set to N. Kept in <cache>/bundles/<name>-b<N> (default <repo>/.twinpath,
 * gitignored) and reused while its build-inputs.json matches what the current model and code would build. The small
 * ones the tests use (COMMITTED_BATCH_BUNDLES) are committed minus the proving key in models/<name>/bundle-b<N>/, so
 * a fresh clone derives the key (well under a second) instead of building (~10 s); the others (a batch-16 iris-mlp
 * is a 27 MiB proving key and a ~50 s build) are built on first use.
 */
import { join } from "node:path";
import { buildBundle } from "../compiler/bundle.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { buildAndPublish, cachedBundleDir, copyCommittable, ensureBundleIn, expectedBuildInputs, recipe, type BuildInputs, type DemoBundle, type DemoBundleOptions } from "./bundle.js";
import { modelDir } from "./files.js";

/** What a batch bundle is built from: the committed model's build inputs plus the batch and its logrows. */
export type BatchBuildInputs = BuildInputs & { batch: number; logrows: number | "compiler" };

/**
 * The batch version's rows (2^logrows). The compiler's own choice for iris-mlp at batch 16 is 2^12 rows in 2 advice
 * blocks, which halo2/circuit/describe.ts cannot describe (genVk's pinned-key text is overwritten in engine memory
 * before the scrape reads it), so no Solidity verifier could be generated for it. 2^13 rows in one block describe,
 * and verify on chain cheaper than 2^11 rows in 3 blocks (fewer commitments); proving takes longer, once (cached).
 */
const BATCH_LOGROWS = 13;

export interface BatchBundleOptions extends DemoBundleOptions {
  /**
   * The circuit's rows (2^logrows), or "compiler": the compiler's own choice within the model's recipe (a small batch
   * fits few rows, e.g. iris-mlp batch 2 in 2^10, and proves in a fraction of the time). @defaultValue 13
   */
  logrows?: number | "compiler";
}

export const batchBundleName = (name: string, batch: number): string => `${name}-b${batch}`;
export const committedBatchBundleDir = (name: string, batch: number): string => join(modelDir(name), `bundle-b${batch}`);

/** The batch versions committed minus their proving keys (models/build-demo-models.ts refreshes them). */
export const COMMITTED_BATCH_BUNDLES = [{ name: "iris-mlp", batch: 2, logrows: "compiler" }] as const satisfies readonly ({ name: string; batch: number } & BatchBundleOptions)[];

/** A complete, hash-checked batch-`batch` bundle of demo model `name` (with its proving key), built if missing or stale. */
export async function ensureBatchBundle(name: string, batch: number, opts: BatchBundleOptions = {}): Promise<DemoBundle> {
  const cacheDir = opts.cacheDir ?? join(REPO_ROOT, ".twinpath");
  const label = batchBundleName(name, batch);
  const final = cachedBundleDir(label, cacheDir);
  const base = expectedBuildInputs(name);
  const expected: BatchBuildInputs = { ...base, devSrsSeed: `${base.devSrsSeed}:b${batch}`, batch, logrows: opts.logrows ?? BATCH_LOGROWS };
  const log = opts.log ?? (() => {});
  return ensureBundleIn({
    label,
    final,
    committedDir: committedBatchBundleDir(name, batch),
    expected,
    log,
    rebuild: async () => {
      log(`${label}: building the batch-${batch} version of ${name} (${batch > 4 ? "about a minute" : "about ten seconds"})`);
      const r = recipe(name);
      await buildAndPublish(final, expected, (tmp) =>
        buildBundle(join(modelDir(name), "model.onnx"), {
          out: tmp,
          name: label,
          batch,
          samples: r.samples(),
          inputScale: expected.compile.inputScale,
          paramScale: expected.compile.paramScale,
          minLogrows: expected.logrows === "compiler" ? expected.compile.minLogrows : expected.logrows,
          maxLogrows: expected.logrows === "compiler" ? expected.compile.maxLogrows : expected.logrows,
          admit: expected.compile.admit,
          devSrsSeed: expected.devSrsSeed,
          cacheDir: join(cacheDir, "srs"),
          log,
        }),
      );
    },
  });
}

/** Replace models/<name>/bundle-b<N> with the cached batch bundle's files, minus the proving key. */
export function commitBatchBundleFiles(name: string, batch: number, opts: DemoBundleOptions = {}): string[] {
  return copyCommittable(cachedBundleDir(batchBundleName(name, batch), opts.cacheDir), committedBatchBundleDir(name, batch));
}
