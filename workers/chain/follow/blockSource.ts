import type { Hex } from "viem";
import type { TwinpathPublicClient } from "../client.js";
import type { BlockHashSource } from "./reorg.js";

/** Head and block hashes over JSON-RPC: the part of the chain every checkpointed follower reads. */
export function chainBlockHashes(client: TwinpathPublicClient): BlockHashSource {
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
