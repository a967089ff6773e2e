import type { Address } from "viem";
import type { TwinpathPublicClient } from "./client.js";
import { getModel } from "./getModel.js";
import { protocolErrorOf } from "./protocolError.js";
import { BadInputError } from "../shared/errors.js";
import { PromiseCache } from "../shared/promiseCache.js";

/** A model version as `ModelRegistry.getModel` returns it. */
export type RegisteredModel = Awaited<ReturnType<typeof getModel>>;

/**
 * Registered model versions by id, read once and cached as whatever view `toView` makes of them (a version never
 * changes what it computes or how it is verified). A failed read is not cached; an unknown id is a BadInputError.
 */
export class RegisteredModelCache<T> {
  private readonly cache = new PromiseCache<bigint, T>();

  constructor(
    private readonly client: TwinpathPublicClient,
    private readonly registry: Address,
    private readonly toView: (modelId: bigint, model: RegisteredModel) => T,
  ) {}

  get(modelId: bigint): Promise<T> {
    return this.cache.get(modelId, () => this.fetch(modelId));
  }

  private async fetch(modelId: bigint): Promise<T> {
    try {
      return this.toView(modelId, await getModel(this.client, { registry: this.registry, modelId }));
    } catch (err) {
      if (protocolErrorOf(err)?.errorName === "ModelRegistryUnknownModel") {
        throw new BadInputError(`model ${modelId} is not registered`, { cause: err });
      }
      throw err;
    }
  }
}
