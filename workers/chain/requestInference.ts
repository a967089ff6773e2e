import { parseEventLogs, type Address, type Hash, type TransactionReceipt } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "./client.js";

export interface RequestInferenceParameters {
  hub: Address;
  modelId: bigint;
  input: readonly bigint[];
  fee: bigint;
  options?: { callbackGasLimit?: number; resultCallback?: boolean; resultTimeout?: number; proofTimeout?: number };
  nonce?: number;
}

/** Sends requestInference from an EOA (consumer contracts call the hub themselves). Returns the tx hash. */
export function requestInference(wallet: TwinpathWalletClient, p: RequestInferenceParameters): Promise<Hash> {
  const o = p.options ?? {};
  return wallet.writeContract({
    address: p.hub,
    abi: inferenceHubAbi,
    functionName: "requestInference",
    args: [p.modelId, p.input, { callbackGasLimit: o.callbackGasLimit ?? 0, resultCallback: o.resultCallback ?? false, resultTimeout: o.resultTimeout ?? 0, proofTimeout: o.proofTimeout ?? 0 }],
    value: p.fee,
    nonce: p.nonce,
  });
}

/** Request ids created by a mined transaction (from its InferenceRequested logs). */
export function requestIdsFromReceipt(receipt: TransactionReceipt, hub: Address): bigint[] {
  return parseEventLogs({ abi: inferenceHubAbi, eventName: "InferenceRequested", logs: receipt.logs })
    .filter((l) => l.address.toLowerCase() === hub.toLowerCase())
    .map((l) => l.args.requestId);
}

export async function waitForRequestIds(client: TwinpathPublicClient, hash: Hash, hub: Address): Promise<{ receipt: TransactionReceipt; requestIds: bigint[] }> {
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  return { receipt, requestIds: requestIdsFromReceipt(receipt, hub) };
}
