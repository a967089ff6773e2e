/**
 * Registers a model version in the ModelRegistry: a new model, or a new version of one the account owns
 * (`previous`). Simulates first (a refusal throws the registry's decoded custom error before anything is sent),
 * waits for the receipt and returns the new id from ModelRegistered. The spec comes from a bundle through
 * compiler/registration.ts; `twinpath model register`, scripts/register-model.ts and the devnet all register here.
 */
import { parseEventLogs, type Address, type Hash, type TransactionReceipt } from "viem";
import { modelRegistryAbi } from "../../protocol/abi/generated.js";
import type { ModelSpec } from "../../protocol/modelSpec.js";
import { ChainError } from "../shared/errors.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "./client.js";

export interface RegisterModelParameters {
  modelRegistry: Address;
  spec: ModelSpec;
  /** register as a new version of this model id (the account must own it) */
  previous?: bigint;
}

export interface RegisterModelReturnType {
  modelId: bigint;
  hash: Hash;
  receipt: TransactionReceipt;
}

export async function registerModel(wallet: TwinpathWalletClient, client: TwinpathPublicClient, p: RegisterModelParameters): Promise<RegisterModelReturnType> {
  const call =
    p.previous === undefined
      ? ({ address: p.modelRegistry, abi: modelRegistryAbi, functionName: "registerModel", args: [p.spec] } as const)
      : ({ address: p.modelRegistry, abi: modelRegistryAbi, functionName: "registerVersion", args: [p.previous, p.spec] } as const);
  const { request } = await client.simulateContract({ ...call, account: wallet.account } as never);
  const hash = await wallet.writeContract(request as never);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new ChainError(`model registration ${hash} reverted in block ${receipt.blockNumber}`);
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (event === undefined) throw new ChainError(`model registration ${hash} emitted no ModelRegistered event`, { details: "Is the ModelRegistry address right?" });
  return { modelId: event.args.modelId, hash, receipt };
}
