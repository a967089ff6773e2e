import { copyFile, mkdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { keccak256, parseEventLogs, stringToHex, zeroAddress, type Address, type Hex } from "viem";
import { modelRegistryAbi } from "../protocol/abi/generated.js";
import { demoModelPath, demoModelShapes } from "../models/index.js";
import { VerificationMode } from "../protocol/enums.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "../workers/chain/client.js";

export interface FastPathModel {
  name: string;
  onnxPath: string;
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
  const shapes = demoModelShapes(name);
  return { name, onnxPath: demoModelPath(name), inputShape: shapes.input, outputShape: shapes.output, inputScale: 7, outputScale: 7 };
}

export interface RegisteredModel {
  modelId: bigint;
  onnxHash: Hex;
  model: FastPathModel;
}

/**
 * Registers an ONNX model for the fast path (ZKML_ATTESTED: no verifier contract needed; the proof path settles
 * it later). The EZKL artifact hashes are placeholders derived from the ONNX hash until a bundle exists; a
 * bundle's manifest gives the real ones.
 */
export async function registerFastPathModel(
  wallet: TwinpathWalletClient,
  client: TwinpathPublicClient,
  registry: Address,
  model: FastPathModel,
  options: { price?: bigint; mode?: number; verifier?: Address } = {},
): Promise<RegisteredModel> {
  const onnxHash = keccak256(new Uint8Array(await readFile(model.onnxPath)));
  const placeholder = (what: string) => keccak256(stringToHex(`twinpath:no-bundle:${what}:${onnxHash}`));
  const hash = await wallet.writeContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: [
      {
        onnxHash,
        settingsHash: placeholder("settings"),
        circuitHash: placeholder("circuit"),
        vkHash: placeholder("vk"),
        manifestHash: placeholder("manifest"),
        inputShape: model.inputShape,
        outputShape: model.outputShape,
        inputScale: model.inputScale,
        outputScale: model.outputScale,
        mode: options.mode ?? VerificationMode.ZKML_ATTESTED,
        verifier: options.verifier ?? zeroAddress,
        price: options.price ?? 0n,
        tolerance: 0n,
      },
    ],
  });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!event) throw new Error(`registerModel ${hash}: no ModelRegistered event (status ${receipt.status})`);
  return { modelId: event.args.modelId, onnxHash, model };
}

/** Copies a model file into a local model store as <keccak256>.onnx. */
export async function stockModelStore(dir: string, onnxPath: string): Promise<Hex> {
  const hash = keccak256(new Uint8Array(await readFile(onnxPath)));
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${hash.toLowerCase()}.onnx`);
  if (!existsSync(target)) await copyFile(onnxPath, target);
  return hash;
}
