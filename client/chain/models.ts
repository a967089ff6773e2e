import type { Address, Hex } from "viem";
import { modelRegistryAbi } from "../../protocol/abi/generated.js";
import { verificationModeName, type VerificationMode } from "../../protocol/enums.js";
import type { TensorSpec } from "../tensor.js";
import type { ReadClient } from "./types.js";

/** A registered model version, as ModelRegistry.getModel returns it, with its tensors as TensorSpecs. */
export interface TwinpathModel {
  id: bigint;
  owner: Address;
  active: boolean;
  /** 0n for a first version */
  previousVersion: bigint;
  mode: VerificationMode;
  /** the mode's name from the contracts' enum (ZKML_ONCHAIN, ZKML_ATTESTED, OPTIMISTIC) */
  modeName: string;
  verifier: Address;
  /** minimum fee in wei */
  price: bigint;
  /** max |fast output - proven output| per element, fixed-point units */
  tolerance: bigint;
  input: TensorSpec;
  output: TensorSpec;
  /** the admitted input domain: per element (or one pair for all) the fixed-point bounds the hub accepts */
  domain: { lower: bigint[]; upper: bigint[] };
  /** the hashes the registry binds the model to (protocol/modelBinding.ts) */
  hashes: { onnxHash: Hex; settingsHash: Hex; circuitHash: Hex; vkHash: Hex; manifestHash: Hex };
  /** requests one proof covers (a batch version when above 1; `input` and `output` are one request's) */
  batch: number;
}

export interface GetModelParameters {
  modelRegistry: Address;
  modelId: bigint;
}

/** One registered model version. Reverts (ModelRegistryUnknownModel) for an unknown id. */
export async function getModel(client: ReadClient, { modelRegistry, modelId }: GetModelParameters): Promise<TwinpathModel> {
  const m = await client.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: "getModel", args: [modelId] });
  const s = m.spec;
  return {
    id: modelId,
    owner: m.owner,
    active: m.active,
    previousVersion: BigInt(m.previousVersion),
    mode: s.mode as VerificationMode,
    modeName: verificationModeName(s.mode),
    verifier: s.verifier,
    price: s.price,
    tolerance: s.tolerance,
    input: { shape: [...s.inputShape], scale: s.inputScale },
    output: { shape: [...s.outputShape], scale: s.outputScale },
    domain: { lower: [...s.inputLower], upper: [...s.inputUpper] },
    hashes: { onnxHash: s.onnxHash, settingsHash: s.settingsHash, circuitHash: s.circuitHash, vkHash: s.vkHash, manifestHash: s.manifestHash },
    batch: Number(s.batch),
  };
}

/** Every registered model version (ids 1..modelCount), oldest first. */
export async function listModels(client: ReadClient, { modelRegistry }: { modelRegistry: Address }): Promise<TwinpathModel[]> {
  const count = await client.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: "modelCount" });
  return Promise.all(Array.from({ length: Number(count) }, (_, i) => getModel(client, { modelRegistry, modelId: BigInt(i + 1) })));
}
