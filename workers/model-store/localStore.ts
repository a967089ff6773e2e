import { readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { keccak256, type Hex } from "viem";
import { BundleManifestError, bundleFilePath, readManifest } from "../../compiler/manifest.js";
import { UnknownModelError } from "../shared/errors.js";
import type { ModelBytes, ModelStore } from "./store.js";
import { verifyModelBytes } from "./verify.js";

/**
 * A folder of model files. A hash is looked up as:
 *  1. `<dir>/<0xhash>.onnx` (content-addressed files, see putModel), then
 *  2. any bundle folder under `<dir>` whose manifest.json (compiler/manifest.ts) lists `files.onnx.keccak256` =
 *     hash, at its `path`, then
 *  3. any other `*.onnx` under `<dir>` whose bytes hash to it (indexed once, re-scanned on a miss).
 * Compiled circuits (loadCircuit) the same way: `<dir>/<0xhash>.compiled`, then a bundle whose manifest lists
 * `files.compiled.keccak256` = hash. Whatever the route, the bytes read are hashed again and refused on mismatch.
 */
export class LocalModelStore implements ModelStore {
  readonly description: string;
  private index = new Map<string, string>();
  private circuits = new Map<string, string>();

  constructor(private readonly dir: string) {
    this.dir = resolve(dir);
    this.description = `local folder ${this.dir}`;
  }

  async load(onnxHash: Hex): Promise<ModelBytes> {
    const key = onnxHash.toLowerCase();
    let path = this.direct(key) ?? this.index.get(key);
    if (!path) {
      await this.rescan();
      path = this.index.get(key);
    }
    if (!path) throw new UnknownModelError(onnxHash, this.description);
    const bytes = new Uint8Array(await readFile(path));
    verifyModelBytes(bytes, onnxHash, path);
    return { onnxHash, bytes, source: path };
  }

  async loadCircuit(circuitHash: Hex): Promise<{ circuitHash: Hex; bytes: Uint8Array; source: string }> {
    const key = circuitHash.toLowerCase();
    let path = this.direct(key, "compiled") ?? this.circuits.get(key);
    if (!path) {
      await this.rescan();
      path = this.circuits.get(key);
    }
    if (!path) throw new UnknownModelError(circuitHash, this.description, "compiled circuit");
    const bytes = new Uint8Array(await readFile(path));
    verifyModelBytes(bytes, circuitHash, path);
    return { circuitHash, bytes, source: path };
  }

  private direct(key: string, ext = "onnx"): string | undefined {
    const p = join(this.dir, `${key}.${ext}`);
    return existsSync(p) ? p : undefined;
  }

  private async rescan(): Promise<void> {
    const index = new Map<string, string>();
    const circuits = new Map<string, string>();
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const manifest = entries.find((e) => e.isFile() && e.name === "manifest.json");
      if (manifest) {
        try {
          const { manifest: m } = readManifest(dir);
          // The manifest's claim is indexed as is; load() re-hashes the bytes, so a corrupt file is refused.
          index.set(m.files.onnx.keccak256.toLowerCase(), bundleFilePath(dir, m, "onnx"));
          circuits.set(m.files.compiled.keccak256.toLowerCase(), bundleFilePath(dir, m, "compiled"));
        } catch (err) {
          if (!(err instanceof BundleManifestError)) throw err;
          // not a (valid) bundle manifest: its files are indexed like any other below
        }
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory() && depth < 4) await walk(p, depth + 1);
        else if (e.isFile() && e.name.endsWith(".onnx") && ![...index.values()].includes(p)) {
          const h = keccak256(new Uint8Array(await readFile(p))).toLowerCase();
          if (!index.has(h)) index.set(h, p);
        }
      }
    };
    await walk(this.dir, 0);
    this.index = index;
    this.circuits = circuits;
  }
}

/** Writes `bytes` into a local store as `<keccak256>.onnx` (or `.compiled` for a circuit) and returns the hash. */
export async function putModel(dir: string, bytes: Uint8Array, ext: "onnx" | "compiled" = "onnx"): Promise<Hex> {
  const hash = keccak256(bytes);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${hash.toLowerCase()}.${ext}`), bytes);
  return hash;
}
