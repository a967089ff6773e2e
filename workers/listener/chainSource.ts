import type { Address, Hex } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { getRequestLogs } from "../chain/getRequestLogs.js";
import { getRequestStatus } from "../chain/getRequest.js";
import type { BlockSource } from "./types.js";

/** Head and block hashes over JSON-RPC (the part of a BlockSource every checkpointed follower needs). */
export function chainBlockHashes(client: TwinpathPublicClient): Pick<BlockSource, "headNumber" | "blockHash"> {
  return {
    headNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    blockHash: async (n) => {
      if (n < 0n) return null;
      try {
        return (await client.getBlock({ blockNumber: n })).hash as Hex;
      } catch (err) {
        if ((err as { name?: string }).name === "BlockNotFoundError") return null;
        throw err;
      }
    },
  };
}

/** BlockSource over JSON-RPC. */
export function chainBlockSource(client: TwinpathPublicClient, hub: Address): BlockSource {
  return {
    ...chainBlockHashes(client),
    requestLogs: (fromBlock, toBlock) => getRequestLogs(client, { hub, fromBlock, toBlock }),
    requestStatus: (requestId) => getRequestStatus(client, { hub, requestId }),
  };
}
