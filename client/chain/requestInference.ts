import type { Address, Hex, TransactionReceipt } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { hubRequestOptions, quoteGasPrice, type RequestOptions } from "../../protocol/requestOptions.js";

export type { RequestOptions };
import { RequestFailedError } from "../errors.js";
import { decodeRequestLogs, type RequestEventOf } from "./events.js";
import type { ReadClient, WriteClient } from "./types.js";

export interface QuoteFeeParameters {
  hub: Address;
  modelRegistry: Address;
  modelId: bigint;
  options?: RequestOptions;
  /** gas price the callback budget is quoted at, wei. @defaultValue twice the network's current max fee per gas */
  gasPrice?: bigint;
}

/**
 * What requestInference must send (the one place the client prices a request): the hub's quoteFee — the model's
 * price plus the callback budget ((callback gas + 10,000) per callback at the request's gas price; what the
 * callbacks do not use comes back). Quoted at twice the current max fee per gas by default, since the budget is
 * charged at the transaction's own gas price; anything sent above price + budget is fee.
 */
export async function quoteFee(client: ReadClient, p: QuoteFeeParameters): Promise<bigint> {
  const gasPrice = p.gasPrice ?? quoteGasPrice((await client.estimateFeesPerGas()).maxFeePerGas);
  return client.readContract({ address: p.hub, abi: inferenceHubAbi, functionName: "quoteFee", args: [p.modelId, hubRequestOptions(p.options), gasPrice] });
}

export interface RequestInferenceParameters {
  hub: Address;
  modelId: bigint;
  /** fixed-point input at the model's input scale (encodeTensor) */
  input: readonly bigint[];
  /** wei sent with the request (>= the model's price + the callback budget; see quoteFee) */
  fee: bigint;
  options?: RequestOptions;
}

export interface RequestInferenceReturnType {
  requestId: bigint;
  transactionHash: Hex;
  blockNumber: bigint;
  receipt: TransactionReceipt;
  /** the InferenceRequested event: assigned executor, fee, result deadline, input as the hub recorded it */
  event: RequestEventOf<"InferenceRequested">;
}

/**
 * Sends requestInference from the wallet's account, waits for the receipt and returns the new request's id.
 * Simulates first, so a revert (inactive model, wrong input length, input outside the model's admitted domain, fee
 * too low, no executors) throws the hub's
 * decoded custom error before anything is sent. Throws RequestFailedError if the transaction reverts on chain.
 */
export async function requestInference(wallet: WriteClient, client: ReadClient, p: RequestInferenceParameters): Promise<RequestInferenceReturnType> {
  const o = p.options ?? {};
  const { request } = await client.simulateContract({
    account: wallet.account,
    address: p.hub,
    abi: inferenceHubAbi,
    functionName: "requestInference",
    args: [p.modelId, p.input, hubRequestOptions(o)],
    value: p.fee,
  });
  const hash = await wallet.writeContract({ ...request, chain: wallet.chain ?? client.chain });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new RequestFailedError(`requestInference transaction ${hash} reverted`, { metaMessages: [`  block ${receipt.blockNumber}`] });
  const event = decodeRequestLogs(receipt.logs.filter((l) => l.address.toLowerCase() === p.hub.toLowerCase())).find(
    (e): e is RequestEventOf<"InferenceRequested"> => e.eventName === "InferenceRequested",
  );
  if (!event) throw new RequestFailedError(`requestInference transaction ${hash} emitted no InferenceRequested event`, { details: "Is the hub address right?" });
  return { requestId: event.args.requestId, transactionHash: hash, blockNumber: receipt.blockNumber, receipt, event };
}

/** One item of requestInferences: a request as requestInference takes it. */
export interface RequestItem {
  modelId: bigint;
  /** fixed-point input at the model's input scale (encodeTensor) */
  input: readonly bigint[];
  /** wei this item pays (its own quoteFee; one item's payment never covers another's) */
  fee: bigint;
  options?: RequestOptions;
}

export interface RequestInferencesParameters {
  hub: Address;
  items: readonly RequestItem[];
}

export interface RequestInferencesReturnType {
  /** the new requests' ids, in item order (consecutive) */
  requestIds: bigint[];
  transactionHash: Hex;
  blockNumber: bigint;
  receipt: TransactionReceipt;
  /** the InferenceRequested events, in item order */
  events: RequestEventOf<"InferenceRequested">[];
}

/**
 * Sends many requests in one transaction (the hub's requestInferences), each item paying its own `fee`; the value
 * sent is their sum. All or nothing: simulated first, so an item the hub refuses throws the hub's decoded
 * InferenceHubRequestItemInvalid(index, reason) before anything is sent. Throws RequestFailedError if the
 * transaction reverts on chain.
 */
export async function requestInferences(wallet: WriteClient, client: ReadClient, p: RequestInferencesParameters): Promise<RequestInferencesReturnType> {
  const { items } = p;
  const { request } = await client.simulateContract({
    account: wallet.account,
    address: p.hub,
    abi: inferenceHubAbi,
    functionName: "requestInferences",
    args: [items.map((i) => i.modelId), items.map((i) => i.input), items.map((i) => hubRequestOptions(i.options)), items.map((i) => i.fee)],
    value: items.reduce((sum, i) => sum + i.fee, 0n),
  });
  const hash = await wallet.writeContract({ ...request, chain: wallet.chain ?? client.chain });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new RequestFailedError(`requestInferences transaction ${hash} reverted`, { metaMessages: [`  block ${receipt.blockNumber}`] });
  const events = decodeRequestLogs(receipt.logs.filter((l) => l.address.toLowerCase() === p.hub.toLowerCase())).filter(
    (e): e is RequestEventOf<"InferenceRequested"> => e.eventName === "InferenceRequested",
  );
  if (events.length !== items.length) {
    throw new RequestFailedError(`requestInferences transaction ${hash} emitted ${events.length} InferenceRequested events for ${items.length} items`, { details: "Is the hub address right?" });
  }
  return { requestIds: events.map((e) => e.args.requestId), transactionHash: hash, blockNumber: receipt.blockNumber, receipt, events };
}
