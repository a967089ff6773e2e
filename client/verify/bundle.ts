/**
 * A model's bundle as the offline verifier reads it: from any source (HTTP, memory, a directory in Node), parsed
 * with the compiler's manifest format, every file checked against the manifest and the manifest against the
 * registry (protocol/modelBinding.ts). Nothing read here is trusted before those checks pass.
 */
import { keccak256, type Hex } from "viem";
import { BundleManifestError, parseManifest, type ManifestFields } from "../../compiler/manifestFormat.js";
import { bindingMismatches, modelBinding } from "../../protocol/modelBinding.js";
import { BundleSourceError } from "../errors.js";
import type { TwinpathModel } from "../chain/models.js";

/** Where a bundle's files come from. `read` takes a path relative to the bundle (manifest.json, vk.key, ...). */
export interface BundleSource {
  /** for messages: the URL or directory */
  location: string;
  read(path: string): Promise<Uint8Array>;
}

/** A bundle served over HTTP(S) (or any URL `fetch` takes): `${baseUrl}/manifest.json`, `${baseUrl}/vk.key`, ... */
export function httpBundle(baseUrl: string, options: { fetch?: typeof fetch } = {}): BundleSource {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  return {
    location: base,
    async read(path) {
      const url = new URL(path, base).toString();
      let res: Response;
      try {
        res = await doFetch(url);
      } catch (cause) {
        throw new BundleSourceError(`cannot fetch ${url}`, { cause });
      }
      if (!res.ok) throw new BundleSourceError(`GET ${url}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

/** A bundle held in memory: file path -> bytes. */
export function memoryBundle(files: Record<string, Uint8Array>, location = "memory"): BundleSource {
  return {
    location,
    async read(path) {
      const f = files[path];
      if (!f) throw new BundleSourceError(`${location}: no file ${path}`);
      return f;
    },
  };
}

/** One named check of an offline verification. */
export interface VerificationCheck {
  name: string;
  status: "pass" | "fail" | "skip";
  detail: string;
}

export interface RegisteredBundle {
  manifest: ManifestFields;
  manifestHash: Hex;
  /** file key (onnx, compiled, settings, srs, vk, ...) -> bytes, each equal to its manifest hash */
  files: Record<string, Uint8Array>;
}

/** Manifest files the verifier reads (pk is large and not needed to verify). */
const VERIFY_FILES = ["vk", "srs", "settings", "compiled", "onnx"] as const;

/**
 * Reads a bundle and checks it is the one `model` was registered with: the manifest's keccak256 is the registered
 * manifestHash, its files, shapes and scales are the registered ones, and each file read hashes to its manifest
 * entry. Returns the bundle, or null with the failed check.
 */
export async function loadRegisteredBundle(source: BundleSource, model: TwinpathModel): Promise<{ bundle: RegisteredBundle | null; check: VerificationCheck }> {
  const fail = (detail: string) => ({ bundle: null, check: { name: "bundle", status: "fail" as const, detail } });
  let parsed;
  try {
    parsed = parseManifest(await source.read("manifest.json"), `${source.location}manifest.json`);
  } catch (err) {
    if (err instanceof BundleManifestError || err instanceof BundleSourceError) return fail(err.message);
    throw err;
  }
  const bad = bindingMismatches({ ...model.hashes, inputShape: model.input.shape, outputShape: model.output.shape, inputScale: model.input.scale, outputScale: model.output.scale }, modelBinding(parsed.manifest, parsed.manifestHash));
  if (bad.length) return fail(`bundle at ${source.location} is not model ${model.id} as registered: ${bad.map((m) => `${m.field} registry ${m.registered}, bundle ${m.bundle}`).join("; ")}`);
  const files: Record<string, Uint8Array> = {};
  for (const key of VERIFY_FILES) {
    const entry = parsed.manifest.files[key];
    if (!entry) return fail(`manifest lists no ${key} file`);
    let bytes: Uint8Array;
    try {
      bytes = await source.read(entry.path);
    } catch (err) {
      if (err instanceof BundleSourceError) return fail(err.message);
      throw err;
    }
    const hash = keccak256(bytes);
    if (hash !== entry.keccak256.toLowerCase()) return fail(`${entry.path}: keccak256 ${hash}, the manifest says ${entry.keccak256}`);
    files[key] = bytes;
  }
  return {
    bundle: { manifest: parsed.manifest, manifestHash: parsed.manifestHash, files },
    check: { name: "bundle", status: "pass", detail: `manifest ${parsed.manifestHash} and ${VERIFY_FILES.join(", ")} match model ${model.id}'s registered hashes` },
  };
}
