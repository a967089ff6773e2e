import type { Address, Hex } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { RegisteredModelCache } from "../chain/modelCache.js";

/** What the executor needs of a registered model version (immutable once registered). */
export interface ModelInfo {
  modelId: bigint;
  onnxHash: Hex;
  /** the compiled circuit whose witness is the executor's answer */
  circuitHash: Hex;
  inputShape: number[];
  outputShape: number[];
  inputLength: number;
  outputLength: number;
  inputScale: number;
  outputScale: number;
  /** requests one proof covers (ModelSpec.batch): the circuit takes that many requests' inputs */
  batch: number;
}

/** Model specs by id from the ModelRegistry, cached (a version never changes what it computes). */
export class ModelSpecCache extends RegisteredModelCache<ModelInfo> {
  constructor(client: TwinpathPublicClient, registry: Address) {
    super(client, registry, (modelId, m) => ({
      modelId,
      onnxHash: m.spec.onnxHash,
      circuitHash: m.spec.circuitHash,
      inputShape: m.spec.inputShape.map(Number),
      outputShape: m.spec.outputShape.map(Number),
      inputLength: Number(m.inputLength),
      outputLength: Number(m.outputLength),
      inputScale: Number(m.spec.inputScale),
      outputScale: Number(m.spec.outputScale),
      batch: Number(m.spec.batch),
    }));
  }
}
