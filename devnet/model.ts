import { copyFile, mkdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { keccak256, parseEventLogs, zeroAddress, type Address, type Hex } from "viem";
import { modelRegistryAbi } from "../protocol/abi/generated.js";
import { demoModelPath } from "../models/index.js";
import { committedBundleDir } from "../models/bundle.js";
import { VerificationMode, verificationModeName, type VerificationModeName } from "../protocol/enums.js";
import { loadBundleManifest, manifestToModelSpec } from "../compiler/registration.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "../workers/chain/client.js";

export interface FastPathModel {
  name: string;
  onnxPath: string;
  /** the model's bundle: its manifest gives the registration (hashes, admitted domain, tolerance) and the
   * executor's compiled circuit */
  bundleDir: string;
  inputShape: number[];
  outputShape: number[];
  inputScale: number;
  outputScale: number;
}

/**
 * The demo model for the fast path. Scales 7/7 match EZKL's default input/param scale; when the proof path's
 * bundle exists (models/index.ts ensureDemoBundle + compiler/registration.ts) registration should use
 * its manifest instead (registerBundle below does when a manifest is given).
 */
export async function demoFastPathModel(name = "iris-mlp"): Promise<FastPathModel> {
  const bundleDir = committedBundleDir(name);
  const { manifest } = await loadBundleManifest(bundleDir);
  return {
    name,
    onnxPath: demoModelPath(name),
    bundleDir,
    inputShape: [...manifest.input.shape],
    outputShape: [...manifest.output.shape],
    inputScale: manifest.input.scale,
    outputScale: manifest.output.scale,
  };
}

export interface RegisteredModel {
  modelId: bigint;
  onnxHash: Hex;
  /** the compiled circuit's hash (what the executor runs: the circuit's forward pass) */
  circuitHash: Hex;
  model: FastPathModel;
}

/**
 * Registers a model for the fast path from its bundle's manifest (the same mapping as scripts/register-model.ts:
 * artifact hashes, admitted input domain, tolerance), ZKML_ATTESTED by default (no verifier contract needed; the
 * proof path settles it when it runs).
 */
export async function registerFastPathModel(
  wallet: TwinpathWalletClient,
  client: TwinpathPublicClient,
  registry: Address,
  model: FastPathModel,
  options: { price?: bigint; mode?: number; verifier?: Address } = {},
): Promise<RegisteredModel> {
  const loaded = await loadBundleManifest(model.bundleDir);
  const mode = verificationModeName(options.mode ?? VerificationMode.ZKML_ATTESTED) as VerificationModeName;
  const spec = manifestToModelSpec(loaded, { mode, verifier: options.verifier ?? zeroAddress, price: options.price ?? 0n });
  const hash = await wallet.writeContract({ address: registry, abi: modelRegistryAbi, functionName: "registerModel", args: [spec] });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!event) throw new Error(`registerModel ${hash}: no ModelRegistered event (status ${receipt.status})`);
  return { modelId: event.args.modelId, onnxHash: spec.onnxHash, circuitHash: spec.circuitHash, model };
}

/**
 * Copies a model's files into a local model store: the ONNX file as <keccak256>.onnx and, when the model has a
 * bundle, its compiled circuit as <keccak256>.compiled (the executor answers with the circuit's forward pass).
 */
export async function stockModelStore(dir: string, model: Pick<FastPathModel, "onnxPath"> & { bundleDir?: string }): Promise<Hex> {
  await mkdir(dir, { recursive: true });
  const copy = async (path: string, ext: string) => {
    const hash = keccak256(new Uint8Array(await readFile(path)));
    const target = join(dir, `${hash.toLowerCase()}.${ext}`);
    if (!existsSync(target)) await copyFile(path, target);
    return hash;
  };
  const hash = await copy(model.onnxPath, "onnx");
  if (model.bundleDir) await copy(join(model.bundleDir, "model.compiled"), "compiled");
  return hash;
}
