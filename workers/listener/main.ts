/**
 * Listener process: follows the hub's InferenceRequested events and enqueues execute jobs.
 *   node --import tsx workers/listener/main.ts   (env: see workers/config/listener.ts)
 */
import { loadListenerConfig } from "../config/listener.js";
import { assertChainId, createChainClient } from "../chain/client.js";
import { RedisCheckpointStore } from "../chain/follow/checkpoint.js";
import { createRedis, defaultJobOptions, openQueue } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { redisKeys } from "../queues/keys.js";
import { retryStartup } from "../shared/runMain.js";
import { runRole } from "../shared/runRole.js";
import { chainBlockSource } from "./chainSource.js";
import { queueJobSink } from "./queueSink.js";
import { Listener } from "./listener.js";

await runRole("listener", loadListenerConfig, async ({ config, logger, metrics }) => {
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: config.LISTENER_POLL_INTERVAL_MS });
  const ctx = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
  const redis = createRedis(ctx);
  const queue = openQueue(ctx, QueueName.execute, { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) });
  const submitQueue = openQueue(ctx, QueueName.submit);
  const proveQueue = openQueue(ctx, QueueName.prove);
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));

  const listener = new Listener({
    source: chainBlockSource(client, config.HUB_ADDRESS),
    store: new RedisCheckpointStore(
      redis,
      redisKeys.listenerCheckpoint(config.QUEUE_PREFIX, config.CHAIN_ID, config.HUB_ADDRESS),
      redisKeys.listenerRecentBlocks(config.QUEUE_PREFIX, config.CHAIN_ID, config.HUB_ADDRESS),
    ),
    sink: queueJobSink({ queue, submitQueue, proveQueue, chainId: config.CHAIN_ID, hub: config.HUB_ADDRESS, logger }),
    confirmations: config.LISTENER_CONFIRMATIONS,
    startBlock: BigInt(config.LISTENER_START_BLOCK),
    pageSize: config.LISTENER_PAGE_SIZE,
    reorgWindow: config.LISTENER_REORG_WINDOW,
    pollIntervalMs: config.LISTENER_POLL_INTERVAL_MS,
    logger,
    metrics,
  });

  let running: Promise<void> | undefined;
  return {
    depth: { name: QueueName.execute, queue },
    check: () => (redis.status === "ready" ? null : `redis ${redis.status}`),
    start: () => void (running = listener.run()),
    started: { hub: config.HUB_ADDRESS, chainId: config.CHAIN_ID, confirmations: config.LISTENER_CONFIRMATIONS },
    beforeClose: async () => {
      listener.stop();
      await running;
    },
    close: async () => {
      await Promise.all([queue.close(), submitQueue.close(), proveQueue.close()]);
      redis.disconnect();
    },
  };
});
