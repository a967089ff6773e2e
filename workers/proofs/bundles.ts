import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BundleError, loadBundle, type LoadedBundle } from "../../compiler/bundle.js";
import { BundleMismatchError, BundleNotFoundError } from "./errors.js";
import { bindingMismatches, modelBinding } from "../../protocol/modelBinding.js";
import type { ProofModel } from "./models.js";
import { PromiseCache } from "../shared/promiseCache.js";

/** The artifacts of one registered model, checked against the registry. */
export interface ModelArtifacts {
  dir: string;
  manifestHash: string;
  compiled: Uint8Array;
  settings: Uint8Array;
  srs: Uint8Array;
  vk: Uint8Array;
  /** present for provers (requirePk) */
  pk?: Uint8Array;
  /** output scale etc. from the manifest, for consistency checks */
  inputScale: number;
  outputScale: number;
}

/** Bundle folders under `roots`: each root is a bundle (has manifest.json) or a folder of bundles. */
export function listBundleDirs(roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    if (existsSync(join(root, "manifest.json"))) {
      out.push(root);
      continue;
    }
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      if (statSync(dir).isDirectory() && existsSync(join(dir, "manifest.json"))) out.push(dir);
    }
  }
  return out;
}

/**
 * Finds the local bundle of a registered model by its manifest hash and checks every hash the registry holds
 * (ONNX, settings, compiled circuit, verifying key, scales) against the bundle; loadBundle checks each file's
 * bytes against the manifest. Any difference refuses the bundle: a node never proves or verifies against
 * artifacts other than the registered ones. Results are cached per model id.
 */
export class BundleIndex {
  private readonly cache = new PromiseCache<string, ModelArtifacts>();

  constructor(
    private readonly roots: readonly string[],
    private readonly options: { requirePk: boolean },
  ) {}

  resolve(model: ProofModel): Promise<ModelArtifacts> {
    return this.cache.get(`${model.modelId}:${model.manifestHash}`, () => this.find(model));
  }

  private find(model: ProofModel): ModelArtifacts {
    const seen: string[] = [];
    for (const dir of listBundleDirs(this.roots)) {
      let b: LoadedBundle;
      try {
        b = loadBundle(dir, { requirePk: this.options.requirePk });
      } catch (err) {
        seen.push(`${dir}: ${err instanceof BundleError ? err.message : String(err)}`);
        continue;
      }
      if (b.manifestHash.toLowerCase() !== model.manifestHash.toLowerCase()) continue;
      return checkAgainstRegistry(b, model, this.options.requirePk);
    }
    throw new BundleNotFoundError(`no local bundle for model ${model.modelId} (manifestHash ${model.manifestHash})`, {
      metaMessages: [`  searched: ${this.roots.join(", ")}`, ...seen.slice(0, 5).map((s) => `  skipped ${s}`)],
      details: "Put the registered model bundle (the folder with manifest.json) under one of the bundle directories.",
    });
  }
}

export function checkAgainstRegistry(b: LoadedBundle, model: ProofModel, requirePk: boolean): ModelArtifacts {
  const { onnxHash, settingsHash, circuitHash, vkHash, inputScale, outputScale } = model;
  const bad = bindingMismatches({ onnxHash, settingsHash, circuitHash, vkHash, inputScale, outputScale }, modelBinding(b.manifest, b.manifestHash));
  if (bad.length) {
    throw new BundleMismatchError(`bundle ${b.dir} does not match model ${model.modelId} as registered`, {
      metaMessages: bad.map(({ field, registered, bundle }) => `  ${field}: registry ${registered}, bundle ${bundle}`),
      details: "Use the exact bundle the model was registered with.",
    });
  }
  return {
    dir: b.dir,
    manifestHash: b.manifestHash,
    compiled: b.read("compiled"),
    settings: b.read("settings"),
    srs: b.read("srs"),
    vk: b.read("vk"),
    pk: requirePk ? b.read("pk") : undefined,
    inputScale: b.manifest.input.scale,
    outputScale: b.manifest.output.scale,
  };
}
