/**
 * The one reader of a bundle's manifest.json ("twinpath-bundle/1", written by compiler/bundle.ts): every place that
 * reads a bundle (loadBundle, registration, the model store, the Halo2 circuit scrape) goes through here, so the
 * format and its safety checks live in one place: the format itself in manifestFormat.ts (no file access, so browsers
 * use it too), reading a directory here. File paths must stay inside the bundle: a relative path without `..`
 * segments. Light on purpose (no engine, no onnxruntime) so any room may import it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { BundleManifestError, parseManifest, type completeManifestSchema, type ManifestFields, type ReadManifest } from "./manifestFormat.js";

export * from "./manifestFormat.js";

/** Reads and validates `<dir>/manifest.json`. */
export function readManifest(dir: string, options: { complete: true }): ReadManifest<z.infer<typeof completeManifestSchema>> & { dir: string };
export function readManifest(dir: string, options?: { complete?: boolean }): ReadManifest & { dir: string };
export function readManifest(dir: string, options: { complete?: boolean } = {}): ReadManifest & { dir: string } {
  const path = join(dir, "manifest.json");
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new BundleManifestError(`cannot read manifest.json (${(cause as Error).message})`, path);
  }
  return { ...parseManifest(bytes, path, options), dir };
}

/** Absolute path of a bundle file named by the manifest (its path is already checked to stay inside `dir`). */
export function bundleFilePath(dir: string, manifest: Pick<ManifestFields, "files">, key: string): string {
  const entry = manifest.files[key];
  if (!entry) throw new BundleManifestError(`files.${key} is missing`, join(dir, "manifest.json"));
  return join(dir, entry.path);
}
