import type { Address } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { chainBlockHashes } from "../chain/follow/blockSource.js";
import { getRequestLogs } from "../chain/getRequestLogs.js";
import { getRequestStatus } from "../chain/getRequest.js";
import type { BlockSource } from "./types.js";

/** BlockSource over JSON-RPC. */
export function chainBlockSource(client: TwinpathPublicClient, hub: Address): BlockSource {
  return {
    ...chainBlockHashes(client),
    requestLogs: (fromBlock, toBlock) => getRequestLogs(client, { hub, fromBlock, toBlock }),
    requestStatus: (requestId) => getRequestStatus(client, { hub, requestId }),
  };
}
