import { parseEventLogs, type Address, type Hash, type TransactionReceipt } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { hubRequestOptions, quoteGasPrice, type RequestOptions } from "../../protocol/requestOptions.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "./client.js";

export interface RequestInferenceParameters {
  hub: Address;
  modelId: bigint;
  input: readonly bigint[];
  /** msg.value: the model's price plus the callback budget (see quotePayment) */
  fee: bigint;
  options?: RequestOptions;
  nonce?: number;
}


/** What a request must pay (`msg.value`): the hub's quote (price + callback budget, at quoteGasPrice) plus `extra`. */
export async function quotePayment(
  client: TwinpathPublicClient,
  hub: Address,
  modelId: bigint,
  options: RequestOptions = {},
  extra = 0n,
): Promise<bigint> {
  const { maxFeePerGas } = await client.estimateFeesPerGas();
  const quote = await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "quoteFee", args: [modelId, hubRequestOptions(options), quoteGasPrice(maxFeePerGas)] });
  return quote + extra;
}

/** Sends requestInference from an EOA (consumer contracts call the hub themselves). Returns the tx hash. */
export function requestInference(wallet: TwinpathWalletClient, p: RequestInferenceParameters): Promise<Hash> {
  const o = p.options ?? {};
  return wallet.writeContract({
    address: p.hub,
    abi: inferenceHubAbi,
    functionName: "requestInference",
    args: [p.modelId, p.input, hubRequestOptions(o)],
    value: p.fee,
    nonce: p.nonce,
  });
}

/**
 * Sends many requests in one transaction from an EOA (the hub's requestInferences): each item pays its own `fee`
 * (its quotePayment), the value sent is their sum; all or nothing (a refused item reverts the batch with
 * InferenceHubRequestItemInvalid(index, reason)). Returns the tx hash; the ids are requestIdsFromReceipt, in order.
 */
export function requestInferences(wallet: TwinpathWalletClient, p: { hub: Address; items: readonly RequestItem[]; nonce?: number }): Promise<Hash> {
  return wallet.writeContract({ ...requestInferencesCall(p.hub, p.items), nonce: p.nonce });
}

/** One item of requestInferences: what requestInference takes, less the hub and the nonce. */
export type RequestItem = Omit<RequestInferenceParameters, "hub" | "nonce">;

/** The hub's requestInferences call for `items` (each paying its `fee`; the value is their sum), for any sender. */
export const requestInferencesCall = (hub: Address, items: readonly RequestItem[]) =>
  ({
    address: hub,
    abi: inferenceHubAbi,
    functionName: "requestInferences",
    args: [items.map((i) => i.modelId), items.map((i) => i.input), items.map((i) => hubRequestOptions(i.options)), items.map((i) => i.fee)],
    value: items.reduce((sum, i) => sum + i.fee, 0n),
  }) as const;

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
