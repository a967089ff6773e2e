import { BaseError, ContractFunctionRevertedError, type Address, type Hex } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { getModel } from "../chain/getModel.js";
import { BadInputError } from "../shared/errors.js";

/** What the executor needs of a registered model version (immutable once registered). */
export interface ModelInfo {
  modelId: bigint;
  onnxHash: Hex;
  inputShape: number[];
  outputShape: number[];
  inputLength: number;
  outputLength: number;
  inputScale: number;
  outputScale: number;
}

/** Model specs by id from the ModelRegistry, cached (a version never changes what it computes). */
export class ModelSpecCache {
  private cache = new Map<string, Promise<ModelInfo>>();

  constructor(
    private readonly client: TwinpathPublicClient,
    private readonly registry: Address,
  ) {}

  get(modelId: bigint): Promise<ModelInfo> {
    const key = modelId.toString();
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetch(modelId);
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  private async fetch(modelId: bigint): Promise<ModelInfo> {
    try {
      const m = await getModel(this.client, { registry: this.registry, modelId });
      return {
        modelId,
        onnxHash: m.spec.onnxHash,
        inputShape: m.spec.inputShape.map(Number),
        outputShape: m.spec.outputShape.map(Number),
        inputLength: Number(m.inputLength),
        outputLength: Number(m.outputLength),
        inputScale: Number(m.spec.inputScale),
        outputScale: Number(m.spec.outputScale),
      };
    } catch (err) {
      const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
      if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName === "ModelRegistryUnknownModel") {
        throw new BadInputError(`model ${modelId} is not registered`, { cause: err });
      }
      throw err;
    }
  }
}
