import type { Address } from "viem";

/** Redis keys and queue prefixes the workers own (BullMQ builds its own keys under `<prefix>:<queue>:`). All built here. */
export const redisKeys = {
  /** hash {block, hash}: the last block the listener fully processed */
  listenerCheckpoint: (prefix: string, chainId: number, hub: Address) => `${prefix}:listener:${chainId}:${hub.toLowerCase()}:checkpoint`,
  /** sorted set of recently processed blocks' hashes (reorg detection) */
  listenerRecentBlocks: (prefix: string, chainId: number, hub: Address) => `${prefix}:listener:${chainId}:${hub.toLowerCase()}:blocks`,
  /**
   * Base of a verification node's follower keys (`<base>:pos` checkpoint, `<base>:blocks` recent hashes); the base
   * itself held the plain block number of the hash-less checkpoint of older versions.
   */
  verifierCheckpoint: (prefix: string, chainId: number, hub: Address, node: Address) =>
    `${prefix}:verifier:${chainId}:${hub.toLowerCase()}:${node.toLowerCase()}:checkpoint`,
};

/** The queue prefix of one verification node (each node verifies every proof, so each has its own queues). */
export const verifierQueuePrefix = (prefix: string, address: string) => `${prefix}.vn-${address.slice(2, 10).toLowerCase()}`;
