import { BaseError, ContractFunctionRevertedError, type Address, type Hex } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { getModel } from "../chain/getModel.js";
import { BadInputError } from "../shared/errors.js";

/** VerificationMode (contracts/types/Types.sol), as the ABI carries it. */
export const VerificationMode = { ZKML_ONCHAIN: 0, ZKML_ATTESTED: 1, OPTIMISTIC: 2 } as const;
export type VerificationMode = (typeof VerificationMode)[keyof typeof VerificationMode];
export const modeName = (m: number): string => Object.entries(VerificationMode).find(([, v]) => v === m)?.[0] ?? `Unknown(${m})`;

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
}

/** Registered model versions by id, cached (a version never changes what it computes or how it is verified). */
export class ProofModelCache {
  private cache = new Map<string, Promise<ProofModel>>();

  constructor(
    private readonly client: TwinpathPublicClient,
    private readonly registry: Address,
  ) {}

  get(modelId: bigint): Promise<ProofModel> {
    const key = modelId.toString();
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetch(modelId);
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  private async fetch(modelId: bigint): Promise<ProofModel> {
    try {
      const m = await getModel(this.client, { registry: this.registry, modelId });
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
