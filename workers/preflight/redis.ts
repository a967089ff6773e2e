import type { Redis } from "ioredis";

/**
 * Is this Redis configured the way a durable job queue needs? Two settings decide whether queued work survives:
 *  - `appendonly yes`: without the append-only file a Redis restart loses every job written since the last
 *    snapshot (or all of them, without snapshots);
 *  - `maxmemory-policy noeviction`: any other policy lets Redis delete keys — jobs, locks, the listener's
 *    checkpoint — when it runs out of memory (BullMQ's own requirement).
 * Read with INFO (allowed on managed Redis services, where CONFIG usually is not).
 */
export interface RedisDurability {
  appendonly: boolean;
  maxmemoryPolicy: string;
  version: string;
  /** one sentence per setting that is wrong, saying what it risks and what to set */
  problems: string[];
}

function field(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, "m").exec(info);
  return m?.[1]?.trim();
}

export function durabilityFromInfo(info: string): RedisDurability {
  const appendonly = field(info, "aof_enabled") === "1";
  const maxmemoryPolicy = field(info, "maxmemory_policy") ?? "unknown";
  const problems: string[] = [];
  if (!appendonly) {
    problems.push("appendonly is no: a Redis restart loses the queued jobs written since the last snapshot (set `appendonly yes`)");
  }
  if (maxmemoryPolicy !== "noeviction") {
    problems.push(`maxmemory-policy is ${maxmemoryPolicy}: Redis may delete jobs and checkpoints when memory runs out (set \`maxmemory-policy noeviction\`)`);
  }
  return { appendonly, maxmemoryPolicy, version: field(info, "redis_version") ?? "unknown", problems };
}

export async function checkRedisDurability(redis: Redis): Promise<RedisDurability> {
  const info = (await redis.info("persistence")) + (await redis.info("memory")) + (await redis.info("server"));
  return durabilityFromInfo(info);
}
