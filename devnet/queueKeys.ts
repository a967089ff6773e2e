import { createRedis, type QueueContext } from "../workers/queues/connection.js";

/**
 * On a shared Redis, removes everything written under the context's unique prefix: its queues (`<prefix>:…`) and the
 * verification nodes' own (`<prefix>.vn-…:…`). SCAN, not KEYS: a shared Redis may be big.
 */
export async function deleteQueueKeys(queues: QueueContext): Promise<void> {
  const redis = createRedis(queues);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${queues.prefix}[:.]*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
