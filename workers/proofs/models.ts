import type { Address, Hex } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { RegisteredModelCache } from "../chain/modelCache.js";
import type { VerificationMode } from "../../protocol/enums.js";

/** What the proof path needs of a registered model version (immutable once registered). */
export interface ProofModel {
  modelId: bigint;
  onnxHash: Hex;
  settingsHash: Hex;
  circuitHash: Hex;
  vkHash: Hex;
  manifestHash: Hex;
  inputLength: number;
  outputLength: number;
  inputScale: number;
  outputScale: number;
  mode: VerificationMode;
  verifier: Address;
  /** max |fast - proven| per output element, fixed-point units */
  tolerance: bigint;
  /** requests one proof covers (ModelSpec.batch; > 1: a batch version, proved through workers/prover/proofBatches.ts);
   * absent = 1 */
  batch?: number;
}

/** Registered model versions by id, cached (a version never changes what it computes or how it is verified). */
export class ProofModelCache extends RegisteredModelCache<ProofModel> {
  constructor(client: TwinpathPublicClient, registry: Address) {
    super(client, registry, (modelId, m) => {
      const s = m.spec;
      return {
        modelId,
        onnxHash: s.onnxHash,
        settingsHash: s.settingsHash,
        circuitHash: s.circuitHash,
        vkHash: s.vkHash,
        manifestHash: s.manifestHash,
        inputLength: Number(m.inputLength),
        outputLength: Number(m.outputLength),
        inputScale: Number(s.inputScale),
        outputScale: Number(s.outputScale),
        mode: Number(s.mode) as VerificationMode,
        verifier: s.verifier,
        tolerance: s.tolerance,
        batch: Number(s.batch),
      };
    });
  }
}
