import type { Address } from "viem";

/** Redis keys the workers own (BullMQ builds its own under `<prefix>:<queue>:`). All built here. */
export const redisKeys = {
  /** hash {block, hash}: the last block the listener fully processed */
  listenerCheckpoint: (prefix: string, chainId: number, hub: Address) => `${prefix}:listener:${chainId}:${hub.toLowerCase()}:checkpoint`,
  /** hash blockNumber -> blockHash of recently processed blocks (reorg detection) */
  listenerRecentBlocks: (prefix: string, chainId: number, hub: Address) => `${prefix}:listener:${chainId}:${hub.toLowerCase()}:blocks`,
};
