import type { Address } from "viem";
import { inferenceHubAbi } from "./abi/generated.js";
import type { TwinpathPublicClient } from "./client.js";

/** Lifecycle of a request, mirrored from contracts/types/Types.sol (the ABI carries it as uint8). */
export const RequestStatus = { None: 0, Requested: 1, Executed: 2, ProofSubmitted: 3, Settled: 4, Refunded: 5 } as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];
export const requestStatusName = (s: number): string => Object.entries(RequestStatus).find(([, v]) => v === s)?.[0] ?? `Unknown(${s})`;

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
