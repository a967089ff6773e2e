import type { Address } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "./client.js";
import type { RequestStatus } from "../../protocol/enums.js";

export interface GetRequestParameters {
  hub: Address;
  requestId: bigint;
  blockNumber?: bigint;
}
export type GetRequestReturnType = Awaited<ReturnType<typeof getRequest>>;

/** The hub's stored record of a request (hashes, deadlines, status). */
export function getRequest(client: TwinpathPublicClient, { hub, requestId, blockNumber }: GetRequestParameters) {
  return client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "getRequest", args: [requestId], blockNumber });
}

export interface GetRequestStatusParameters {
  hub: Address;
  requestId: bigint;
}

/** Current status of a request (None for an unknown id). */
export async function getRequestStatus(client: TwinpathPublicClient, { hub, requestId }: GetRequestStatusParameters): Promise<RequestStatus> {
  return (await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "status", args: [requestId] })) as RequestStatus;
}

export interface GetRequestsParameters {
  hub: Address;
  requestIds: readonly bigint[];
}

/** The hub's records of many requests in one call (getRequests; an unknown id reads as a zero record, status None). */
export function getRequests(client: TwinpathPublicClient, { hub, requestIds }: GetRequestsParameters) {
  return client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "getRequests", args: [requestIds] });
}
