import { getAbiItem, type Address, type Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "./client.js";

export const inferenceRequestedEvent = getAbiItem({ abi: inferenceHubAbi, name: "InferenceRequested" });

export interface RequestLog {
  requestId: bigint;
  modelId: bigint;
  consumer: Address;
  executor: Address;
  input: readonly bigint[];
  fee: bigint;
  resultDeadline: bigint;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
}

export interface GetRequestLogsParameters {
  hub: Address;
  fromBlock: bigint;
  toBlock: bigint;
}

/** InferenceRequested events of the hub in [fromBlock, toBlock], in chain order. */
export async function getRequestLogs(client: TwinpathPublicClient, { hub, fromBlock, toBlock }: GetRequestLogsParameters): Promise<RequestLog[]> {
  const logs = await client.getLogs({ address: hub, event: inferenceRequestedEvent, fromBlock, toBlock, strict: true });
  return logs.map((log) => ({
    requestId: log.args.requestId,
    modelId: log.args.modelId,
    consumer: log.args.consumer,
    executor: log.args.executor,
    input: log.args.input,
    fee: log.args.fee,
    resultDeadline: log.args.resultDeadline,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
  }));
}
