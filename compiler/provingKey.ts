/**
 * A bundle with its proving key. Bundles may ship without pk.key (the committed demo bundles do: it is the one
 * multi-MB file, and it follows from the others): keygen is deterministic, so the key derived from the bundle's
 * verifying key, compiled circuit and SRS is the one its manifest records, and is checked against it.
 *
 * The bundle folder itself is never written (it may be read-only, or a git checkout): a bundle without its key
 * is copied to `<cacheDir>/<manifest hash>/` with the derived key, once; later calls find the copy.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { keccak256 } from "viem";
import { BundleError, FILE_NAMES, loadBundle, type BundleFileKey } from "./bundle.js";
import { genPk } from "./engine/engine.js";

export interface ProvingKeyBundle {
  /** a bundle folder holding every file, pk.key included */
  dir: string;
  /** "bundle": it had its key; "cache": a copy derived earlier; "derived": derived now */
  source: "bundle" | "cache" | "derived";
  manifestHash: `0x${string}`;
  /** keygen time when derived now */
  ms?: number;
}

/** Where the complete copy of the bundle with manifest hash `manifestHash` lives under `cacheDir`. */
export const provingKeyCacheDir = (cacheDir: string, manifestHash: string): string => join(cacheDir, manifestHash.slice(2, 18));

/** Whether `dir` holds a pk.key matching its manifest, without deriving anything. */
export function hasProvingKey(dir: string): boolean {
  try {
    loadBundle(dir, { requirePk: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The bundle in `dir` with its proving key: `dir` itself when its pk.key is there (and matches the manifest), else
 * a complete copy under `cacheDir`, made now when missing (keygen: seconds for the demo models, minutes and GBs of
 * memory for large circuits). Throws BundleError when the bundle is damaged or the derived key does not hash to the
 * manifest's value (the bundle's files are not the ones its key was made from). `onDerive` runs before keygen.
 */
export function ensureProvingKey(dir: string, cacheDir: string, onDerive?: () => void): ProvingKeyBundle {
  const b = loadBundle(dir);
  const pkEntry = b.manifest.files.pk;
  if (existsSync(join(dir, pkEntry.path))) return { dir, source: "bundle", manifestHash: b.manifestHash }; // loadBundle checked its hash
  const out = provingKeyCacheDir(cacheDir, b.manifestHash);
  if (hasProvingKey(out) && loadBundle(out).manifestHash === b.manifestHash) return { dir: out, source: "cache", manifestHash: b.manifestHash };

  onDerive?.();
  const started = performance.now();
  const pk = genPk(b.read("vk"), b.read("compiled"), b.read("srs"));
  if (keccak256(pk) !== pkEntry.keccak256 || pk.length !== pkEntry.bytes) {
    throw new BundleError(
      `${dir}: the proving key derived from the bundle hashes to ${keccak256(pk)} (${pk.length} bytes), its manifest says ${pkEntry.keccak256} (${pkEntry.bytes} bytes)`,
    );
  }
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  try {
    for (const key of Object.keys(FILE_NAMES) as BundleFileKey[]) {
      const target = join(tmp, b.manifest.files[key].path);
      mkdirSync(dirname(target), { recursive: true });
      if (key === "pk") writeFileSync(target, pk);
      else writeFileSync(target, b.read(key));
    }
    copyFileSync(join(dir, "manifest.json"), join(tmp, "manifest.json"));
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // another process published the same copy first
    if (hasProvingKey(out)) return { dir: out, source: "cache", manifestHash: b.manifestHash };
    throw err;
  }
  return { dir: out, source: "derived", manifestHash: b.manifestHash, ms: Math.round(performance.now() - started) };
}
