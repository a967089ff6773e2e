/**
 * Executor process: runs models for `execute` jobs and hands the outputs to the `submit` queue.
 * Scale it freely (pm2 scale executor N, or more machines on the same Redis): it holds no key and no state.
 *   node --import tsx workers/executor/main.ts   (env: see workers/config/executor.ts)
 */
import { Worker } from "bullmq";
import { loadExecutorConfig } from "../config/executor.js";
import { assertChainId, createChainClient } from "../chain/client.js";
import { defaultJobOptions, openQueue, workerOptions } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { LocalModelStore } from "../model-store/localStore.js";
import { createLogger } from "../shared/logger.js";
import { createMetrics } from "../shared/metrics.js";
import { startHealthServer } from "../shared/httpServer.js";
import { metricsPort } from "../shared/metricsPort.js";
import { onShutdown } from "../shared/shutdown.js";
import { retryStartup, runMain } from "../shared/runMain.js";
import { ModelSpecCache } from "./models.js";
import { SessionCache } from "./sessions.js";
import { createExecuteProcessor } from "./processor.js";

await runMain("executor", async () => {
  const config = loadExecutorConfig();
  const logger = createLogger("executor", config.LOG_LEVEL);
  const metrics = createMetrics("executor");
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID });
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));
  const ctx = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
  const jobOptions = { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) };
  const submitQueue = openQueue(ctx, QueueName.submit, jobOptions);
  const refundQueue = openQueue(ctx, QueueName.refund, jobOptions);
  const sessions = new SessionCache(new LocalModelStore(config.MODEL_STORE_DIR), config.EXECUTOR_SESSION_CACHE);

  const worker = new Worker(
    QueueName.execute,
    createExecuteProcessor({ client, models: new ModelSpecCache(client, config.MODEL_REGISTRY_ADDRESS), sessions, submitQueue, refundQueue, logger, metrics, faultDelayMs: config.EXECUTOR_FAULT_DELAY_MS, faultOutputOffset: config.EXECUTOR_FAULT_OUTPUT_OFFSET }),
    workerOptions(ctx, {
      concurrency: config.EXECUTOR_CONCURRENCY,
      lockDuration: config.EXECUTOR_LOCK_DURATION_MS,
      stalledInterval: config.EXECUTOR_STALLED_INTERVAL_MS,
      maxStalledCount: 2,
    }),
  );
  worker.on("failed", (job, err) => logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "job failed"));
  worker.on("error", (err) => logger.error({ err: err.message }, "worker error"));

  const executeQueue = openQueue(ctx, QueueName.execute);
  const health = await startHealthServer({
    port: metricsPort(config.METRICS_PORT),
    host: config.METRICS_HOST,
    registry: metrics.registry,
    check: async () => {
      const counts = await executeQueue.getJobCounts("waiting", "active", "delayed", "failed");
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: QueueName.execute, state }, n);
      return worker.isRunning() ? null : "worker not running";
    },
  });
  await worker.waitUntilReady();
  logger.info({ metricsPort: health.port, concurrency: config.EXECUTOR_CONCURRENCY, store: config.MODEL_STORE_DIR }, "executor started");

  onShutdown(logger, async () => {
    await worker.close(); // finishes in-flight jobs; none are taken meanwhile
    await Promise.all([submitQueue.close(), refundQueue.close(), executeQueue.close(), sessions.close(), health.close()]);
  });
});
