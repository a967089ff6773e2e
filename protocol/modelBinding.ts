import type { Hex } from "viem";

/**
 * What ModelRegistry binds a model version to: the keccak256 of the bundle files that define the computation and of
 * its manifest, and the shapes and scales of the tensors that cross the chain. One mapping from a bundle manifest
 * ("twinpath-bundle/1") to these fields, used to register a bundle (compiler/registration.ts) and to check a bundle
 * against a registered model (workers/proofs, the client's offline verification):
 *
 *   onnxHash = files.onnx   settingsHash = files.settings   circuitHash = files.compiled   vkHash = files.vk
 *   manifestHash = keccak256(manifest.json bytes as stored)   shapes and scales = manifest.input / manifest.output
 */
export interface ModelBinding {
  onnxHash: Hex;
  settingsHash: Hex;
  circuitHash: Hex;
  vkHash: Hex;
  manifestHash: Hex;
  inputShape: readonly number[];
  outputShape: readonly number[];
  inputScale: number;
  outputScale: number;
}

/** The part of a bundle manifest the binding reads (compiler/manifestFormat.ts validates the whole). */
export interface ManifestBindingFields {
  files: { onnx: { keccak256: Hex }; settings: { keccak256: Hex }; compiled: { keccak256: Hex }; vk: { keccak256: Hex } };
  input: { shape: readonly number[]; scale: number };
  output: { shape: readonly number[]; scale: number };
}

/** The registry fields a bundle binds (manifestHash: keccak256 of its manifest.json bytes). */
export function modelBinding(manifest: ManifestBindingFields, manifestHash: Hex): ModelBinding {
  return {
    onnxHash: manifest.files.onnx.keccak256,
    settingsHash: manifest.files.settings.keccak256,
    circuitHash: manifest.files.compiled.keccak256,
    vkHash: manifest.files.vk.keccak256,
    manifestHash,
    inputShape: [...manifest.input.shape],
    outputShape: [...manifest.output.shape],
    inputScale: manifest.input.scale,
    outputScale: manifest.output.scale,
  };
}

export interface BindingMismatch {
  field: keyof ModelBinding;
  registered: string;
  bundle: string;
}

const show = (v: ModelBinding[keyof ModelBinding]): string => (Array.isArray(v) ? `[${v.join(",")}]` : String(v).toLowerCase());

/**
 * Every binding field of `registered` that differs from the bundle's (hashes compared case-insensitively, shapes
 * element by element). Compares the binding fields `registered` has (others, such as a spec's mode or price, are
 * ignored): pass a registered ModelSpec to check them all.
 */
export function bindingMismatches(registered: Partial<ModelBinding> & object, bundle: ModelBinding): BindingMismatch[] {
  const out: BindingMismatch[] = [];
  for (const field of Object.keys(registered) as (keyof ModelBinding)[]) {
    if (!(field in bundle)) continue;
    const [a, b] = [show(registered[field]!), show(bundle[field])];
    if (a !== b) out.push({ field, registered: a, bundle: b });
  }
  return out;
}
