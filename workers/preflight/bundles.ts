import { accessSync, constants, existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { BundleError, loadBundle } from "../../compiler/bundle.js";
import { ensureProvingKey, type ProvingKeyBundle } from "../../compiler/provingKey.js";
import { errorMessage } from "../shared/errors.js";
import { listBundleDirs } from "../proofs/bundles.js";

export interface BundleDirsOptions {
  /** the variable the folders come from, for messages */
  variable: string;
  /** provers need each bundle's proving key; verification nodes do not */
  requirePk: boolean;
  /** where keys missing from bundles are derived (compiler/provingKey.ts); required with requirePk */
  keyCacheDir?: string;
  /** told before a key is derived (it can take a while) */
  onDerive?: (dir: string) => void;
}

export interface BundleDirsCheck {
  /** the folders to search for bundles: the configured ones, plus the key cache when keys were derived there */
  roots: string[];
  /** bundles found, with where their proving key comes from (provers) */
  bundles: { dir: string; manifestHash: string; key?: ProvingKeyBundle }[];
  /** fatal: a folder missing or unreadable, bundles present but none usable */
  problems: { variable: string; message: string }[];
  /** not fatal: one damaged bundle among good ones, a folder with no bundle yet */
  warnings: string[];
}

/**
 * Are the bundle folders usable? Each listed folder must exist and be readable; one with no bundle yet (a folder
 * with manifest.json, or a folder of such folders) is a warning; each bundle's files must match its manifest, and
 * bundles that are there but none of which loads are refused; for a prover, each bundle's proving key must be
 * present or derivable into `keyCacheDir`.
 */
export function checkBundleDirs(dirs: readonly string[], o: BundleDirsOptions): BundleDirsCheck {
  const out: BundleDirsCheck = { roots: [...dirs], bundles: [], problems: [], warnings: [] };
  const problem = (message: string) => out.problems.push({ variable: o.variable, message });
  for (const root of dirs) {
    if (!existsSync(root)) {
      problem(`${root} does not exist (working directory ${process.cwd()})`);
      continue;
    }
    try {
      accessSync(root, constants.R_OK | constants.X_OK);
    } catch {
      problem(`${root} is not readable by this process`);
      continue;
    }
    if (!statSync(root).isDirectory()) {
      problem(`${root} is not a folder`);
      continue;
    }
    const found = listBundleDirs([root]);
    if (found.length === 0) {
      // a usable folder waiting for its first bundle (`twinpath model register` copies one in): requests for a model
      // whose bundle is missing fail, with their reason, until it is there (the index searches again on a miss)
      out.warnings.push(`${root} holds no model bundle yet (no manifest.json in it or in its subfolders)`);
      continue;
    }
    for (const dir of found) {
      try {
        if (o.requirePk) {
          if (!o.keyCacheDir) throw new BundleError("no folder to derive its proving key into");
          const key = ensureProvingKey(dir, o.keyCacheDir, () => o.onDerive?.(dir));
          out.bundles.push({ dir, manifestHash: key.manifestHash, key });
        } else {
          out.bundles.push({ dir, manifestHash: loadBundle(dir).manifestHash });
        }
      } catch (err) {
        const what = err instanceof BundleError ? err.message : errorMessage(err);
        out.warnings.push(`${dir} is not usable: ${what}${o.requirePk ? provingKeyHint(o.keyCacheDir) : ""}`);
      }
    }
  }
  // bundles were there and none of them loads: that is a broken install, not an empty one
  if (out.problems.length === 0 && out.bundles.length === 0 && listBundleDirs(dirs).length > 0) {
    problem(`none of the bundles under ${dirs.join(", ")} is usable: ${out.warnings.join("; ")}`);
  }
  const cache = o.keyCacheDir ? resolve(o.keyCacheDir) : undefined;
  if (cache && out.bundles.some((b) => b.key && b.key.source !== "bundle")) out.roots.push(cache);
  return out;
}

const provingKeyHint = (cacheDir?: string) =>
  ` (a prover needs each bundle's pk.key: it is derived into PROVING_KEY_CACHE_DIR${cacheDir ? ` = ${cacheDir}` : ""} when missing, so that folder must be writable; or put the bundle's own pk.key next to its manifest.json)`;
