import type { Address } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { chainBlockHashes } from "../chain/follow/blockSource.js";
import { getRequestLogs } from "../chain/getRequestLogs.js";
import { RequestReader } from "../chain/requestReader.js";
import type { BlockSource } from "./types.js";

/** BlockSource over JSON-RPC. */
export function chainBlockSource(client: TwinpathPublicClient, hub: Address): BlockSource {
  const requests = new RequestReader(client);
  return {
    ...chainBlockHashes(client),
    requestLogs: (fromBlock, toBlock) => getRequestLogs(client, { hub, fromBlock, toBlock }),
    requestStatuses: async (requestIds) => (await requests.getMany(hub, requestIds)).map((r) => r.status),
  };
}
