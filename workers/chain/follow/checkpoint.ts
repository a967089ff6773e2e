import type { Redis } from "ioredis";
import type { Hex } from "viem";

/** A follower's position: the last block whose events were all handled, with its hash (to detect a reorg). */
export interface Checkpoint {
  block: bigint;
  hash: Hex;
}

/** A follower's position and the hashes of recently processed blocks. */
export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  /** Stored hashes of recently processed blocks, by number. */
  recentHashes(): Promise<Map<bigint, Hex>>;
  /** Atomically: move the checkpoint, remember `hashes`, forget hashes of blocks below `keepFrom`. */
  advance(checkpoint: Checkpoint, hashes: Map<bigint, Hex>, keepFrom: bigint): Promise<void>;
  /** Atomically: set the checkpoint back to `checkpoint` and forget hashes above it; null forgets everything. */
  rewind(checkpoint: Checkpoint | null): Promise<void>;
}

/**
 * Checkpoint in Redis: a hash {block, hash} plus a sorted set of recent blocks (score = number,
 * member = "<number>:<hash>"). Writes are MULTI transactions so the position and the hashes never disagree.
 */
export class RedisCheckpointStore implements CheckpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly checkpointKey: string,
    private readonly blocksKey: string,
  ) {}

  async load(): Promise<Checkpoint | null> {
    const v = await this.redis.hgetall(this.checkpointKey);
    if (!v.block) return null;
    return { block: BigInt(v.block), hash: v.hash as Hex };
  }

  async recentHashes(): Promise<Map<bigint, Hex>> {
    const members = await this.redis.zrange(this.blocksKey, "0", "-1");
    return new Map(members.map((m) => {
      const [n, h] = m.split(":");
      return [BigInt(n), h as Hex] as const;
    }));
  }

  async advance(checkpoint: Checkpoint, hashes: Map<bigint, Hex>, keepFrom: bigint): Promise<void> {
    const tx = this.redis.multi();
    for (const [n, h] of hashes) {
      tx.zremrangebyscore(this.blocksKey, n.toString(), n.toString());
      tx.zadd(this.blocksKey, n.toString(), `${n}:${h}`);
    }
    tx.zremrangebyscore(this.blocksKey, "-inf", `(${keepFrom}`);
    tx.hset(this.checkpointKey, { block: checkpoint.block.toString(), hash: checkpoint.hash, updatedAt: Date.now() });
    await tx.exec();
  }

  async rewind(checkpoint: Checkpoint | null): Promise<void> {
    if (!checkpoint) {
      await this.redis.multi().del(this.blocksKey).del(this.checkpointKey).exec();
      return;
    }
    await this.redis
      .multi()
      .zremrangebyscore(this.blocksKey, `(${checkpoint.block}`, "+inf")
      .hset(this.checkpointKey, { block: checkpoint.block.toString(), hash: checkpoint.hash, updatedAt: Date.now() })
      .exec();
  }
}

/** In-memory store for unit tests and dry runs. */
export class MemoryCheckpointStore implements CheckpointStore {
  checkpoint: Checkpoint | null = null;
  hashes = new Map<bigint, Hex>();
  async load() {
    return this.checkpoint;
  }
  async recentHashes() {
    return new Map(this.hashes);
  }
  async advance(checkpoint: Checkpoint, hashes: Map<bigint, Hex>, keepFrom: bigint) {
    for (const [n, h] of hashes) this.hashes.set(n, h);
    for (const n of [...this.hashes.keys()]) if (n < keepFrom) this.hashes.delete(n);
    this.checkpoint = checkpoint;
  }
  async rewind(checkpoint: Checkpoint | null) {
    for (const n of [...this.hashes.keys()]) if (!checkpoint || n > checkpoint.block) this.hashes.delete(n);
    this.checkpoint = checkpoint;
  }
}
