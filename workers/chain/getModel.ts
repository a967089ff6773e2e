import type { Address } from "viem";
import { modelRegistryAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "./client.js";

export interface GetModelParameters {
  registry: Address;
  modelId: bigint;
}
export type GetModelReturnType = Awaited<ReturnType<typeof getModel>>;

/** A registered model version (owner, active flag, spec with onnxHash, shapes, scales). */
export function getModel(client: TwinpathPublicClient, { registry, modelId }: GetModelParameters) {
  return client.readContract({ address: registry, abi: modelRegistryAbi, functionName: "getModel", args: [modelId] });
}
