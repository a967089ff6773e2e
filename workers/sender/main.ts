/**
 * Sender process: owns the executor keys (one TxSender + batcher per key) and delivers results from the `submit`
 * queue, batching those ready together; also runs refunds. Run exactly one per set of keys (nonces live here).
 *   node --import tsx workers/sender/main.ts   (env: see workers/config/sender.ts)
 */
import { Worker } from "bullmq";
import { loadSenderConfig } from "../config/sender.js";
import { assertChainId, createChainClient, createSignerClient } from "../chain/client.js";
import { ResultBatcher } from "../chain/sender/resultBatcher.js";
import { TxSender } from "../chain/sender/txSender.js";
import { defaultJobOptions, openQueue, workerOptions } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { createLogger } from "../shared/logger.js";
import { createMetrics } from "../shared/metrics.js";
import { startHealthServer } from "../shared/httpServer.js";
import { metricsPort } from "../shared/metricsPort.js";
import { onShutdown } from "../shared/shutdown.js";
import { retryStartup, runMain } from "../shared/runMain.js";
import { KeyRing } from "./keys.js";
import { createRefundProcessor } from "./refund.js";
import { createSubmitProcessor } from "./submit.js";

await runMain("sender", async () => {
  const config = loadSenderConfig();
  const logger = createLogger("sender", config.LOG_LEVEL);
  const metrics = createMetrics("sender");
  const chain = { rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: 25 };
  const client = createChainClient(chain);
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));

  const keys = new KeyRing(
    config.SENDER_PRIVATE_KEYS.map((pk) => {
      const sender = new TxSender({
        publicClient: client,
        walletClient: createSignerClient(chain, pk),
        receiptTimeoutMs: config.SENDER_RECEIPT_TIMEOUT_MS,
        feeBumpPercent: config.SENDER_FEE_BUMP_PERCENT,
        maxResends: config.SENDER_MAX_RESENDS,
        logger,
        metrics,
      });
      const batcher = new ResultBatcher({ hub: config.HUB_ADDRESS, sender, publicClient: client, maxBatchSize: config.SENDER_BATCH_MAX_SIZE, maxWaitMs: config.SENDER_BATCH_MAX_WAIT_MS, logger });
      return { address: sender.address, sender, batcher };
    }),
  );

  const ctx = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
  const jobOptions = { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) };
  const proveQueue = openQueue(ctx, QueueName.prove, jobOptions);
  const refundQueue = openQueue(ctx, QueueName.refund, jobOptions);
  const submitQueue = openQueue(ctx, QueueName.submit);
  const common = { lockDuration: config.SENDER_LOCK_DURATION_MS, stalledInterval: config.SENDER_STALLED_INTERVAL_MS, maxStalledCount: 2 };
  const submitWorker = new Worker(
    QueueName.submit,
    createSubmitProcessor({ client, keys, proveQueue, refundQueue, logger, metrics, crashAfterSend: config.SENDER_FAULT_CRASH_AFTER_SEND }),
    workerOptions(ctx, { concurrency: config.SENDER_CONCURRENCY, ...common }),
  );
  const refundWorker = new Worker(QueueName.refund, createRefundProcessor({ client, keys, logger }), workerOptions(ctx, { concurrency: 1, ...common }));
  for (const w of [submitWorker, refundWorker]) {
    w.on("failed", (job, err) => logger.warn({ queue: w.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "job failed"));
    w.on("error", (err) => logger.error({ queue: w.name, err: err.message }, "worker error"));
  }

  const health = await startHealthServer({
    port: metricsPort(config.METRICS_PORT),
    host: config.METRICS_HOST,
    registry: metrics.registry,
    check: async () => {
      const counts = await submitQueue.getJobCounts("waiting", "active", "delayed", "failed");
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: QueueName.submit, state }, n);
      return submitWorker.isRunning() ? null : "worker not running";
    },
  });
  await Promise.all([submitWorker.waitUntilReady(), refundWorker.waitUntilReady()]);
  logger.info({ metricsPort: health.port, keys: keys.keys.map((k) => k.address), batch: config.SENDER_BATCH_MAX_SIZE, waitMs: config.SENDER_BATCH_MAX_WAIT_MS }, "sender started");

  onShutdown(logger, async () => {
    for (const k of keys.keys) k.batcher.flush(true);
    await Promise.all([submitWorker.close(), refundWorker.close()]);
    await Promise.all([proveQueue.close(), refundQueue.close(), submitQueue.close(), health.close()]);
  });
});
