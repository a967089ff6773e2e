/**
 * Listener process: follows the hub's InferenceRequested events and enqueues execute jobs.
 *   node --import tsx workers/listener/main.ts   (env: see workers/config/listener.ts)
 */
import { loadListenerConfig } from "../config/listener.js";
import { assertChainId, createChainClient } from "../chain/client.js";
import { createRedis, defaultJobOptions, openQueue } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { redisKeys } from "../queues/keys.js";
import { createLogger } from "../shared/logger.js";
import { createMetrics } from "../shared/metrics.js";
import { startHealthServer } from "../shared/httpServer.js";
import { metricsPort } from "../shared/metricsPort.js";
import { onShutdown } from "../shared/shutdown.js";
import { retryStartup, runMain } from "../shared/runMain.js";
import { chainBlockSource } from "./chainSource.js";
import { queueJobSink } from "./queueSink.js";
import { Listener } from "./listener.js";
import { RedisCheckpointStore } from "./redisCheckpoint.js";

await runMain("listener", async () => {
  const config = loadListenerConfig();
  const logger = createLogger("listener", config.LOG_LEVEL);
  const metrics = createMetrics("listener");
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: config.LISTENER_POLL_INTERVAL_MS });
  const ctx = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
  const redis = createRedis(ctx);
  const jobOptions = { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) };
  const queue = openQueue(ctx, QueueName.execute, jobOptions);
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

  const health = await startHealthServer({
    port: metricsPort(config.METRICS_PORT),
    host: config.METRICS_HOST,
    registry: metrics.registry,
    check: async () => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed");
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: QueueName.execute, state }, n);
      return redis.status === "ready" ? null : `redis ${redis.status}`;
    },
  });
  logger.info({ metricsPort: health.port, hub: config.HUB_ADDRESS, chainId: config.CHAIN_ID, confirmations: config.LISTENER_CONFIRMATIONS }, "listener started");

  const running = listener.run();
  onShutdown(logger, async () => {
    listener.stop();
    await running;
    await Promise.all([queue.close(), submitQueue.close(), proveQueue.close(), health.close()]);
    redis.disconnect();
  });
});
